"""Benchmark of the model layer (issue 3): accuracy protocol and speed, each beside a baseline.

Two parts, run together by default:

``--protocol [CSV]``
    The common offline protocol of RecBole and most papers: a random 8:1:1
    split of each user's interactions, every interaction a positive, full
    ranking over all items the user has not interacted with in training,
    NDCG@10 and Recall@10 averaged over users with test interactions. Runs
    popularity and BPR-MF (early stopping on validation NDCG@10) on any
    interactions CSV; without a path, on synthetic data at MovieLens-100K
    scale (943 users, 1,682 items, 100,000 interactions). RecBole's published
    BPR figures on the real MovieLens-100K (NDCG@10 0.2768, Recall@10 0.2368)
    are printed for reference: they are comparable only when the CSV *is*
    MovieLens-100K (``u.data`` with a header ``user_id,item_id,rating,timestamp``).

``--speed``
    On synthetic data at MovieLens-1M scale (6,040 users, 3,706 items,
    1,000,000 interactions), each figure beside a baseline measured in the
    same run, with the ratio:

    * BPR-MF (64-d) seconds per epoch vs a textbook PyTorch BPR loop
      (nn.Embedding, unfused Adam, per-batch torch.randint negatives,
      batch 2048 as RecBole's default);
    * text two-tower (cached MiniLM embeddings) seconds per epoch vs BPR-MF;
    * encoding the 3,706 item texts once with MiniLM on CPU vs
      sentence-transformers' ``encode`` of the same texts;
    * scoring all users, masking seen items and taking the top 100 vs a
      per-user Python loop;
    * fine-tuning speed (two-tower, top 2 layers) -- only where CUDA exists.

Run: ``.venv/bin/python benchmarks/bench_models.py`` (about 3-5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
from _timing import repeat_timed  # benchmarks/_timing.py

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "models"
RECBOLE_BPR_ML100K = {"ndcg@10": 0.2768, "recall@10": 0.2368}


def _synthetic(name: str, n_users: int, n_items: int, n_inter: int, seed: int) -> tuple:
    from fairrec_core.data.synthetic import generate

    folder = DATA / name
    inter, items = folder / "interactions.csv", folder / "items.csv"
    if not inter.exists():
        folder.mkdir(parents=True, exist_ok=True)
        g = generate(n_users=n_users, n_items=n_items, n_interactions=n_inter, seed=seed)
        g.interactions.to_csv(inter, index=False)
        g.items.to_csv(items, index=False)
    return inter, items


# ---------------------------------------------------------------------- protocol
def protocol(csv: str | None, *, seed: int, epochs: int) -> None:
    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.metrics.ranking import ranking_metrics
    from fairrec_core.models import BPR, Popularity

    if csv is None:
        path, _ = _synthetic("ml100k_scale", 943, 1682, 100_000, seed=0)
        print("protocol data: synthetic, MovieLens-100K scale (943 users, 1,682 items, "
              "100,000 interactions) -- NOT MovieLens-100K itself (no network here)")
    else:
        path = Path(csv)
        print(f"protocol data: {path}")
    # Every interaction is a positive: no rating threshold can exclude one.
    ds = load_dataset(path, rating_threshold=float("-inf"), min_user_interactions=1)
    split = split_dataset(ds, method="random", ratios=(0.8, 0.1, 0.1), seed=seed)
    truth = split.test_matrix()
    users = split.evaluable_users()
    print(f"  {ds.n_users:,} users, {ds.n_items:,} items, {len(ds.interactions):,} "
          f"interactions; {split.describe()} {users.size:,} users evaluated.")

    def evaluate(model):
        top, _ = model.recommend(users, 10)
        res = ranking_metrics(top, truth[users], k=10).per_user
        return float(res["ndcg"].mean()), float(res["recall"].mean())

    t0 = time.perf_counter()
    pop = evaluate(Popularity().fit(ds, split))
    t1 = time.perf_counter()
    # RecBole's BPR settings (embedding 64, Adam lr 1e-3, batch 2048, no weight decay,
    # early stopping after 10 epochs without a better validation NDCG@10).
    bpr_model = BPR(epochs=epochs, seed=seed, device="cpu", lr=1e-3, reg=0.0, batch_size=2048,
                    patience=10).fit(ds, split)
    bpr = evaluate(bpr_model)
    t2 = time.perf_counter()
    tr = bpr_model.training_
    print(f"  popularity  NDCG@10 {pop[0]:.4f}  Recall@10 {pop[1]:.4f}  ({t1 - t0:.1f} s)")
    print(f"  BPR-MF      NDCG@10 {bpr[0]:.4f}  Recall@10 {bpr[1]:.4f}  ({t2 - t1:.1f} s, "
          f"{tr.epochs_run} epochs, best {tr.best_epoch})")
    print(f"  ratio BPR / popularity: NDCG {bpr[0] / pop[0]:.2f}x, Recall "
          f"{bpr[1] / pop[1]:.2f}x")
    print(f"  RecBole BPR on real MovieLens-100K: NDCG@10 {RECBOLE_BPR_ML100K['ndcg@10']}, "
          f"Recall@10 {RECBOLE_BPR_ML100K['recall@10']} (reference)")


# ---------------------------------------------------------------------- speed
def _best(fn, repeats: int) -> float:
    return repeat_timed(fn, repeats)[0]


def _textbook_bpr_epoch(train_u, train_i, n_users, n_items, dim=64, batch=2048, seed=0):
    """Baseline: the usual PyTorch BPR epoch (RecBole-style), one pass."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    user, item = nn.Embedding(n_users, dim), nn.Embedding(n_items, dim)
    opt = torch.optim.Adam(list(user.parameters()) + list(item.parameters()), lr=0.001)
    u_all = torch.from_numpy(train_u)
    i_all = torch.from_numpy(train_i)
    perm = torch.randperm(len(u_all))
    t0 = time.perf_counter()
    for a in range(0, len(perm), batch):
        idx = perm[a:a + batch]
        u, i = u_all[idx], i_all[idx]
        j = torch.randint(0, n_items, (len(idx),))
        p = user(u)
        loss = -nn.functional.logsigmoid((p * (item(i) - item(j))).sum(-1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def _epoch_seconds(model):
    """Per-epoch wall time incl. validation from the training history: (median, min)."""
    h = model.training_.history
    secs = np.diff([0.0] + [r["seconds"] for r in h])
    return float(np.median(secs)), float(np.min(secs))


def speed(*, repeats: int, epochs: int) -> None:
    import torch

    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.models import BPR, TextTwoTower
    from fairrec_core.models.encoders import (
        DEFAULT_CACHE,
        encode_texts,
        resolve_encoder,
    )
    from fairrec_core.models.top_k import seen_coordinates

    inter, items = _synthetic("ml1m_scale", 6040, 3706, 1_000_000, seed=1)
    ds = load_dataset(inter, items=items)
    split = split_dataset(ds, method="random", ratios=(0.8, 0.1, 0.1), seed=0)
    n_train = len(split.train)
    print(f"speed data: synthetic, MovieLens-1M scale: {ds.n_users:,} users, "
          f"{ds.n_items:,} items, {len(ds.interactions):,} interactions "
          f"({n_train:,} in training)")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"os.cpu_count() = {os.cpu_count()}, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    # --- BPR-MF
    bpr = BPR(dim=64, epochs=epochs, patience=0, device="cpu", seed=0).fit(ds, split)
    bpr_mean, bpr_min = _epoch_seconds(bpr)
    # Training-only time: one more epoch of steps without validation.
    from fairrec_core.training import PairSampler

    sampler = PairSampler(split.train["user"].to_numpy(), split.train["item"].to_numpy(),
                          ds.n_items, batch_size=bpr.batch_size, seed=0)
    opt = torch.optim.Adam(bpr.module_.parameters(), lr=bpr.lr, fused=True)

    def steps_only():
        for u, i, j in sampler.epoch(99):
            opt.zero_grad(set_to_none=True)
            loss = bpr.module_(*(torch.from_numpy(x) for x in (u, i, j)), reg=bpr.reg)
            loss.backward()
            opt.step()

    bpr_steps = _best(steps_only, repeats)
    base = min(_textbook_bpr_epoch(split.train["user"].to_numpy(np.int64),
                                   split.train["item"].to_numpy(np.int64), ds.n_users,
                                   ds.n_items) for _ in range(max(1, repeats - 1)))
    print(f"BPR-MF 64-d, batch {bpr.batch_size}: {bpr_mean:.2f} s/epoch incl. validation "
          f"(median of {epochs}; min {bpr_min:.2f}); training steps only {bpr_steps:.2f} s/epoch")
    print(f"  baseline textbook PyTorch BPR epoch (batch 2048, unfused Adam): {base:.2f} s; "
          f"ratio baseline / fairrec (steps only) {base / bpr_steps:.1f}x; "
          f"target <= 1.5 s: {'MET' if bpr_mean <= 1.5 else 'NOT MET'}")

    # --- encoding
    texts = ds.item_text.tolist()
    ref = resolve_encoder(None)
    DEFAULT_CACHE.clear()
    t0 = time.perf_counter()
    # Fills the process cache, so the two-tower fit below finds every text there.
    emb = encode_texts(texts, encoder=ref, cache=DEFAULT_CACHE)
    enc_s = time.perf_counter() - t0
    line = (f"MiniLM encoding of {len(texts):,} item texts on CPU (once; model load "
            f"included): {enc_s:.1f} s ({len(texts) / enc_s:.0f} texts/s)")
    try:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(ref.location, device="cpu")
        t0 = time.perf_counter()
        ref_emb = st.encode(texts, batch_size=64, normalize_embeddings=True)
        st_s = time.perf_counter() - t0
        agree = float(np.abs(ref_emb - emb).max())
        line += (f"\n  baseline sentence-transformers encode: {st_s:.1f} s; ratio "
                 f"{st_s / enc_s:.2f}x; max |difference| {agree:.1e}")
    except ImportError:
        line += "\n  (sentence-transformers not installed: no baseline)"
    print(line)

    # --- two-tower, cached text
    tt = TextTwoTower(dim=64, epochs=epochs, patience=0, device="cpu", seed=0).fit(ds, split)
    tt_mean, tt_min = _epoch_seconds(tt)
    print(f"text two-tower (cached MiniLM embeddings), 64-d, batch 4096: {tt_mean:.2f} "
          f"s/epoch incl. validation (median of {epochs}; min {tt_min:.2f}); text lookup "
          f"in fit {tt.encode_seconds_:.2f} s (cached)")
    print(f"  baseline BPR-MF epoch {bpr_mean:.2f} s; ratio two-tower / BPR "
          f"{tt_mean / bpr_mean:.1f}x; target <= 10 s: {'MET' if tt_mean <= 10 else 'NOT MET'}")

    # --- score all users, mask seen, top 100
    users = np.arange(ds.n_users)
    fast = _best(lambda: bpr.recommend(users, 100), repeats + 2)
    ids_fast, _ = bpr.recommend(users, 100)
    v, b = (x.numpy() for x in bpr._item_cache)
    u_mat = bpr.module_.user.weight.detach().numpy()
    seen = bpr.seen_

    def loop():
        out = np.empty((ds.n_users, 100), dtype=np.int64)
        for u in range(ds.n_users):
            s = u_mat[u] @ v.T + b
            s[seen.indices[seen.indptr[u]:seen.indptr[u + 1]]] = -np.inf
            top = np.argpartition(-s, 100)[:100]
            out[u] = top[np.argsort(-s[top], kind="stable")]
        return out

    t0 = time.perf_counter()
    ids_loop = loop()
    slow = time.perf_counter() - t0
    agree = float((ids_loop == ids_fast).mean())
    rows, cols = seen_coordinates(seen, users)
    assert not np.isin(rows * ds.n_items + cols,
                       (np.arange(ds.n_users)[:, None] * ds.n_items + ids_fast).ravel()).any()
    print(f"score all {ds.n_users:,} users x {ds.n_items:,} items, mask seen, top 100: "
          f"{fast * 1000:.0f} ms (best of {repeats + 2})")
    print(f"  baseline per-user numpy loop: {slow * 1000:.0f} ms; ratio {slow / fast:.1f}x; "
          f"same lists {agree:.4%}; target <= 250 ms: {'MET' if fast <= 0.25 else 'NOT MET'}")

    # --- fine-tuning, GPU only
    if torch.cuda.is_available():
        ft = TextTwoTower(mode="top", top_layers=2, dim=64, epochs=1, patience=0,
                          device="cuda", seed=0).fit(ds, split)
        fr = TextTwoTower(dim=64, epochs=1, patience=0, device="cuda", seed=0).fit(ds, split)
        print(f"GPU {torch.cuda.get_device_name(0)}: two-tower fine-tuning top 2 layers "
              f"{ft.training_.seconds:.1f} s/epoch (batch 256, AMP {ft.training_.amp}); "
              f"baseline frozen two-tower on the same GPU {fr.training_.seconds:.1f} s/epoch")
    else:
        print("fine-tuning speed: no CUDA GPU on this machine, not measured")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--protocol", nargs="?", const="", default=None, metavar="CSV",
                    help="run only the accuracy protocol, on CSV (default: synthetic)")
    ap.add_argument("--speed", action="store_true", help="run only the speed benchmarks")
    ap.add_argument("--epochs", type=int, default=5, help="epochs timed per model")
    ap.add_argument("--protocol-epochs", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    both = args.protocol is None and not args.speed
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}")
    if both or args.protocol is not None:
        protocol(args.protocol or None, seed=args.seed, epochs=args.protocol_epochs)
    if both or args.speed:
        speed(repeats=args.repeats, epochs=args.epochs)


if __name__ == "__main__":
    main()
