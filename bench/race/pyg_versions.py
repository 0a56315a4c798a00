"""The versions of the PyG side, one "name version" line each (setup_venv.sh
writes them to <venv>/versions.txt; race.sh puts them into the record)."""
import platform

import numpy
import torch
import torch_geometric
import torch_geometric.typing as t

print(f"python {platform.python_version()}")
print(f"torch {torch.__version__}")
print(f"torch_geometric {torch_geometric.__version__}")
print(f"numpy {numpy.__version__}")
print(f"pyg_lib {t.WITH_PYG_LIB} torch_sparse {t.WITH_TORCH_SPARSE} torch_scatter {t.WITH_TORCH_SCATTER}")
print(f"mkl {torch.backends.mkl.is_available()} openmp {torch.backends.openmp.is_available()}")
