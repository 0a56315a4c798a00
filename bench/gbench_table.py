#!/usr/bin/env python3
"""Google Benchmark JSON (run with --benchmark_repetitions) -> a markdown table.

    bench/gbench_table.py cpu_kernels.json

One row per benchmark: the median over the repetitions of the wall time and
of the rate counters that bench/cpu_kernels.cpp sets (bytes_per_second,
FLOP/s, items_per_second), the coefficient of variation of the time, and the
label. Decimal units: GB/s = 1e9 bytes per second.
"""
import json
import sys


def main(path):
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    median = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "median"}
    cv = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "cv"}
    print("| benchmark | median time | cv | GB/s | GFLOP/s | items/s | items, graph |")
    print("|---|---|---|---|---|---|---|")
    for name, r in median.items():
        assert r["time_unit"] == "us", "cpu_kernels reports microseconds"
        us = r["real_time"]
        time = f"{us / 1e3:.3g} ms" if us >= 1e3 else f"{us:.3g} µs"
        spread = f'{100 * cv[name]["real_time"]:.0f}%' if name in cv else ""
        gbs = f'{r.get("bytes_per_second", 0) / 1e9:.3g}'
        gflops = f'{r["FLOP/s"] / 1e9:.3g}' if "FLOP/s" in r else "-"
        items = r.get("items_per_second", 0)
        items_text = f"{items / 1e6:.3g} M" if items >= 1e6 else f"{items / 1e3:.3g} k"
        label = r.get("label", "").replace("items: ", "")
        short = name.replace("BM_", "").replace("/real_time", "")
        print(f"| {short} | {time} | {spread} | {gbs} | {gflops} | {items_text} | {label} |")


if __name__ == "__main__":
    main(sys.argv[1])
