#!/usr/bin/env bash
# Sets up, builds and runs the test suite, warnings as errors, in two
# configurations (CI runs both):
#   build/           the default build: the CUDA backend where nvcc is found
#                    (GPU tests skip without a GPU and say why), Release; the
#                    whole suite
#   build-sanitize/  CPU-only (GNNREC_CUDA=OFF) under AddressSanitizer and
#                    UndefinedBehaviorSanitizer (GNNREC_SANITIZE=ON), -O0; the
#                    whole suite but two long tests (below)
# and, on request, the plain CPU-only Release build:
#   tools/run_tests.sh             # build/ and build-sanitize/
#   tools/run_tests.sh --one       # build/ only
#   tools/run_tests.sh --sanitize  # build-sanitize/ only
#   tools/run_tests.sh --cpu-only  # build-cpu-only/: GNNREC_CUDA=OFF, Release, the whole suite
set -euo pipefail
GNNREC_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$GNNREC_ROOT/tools/common.sh"

"$GNNREC_ROOT/tools/setup.sh"

configs=("build:AUTO" "build-sanitize:OFF:sanitize")
case "${1:-}" in
  --one) configs=("build:AUTO") ;;
  --sanitize) configs=("build-sanitize:OFF:sanitize") ;;
  --cpu-only) configs=("build-cpu-only:OFF") ;;
  "") ;;
  *)
    echo "run_tests.sh: unknown option '$1' (--one, --sanitize, --cpu-only or nothing)" >&2
    exit 2
    ;;
esac

# The sanitizer stage (docs/RELIABILITY.md):
# - -O0: the instrumented files compile in 60% of the time of -O1 (the
#   stage's largest cost); the tests run slower but are short.
# - Any report fails the test: UBSan and ASan stop the process (the build has
#   -fno-sanitize-recover=all), and LeakSanitizer reports at exit.
# - No benchmarks. Two long tests are left to build/, for time:
#     LightGcnOnMovieLens.BeatsBprMfAndMostPopular  an accuracy test that
#       trains two models on all of MovieLens (minutes when instrumented); the
#       same LightGCN, BPR and evaluation code runs here in the trainer tests
#       and the end-to-end checks.
#     kill_and_resume  40 killed training runs sized to last seconds each at
#       -O3 (minutes at -O0 with the sanitizers); the end-to-end checks run
#       the same programs here, resume from a checkpoint included.
sanitize_options=(-DGNNREC_SANITIZE=ON -DGNNREC_BUILD_BENCH=OFF
                  "-DCMAKE_CXX_FLAGS_RELEASE=-O0 -DNDEBUG")
sanitize_excluded='^(LightGcnOnMovieLens\.BeatsBprMfAndMostPopular|kill_and_resume)$'

# The tests build device code for one architecture, at a third of the nvcc
# time of the default sm_80 + sm_90 + compute_90 PTX: the GPU's own where
# there is one (CMake's "native"), else sm_90, which proves that it compiles.
cuda_architectures=90-real
if nvidia-smi -L >/dev/null 2>&1; then cuda_architectures=native; fi

status=0
for config in "${configs[@]}"; do
  IFS=: read -r name cuda kind <<<"$config"
  dir="$GNNREC_ROOT/$name"
  options=(-DGNNREC_CUDA="$cuda" -DGNNREC_WERROR=ON)
  if [ "$cuda" = AUTO ]; then options+=(-DCMAKE_CUDA_ARCHITECTURES="$cuda_architectures"); fi
  run=(ctest --test-dir "$dir" --output-on-failure -j "$(nproc)")
  label="GNNREC_CUDA=$cuda"
  if [ "${kind:-}" = "sanitize" ]; then
    options+=("${sanitize_options[@]}")
    # LeakSanitizer at exit too; every report stops the test with a stack
    # trace naming file and line. No suppressions are needed (OpenMP included).
    run=(env "ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
         "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
         "${run[@]}" -E "$sanitize_excluded")
    label="GNNREC_SANITIZE=ON"
  fi
  echo "=== tests: $label in ${dir#$GNNREC_ROOT/} ==="
  start=$SECONDS
  configure_and_build "$dir" "${options[@]}"
  if ! "${run[@]}"; then status=1; fi
  echo "=== $label: $((SECONDS - start)) s ==="
done
exit $status
