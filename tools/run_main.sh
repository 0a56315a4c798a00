#!/usr/bin/env bash
# Sets up, builds and runs the main job: for now the demo trainer (BPR
# matrix factorization on the bundled MovieLens). Extra arguments go to it,
# e.g. tools/run_main.sh --epochs 5 --device cpu
set -euo pipefail
GNNREC_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$GNNREC_ROOT/tools/common.sh"

"$GNNREC_ROOT/tools/setup.sh"
configure_and_build "$GNNREC_ROOT/build"
exec "$GNNREC_ROOT/build/apps/demo_train" \
  --ratings "$GNNREC_ROOT/data/ml-latest-small/ratings.csv" "$@"
