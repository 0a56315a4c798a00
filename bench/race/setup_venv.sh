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
"$VENV/bin/python" - >"$VENV/versions.txt" <<'PY'
import platform, sys
import numpy, torch, torch_geometric
import torch_geometric.typing as t
print(f"python {platform.python_version()}")
print(f"torch {torch.__version__}")
print(f"torch_geometric {torch_geometric.__version__}")
print(f"numpy {numpy.__version__}")
print(f"pyg_lib {t.WITH_PYG_LIB} torch_sparse {t.WITH_TORCH_SPARSE} torch_scatter {t.WITH_TORCH_SCATTER}")
print(f"mkl {torch.backends.mkl.is_available()} openmp {torch.backends.openmp.is_available()}")
PY
touch "$MARKER"
echo "race venv: ready ($(tr '\n' ' ' <"$VENV/versions.txt"))" >&2
echo "$VENV"
