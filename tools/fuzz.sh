#!/usr/bin/env bash
# Fuzzes every reader of outside input with libFuzzer (tests/fuzz/):
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    # default 60 s, every target
#   tools/fuzz.sh --list                               # the targets
#   tools/fuzz.sh --totals                             # seconds, runs and crashes so far
#
# Installs clang 14 and its runtimes where missing (through tools/setup.sh),
# builds the targets in build-fuzz/ with clang++-14
# -fsanitize=fuzzer,address,undefined (the gnnrec library too, with
# GNNREC_SANITIZE=ON and coverage instrumentation; CPU only), then runs the
# targets one after the other, one process on one core each, for
# SECONDS_PER_TARGET. The working corpus grows in build-fuzz/corpus/<target>/
# (outside the repository), starting from the seeds in
# tests/fuzz/corpus/<target>/. Every crash, timeout, out-of-memory or leak
# input is copied to tests/fuzz/regressions/<target>/, where the normal test
# suite replays it (test_fuzz_replay); a target stops at its first finding,
# and a regression file that still fails stops it at once.
#
# At the end it prints, per target: seconds, executions, exec/s, coverage
# (libFuzzer's final cov and ft) and the result; each run is also appended
# to build-fuzz/fuzz-runs.tsv (--totals sums it).
set -euo pipefail
GNNREC_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$GNNREC_ROOT/build-fuzz"
FUZZ_SRC="$GNNREC_ROOT/tests/fuzz"
RUNS_TSV="$BUILD/fuzz-runs.tsv"
ALL_TARGETS=(movielens lastfm lightgcn_txt edge_list mpd graph_cache checkpoint node_features cli)
# Per input: a run longer than this many seconds is a timeout finding, and
# a process above this RSS (or one allocation above the malloc limit) an
# out-of-memory finding. Inputs are at most a few KB, so neither is ever
# legitimately needed by a reader; both are generous for the sanitizers.
TIMEOUT_S=10
RSS_LIMIT_MB=2048
MALLOC_LIMIT_MB=1024

totals() {
  if [ ! -f "$RUNS_TSV" ]; then
    echo "no runs yet ($RUNS_TSV)"
    return
  fi
  awk -F'\t' '
    NR > 1 { s[$2] += $3; n[$2] += $4; r[$2]++; if ($8 != "ok") c[$2]++; if (!($2 in o)) o[$2] = ++k; cov[$2] = $6; ft[$2] = $7 }
    END {
      printf "%-14s %8s %12s %8s %6s %6s %5s %8s\n", "target", "seconds", "executions", "exec/s", "cov", "ft", "runs", "findings"
      for (t in o) order[o[t]] = t
      for (i = 1; i <= k; i++) { t = order[i]
        printf "%-14s %8d %12d %8d %6s %6s %5d %8d\n", t, s[t], n[t], (s[t] > 0 ? n[t] / s[t] : 0), cov[t], ft[t], r[t], c[t] }
    }' "$RUNS_TSV"
}

case "${1:-}" in
  --list)
    printf '%s\n' "${ALL_TARGETS[@]}"
    exit 0
    ;;
  --totals)
    totals
    exit 0
    ;;
  -h | --help)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number >= 1, got '$seconds'" >&2
  exit 2
fi
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${ALL_TARGETS[@]}"); fi
for target in "${targets[@]}"; do
  if ! printf '%s\n' "${ALL_TARGETS[@]}" | grep -qx -- "$target"; then
    echo "fuzz.sh: unknown target '$target' (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

# ---- Tools --------------------------------------------------------------------------
# libFuzzer and the sanitizers' runtimes; OpenMP for clang.
"$GNNREC_ROOT/tools/setup.sh" clang-14 libclang-rt-14-dev libomp-14-dev

# ---- Build ----------------------------------------------------------------------------
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  # -O1 -g: readable stack traces at nearly full speed (the usual libFuzzer choice).
  cmake -S "$GNNREC_ROOT" -B "$BUILD" "${generator[@]}" "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
    -DGNNREC_CUDA=OFF -DGNNREC_SANITIZE=ON -DGNNREC_FUZZ=ON -DGNNREC_BUILD_BENCH=OFF \
    -DGNNREC_NATIVE=OFF >/dev/null
fi
cmake --build "$BUILD" -j "${GNNREC_BUILD_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

# ---- Run ------------------------------------------------------------------------------
# The files the targets write go to a private folder, in memory where possible.
scratch_parent=/dev/shm
if [ ! -w "$scratch_parent" ]; then scratch_parent="$BUILD"; fi
scratch="$(mktemp -d "$scratch_parent/gnnrec-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"
export OMP_NUM_THREADS=1
# A finding must stop the process (and leave an artifact), never just print.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

if [ ! -f "$RUNS_TSV" ]; then
  printf 'date\ttarget\tseconds\texecutions\texec_per_s\tcov\tft\tresult\n' >"$RUNS_TSV"
fi
summary=()
status=0
for target in "${targets[@]}"; do
  corpus="$BUILD/corpus/$target"
  artifacts="$BUILD/artifacts/$target"
  regressions="$FUZZ_SRC/regressions/$target"
  log="$BUILD/logs/$target-$(date +%Y%m%d-%H%M%S).log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  inputs=("$corpus" "$FUZZ_SRC/corpus/$target")
  if [ -d "$regressions" ]; then inputs+=("$regressions"); fi
  dict=()
  if [ -f "$FUZZ_SRC/dicts/$target.dict" ]; then dict=(-dict="$FUZZ_SRC/dicts/$target.dict"); fi
  echo "=== fuzz_$target: ${seconds} s (log: ${log#$GNNREC_ROOT/}) ==="
  start=$SECONDS
  set +e
  "$BUILD/tests/fuzz/fuzz_$target" "${inputs[@]}" "${dict[@]}" -max_total_time="$seconds" \
    -timeout="$TIMEOUT_S" -rss_limit_mb="$RSS_LIMIT_MB" -malloc_limit_mb="$MALLOC_LIMIT_MB" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$((SECONDS - start))
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  exec_per_s="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  ft="$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  result=ok
  found=()
  for artifact in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
    [ -f "$artifact" ] || continue
    mkdir -p "$regressions"
    cp "$artifact" "$regressions/"
    found+=("$(basename "$artifact")")
    rm -f "$artifact"
  done
  if [ $rc -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    result="FAILED(rc=$rc)${found:+ ${found[*]}}"
    status=1
    echo "fuzz_$target: finding, copied to ${regressions#$GNNREC_ROOT/}/: ${found[*]:-none}"
    grep -m 1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*fuzz invariant broken|.*deadly signal|.*uncaught exception)' "$log" || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$elapsed" \
    "${executions:-0}" "${exec_per_s:-0}" "${cov:-?}" "${ft:-?}" "$result" >>"$RUNS_TSV"
  summary+=("$(printf '%-14s %6s s %10s execs %7s exec/s  cov %5s  ft %6s  %s' "$target" "$elapsed" \
    "${executions:-0}" "${exec_per_s:-0}" "${cov:-?}" "${ft:-?}" "$result")")
done

echo "=== fuzz summary (this run) ==="
printf '%s\n' "${summary[@]}"
echo "=== all runs so far (build-fuzz/fuzz-runs.tsv) ==="
totals
exit $status
