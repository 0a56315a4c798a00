"""Builds the race's markdown tables from the two sides' outputs (race.sh calls it).

    python report.py lightgcn NAME WORK_DIR TARGETS
    python report.py sage NAME WORK_DIR TARGETS

WORK_DIR/NAME holds: pyg.json (the PyG script's RESULT line), pyg.time and
ours.time (/usr/bin/time -v, or the same keys from peak_rss.py), ours.log
(the program's stdout), ours/metrics.csv, load.txt ("side before after"
load averages), info.txt ("key value" lines: threads, device, ...) and, on
the GPU, pyg.gpumem and ours.gpumem (nvidia-smi's memory.used of GPU 0 in
MiB, one per line: idle before the run, then the samples during it).
TARGETS: "epoch=5,metric=0.01" (LightGCN: speed-up per epoch, largest drop
of recall/NDCG), "epoch=3,eval=3,rss=1" (Gowalla), "epoch=3,auc=0" (SAGE:
WORK_DIR/NAME/seed<S> holds those files for each seed S of info.txt's "seeds");
on the GPU "epoch=10,eval_s=0.1" (Gowalla: ours' evaluation under 0.1 s).
Prints one markdown table.
"""
import csv
import json
import math
import re
import statistics
import sys


def read_kv(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                if ":" in line:
                    k, v = line.strip().rsplit(":", 1)
                    out[k.strip()] = v.strip()
                elif line.strip():
                    parts = line.split(None, 1)
                    out[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    except FileNotFoundError:
        pass
    return out


def peak_rss_mb(path):
    kv = read_kv(path)
    v = kv.get("Maximum resident set size (kbytes)")
    return float(v) / 1024.0 if v else float("nan")


def gpu_memory_mb(path):
    """Peak memory.used above the idle value (the first line), in MiB (the
    "MB" of the other rows); NaN where nothing was sampled."""
    try:
        with open(path) as f:
            values = [float(v) for v in f.read().split()]
    except (FileNotFoundError, ValueError):
        return float("nan")
    if len(values) < 2:
        return float("nan")
    return max(values[1:]) - values[0]


def read_metrics_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [{k: float(v) if v not in ("", "nan") else float("nan") for k, v in r.items()}
            for r in rows]


def median_after_first(xs):
    xs = [x for x in xs if not math.isnan(x)]
    if len(xs) > 1:
        xs = xs[1:]
    return statistics.median(xs) if xs else float("nan")


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, str):
        return x
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def ratio(pyg, ours):
    if any(isinstance(v, float) and math.isnan(v) for v in (pyg, ours)) or ours == 0:
        return float("nan")
    return pyg / ours


def row(metric, pyg, ours, kind, target=None):
    """kind 'speed': ratio PyG/ours, target a minimum ratio; 'seconds': the
    same ratio, target a maximum of ours' seconds; 'metric': ours - PyG,
    target the largest allowed drop; 'rss': ratio, target a minimum ratio;
    None: shown only."""
    if kind in ("speed", "rss", "seconds"):
        r = ratio(pyg, ours)
        r_text = "—" if math.isnan(r) else f"{r:.2f}x"
        if target is None:
            t_text, met = "—", ""
        elif kind == "seconds":
            t_text = f"gnnrec < {target:g} s"
            met = "—" if math.isnan(ours) else ("yes" if ours < target else "**NO (missed)**")
        else:
            t_text = (f"≥ {target:g}x faster" if kind == "speed" else
                      "gnnrec ≤ PyG" if target == 1 else f"≥ {target:g}x smaller")
            met = "—" if math.isnan(r) else ("yes" if r >= target else "**NO (missed)**")
        return f"| {metric} | {fmt(pyg)} | {fmt(ours)} | {r_text} | {t_text} | {met} |"
    if kind == "metric":
        d = float("nan") if any(math.isnan(v) for v in (pyg, ours)) else ours - pyg
        d_text = "—" if math.isnan(d) else f"Δ {d:+.4f}"
        if target is None:
            t_text, met = "—", ""
        else:
            t_text = (f"gnnrec ≥ PyG − {target:g}" if target > 0 else "gnnrec ≥ PyG")
            met = "—" if math.isnan(d) else ("yes" if d >= -target - 1e-12 else "**NO (missed)**")
        return (f"| {metric} | {fmt(pyg, 4)} | {fmt(ours, 4)} | {d_text} | {t_text} | {met} |")
    return f"| {metric} | {pyg} | {ours} | | | |"


def parse_targets(text):
    out = {}
    for part in filter(None, text.split(",")):
        k, v = part.split("=")
        out[k] = float(v)
    return out


def loads(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    out[parts[0]] = f"{parts[1]} → {parts[2]}"
    except FileNotFoundError:
        pass
    return out


def title(info, name, epochs, pyg):
    device = f", {info['device']}" if "device" in info else ""
    return (f"**{info.get('title', name)}** — {plural(epochs, 'epoch')}, "
            f"{plural(int(info.get('threads', '0')), 'thread')}{device}, "
            f"PyG adjacency `{pyg.get('adjacency')}`")


def memory_rows(d, pyg, targets):
    """Peak RSS (host), and on the GPU the device memory: nvidia-smi for
    both processes alike (includes each one's CUDA context), torch's
    allocator for PyG alone (gnnrec prints no such figure)."""
    rows = [row("peak RSS, MB", peak_rss_mb(f"{d}/pyg.time"), peak_rss_mb(f"{d}/ours.time"),
                "rss", targets.get("rss"))]
    if "peak_device_allocated_mb" in pyg:
        rows.append(row("peak GPU memory, MB (nvidia-smi memory.used above idle, sampled every "
                        "100 ms; CUDA context included)", gpu_memory_mb(f"{d}/pyg.gpumem"),
                        gpu_memory_mb(f"{d}/ours.gpumem"), "rss", None))
        rows.append(row("peak GPU memory of torch's allocator, MB (max_memory_allocated / "
                        "max_memory_reserved)",
                        f"{fmt(pyg['peak_device_allocated_mb'])} / "
                        f"{fmt(pyg['peak_device_reserved_mb'])}", "—", None))
    return rows


HEADER = ["| metric | PyG | gnnrec | ratio (PyG / gnnrec; Δ = gnnrec − PyG) | target | met? |",
          "|---|---:|---:|---:|---|---|"]


def lightgcn(name, work, targets):
    d = f"{work}/{name}"
    pyg = json.load(open(f"{d}/pyg.json"))
    info = read_kv(f"{d}/info.txt")
    ours_rows = read_metrics_csv(f"{d}/ours/metrics.csv")
    log = open(f"{d}/ours.log").read()
    m = re.search(r"test metrics of (?:the best model \(epoch (\d+)|the model after epoch (\d+))",
                  log)
    ours_test_epoch = int(m.group(1) or m.group(2)) if m else None
    m = re.search(r"^\s+LightGCN\s+recall@\d+ ([0-9.]+)\s+ndcg@\d+ ([0-9.]+)", log, re.M)
    ours_recall, ours_ndcg = (float(m.group(1)), float(m.group(2))) if m else (math.nan, math.nan)
    k = info.get("topk", "20")
    epochs = len(ours_rows)

    pyg_epoch = median_after_first([r["epoch_seconds"] for r in pyg["epochs"]])
    ours_epoch = median_after_first([r["epoch_seconds"] for r in ours_rows])
    pyg_eval = statistics.median([r["eval_seconds"] for r in pyg["epochs"] if "eval_seconds" in r])
    ours_eval = statistics.median([r["eval_seconds"] for r in ours_rows
                                   if not math.isnan(r["eval_seconds"])])
    pyg_test = pyg.get("test", {})
    lo = loads(f"{d}/load.txt")
    n_epoch_note = f"median of epochs 2–{epochs}" if epochs > 1 else "epoch 1 (only one)"
    eval_split = "val" if any(c.startswith("val_") for c in ours_rows[0]) else "test"
    every = int(info.get("eval_every", "1"))
    lines = [f"{title(info, name, epochs, pyg)}; evaluation on {eval_split} "
             f"{'every epoch' if every == 1 else f'every {every} epochs'} and after the last",
             ""] + HEADER
    lines.append(row(f"seconds / epoch ({n_epoch_note})", pyg_epoch, ours_epoch, "speed",
                     targets.get("epoch")))
    eval_label = f"seconds / evaluation ({eval_split}, full ranking, median)"
    if "eval_s" in targets:
        lines.append(row(eval_label, pyg_eval, ours_eval, "seconds", targets["eval_s"]))
    else:
        lines.append(row(eval_label, pyg_eval, ours_eval, "speed", targets.get("eval")))
    lines += memory_rows(d, pyg, targets)
    pt = pyg.get("test_epoch")
    lines.append(row("epoch of the tested model (best by val recall, or the last)",
                     str(pt) if pt is not None else "—",
                     str(ours_test_epoch) if ours_test_epoch is not None else "—", None))
    mt = targets.get("metric")
    lines.append(row(f"test recall@{k}", pyg_test.get("recall", math.nan), ours_recall, "metric",
                     mt))
    lines.append(row(f"test NDCG@{k}", pyg_test.get("ndcg", math.nan), ours_ndcg, "metric", mt))
    # The evaluation curve at the same epochs.
    pyg_evals = {r["epoch"]: r["eval"] for r in pyg["epochs"] if "eval" in r}
    col = [c for c in ours_rows[0] if c.startswith(f"{eval_split}_recall@")][0]
    ncol = col.replace("recall", "ndcg")
    curve = []
    for r in ours_rows:
        e = int(r["epoch"])
        if e in pyg_evals and not math.isnan(r[col]):
            curve.append(f"{e}: {pyg_evals[e]['recall']:.4f}/{pyg_evals[e]['ndcg']:.4f} vs "
                         f"{r[col]:.4f}/{r[ncol]:.4f}")
    lines.append(row("mean training loss, last epoch", fmt(pyg["epochs"][-1].get("loss", math.nan), 4)
                     if pyg["epochs"] and "loss" in pyg["epochs"][-1] else "—",
                     fmt(ours_rows[-1]["loss"], 4), None))
    lines.append(row("machine load (1-min average) before → after the run", lo.get("pyg", "—"),
                     lo.get("ours", "—"), None))
    lines.append("")
    if curve:
        lines.append(f"{eval_split} recall@{k}/NDCG@{k}, PyG vs gnnrec, by epoch: " +
                     "; ".join(curve))
        lines.append("")
    return "\n".join(lines)


def sage_run(d):
    """One seed's runs in d: PyG's json, ours' metrics.csv, and from ours'
    log the best epoch and the test AUC of the best model."""
    pyg = json.load(open(f"{d}/pyg.json"))
    ours_rows = read_metrics_csv(f"{d}/ours/metrics.csv")
    log = open(f"{d}/ours.log").read()
    m = re.search(r"test of the best model \(epoch (\d+), val AUC ([0-9.]+)\)", log)
    ours_best_epoch = int(m.group(1)) if m else None
    m = re.search(r"^\s+GraphSAGE\s+test AUC ([0-9.]+)", log, re.M)
    ours_auc = float(m.group(1)) if m else math.nan
    return {"dir": d, "pyg": pyg, "ours": ours_rows, "ours_best_epoch": ours_best_epoch,
            "ours_auc": ours_auc}


def sage(name, work, targets):
    """One run per seed and side (info.txt's "seeds", in WORK/NAME/seed<S>):
    epoch and evaluation times pooled over the seeds (the median of epochs
    2.. of every run), AUCs and losses averaged over the seeds, each seed's
    AUCs and ratio listed below the table."""
    d = f"{work}/{name}"
    info = read_kv(f"{d}/info.txt")
    seeds = info.get("seeds", "").split()
    runs = [sage_run(f"{d}/seed{seed}") for seed in seeds]
    epochs = len(runs[0]["ours"])
    n_epoch_note = f"median of epochs 2–{epochs}" if epochs > 1 else "epoch 1 (only one)"

    def epoch_seconds(rows):
        xs = [r["epoch_seconds"] for r in rows]
        return xs[1:] if len(xs) > 1 else xs

    def mean(xs):
        xs = [x for x in xs if not math.isnan(x)]
        return statistics.mean(xs) if xs else math.nan

    pyg_epoch = statistics.median(x for r in runs for x in epoch_seconds(r["pyg"]["epochs"]))
    ours_epoch = statistics.median(x for r in runs for x in epoch_seconds(r["ours"]))
    per_seed = f"each of {plural(len(seeds), 'seed')}" if len(seeds) > 1 else "one seed"
    lines = [title(info, name, epochs, runs[0]["pyg"]) + f"; seeds {', '.join(seeds)}", ""]
    lines += HEADER
    lines.append(row(f"seconds / epoch ({n_epoch_note}, {per_seed})", pyg_epoch, ours_epoch,
                     "speed", targets.get("epoch")))
    lines.append(row("seconds / evaluation (encode + val and test AUC, median)",
                     statistics.median(e["eval_seconds"] for r in runs for e in r["pyg"]["epochs"]),
                     statistics.median(e["eval_seconds"] for r in runs for e in r["ours"]),
                     "speed", targets.get("eval")))
    # Peak RSS of the largest run; on the GPU, device memory of the first seed.
    memory = memory_rows(runs[0]["dir"], runs[0]["pyg"], targets)
    rss = [max(peak_rss_mb(f"{r['dir']}/{side}.time") for r in runs) for side in ("pyg", "ours")]
    memory[0] = row("peak RSS, MB (the largest run)", rss[0], rss[1], "rss", targets.get("rss"))
    lines += memory
    lines.append(row("best epoch (by val AUC)",
                     ", ".join(str(r["pyg"].get("best_epoch")) for r in runs),
                     ", ".join(str(r["ours_best_epoch"]) for r in runs), None))
    auc_note = "mean over the seeds" if len(seeds) > 1 else "one seed"
    lines.append(row(f"test AUC of the best epoch ({auc_note})",
                     mean([r["pyg"].get("test_auc", math.nan) for r in runs]),
                     mean([r["ours_auc"] for r in runs]), "metric", targets.get("auc")))
    lines.append(row(f"test AUC after epoch {epochs} ({auc_note})",
                     mean([r["pyg"]["epochs"][-1]["test_auc"] for r in runs]),
                     mean([r["ours"][-1]["test_auc"] for r in runs]), "metric", None))
    lines.append(row(f"mean training loss, last epoch ({auc_note})",
                     fmt(mean([r["pyg"]["epochs"][-1]["loss"] for r in runs]), 4),
                     fmt(mean([r["ours"][-1]["loss"] for r in runs]), 4), None))
    lo_first, lo_last = loads(f"{runs[0]['dir']}/load.txt"), loads(f"{runs[-1]['dir']}/load.txt")
    lines.append(row("machine load (1-min average) before → after the run (first seed, last seed)",
                     f"{lo_first.get('pyg', '—')}; {lo_last.get('pyg', '—')}",
                     f"{lo_first.get('ours', '—')}; {lo_last.get('ours', '—')}", None))
    lines.append("")
    if len(seeds) > 1:
        by_seed = []
        for seed, r in zip(seeds, runs):
            p_s = statistics.median(epoch_seconds(r["pyg"]["epochs"]))
            o_s = statistics.median(epoch_seconds(r["ours"]))
            by_seed.append(f"{seed}: test AUC {fmt(r['pyg'].get('test_auc', math.nan), 4)} vs "
                           f"{fmt(r['ours_auc'], 4)}, s/epoch {fmt(p_s)} vs {fmt(o_s)} "
                           f"({ratio(p_s, o_s):.2f}x)")
        lines.append("By seed, PyG vs gnnrec: " + "; ".join(by_seed))
        lines.append("")
    curve = []
    for e in range(epochs):
        p_auc = mean([r["pyg"]["epochs"][e]["val_auc"] for r in runs])
        o_auc = mean([r["ours"][e]["val_auc"] for r in runs])
        curve.append(f"{e + 1}: {p_auc:.4f} vs {o_auc:.4f}")
    lines.append(f"val AUC ({auc_note}), PyG vs gnnrec, by epoch: " + "; ".join(curve))
    lines.append("")
    return "\n".join(lines)


def main():
    kind, name, work, targets = sys.argv[1:5]
    t = parse_targets(targets)
    print(lightgcn(name, work, t) if kind == "lightgcn" else sage(name, work, t))


if __name__ == "__main__":
    main()
