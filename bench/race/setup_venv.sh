#!/usr/bin/env bash
# Creates, once, the Python virtual environment the race runs PyTorch
# Geometric in: torch and torch_geometric from PyPI, outside the repository
# (default ~/.cache/gnnrec/race-venv; GNNREC_RACE_VENV to move it). Prints the
# venv's folder on its last line; writes the installed versions to
# <venv>/versions.txt.
#
#   bench/race/setup_venv.sh            # create if missing, else reuse
#   GNNREC_RACE_TORCH=2.15.0 GNNREC_RACE_PYG=2.8.1 bench/race/setup_venv.sh
#
# Only PyPI is reachable here, so torch is PyPI's Linux wheel (it is the CUDA
# build and pulls the nvidia-* / cuda-toolkit wheels, about 3 GB; on a machine
# without a GPU it runs on the CPU). The optional PyG extensions (pyg_lib,
# torch_sparse, torch_scatter) are not on PyPI: PyG then uses torch's own
# sparse kernels, which is the path the race measures (see README.md).
set -euo pipefail
VENV="${GNNREC_RACE_VENV:-$HOME/.cache/gnnrec/race-venv}"
TORCH_VERSION="${GNNREC_RACE_TORCH:-2.15.0}"
PYG_VERSION="${GNNREC_RACE_PYG:-2.8.1}"
MARKER="$VENV/.gnnrec-race-ready"

case "$VENV" in
  "$(cd "$(dirname "$0")/../.." && pwd)"/*)
    echo "setup_venv.sh: $VENV is inside the repository; pick a folder outside it" >&2
    exit 1
    ;;
esac

if [ -f "$MARKER" ] && "$VENV/bin/python" -c "import torch, torch_geometric" 2>/dev/null; then
  echo "race venv: $VENV (already set up: $(tr '\n' ' ' <"$VENV/versions.txt"))" >&2
  echo "$VENV"
  exit 0
fi

PYTHON="${GNNREC_RACE_PYTHON:-python3}"
echo "race venv: creating $VENV with torch==$TORCH_VERSION torch_geometric==$PYG_VERSION (PyPI)" >&2
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip >&2 || true
"$VENV/bin/pip" install --quiet "torch==$TORCH_VERSION" "torch_geometric==$PYG_VERSION" >&2
"$VENV/bin/python" "$(dirname "$0")/pyg_versions.py" >"$VENV/versions.txt"
touch "$MARKER"
echo "race venv: ready ($(tr '\n' ' ' <"$VENV/versions.txt"))" >&2
echo "$VENV"
