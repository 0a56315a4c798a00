# Shared by the end-to-end check scripts (sourced): a failure counter and
# the checks the scripts have in common. Each script sets BIN (the program
# under test) before calling expect_error or expect_same_results_with_threads.

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME PATTERN ARGS...: non-zero exit, one "error" line matching PATTERN.
expect_error() {
  local name="$1" pattern="$2"
  shift 2
  local out rc
  out=$("$BIN" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -eq 0 ]; then fail "$name: exit 0, expected an error"; return; fi
  if [ "$(grep -c 'error' <<<"$out")" -ne 1 ]; then fail "$name: expected one error line, got: $out"; return; fi
  if ! grep -q -- "$pattern" <<<"$out"; then fail "$name: error does not mention '$pattern': $out"; return; fi
  echo "ok: $name -> $out"
}

# metrics.csv without its timing columns (epoch_seconds, eval_seconds).
without_timings() { awk -F, -v OFS=, '{ $3 = ""; NF--; print }' "$1"; }

# expect_same_results_with_threads ARGS...: runs with --threads 1 and
# --threads 3 (issue 8: the thread count changes no result) and compares
# their metrics.csv, timings aside.
expect_same_results_with_threads() {
  "$BIN" "$@" --threads 1 --out one-thread >one-thread.log 2>&1 || fail "--threads 1 failed"
  "$BIN" "$@" --threads 3 --out three-threads >three-threads.log 2>&1 || fail "--threads 3 failed"
  grep -q "^threads: 1 " one-thread.log || fail "--threads 1: no 'threads: 1' line in the output"
  if [ -s one-thread/metrics.csv ] &&
    cmp -s <(without_timings one-thread/metrics.csv) <(without_timings three-threads/metrics.csv); then
    echo "ok: --threads 1 and --threads 3 give the same metrics.csv"
  else
    fail "--threads 1 and --threads 3 differ:"
    diff <(without_timings one-thread/metrics.csv) <(without_timings three-threads/metrics.csv) | head
  fi
}
