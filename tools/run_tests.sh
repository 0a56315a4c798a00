#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite, warnings as errors, in two
# configurations: the default build (with the CUDA backend where nvcc is
# found; GPU tests skip without a GPU and say why) and the CPU-only build
# (GNNREC_CUDA=OFF). Pass --one to test only the default build.
set -euo pipefail
GNNREC_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$GNNREC_ROOT/tools/common.sh"

"$GNNREC_ROOT/tools/setup.sh"

configs=("build:AUTO" "build-cpu-only:OFF")
if [ "${1:-}" = "--one" ]; then configs=("build:AUTO"); fi

status=0
for config in "${configs[@]}"; do
  dir="$GNNREC_ROOT/${config%%:*}"
  cuda="${config##*:}"
  echo "=== tests: GNNREC_CUDA=$cuda in ${dir#$GNNREC_ROOT/} ==="
  start=$SECONDS
  configure_and_build "$dir" -DGNNREC_CUDA="$cuda" -DGNNREC_WERROR=ON
  if ! ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"; then status=1; fi
  echo "=== GNNREC_CUDA=$cuda: $((SECONDS - start)) s ==="
done
exit $status
