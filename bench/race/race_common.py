"""Helpers shared by the PyG sides of the race (bench/race/pyg_*.py)."""
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def set_threads(threads):
    """Same thread count as gnnrec (OMP_NUM_THREADS there)."""
    if threads and threads > 0:
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)  # no inter-op parallelism in these loops
        except RuntimeError:
            pass
    return torch.get_num_threads()


def read_csv(path, columns, dtype=np.int64):
    """A headed CSV of integers (or a label column) as an (n, columns) array."""
    with open(path) as f:
        header = f.readline()
        text = f.read()
    if not text.strip():
        return np.zeros((0, columns), dtype=dtype)
    values = np.array(text.replace("\n", ",").strip(",").split(","), dtype=np.float64)
    assert values.size % columns == 0, f"{path}: {values.size} values, {columns} columns ({header.strip()})"
    return values.reshape(-1, columns).astype(dtype)


def read_info(path):
    """info.txt: 'key value...' lines; repeated keys collect into lists."""
    info = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            info.setdefault(parts[0], []).append(parts[1:])
    return info


def median(xs):
    return float(np.median(np.asarray(xs))) if len(xs) else float("nan")


def peak_rss_mb():
    """This process's peak resident set size (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(result, json_out):
    """The final JSON line (and the same in json_out)."""
    line = json.dumps(result, sort_keys=True)
    print("RESULT " + line, flush=True)
    if json_out:
        tmp = json_out + ".tmp"
        with open(tmp, "w") as f:
            f.write(line + "\n")
        os.replace(tmp, json_out)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False


def describe_env():
    import torch_geometric
    import torch_geometric.typing as t

    return {
        "torch": torch.__version__,
        "torch_geometric": torch_geometric.__version__,
        "threads": torch.get_num_threads(),
        "pyg_lib": bool(t.WITH_PYG_LIB),
        "torch_sparse": bool(t.WITH_TORCH_SPARSE),
        "torch_scatter": bool(t.WITH_TORCH_SCATTER),
        "python": sys.version.split()[0],
    }
