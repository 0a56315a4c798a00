"""PyG's LightGCN on gnnrec's exact split, trained and evaluated like lightgcn_train.

    python pyg_lightgcn.py --split DIR [--epochs 100 --eval-every 10 --threads 2]

DIR is what `lightgcn_train --save-split DIR` writes: train.csv, validation.csv,
test.csv ("user,item", dense ids) and info.txt (n_users, n_items).

What is matched with gnnrec (models/lightgcn.h, models/bpr_trainer.h,
models/evaluate.h, apps/lightgcn_train.cpp):
  - model: torch_geometric.nn.LightGCN(n_users + n_items, 64, num_layers=3),
    users first, item i = node n_users + i; the layer mean (alpha = 1/(K+1));
    E0 ~ normal(0, 0.1) (PyG's default init is xavier_uniform: replaced);
  - adjacency: the symmetric training graph, D^-1/2 A D^-1/2 (LGConv's own
    normalization, or the same values precomputed: --adjacency);
  - an epoch: the training edges shuffled, batches of 2048 (the last one
    smaller), one negative per positive uniform over the items that are not
    a training item of the user (rejection sampling), a full propagation per
    batch, loss = mean BPR + l2/(2B) * sum of the squared layer-0 norms of
    the batch's users, positives and negatives; that is PyG's
    LightGCN.recommendation_loss with lambda_reg = l2/2 and node_id = the
    batch's 3B rows (PyG's own regularizer is lambda * ||.||^2 / B, twice
    gnnrec's for the same lambda); Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8);
  - evaluation every --eval-every epochs and after the last, on validation:
    full ranking of all items, the user's training items masked, chunks of
    1024 users; recall@K = hits/|truth|, NDCG@K = DCG/IDCG with
    IDCG over min(K, |truth|) hits, averaged over users with truth items;
    the best model by validation recall (strictly better) is kept and its
    test metrics (training and validation items masked) reported at the end.
  - timing: an epoch's seconds cover shuffling, sampling, forward, backward
    and Adam (not evaluation); an evaluation's seconds cover the propagation
    and the ranking of validation.
  - --device cuda: everything above on GPU 0 (the model, the adjacency, the
    shuffling, the rejection sampling and the ranking chunks), FP32 without
    TF32 (race_common.setup_device); every timer read waits for the GPU
    (torch.cuda.synchronize). The peak GPU memory of torch's allocator
    (torch.cuda.max_memory_allocated/reserved) goes into the result.
Not matched (cannot be): the random streams (gnnrec: Philox and mt19937_64;
here torch's generator with the same seed), so the two runs see different
orders, negatives and initial values drawn from the same distributions.
"""
import argparse
import math
import sys
import time

import numpy as np
import torch
from torch_geometric.nn import LightGCN

import race_common as rc

ADJACENCIES = ("csr", "csr_gcn_norm", "edge_index", "edge_weight")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--split", required=True, help="lightgcn_train --save-split folder")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--init-std", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--l2", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=2048)
    p.add_argument("--topk", type=int, default=20)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                   help="where the model trains and evaluates (cuda: GPU 0)")
    p.add_argument("--adjacency", default="csr", choices=ADJACENCIES,
                   help="csr: D^-1/2 A D^-1/2 precomputed as a torch.sparse CSR tensor "
                        "(LGConv normalize=False); csr_gcn_norm: CSR of ones, LGConv "
                        "normalizes every call; edge_index: PyG's example (edge_index, "
                        "gcn_norm every call); edge_weight: edge_index with the "
                        "normalized weights precomputed")
    p.add_argument("--adjacency-bench", type=int, default=0, metavar="STEPS",
                   help="time STEPS training steps with each --adjacency, print, and exit")
    p.add_argument("--adjacency-candidates", default=",".join(ADJACENCIES),
                   help="the layouts --adjacency-bench times (comma-separated)")
    p.add_argument("--fused-adam", action="store_true",
                   help="torch.optim.Adam(fused=True) (one fused kernel, CPU or CUDA)")
    p.add_argument("--eval-only", action="store_true",
                   help="skip training: one evaluation of the initial model (timing)")
    p.add_argument("--json-out", default="")
    return p.parse_args(argv)


class Split:
    def __init__(self, folder):
        info = rc.read_info(f"{folder}/info.txt")
        self.name = info["dataset"][0][0]
        self.n_users = int(info["n_users"][0][0])
        self.n_items = int(info["n_items"][0][0])
        self.train = rc.read_csv(f"{folder}/train.csv", 2)
        self.validation = rc.read_csv(f"{folder}/validation.csv", 2)
        self.test = rc.read_csv(f"{folder}/test.csv", 2)


class RowSets:
    """Edges (user, item) as a row-sorted COO with row pointers, and sorted
    keys user * n_items + item for membership tests; on `device`, except the
    row pointers, which only slice (reading them must not wait for a GPU)."""

    def __init__(self, edges, n_users, n_items, device=torch.device("cpu")):
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        keys = np.unique(edges[:, 0] * n_items + edges[:, 1])
        self.keys = torch.from_numpy(keys).to(device)
        self.rows = torch.from_numpy(keys // n_items).to(device)
        self.cols = torch.from_numpy(keys % n_items).to(device)
        counts = np.bincount(keys // n_items, minlength=n_users)
        ptr = np.zeros(n_users + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        self.ptr = torch.from_numpy(ptr)
        self.degree = torch.from_numpy(counts).to(device)
        self.n_items = n_items

    def contains(self, users, items):
        if self.keys.numel() == 0:
            return torch.zeros_like(users, dtype=torch.bool)
        q = users * self.n_items + items
        pos = torch.searchsorted(self.keys, q).clamp_(max=self.keys.numel() - 1)
        return self.keys[pos] == q


def sample_negatives(train_sets, users, n_items, gen):
    """One item per user, uniform over the items that are not its training
    items: draw, then redraw the rejected ones until none is left. On the
    users' device (gen must be a generator of that device)."""
    neg = torch.randint(n_items, users.shape, generator=gen, device=users.device)
    todo = torch.nonzero(train_sets.contains(users, neg)).squeeze(1)
    while todo.numel() > 0:
        neg[todo] = torch.randint(n_items, todo.shape, generator=gen, device=users.device)
        todo = todo[train_sets.contains(users[todo], neg[todo])]
    return neg


def build_adjacency(kind, split, n_nodes, device):
    """The symmetric training graph in the layout `kind` (built on the host,
    then moved to `device`); also whether LGConv must normalize it."""
    u = torch.from_numpy(split.train[:, 0])
    i = torch.from_numpy(split.train[:, 1]) + split.n_users
    row = torch.cat([u, i])
    col = torch.cat([i, u])
    # Sorted, each pair once (the split holds no repeated pair anyway).
    key = torch.unique(row * n_nodes + col)
    row, col = key // n_nodes, key % n_nodes
    deg = torch.bincount(row, minlength=n_nodes).to(torch.float32)
    inv_sqrt = deg.pow(-0.5)
    inv_sqrt[torch.isinf(inv_sqrt)] = 0
    weight = inv_sqrt[row] * inv_sqrt[col]
    edge_index = torch.stack([row, col])
    if kind == "csr":
        adj = torch.sparse_coo_tensor(edge_index, weight, (n_nodes, n_nodes)).coalesce()
        return adj.to_sparse_csr().to(device), None, False
    if kind == "csr_gcn_norm":
        adj = torch.sparse_coo_tensor(edge_index, torch.ones_like(weight), (n_nodes, n_nodes))
        return adj.coalesce().to_sparse_csr().to(device), None, True
    if kind == "edge_index":
        return edge_index.to(device), None, True
    if kind == "edge_weight":
        return edge_index.to(device), weight.to(device), False
    raise ValueError(kind)


def make_model(args, n_nodes, normalize, device):
    """Initialized on the host (the same values on either device), then moved."""
    model = LightGCN(n_nodes, args.dim, num_layers=args.layers, normalize=normalize)
    torch.nn.init.normal_(model.embedding.weight, mean=0.0, std=args.init_std)
    return model.to(device)


def make_optimizer(args, model):
    if args.fused_adam:
        return torch.optim.Adam(model.parameters(), lr=args.lr, fused=True)
    return torch.optim.Adam(model.parameters(), lr=args.lr)


def train_step(model, opt, adj, edge_weight, n_users, users, pos, neg, l2):
    emb = model.get_embedding(adj, edge_weight)  # the full propagation
    e_u = emb[users]
    pos_rank = (e_u * emb[n_users + pos]).sum(-1)
    neg_rank = (e_u * emb[n_users + neg]).sum(-1)
    node_id = torch.cat([users, n_users + pos, n_users + neg])
    loss = model.recommendation_loss(pos_rank, neg_rank, node_id=node_id, lambda_reg=l2 / 2)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.detach()


@torch.no_grad()
def evaluate(user_emb, item_emb, exclude, truth, k, chunk=1024):
    """gnnrec's evaluate_ranking: recall@k and NDCG@k averaged over users
    with truth items. On the embeddings' device: the score chunk, the mask,
    top-K and the hit counts."""
    n_users, n_items = user_emb.shape[0], item_emb.shape[0]
    device = user_emb.device
    discount = 1.0 / torch.log2(torch.arange(k, dtype=torch.float64, device=device) + 2.0)
    idcg = torch.cat([torch.zeros(1, dtype=torch.float64, device=device),
                      torch.cumsum(discount, 0)])
    recall_sum = ndcg_sum = 0.0
    n_eval = 0
    item_t = item_emb.t().contiguous()
    for begin in range(0, n_users, chunk):
        end = min(n_users, begin + chunk)
        scores = user_emb[begin:end] @ item_t
        s, e = int(exclude.ptr[begin]), int(exclude.ptr[end])
        scores[exclude.rows[s:e] - begin, exclude.cols[s:e]] = float("-inf")
        top = torch.topk(scores, k, dim=1, sorted=True).indices
        ts, te = int(truth.ptr[begin]), int(truth.ptr[end])
        is_truth = torch.zeros((end - begin, n_items), dtype=torch.bool, device=device)
        is_truth[truth.rows[ts:te] - begin, truth.cols[ts:te]] = True
        hits = is_truth.gather(1, top).to(torch.float64)
        deg = truth.degree[begin:end]
        has = deg > 0
        if not bool(has.any()):
            continue
        hits, deg = hits[has], deg[has]
        recall_sum += float((hits.sum(1) / deg).sum())
        ndcg_sum += float(((hits * discount).sum(1) / idcg[deg.clamp(max=k)]).sum())
        n_eval += int(has.sum())
    n = max(n_eval, 1)
    return {"recall": recall_sum / n, "ndcg": ndcg_sum / n, "users": n_eval,
            "skipped": n_users - n_eval}


def embeddings(model, adj, edge_weight, n_users):
    model.eval()
    with torch.no_grad():
        e = model.get_embedding(adj, edge_weight)
    model.train()
    return e[:n_users], e[n_users:]


def adjacency_bench(args, split, train_sets, device):
    """Times training steps with each layout, interleaved (step 1 of every
    layout, then step 2, ...) so that a change of the machine's load hits
    them all alike; the first step of each is not timed."""
    n_nodes = split.n_users + split.n_items
    gen = torch.Generator(device=device).manual_seed(args.seed)
    users = torch.from_numpy(split.train[:, 0]).to(device)
    items = torch.from_numpy(split.train[:, 1]).to(device)
    b = min(args.batch_size, users.numel())
    kinds = [k for k in args.adjacency_candidates.split(",") if k]
    setups = {}
    for kind in kinds:
        if kind not in ADJACENCIES:
            raise SystemExit(f"--adjacency-candidates: unknown layout '{kind}'")
        torch.manual_seed(args.seed)
        adj, w, normalize = build_adjacency(kind, split, n_nodes, device)
        model = make_model(args, n_nodes, normalize, device)
        setups[kind] = (adj, w, model, make_optimizer(args, model))
    times = {kind: [] for kind in kinds}
    for step in range(args.adjacency_bench + 1):
        idx = torch.randint(users.numel(), (b,), generator=gen, device=device)
        u, p = users[idx], items[idx]
        n = sample_negatives(train_sets, u, split.n_items, gen)
        for kind in kinds:
            adj, w, model, opt = setups[kind]
            t0 = rc.clock(device)
            train_step(model, opt, adj, w, split.n_users, u, p, n, args.l2)
            if step > 0:
                times[kind].append(rc.clock(device) - t0)
    res = {}
    for kind in kinds:
        adj, w, model, _ = setups[kind]
        with rc.Timer(device) as t:
            embeddings(model, adj, w, split.n_users)
        res[kind] = {"step_seconds": rc.median(times[kind]), "propagation_seconds": t.seconds}
        print(f"adjacency {kind} median step {rc.median(times[kind]) * 1000:.1f} ms "
              f"(forward+backward+Adam, batch {b}), eval propagation {t.seconds * 1000:.1f} ms",
              flush=True)
    best = min(res, key=lambda k: res[k]["step_seconds"])
    print(f"fastest: {best}", flush=True)
    rc.emit({"side": "pyg", "mode": "adjacency-bench", "dataset": split.name, "adjacency": res,
             "fastest": best, "env": rc.describe_env(device)}, args.json_out)


def main(argv=None):
    args = parse_args(argv)
    threads = rc.set_threads(args.threads)
    device = rc.setup_device(args.device, "pyg_lightgcn.py")
    t_load = time.perf_counter()
    split = Split(args.split)
    n_nodes = split.n_users + split.n_items
    train_sets = RowSets(split.train, split.n_users, split.n_items, device)
    val_sets = RowSets(split.validation, split.n_users, split.n_items, device)
    test_sets = RowSets(split.test, split.n_users, split.n_items, device)
    train_val_sets = RowSets(np.concatenate([split.train, split.validation]), split.n_users,
                             split.n_items, device)
    has_validation = val_sets.keys.numel() > 0
    eval_truth, eval_name = (val_sets, "val") if has_validation else (test_sets, "test")
    print(f"data: {split.name}: {split.n_users} users, {split.n_items} items, "
          f"{split.train.shape[0]} train / {split.validation.shape[0]} validation / "
          f"{split.test.shape[0]} test edges (read in {time.perf_counter() - t_load:.2f} s); "
          f"torch {torch.__version__}, {threads} threads, device {device}", flush=True)
    if args.adjacency_bench > 0:
        adjacency_bench(args, split, train_sets, device)
        return 0

    torch.manual_seed(args.seed)
    adj, edge_weight, normalize = build_adjacency(args.adjacency, split, n_nodes, device)
    model = make_model(args, n_nodes, normalize, device)
    opt = make_optimizer(args, model)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    # Training edges in CSR order (as gnnrec's trainer holds them).
    edge_users = train_sets.rows.clone()
    edge_items = train_sets.cols.clone()
    n_edges = edge_users.numel()
    n_batches = (n_edges + args.batch_size - 1) // args.batch_size
    print(f"model: PyG LightGCN, {args.layers} layers, dim {args.dim}, "
          f"{model.embedding.weight.numel()} parameters; Adam lr {args.lr:g}"
          f"{' (fused)' if args.fused_adam else ''}, l2 {args.l2:g}, batch {args.batch_size} "
          f"({n_batches} steps per epoch); adjacency {args.adjacency}", flush=True)

    epochs = []
    best = {"score": -1.0, "epoch": 0, "table": None}
    if args.eval_only:
        with rc.Timer(device) as t:
            ue, ie = embeddings(model, adj, edge_weight, split.n_users)
            m = evaluate(ue, ie, train_sets, eval_truth, args.topk)
        print(f"evaluation of the initial model: {eval_name} recall@{args.topk} {m['recall']:.4f} "
              f"ndcg@{args.topk} {m['ndcg']:.4f} ({t.seconds:.2f} s, {m['users']} users)",
              flush=True)
        epochs.append({"epoch": 0, "eval_seconds": t.seconds, "eval": m})
    for epoch in range(1, 0 if args.eval_only else args.epochs + 1):
        start = rc.clock(device)
        order = torch.randperm(n_edges, generator=gen, device=device)
        users_all, items_all = edge_users[order], edge_items[order]
        loss_sum = torch.zeros((), device=device)
        for b in range(n_batches):
            users = users_all[b * args.batch_size:(b + 1) * args.batch_size]
            pos = items_all[b * args.batch_size:(b + 1) * args.batch_size]
            neg = sample_negatives(train_sets, users, split.n_items, gen)
            loss_sum += train_step(model, opt, adj, edge_weight, split.n_users, users, pos, neg,
                                   args.l2)
        loss = float(loss_sum) / n_batches
        if not math.isfinite(loss):
            print(f"the training loss became {loss} in epoch {epoch}", file=sys.stderr)
            return 1
        epoch_seconds = rc.clock(device) - start
        row = {"epoch": epoch, "loss": loss, "epoch_seconds": epoch_seconds}
        line = f"epoch {epoch:4d}/{args.epochs}  loss {loss:.4f}  {epoch_seconds:6.2f} s"
        if epoch % args.eval_every == 0 or epoch == args.epochs:
            with rc.Timer(device) as t:
                ue, ie = embeddings(model, adj, edge_weight, split.n_users)
                m = evaluate(ue, ie, train_sets, eval_truth, args.topk)
            row["eval_seconds"] = t.seconds
            row["eval"] = m
            line += (f"  {eval_name} recall@{args.topk} {m['recall']:.4f}  "
                     f"ndcg@{args.topk} {m['ndcg']:.4f}  ({t.seconds:.2f} s)")
            score = m["recall"]
            if has_validation and score > best["score"]:
                best.update(score=score, epoch=epoch,
                            table=model.embedding.weight.detach().clone())
                line += "  best"
        print(line, flush=True)
        epochs.append(row)

    result = {"side": "pyg", "dataset": split.name, "adjacency": args.adjacency,
              "fused_adam": args.fused_adam, "epochs": epochs, "env": rc.describe_env(device),
              "batches_per_epoch": n_batches}
    if test_sets.keys.numel() > 0 and not args.eval_only:
        if has_validation and best["table"] is not None:
            with torch.no_grad():
                model.embedding.weight.copy_(best["table"])
            label = f"the best model (epoch {best['epoch']}, val recall@{args.topk} {best['score']:.4f})"
            result["test_epoch"] = best["epoch"]
        else:
            label = f"the model after epoch {args.epochs}"
            result["test_epoch"] = args.epochs
        ue, ie = embeddings(model, adj, edge_weight, split.n_users)
        m = evaluate(ue, ie, train_val_sets, test_sets, args.topk)
        print(f"test metrics of {label}:\n  PyG LightGCN   recall@{args.topk} {m['recall']:.4f}  "
              f"ndcg@{args.topk} {m['ndcg']:.4f}  ({m['users']} users evaluated, "
              f"{m['skipped']} skipped)", flush=True)
        result["test"] = m
    train_seconds = [r["epoch_seconds"] for r in epochs if "epoch_seconds" in r]
    eval_seconds = [r["eval_seconds"] for r in epochs if "eval_seconds" in r]
    result["median_epoch_seconds"] = rc.median(train_seconds[1:] if len(train_seconds) > 1
                                               else train_seconds)
    result["median_eval_seconds"] = rc.median(eval_seconds)
    result["peak_rss_mb_self"] = rc.peak_rss_mb()
    result.update(rc.device_memory(device))
    rc.emit(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
