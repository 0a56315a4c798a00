#!/usr/bin/env python3
"""Google Benchmark JSON (run with --benchmark_repetitions) -> a markdown table.

    bench/gbench_table.py cpu_kernels.json
    bench/gbench_table.py "1 thread=one.json" "2 threads=two.json"

One row per benchmark of the first file: the median over the repetitions of
the wall time, its coefficient of variation, and the rate counters that
bench/cpu_kernels.cpp sets (bytes_per_second, FLOP/s, items_per_second), then
the label. Each further file adds a column of its median wall time (and cv).
Decimal units: GB/s = 1e9 bytes per second.
"""
import json
import sys


def load(arg):
    label, _, path = arg.rpartition("=")
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    by_aggregate = {}
    for r in runs:
        by_aggregate.setdefault(r.get("aggregate_name"), {})[r["run_name"]] = r
    return label or path, by_aggregate.get("median", {}), by_aggregate.get("cv", {})


def time_text(median, cv, name):
    if name not in median:
        return "", ""
    r = median[name]
    assert r["time_unit"] == "us", "cpu_kernels reports microseconds"
    us = r["real_time"]
    if us >= 1e6:
        time = f"{us / 1e6:.3g} s"
    else:
        time = f"{us / 1e3:.3g} ms" if us >= 1e3 else f"{us:.3g} µs"
    spread = f'{100 * cv[name]["real_time"]:.0f}%' if name in cv else ""
    return time, spread


def main(args):
    files = [load(arg) for arg in args]
    (first_label, first, first_cv), others = files[0], files[1:]
    header = ["benchmark", f"{first_label}: time", "cv", "GB/s", "GFLOP/s", "items/s"]
    for label, _, _ in others:
        header += [f"{label}: time", "cv"]
    header.append("items, graph")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, r in first.items():
        cells = [name.replace("BM_", "").replace("/real_time", "")]
        cells += time_text(first, first_cv, name)
        cells.append(f'{r.get("bytes_per_second", 0) / 1e9:.3g}')
        cells.append(f'{r["FLOP/s"] / 1e9:.3g}' if "FLOP/s" in r else "-")
        items = r.get("items_per_second", 0)
        scale = next((u for u in [(1e9, "G"), (1e6, "M"), (1e3, "k")] if items >= u[0]), (1, ""))
        cells.append(f"{items / scale[0]:.3g} {scale[1]}".rstrip())
        for _, median, cv in others:
            cells += time_text(median, cv, name)
        cells.append(r.get("label", "").replace("items: ", ""))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
