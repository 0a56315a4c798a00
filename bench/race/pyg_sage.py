"""PyG heterogeneous GraphSAGE (SAGEConv + to_hetero) on gnnrec's exact link split,
trained and evaluated like sage_train.

    python pyg_sage.py --split DIR [--epochs 20 --threads 2]

DIR is what `sage_train --save-split DIR` writes: info.txt (node types and
counts, the target, the relations), relation_<name>.csv ("src,dst", the
message graph before reverses: the target holds its train message edges
only), supervision.csv ("src,dst": the training positives) and
validation.csv / test.csv ("src,dst,label": positives and fixed negatives).

What is matched with gnnrec (models/sage.h, models/link_trainer.h,
io/link_split.h, apps/sage_train.cpp):
  - graph: HeteroData of the message relations, made undirected with
    T.ToUndirected() (adds rev_<target>; the friends relation, within one
    type, is already symmetric and stays the same edge set);
  - model: a learnable embedding per node of each type (normal(0, 0.1)),
    then GraphSAGE (SAGEConv(64, 64), mean aggregation: lin_l with bias on
    the mean, lin_r without bias on the root; ReLU between layers, not after
    the last), made heterogeneous with to_hetero(aggr="sum"); PyG's Linear
    init (uniform +-1/sqrt(fan_in)) is what gnnrec uses; dot decoder;
  - training: the supervision edges shuffled each epoch, batches of 4096,
    one negative per positive with the positive's source and a destination
    uniform over the candidate destinations that are not a training edge
    (message or supervision) of that source (rejection sampling), a full-graph
    encode per batch, the mean BCE with logits over the 2B pairs, Adam lr
    0.01 (no weight decay);
  - evaluation every epoch: encode once (no grad), exact ROC-AUC (average
    ranks for ties) of the fixed validation and test examples; the best
    epoch by validation AUC (strictly better) gives the reported test AUC.
  - timing: an epoch's seconds cover shuffling, sampling, forward, backward
    and Adam; an evaluation's seconds the encode and both AUCs.
  - --device cuda: the graph, the model, the shuffling, the sampling and the
    encode on GPU 0, FP32 without TF32 (race_common.setup_device), every
    timer read after torch.cuda.synchronize; the example scores come back to
    the host for the exact AUC (numpy), as sage_train computes its AUC on
    the host too. The allocator's peak GPU memory goes into the result.
Not matched (cannot be): the random streams (orders, negatives, initial
values) come from torch's generator seeded with the same seed.
"""
import argparse
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torch_geometric.transforms as T
from torch_geometric.data import HeteroData
from torch_geometric.nn import SAGEConv, to_hetero

import race_common as rc
from pyg_lightgcn import RowSets, sample_negatives

ADJACENCIES = ("csr", "edge_index")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--split", required=True, help="sage_train --save-split folder")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--init-std", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=4096)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                   help="where the model trains and encodes (cuda: GPU 0)")
    p.add_argument("--adjacency", default="csr", choices=ADJACENCIES,
                   help="csr: T.ToSparseTensor(layout=torch.sparse_csr) adj_t (torch.sparse.mm "
                        "with reduce='mean'); edge_index: gather/scatter message passing")
    p.add_argument("--fused-adam", action="store_true",
                   help="torch.optim.Adam(fused=True) (one fused kernel, CPU or CUDA)")
    p.add_argument("--adjacency-bench", type=int, default=0, metavar="STEPS",
                   help="time STEPS training steps with each --adjacency, print, and exit")
    p.add_argument("--json-out", default="")
    return p.parse_args(argv)


def roc_auc(scores, labels):
    """Exact ROC-AUC: Mann-Whitney U with average ranks for ties (gnnrec's roc_auc)."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels) > 0.5
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg_rank = first + (counts + 1) / 2.0  # 1-based mean rank of each tie group
    ranks = np.empty_like(scores)
    ranks[order] = np.repeat(avg_rank, counts)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


class LinkData:
    def __init__(self, folder):
        info = rc.read_info(f"{folder}/info.txt")
        self.node_types = [(t[0], int(t[1])) for t in info["node_type"]]
        self.target = tuple(info["target"][0])
        self.relations = [tuple(r) for r in info["relation"]]
        self.edges = {r: rc.read_csv(f"{folder}/relation_{r[1]}.csv", 2) for r in self.relations}
        self.supervision = rc.read_csv(f"{folder}/supervision.csv", 2)
        self.validation = rc.read_csv(f"{folder}/validation.csv", 3)
        self.test = rc.read_csv(f"{folder}/test.csv", 3)
        # Candidates: the sources and destinations of the target relation in
        # any split (gnnrec's LinkTask ranges: min to max + 1).
        tgt = np.concatenate([self.edges[self.target], self.supervision,
                              self.validation[self.validation[:, 2] > 0, :2],
                              self.test[self.test[:, 2] > 0, :2]])
        self.src_begin, self.src_end = int(tgt[:, 0].min()), int(tgt[:, 0].max()) + 1
        self.dst_begin, self.dst_end = int(tgt[:, 1].min()), int(tgt[:, 1].max()) + 1


def build_graph(d, adjacency, device):
    """Built on the host, then moved to `device`."""
    data = HeteroData()
    for name, count in d.node_types:
        data[name].num_nodes = count
    for r in d.relations:
        data[r].edge_index = torch.from_numpy(d.edges[r].T.copy())
    data = T.ToUndirected()(data)
    if adjacency == "csr":
        data = T.ToSparseTensor(layout=torch.sparse_csr)(data).to(device)
        return data, data.adj_t_dict
    data = data.to(device)
    return data, data.edge_index_dict


class Encoder(torch.nn.Module):
    def __init__(self, hidden, layers):
        super().__init__()
        self.convs = torch.nn.ModuleList([SAGEConv(hidden, hidden) for _ in range(layers)])

    def forward(self, x, edge_index):
        for conv in self.convs[:-1]:
            x = conv(x, edge_index).relu()
        return self.convs[-1](x, edge_index)


class Model(torch.nn.Module):
    def __init__(self, data, node_types, hidden, layers, init_std):
        super().__init__()
        self.emb = torch.nn.ModuleDict(
            {name: torch.nn.Embedding(count, hidden) for name, count in node_types})
        for e in self.emb.values():
            torch.nn.init.normal_(e.weight, std=init_std)
        self.gnn = to_hetero(Encoder(hidden, layers), data.metadata(), aggr="sum")

    def forward(self, graph):
        return self.gnn({t: e.weight for t, e in self.emb.items()}, graph)


def setup(args, d, adjacency, device):
    """Parameters initialized on the host (the same values on either device), then moved."""
    torch.manual_seed(args.seed)
    data, graph = build_graph(d, adjacency, device)
    model = Model(data, d.node_types, args.hidden, args.layers, args.init_std).to(device)
    # fused=None, not False, without --fused-adam: torch's default (foreach)
    # implementation; an explicit False would select the per-tensor loop.
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, fused=args.fused_adam or None)
    return data, graph, model, opt


def train_step(model, opt, graph, src_type, dst_type, d, s, pos, neg):
    h = model(graph)  # full-graph encode
    hs = h[src_type][d.src_begin:d.src_end]
    hd = h[dst_type][d.dst_begin:d.dst_end]
    e_s = hs[s]
    logits = torch.cat([(e_s * hd[pos]).sum(-1), (e_s * hd[neg]).sum(-1)])
    labels = torch.cat([torch.ones(s.numel(), device=s.device),
                        torch.zeros(s.numel(), device=s.device)])
    loss = F.binary_cross_entropy_with_logits(logits, labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.detach()


@torch.no_grad()
def score(h, src_type, dst_type, examples):
    """The examples' scores, on the host (for roc_auc)."""
    device = h[src_type].device
    s = torch.from_numpy(examples[:, 0]).to(device)
    t = torch.from_numpy(examples[:, 1]).to(device)
    return (h[src_type][s] * h[dst_type][t]).sum(-1).cpu().numpy()


def main(argv=None):
    args = parse_args(argv)
    threads = rc.set_threads(args.threads)
    device = rc.setup_device(args.device, "pyg_sage.py")
    d = LinkData(args.split)
    src_type, _, dst_type = d.target
    n_dst = d.dst_end - d.dst_begin
    # Training positives in local ids: message edges of the target + supervision.
    local = np.concatenate([d.edges[d.target], d.supervision]) - [d.src_begin, d.dst_begin]
    train_sets = RowSets(local, d.src_end - d.src_begin, n_dst, device)
    sup_src = torch.from_numpy(d.supervision[:, 0] - d.src_begin).to(device)
    sup_dst = torch.from_numpy(d.supervision[:, 1] - d.dst_begin).to(device)
    n_sup = sup_src.numel()
    n_batches = (n_sup + args.batch_size - 1) // args.batch_size
    print("graph: " + "; ".join(f"{c} {n}" for n, c in d.node_types) + "; " +
          "; ".join(f"{r} {d.edges[r].shape[0]} edges" for r in d.relations), flush=True)
    print(f"target {d.target}: {n_sup} supervision, {d.validation.shape[0]} validation, "
          f"{d.test.shape[0]} test examples; torch {torch.__version__}, {threads} threads, "
          f"device {device}",
          flush=True)

    if args.adjacency_bench > 0:
        # Interleaved (step 1 of each layout, then step 2, ...); the first not timed.
        gen = torch.Generator(device=device).manual_seed(args.seed)
        b = min(args.batch_size, n_sup)
        setups = {kind: setup(args, d, kind, device)[1:] for kind in ADJACENCIES}
        times = {kind: [] for kind in ADJACENCIES}
        for step in range(args.adjacency_bench + 1):
            idx = torch.randint(n_sup, (b,), generator=gen, device=device)
            s, p = sup_src[idx], sup_dst[idx]
            n = sample_negatives(train_sets, s, n_dst, gen)
            for kind in ADJACENCIES:
                graph, model, opt = setups[kind]
                t0 = rc.clock(device)
                train_step(model, opt, graph, src_type, dst_type, d, s, p, n)
                if step > 0:
                    times[kind].append(rc.clock(device) - t0)
        res = {kind: {"step_seconds": rc.median(times[kind])} for kind in ADJACENCIES}
        for kind in ADJACENCIES:
            print(f"adjacency {kind} median step {rc.median(times[kind]) * 1000:.1f} ms "
                  f"(forward+backward+Adam, batch {b})", flush=True)
        best = min(res, key=lambda k: res[k]["step_seconds"])
        print(f"fastest: {best}", flush=True)
        rc.emit({"side": "pyg", "mode": "adjacency-bench", "dataset": "sage", "adjacency": res,
                 "fastest": best, "env": rc.describe_env(device)}, args.json_out)
        return 0

    data, graph, model, opt = setup(args, d, args.adjacency, device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: PyG SAGEConv x{args.layers} + to_hetero(aggr='sum'), hidden {args.hidden}, "
          f"dot decoder, {n_params} parameters; relations {data.edge_types}; Adam lr {args.lr:g}"
          f"{' (fused)' if args.fused_adam else ''}, batch {args.batch_size} ({n_batches} steps "
          f"per epoch); adjacency {args.adjacency}", flush=True)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    epochs = []
    best = {"auc": -1.0, "epoch": 0, "test_auc": float("nan")}
    for epoch in range(1, args.epochs + 1):
        start = rc.clock(device)
        order = torch.randperm(n_sup, generator=gen, device=device)
        src_all, dst_all = sup_src[order], sup_dst[order]
        loss_sum = torch.zeros((), device=device)
        for b in range(n_batches):
            s = src_all[b * args.batch_size:(b + 1) * args.batch_size]
            p = dst_all[b * args.batch_size:(b + 1) * args.batch_size]
            n = sample_negatives(train_sets, s, n_dst, gen)
            loss_sum += train_step(model, opt, graph, src_type, dst_type, d, s, p, n)
        loss = float(loss_sum) / n_batches
        if not math.isfinite(loss):
            print(f"the training loss became {loss} in epoch {epoch}", file=sys.stderr)
            return 1
        epoch_seconds = rc.clock(device) - start
        with rc.Timer(device) as t:
            model.eval()
            with torch.no_grad():
                h = model(graph)
            model.train()
            val_auc = roc_auc(score(h, src_type, dst_type, d.validation), d.validation[:, 2])
            test_auc = roc_auc(score(h, src_type, dst_type, d.test), d.test[:, 2])
        line = (f"epoch {epoch:3d}/{args.epochs}  loss {loss:.4f}  {epoch_seconds:6.2f} s  "
                f"val AUC {val_auc:.4f}  test AUC {test_auc:.4f}  ({t.seconds:.2f} s)")
        if val_auc > best["auc"]:
            best.update(auc=val_auc, epoch=epoch, test_auc=test_auc)
            line += "  best"
        print(line, flush=True)
        epochs.append({"epoch": epoch, "loss": loss, "epoch_seconds": epoch_seconds,
                       "eval_seconds": t.seconds, "val_auc": val_auc, "test_auc": test_auc})
    print(f"test of the best model (epoch {best['epoch']}, val AUC {best['auc']:.4f}):\n"
          f"  PyG GraphSAGE    test AUC {best['test_auc']:.4f}", flush=True)
    train_seconds = [r["epoch_seconds"] for r in epochs]
    result = {"side": "pyg", "dataset": "lastfm-hetero", "adjacency": args.adjacency,
              "fused_adam": args.fused_adam,
              "epochs": epochs, "best_epoch": best["epoch"], "best_val_auc": best["auc"],
              "test_auc": best["test_auc"], "batches_per_epoch": n_batches,
              "median_epoch_seconds": rc.median(train_seconds[1:] if len(train_seconds) > 1
                                                else train_seconds),
              "median_eval_seconds": rc.median([r["eval_seconds"] for r in epochs]),
              "peak_rss_mb_self": rc.peak_rss_mb(), "env": rc.describe_env(device),
              **rc.device_memory(device)}
    rc.emit(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
