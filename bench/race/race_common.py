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


def setup_device(name, script):
    """--device: the CPU, or GPU 0 in plain FP32. TF32 is off (torch's
    default, set here explicitly), as in gnnrec's cuBLAS context
    (CUBLAS_DEFAULT_MATH): both sides run their dense products through cuBLAS
    in full FP32. Exits with one clear message where torch cannot use a GPU."""
    if name == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        why = ("this torch is built without CUDA" if torch.version.cuda is None else
               f"torch {torch.__version__} (CUDA {torch.version.cuda}) finds no usable GPU")
        raise SystemExit(f"{script}: --device cuda: {why}")
    torch.backends.cuda.matmul.allow_tf32 = False
    return torch.device("cuda", 0)


def clock(device):
    """time.perf_counter() once the device is idle: CUDA kernels run
    asynchronously, so every timer read waits for the queued work first."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def device_memory(device):
    """The GPU memory torch's caching allocator gave out (tensors) and held
    (its cache), at their peaks, in MB (printed, and returned for the
    result); empty on the CPU."""
    if device.type != "cuda":
        return {}
    mem = {"peak_device_allocated_mb": torch.cuda.max_memory_allocated(device) / 2**20,
           "peak_device_reserved_mb": torch.cuda.max_memory_reserved(device) / 2**20}
    print(f"peak GPU memory of torch's allocator: {mem['peak_device_allocated_mb']:.0f} MB "
          f"allocated, {mem['peak_device_reserved_mb']:.0f} MB reserved", flush=True)
    return mem


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
    """Seconds of a with-block; on a GPU, of the work it queued (see clock)."""

    def __init__(self, device=torch.device("cpu")):
        self.device = device

    def __enter__(self):
        self.start = clock(self.device)
        return self

    def __exit__(self, *exc):
        self.seconds = clock(self.device) - self.start
        return False


def describe_env(device=torch.device("cpu")):
    import torch_geometric
    import torch_geometric.typing as t

    env = {
        "torch": torch.__version__,
        "torch_geometric": torch_geometric.__version__,
        "threads": torch.get_num_threads(),
        "pyg_lib": bool(t.WITH_PYG_LIB),
        "torch_sparse": bool(t.WITH_TORCH_SPARSE),
        "torch_scatter": bool(t.WITH_TORCH_SCATTER),
        "python": sys.version.split()[0],
    }
    if device.type == "cuda":
        env.update(device=torch.cuda.get_device_name(device), cuda=torch.version.cuda,
                   tf32=torch.backends.cuda.matmul.allow_tf32)
    return env
