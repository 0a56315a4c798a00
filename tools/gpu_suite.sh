#!/usr/bin/env bash
# Every GPU check in one command (../shared/GPU.md).
#
#   tools/gpu_suite.sh pack   here: gathers what the bare GPU machine lacks
#                             into .gpu/ (ignored by git): our dependencies'
#                             .deb files, the datasets GPU runs read, the
#                             commit; checks the size and prints what to send.
#   tools/gpu_suite.sh run    there (or here, to test it): unpacks the .debs
#                             into a private prefix (never over /), builds
#                             with CUDA for the GPU it finds, runs the whole
#                             test suite with GNNREC_REQUIRE_GPU=1,
#                             compute-sanitizer memcheck and racecheck over
#                             the GPU tests, then the GPU timings; writes
#                             summary.md and the logs under $OUT (or
#                             ./gpu-out). Each stage has a time budget and a
#                             failed stage does not stop the later ones.
#   tools/gpu_suite.sh gowalla  there, after `run` (it reuses build-gpu/):
#                             the LightGCN paper run on Gowalla, resumable
#                             across calls: it trains until its time budget
#                             (GNNREC_GOWALLA_SECONDS, default 540), then
#                             SIGTERM makes lightgcn_train checkpoint into
#                             runs/gowalla-cuda/ (kept between calls) and the
#                             next call resumes; GNNREC_GOWALLA_EPOCHS
#                             (default 1000) is the goal. metrics.csv,
#                             curves.svg and the log go to $OUT.
#   tools/gpu_suite.sh race [race.sh flags]  there, after `run` (it reuses
#                             build-gpu/): the race with PyTorch Geometric on
#                             the GPU, bench/race/race.sh --device cuda with
#                             the machine's python3 (torch + PyG), sized to
#                             finish well within one call: MovieLens
#                             GNNREC_RACE_ML_EPOCHS (default 20, validation
#                             every 5), Gowalla GNNREC_RACE_GOWALLA_EPOCHS
#                             (default 3, test every epoch: the medians leave
#                             out the first epoch's one-time CUDA start-up),
#                             Last.fm SAGE GNNREC_RACE_SAGE_EPOCHS (default
#                             10) for GNNREC_RACE_SAGE_SEEDS (default 42, one
#                             seed); GNNREC_RACE_SECONDS (default 540) stops it.
#                             Flags after `race` go to race.sh and win (e.g.
#                             --skip-gowalla). race.log (all output, the
#                             tables at its end) and race_record.md (the
#                             record, to append to bench/race/last_race.md)
#                             go to $OUT.
#
# Without a GPU, `run` completes every stage and reports the GPU ones as
# "no GPU" (exit 0); with GNNREC_REQUIRE_GPU=1 set it fails, naming why.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GPU_DIR="$ROOT/.gpu"
DEB_PACKAGES=(libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian
              libcli11-dev libsimdjson-dev libsimdjson14)
DATASETS=(gowalla hetrec2011-lastfm-2k mpd-sample)
SHARED_DATASETS="${GNNREC_SHARED_DATASETS:-$ROOT/../shared/datasets}"
MAX_TRAVEL_BYTES=$((64 * 1024 * 1024))
TOTAL_BUDGET_S=540  # the device tool allows 600 s per command

die() { echo "gpu_suite: error: $*" >&2; exit 1; }

# ---- pack -------------------------------------------------------------------
travel_bytes() {  # tracked + untracked-not-ignored files, plus .gpu/
  local tree gpu
  tree=$(cd "$ROOT" && git ls-files -z -co --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null |
         awk '{s += $1} END {print s + 0}')
  gpu=$(du -sb "$GPU_DIR" 2>/dev/null | cut -f1)
  echo $((tree + ${gpu:-0}))
}

pack() {
  mkdir -p "$GPU_DIR/deps" "$GPU_DIR/datasets"
  rm -f "$GPU_DIR/deps/"*.deb
  echo "gpu_suite: downloading ${DEB_PACKAGES[*]}"
  if ! (cd "$GPU_DIR/deps" && apt-get download "${DEB_PACKAGES[@]}" >/dev/null 2>&1); then
    apt-get update -qq || die "apt-get update failed"
    (cd "$GPU_DIR/deps" && apt-get download "${DEB_PACKAGES[@]}") || die "apt-get download failed"
  fi
  for name in "${DATASETS[@]}"; do
    if [ -d "$SHARED_DATASETS/$name" ]; then
      rm -rf "${GPU_DIR:?}/datasets/$name"
      cp -r "$SHARED_DATASETS/$name" "$GPU_DIR/datasets/$name"
      chmod -R u+w "$GPU_DIR/datasets/$name"
    else
      echo "gpu_suite: warning: $SHARED_DATASETS/$name not found; GPU runs will skip what needs it"
    fi
  done
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi
  echo "$commit" > "$GPU_DIR/COMMIT"
  local bytes
  bytes=$(travel_bytes)
  echo "gpu_suite: working tree + .gpu/ = $((bytes / 1024 / 1024)) MiB of the 64 MiB that travel"
  [ "$bytes" -le "$MAX_TRAVEL_BYTES" ] || die "too large to travel ($bytes bytes > $MAX_TRAVEL_BYTES)"
  echo "gpu_suite: packed. On the GPU machine run, from the repository root:"
  echo "    tools/gpu_suite.sh run"
  echo "  taking along the ignored folder: .gpu"
}

# ---- run ----------------------------------------------------------------------
OUT_DIR=""
SUMMARY_ROWS=()
SUITE_START=$SECONDS
ANY_FAILED=0
GPU_OK=0
GPU_REASON=""

# stage NAME BUDGET_S LOG COMMAND...: runs COMMAND with a time limit,
# appending its output to LOG, and records a row of the summary.
stage() {
  local name="$1" budget="$2" log="$3"
  shift 3
  local left=$((TOTAL_BUDGET_S - (SECONDS - SUITE_START)))
  if [ "$left" -le 10 ]; then
    SUMMARY_ROWS+=("| $name | skipped: out of time | 0 | |")
    return 0
  fi
  [ "$budget" -le "$left" ] || budget=$left
  echo "=== gpu_suite: $name (budget ${budget} s) ===" | tee -a "$OUT_DIR/$log"
  local start=$SECONDS rc
  # timeout runs programs, not shell functions: the stage functions are
  # exported and run in a child bash.
  timeout --kill-after=10 "$budget" bash -c '"$@"' stage "$@" >>"$OUT_DIR/$log" 2>&1
  rc=$?
  local seconds=$((SECONDS - start)) status="passed"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    status="FAILED: over its ${budget} s budget"
  elif [ $rc -ne 0 ]; then
    status="FAILED (exit $rc)"
  fi
  [ "$status" = "passed" ] || ANY_FAILED=1
  SUMMARY_ROWS+=("| $name | $status | $seconds | ${STAGE_NOTE:-} |")
  STAGE_NOTE=""
  echo "    $status in ${seconds} s" | tee -a "$OUT_DIR/$log"
  return $rc
}

no_gpu_stage() {  # a GPU stage on a machine without one
  SUMMARY_ROWS+=("| $1 | no GPU | 0 | $GPU_REASON |")
}

unpack_deps() {
  local prefix="$1"
  ls "$GPU_DIR/deps/"*.deb >/dev/null 2>&1 || { echo "no .deb files in .gpu/deps: run 'tools/gpu_suite.sh pack' first"; return 1; }
  rm -rf "$prefix"
  mkdir -p "$prefix"
  for deb in "$GPU_DIR/deps/"*.deb; do
    echo "unpacking $(basename "$deb") into $prefix"
    dpkg-deb -x "$deb" "$prefix" || return 1
  done
}

cuda_arch() {  # the GPU's compute capability as CMake wants it (90), or 90
  local cap
  cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d ' .')
  echo "${cap:-90}"
}

configure_and_build() {
  local prefix="$1" build="$2" arch="$3"
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  # Packages are searched only under the prefix (CMAKE_FIND_ROOT_PATH with
  # PACKAGE=ONLY), so this build proves the unpacked .debs are enough.
  cmake -S "$ROOT" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DGNNREC_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" -DGNNREC_WERROR=ON \
    -DCMAKE_FIND_ROOT_PATH="$prefix" -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY || return 1
  echo "packages found at:"
  grep -E '^(GTest|benchmark|CLI11|simdjson)_DIR' "$build/CMakeCache.txt"
  if grep -E '^(GTest|benchmark|CLI11)_DIR' "$build/CMakeCache.txt" | grep -v "$prefix" >/dev/null; then
    echo "error: a dependency was found outside $prefix"
    return 1
  fi
  cmake --build "$build" -j "$(nproc)"
}

run_ctest() {  # the whole suite; GPU tests required where a GPU exists
  local build="$1"
  if [ "$GPU_OK" = 1 ]; then export GNNREC_REQUIRE_GPU=1; fi
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 120
}

sanitize() {  # TOOL BUILD: compute-sanitizer over every GPU test
  local tool="$1" build="$2" rc=0 binary
  command -v compute-sanitizer >/dev/null || { echo "compute-sanitizer not found"; return 1; }
  for binary in "$build"/tests/test_*; do
    [ -x "$binary" ] || continue
    echo "--- compute-sanitizer --tool $tool $(basename "$binary") --gtest_filter='*Cuda*'"
    GNNREC_REQUIRE_GPU=1 compute-sanitizer --tool "$tool" --error-exitcode 1 \
      "$binary" --gtest_filter='*Cuda*' --gtest_brief=1 || rc=1
  done
  return $rc
}

gpu_timings() {  # the GPU benchmarks and end-to-end timings that exist so far
  local build="$1" rc=0 binary
  for binary in "$build"/bench/gpu_*; do
    [ -x "$binary" ] || continue
    echo "--- $(basename "$binary")"
    "$binary" || rc=1
  done
  local out="${TMPDIR:-/tmp}/gnnrec-runs" gowalla="$ROOT/.gpu/datasets/gowalla"
  echo "--- lightgcn_train (MovieLens small, 5 epochs): cuda, then cpu"
  for device in cuda cpu; do
    "$build/apps/lightgcn_train" --dataset movielens --device "$device" --epochs 5 --eval-every 5 \
      --no-progress --no-cache --out "$out/movielens-$device" || rc=1
  done
  if [ -f "$gowalla/train.txt" ]; then
    echo "--- lightgcn_train (Gowalla, paper settings, 10 epochs): seconds per epoch and evaluation"
    "$build/apps/lightgcn_train" --dataset gowalla --train-file "$gowalla/train.txt" \
      --test-file "$gowalla/test.txt" --device cuda --epochs 10 --eval-every 5 --no-progress \
      --no-cache --out "$out/gowalla-cuda" || rc=1
  fi
  return $rc
}

test_note() {  # how the GPU tests ran, for the summary
  if [ "$GPU_OK" = 1 ]; then
    echo ", GNNREC_REQUIRE_GPU=1"
  elif [ "$1" = 1 ]; then
    echo "; GNNREC_REQUIRE_GPU=1: GPU tests fail, no GPU ($GPU_REASON)"
  else
    echo "; GPU tests skipped: no GPU ($GPU_REASON)"
  fi
}

ctest_counts() {  # "N passed, N failed, N skipped" from a ctest log
  local log="$1" total failed skipped
  total=$(grep -Eo 'tests failed out of [0-9]+' "$log" | tail -n1 | grep -Eo '[0-9]+$')
  failed=$(grep -Eo '[0-9]+ tests failed out of' "$log" | tail -n1 | grep -Eo '^[0-9]+')
  skipped=$(grep -cE '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$log")
  [ -n "$total" ] || { echo "no ctest result"; return; }
  echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
}

write_summary() {
  local gpu_line driver
  gpu_line=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n1)
  {
    echo "# gnnrec GPU suite"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $(cat "$GPU_DIR/COMMIT" 2>/dev/null || git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- device: ${gpu_line:-none} $( [ "$GPU_OK" = 1 ] || echo "($GPU_REASON)")"
    echo "- nvcc: $(nvcc --version 2>/dev/null | grep -o 'release [0-9.]*' || echo 'not found')"
    echo "- host: $(nproc) cores, $(uname -m)"
    echo "- total: $((SECONDS - SUITE_START)) s"
    echo
    echo "| stage | result | seconds | notes |"
    echo "|---|---|---|---|"
    printf '%s\n' "${SUMMARY_ROWS[@]}"
    echo
    echo "Logs beside this file: build.log, tests.log, memcheck.log, racecheck.log, timings.log."
  } >"$OUT_DIR/summary.md"
}

run() {
  OUT_DIR="${OUT:-$ROOT/gpu-out}"
  mkdir -p "$OUT_DIR"
  rm -f "$OUT_DIR"/{summary.md,build.log,tests.log,memcheck.log,racecheck.log,timings.log}
  local prefix="${GNNREC_DEPS_PREFIX:-${TMPDIR:-/tmp}/gnnrec-deps}"
  local build="$ROOT/build-gpu"
  local arch
  arch=$(cuda_arch)
  local required_gpu=0
  [ "${GNNREC_REQUIRE_GPU:-0}" = 1 ] && required_gpu=1

  STAGE_NOTE="into $prefix"
  stage "unpack dependencies" 60 build.log unpack_deps "$prefix"
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  STAGE_NOTE="sm_$arch, packages only from the prefix"
  stage "configure and build (CUDA)" 330 build.log configure_and_build "$prefix" "$build" "$arch"

  local info
  info=$("$build/apps/gnnrec_info" 2>&1) && GPU_OK=1
  export GPU_OK
  GPU_REASON=$(echo "$info" | sed -n 's/^GPU: none (\(.*\))$/\1/p')
  [ -n "$GPU_REASON" ] || GPU_REASON="gnnrec_info did not run: ${info:-no output}"
  [ "$GPU_OK" = 1 ] && GPU_REASON=""
  echo "$info" | tee -a "$OUT_DIR/tests.log"

  stage "test suite" 150 tests.log run_ctest "$build"
  SUMMARY_ROWS[-1]="${SUMMARY_ROWS[-1]% |} $(ctest_counts "$OUT_DIR/tests.log")$(test_note "$required_gpu") |"

  if [ "$GPU_OK" = 1 ]; then
    stage "compute-sanitizer memcheck" 120 memcheck.log sanitize memcheck "$build"
    stage "compute-sanitizer racecheck" 90 racecheck.log sanitize racecheck "$build"
    stage "GPU timings" 90 timings.log gpu_timings "$build"
  else
    no_gpu_stage "compute-sanitizer memcheck"
    no_gpu_stage "compute-sanitizer racecheck"
    no_gpu_stage "GPU timings"
  fi
  write_summary
  cat "$OUT_DIR/summary.md"
  if [ "$GPU_OK" != 1 ] && [ "$required_gpu" = 1 ]; then
    echo "gpu_suite: GNNREC_REQUIRE_GPU=1 but no usable GPU: $GPU_REASON" >&2
    return 1
  fi
  return $ANY_FAILED
}

gowalla() {
  OUT_DIR="${OUT:-$ROOT/gpu-out}"
  mkdir -p "$OUT_DIR"
  local prefix="${GNNREC_DEPS_PREFIX:-${TMPDIR:-/tmp}/gnnrec-deps}"
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local bin="$ROOT/build-gpu/apps/lightgcn_train" data="$GPU_DIR/datasets/gowalla"
  local out="$ROOT/runs/gowalla-cuda" resume=()
  [ -x "$bin" ] || { echo "gpu_suite gowalla: run 'tools/gpu_suite.sh run' first" >&2; return 1; }
  [ -f "$out/last.ckpt" ] && resume=(--resume)
  timeout --signal=TERM --kill-after=60 "${GNNREC_GOWALLA_SECONDS:-540}" "$bin" --dataset gowalla \
    --train-file "$data/train.txt" --test-file "$data/test.txt" --device cuda --no-progress \
    --epochs "${GNNREC_GOWALLA_EPOCHS:-1000}" --eval-every 20 --out "$out" "${resume[@]}" 2>&1 |
    tee -a "$OUT_DIR/gowalla.log"
  cp "$out/metrics.csv" "$out/curves.svg" "$OUT_DIR/" 2>/dev/null
  tail -n 3 "$out/metrics.csv" 2>/dev/null
}

race() {
  OUT_DIR="${OUT:-$ROOT/gpu-out}"
  mkdir -p "$OUT_DIR"
  rm -f "$OUT_DIR/race.log" "$OUT_DIR/race_record.md"
  local prefix="${GNNREC_DEPS_PREFIX:-${TMPDIR:-/tmp}/gnnrec-deps}"
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local bin="$ROOT/build-gpu/apps"
  [ -x "$bin/lightgcn_train" ] || { echo "gpu_suite race: run 'tools/gpu_suite.sh run' first" >&2; return 1; }
  # The programs read MovieLens and Last.fm from data/, relative to the root;
  # Gowalla travels in .gpu/datasets (pack); the checkout there has no .git.
  cd "$ROOT" || return 1
  GNNREC_GOWALLA="$GPU_DIR/datasets/gowalla" \
    GNNREC_RACE_COMMIT="$(cat "$GPU_DIR/COMMIT" 2>/dev/null || git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    timeout --signal=TERM --kill-after=30 "${GNNREC_RACE_SECONDS:-540}" \
    bench/race/race.sh --device cuda --bin-dir "$bin" \
    --epochs-movielens "${GNNREC_RACE_ML_EPOCHS:-20}" --eval-every 5 \
    --gowalla-epochs "${GNNREC_RACE_GOWALLA_EPOCHS:-3}" --gowalla-eval-every 1 \
    --sage-epochs "${GNNREC_RACE_SAGE_EPOCHS:-10}" --sage-seeds "${GNNREC_RACE_SAGE_SEEDS:-42}" \
    --work "${TMPDIR:-/tmp}/gnnrec-race" --record-to "$OUT_DIR/race_record.md" "$@" 2>&1 |
    tee "$OUT_DIR/race.log"
  return "${PIPESTATUS[0]}"
}

export ROOT GPU_DIR GPU_OK
export -f unpack_deps cuda_arch configure_and_build run_ctest sanitize gpu_timings

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  gowalla) gowalla ;;
  race) shift; race "$@" ;;
  *) echo "usage: tools/gpu_suite.sh pack|run|gowalla|race [race.sh flags]" >&2; exit 2 ;;
esac
