#!/usr/bin/env bash
# Sets up, builds and runs the main job: lightgcn_train, LightGCN on the
# bundled MovieLens latest-small (80/10/10 split, rating >= 3.5, the paper's
# hyper-parameters). Extra arguments go to it, e.g.
#   tools/run_main.sh --epochs 5 --device cpu
#   tools/run_main.sh --recommend 1 --top 10      (after a run)
set -euo pipefail
GNNREC_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$GNNREC_ROOT/tools/common.sh"

"$GNNREC_ROOT/tools/setup.sh"
configure_and_build "$GNNREC_ROOT/build"
cd "$GNNREC_ROOT"
exec "$GNNREC_ROOT/build/apps/lightgcn_train" --dataset movielens "$@"
