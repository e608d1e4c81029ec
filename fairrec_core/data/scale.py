"""A seeded audit dataset of any size, written as Parquet part files in bounded memory.

For scale tests of the audit (``benchmarks/bench_scale.py``): 10^7 users
with top-20 lists are 2×10^8 recommendation rows. Users are generated in
chunks (``chunk_users`` at a time), each chunk written as one part file of
interactions and one of recommendations and then dropped, so memory stays
at a few hundred MB whatever the number of users.

The same biases as the sample data (``sample_data/README.md``), with
simpler mechanics so that every chunk is a few vectorised operations:

* popularity skew: item popularity is Zipf-like (weight ∝ rank^-1.1);
* small sellers under-exposed: the production recommender subtracts a
  penalty from small-seller items (56% of the catalogue);
* sparse-history group: users aged 55+ (about 13%) have a median history of
  6 interactions, the others 23; users with fewer than 5 training
  interactions are served popularity only, so 55+ users get lower NDCG.
  Age never enters the recommender;
* gender shifts category preferences (F: Beauty, Fashion; M: Electronics,
  Sports) without changing how well users are served;
* region and membership tier carry nothing.

Files written to ``out``: ``users/part-*.parquet``, ``items.parquet``,
``interactions/part-*.parquet`` (user_id, item_id, rating, timestamp; each
user's last 2 by timestamp are the held-out set of the default temporal
split) and ``recommendations/part-*.parquet`` (user_id, item_id, rank),
plus ``truth.json`` with the parameters and the figures the audit should
find, accumulated chunk by chunk. Ids are integers (users 0..n-1, items
0..m-1), so dense index = id.

Run: ``python -m fairrec_core.data.scale --users 1000000 --out data/1m``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = ("Electronics", "Home & Kitchen", "Beauty", "Sports & Outdoors", "Toys & Games",
              "Books", "Fashion", "Grocery")
#: Category preference by gender (X carries no shift).
_PREF = {"F": (0.10, 0.11, 0.19, 0.09, 0.11, 0.13, 0.17, 0.10),
         "M": (0.20, 0.09, 0.08, 0.16, 0.12, 0.13, 0.11, 0.11),
         "X": (0.125,) * 8}
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
_AGE_P = (0.14, 0.27, 0.23, 0.20, 0.16)
REGIONS = ("North", "South", "East", "West", "Central")
TIERS = ("basic", "silver", "gold")
T0, T1 = 1_704_153_600, 1_735_603_200  # 2024-01-02 .. 2024-12-31 UTC
CANDIDATES = 120
SMALL_PENALTY = 0.8
TEST_N = 2


def _items(rng, n_items: int) -> dict:
    cat = rng.integers(0, len(CATEGORIES), n_items)
    small = rng.random(n_items) < 0.566
    rank = rng.permutation(n_items) + 1
    weight = rank.astype(np.float64) ** -1.1
    return {"category": cat, "small": small, "weight": weight / weight.sum(),
            "seller": np.where(small, 8 + rng.integers(0, 2_000, n_items),
                               rng.integers(0, 8, n_items))}


def _per_category_sampler(items: dict):
    """Items of each category in popularity order with their cumulative weights."""
    out = []
    for c in range(len(CATEGORIES)):
        ids = np.flatnonzero(items["category"] == c)
        w = items["weight"][ids]
        out.append((ids, np.cumsum(w) / w.sum()))
    return out


def _draw(rng, sampler, cats: np.ndarray) -> np.ndarray:
    """One popularity-weighted item from each given category."""
    out = np.empty(cats.size, dtype=np.int64)
    for c, (ids, cdf) in enumerate(sampler):
        m = cats == c
        if m.any():
            out[m] = ids[np.minimum(np.searchsorted(cdf, rng.random(m.sum())), ids.size - 1)]
    return out


def _users(rng, lo: int, hi: int) -> dict:
    n = hi - lo
    gender = rng.choice(np.array(["F", "M", "X"]), n, p=[0.49, 0.49, 0.02])
    band = rng.choice(len(AGE_BANDS), n, p=_AGE_P)
    edges = (18, 25, 35, 45, 55, 76)
    age = np.array(edges)[band] + (rng.random(n) * (np.diff(edges)[band])).astype(int)
    old = band == 4
    median = np.where(old, 6.0, 23.0)
    length = np.maximum(3, np.round(median * np.exp(rng.normal(0, 0.5, n)))).astype(np.int64)
    prefs = np.stack([_PREF[g] for g in ("F", "M", "X")])
    gidx = np.searchsorted(np.array(["F", "M", "X"]), gender)
    cum = np.cumsum(prefs[gidx], axis=1)
    fav = np.minimum((cum < rng.random((n, 1))).sum(axis=1), len(CATEGORIES) - 1)
    return {"user": np.arange(lo, hi), "gender": gender, "age": age, "band": band,
            "region": rng.choice(np.array(REGIONS), n), "tier": rng.choice(
                np.array(TIERS), n, p=[0.6, 0.28, 0.12]), "length": length, "fav": fav}


def _interactions(rng, u: dict, sampler, items: dict):
    """History rows of one chunk, deduplicated, with ratings and timestamps."""
    n_items = items["weight"].size
    rows = np.repeat(np.arange(u["user"].size), u["length"])
    in_fav = rng.random(rows.size) < 0.85
    cats = np.where(in_fav, u["fav"][rows], rng.integers(0, len(CATEGORIES), rows.size))
    item = _draw(rng, sampler, cats)
    key = rows.astype(np.int64) * n_items + item
    _, first = np.unique(key, return_index=True)
    first.sort()
    rows, item = rows[first], item[first]
    liked = items["category"][item] == u["fav"][rows]
    rating = np.where(liked, rng.choice([4, 5], rows.size, p=[0.4, 0.6]),
                      rng.choice([1, 2, 3, 4, 5], rows.size, p=[0.1, 0.15, 0.25, 0.3, 0.2]))
    ts = rng.integers(T0, T1, rows.size)
    order = np.lexsort((ts, rows))
    return rows[order], item[order], rating[order], ts[order]


def _held_out(rows: np.ndarray, n_users: int) -> np.ndarray:
    """Mask of each user's last TEST_N rows (rows sorted by user, then time).

    As fairrec's temporal split: a user keeps at least one training row.
    """
    counts = np.bincount(rows, minlength=n_users)
    end = np.cumsum(counts)
    pos = np.arange(rows.size) - (end - counts)[rows]
    return (pos >= counts[rows] - TEST_N) & (counts[rows] > TEST_N)


def _recommend(rng, u: dict, rows, item, test, items: dict, sampler, k: int):
    """Top-k of the production recommender over popularity and taste candidates."""
    n, n_items = u["user"].size, items["weight"].size
    n_train = np.bincount(rows[~test], minlength=n)
    knows = n_train >= 5  # short histories: popularity only
    half = CANDIDATES // 2
    pop_cdf = np.cumsum(items["weight"])
    pop = np.minimum(np.searchsorted(pop_cdf, rng.random((n, half))), n_items - 1)
    taste = _draw(rng, sampler, np.repeat(u["fav"], half)).reshape(n, half)
    # The recommender finds held-out items of the user's taste when it knows it.
    held = np.full((n, TEST_N), -1, dtype=np.int64)
    t_rows = rows[test]
    slot = np.arange(t_rows.size) - np.searchsorted(t_rows, t_rows)
    held[t_rows, slot] = item[test]
    cand = np.hstack([pop, taste, held])
    match = items["category"][np.maximum(cand, 0)] == u["fav"][:, None]
    score = (0.4 * np.log(items["weight"][np.maximum(cand, 0)] * n_items)
             + np.where(knows[:, None] & match, 3.0, 0.0)
             - SMALL_PENALTY * items["small"][np.maximum(cand, 0)]
             + rng.normal(0, 0.5, cand.shape))
    score[cand < 0] = -np.inf
    order = np.argsort(cand, axis=1, kind="stable")
    cand, score = np.take_along_axis(cand, order, 1), np.take_along_axis(score, order, 1)
    score[:, 1:][cand[:, 1:] == cand[:, :-1]] = -np.inf  # duplicates
    train_keys = np.sort(rows[~test].astype(np.int64) * n_items + item[~test])
    ckeys = np.arange(n, dtype=np.int64)[:, None] * n_items + cand
    pos = np.minimum(np.searchsorted(train_keys, ckeys), max(train_keys.size - 1, 0))
    if train_keys.size:  # never recommend what the user already has
        score[train_keys[pos] == ckeys] = -np.inf
    top = np.argsort(-score, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(cand, top, 1)


class _Truth:
    """Figures the audit should find, accumulated chunk by chunk."""

    def __init__(self, n_items, small):
        self.small = small
        self.exp = np.zeros(2)
        self.merit = np.zeros(2)
        self.ndcg = np.zeros((len(AGE_BANDS), 2))
        self.rows = {"interactions": 0, "recommendations": 0}

    def add(self, u, rows, item, rating, test, recs):
        disc = 1.0 / np.log2(np.arange(2, 12))
        top = recs[:, :10]
        np.add.at(self.exp, self.small[top].astype(int), np.broadcast_to(disc, top.shape))
        pos = test & (rating >= 4)
        np.add.at(self.merit, self.small[item[pos]].astype(int), 1.0)
        n_items = self.small.size
        keys = np.sort(rows[pos].astype(np.int64) * n_items + item[pos])
        q = np.arange(top.shape[0], dtype=np.int64)[:, None] * n_items + top
        p = np.minimum(np.searchsorted(keys, q), max(keys.size - 1, 0))
        hits = (keys[p] == q) if keys.size else np.zeros(q.shape, bool)
        n_rel = np.bincount(rows[pos], minlength=top.shape[0])
        ev = n_rel > 0
        idcg = np.cumsum(disc)[np.minimum(n_rel, 10) - 1]
        nd = np.where(ev, (hits * disc).sum(axis=1) / np.where(ev, idcg, 1), 0.0)
        np.add.at(self.ndcg, (u["band"][ev], 0), nd[ev])
        np.add.at(self.ndcg, (u["band"][ev], 1), 1.0)
        self.rows["interactions"] += int(rows.size)
        self.rows["recommendations"] += int(recs.size)

    def to_dict(self):
        cs = float(self.small.mean())
        es = float(self.exp[1] / self.exp.sum())
        rs = float(self.merit[1] / self.merit.sum())
        by_band = {b: float(s / c) for b, (s, c) in zip(AGE_BANDS, self.ndcg) if c}
        return {"small_seller": {"catalog_share": cs, "exposure_share_top10": es,
                                 "merit_share": rs, "es_cs": es / cs, "es_rs": es / rs},
                "ndcg10_by_age_band": by_band,
                "age_ratio": min(by_band.values()) / max(by_band.values()),
                "rows": self.rows}


def write_scale_dataset(out, *, n_users: int = 10_000_000, n_items: int = 100_000,
                        k: int = 20, seed: int = 42, chunk_users: int = 200_000) -> dict:
    """Write the dataset described in the module docstring; return its truth figures.

    Parameters
    ----------
    out : path
        Output folder (created).
    n_users, n_items : int
    k : int
        Length of every production list.
    seed : int
    chunk_users : int
        Users generated and written at once (bounds memory: about 2 KB each).
    """
    out = Path(out)
    for sub in ("users", "interactions", "recommendations"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(seed)
    rng = np.random.default_rng(root.spawn(1)[0])
    items = _items(rng, n_items)
    sampler = _per_category_sampler(items)
    pq.write_table(pa.table({
        "item_id": np.arange(n_items), "category": np.array(CATEGORIES)[items["category"]],
        "seller_id": items["seller"], "seller_size": np.where(items["small"], "small", "big")}),
        out / "items.parquet")
    truth = _Truth(n_items, items["small"])
    n_chunks = math.ceil(n_users / chunk_users)
    for c, child in enumerate(root.spawn(n_chunks + 1)[1:]):
        crng = np.random.default_rng(child)  # one stream per chunk: same data in any order
        lo, hi = c * chunk_users, min(n_users, (c + 1) * chunk_users)
        u = _users(crng, lo, hi)
        rows, item, rating, ts = _interactions(crng, u, sampler, items)
        test = _held_out(rows, hi - lo)
        recs = _recommend(crng, u, rows, item, test, items, sampler, k)
        truth.add(u, rows, item, rating, test, recs)
        name = f"part-{c:05d}.parquet"
        pq.write_table(pa.table({"user_id": u["user"], "gender": u["gender"], "age": u["age"],
                                 "region": u["region"], "membership_tier": u["tier"]}),
                       out / "users" / name)
        pq.write_table(pa.table({"user_id": rows + lo, "item_id": item,
                                 "rating": rating.astype(np.int8), "timestamp": ts}),
                       out / "interactions" / name)
        pq.write_table(pa.table({"user_id": np.repeat(u["user"], k), "item_id": recs.ravel(),
                                 "rank": np.tile(np.arange(1, k + 1, dtype=np.int16),
                                                 hi - lo)}),
                       out / "recommendations" / name)
    doc = {"params": {"n_users": n_users, "n_items": n_items, "k": k, "seed": seed,
                      "chunk_users": chunk_users, "test_n": TEST_N,
                      "small_penalty": SMALL_PENALTY},
           **truth.to_dict()}
    (out / "truth.json").write_text(json.dumps(doc, indent=2))
    return doc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m fairrec_core.data.scale",
                                description="Write a seeded scale-test audit dataset as "
                                            "Parquet part files.")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--users", type=int, default=10_000_000)
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--chunk-users", type=int, default=200_000)
    a = p.parse_args(argv)
    doc = write_scale_dataset(a.out, n_users=a.users, n_items=a.items, k=a.k, seed=a.seed,
                              chunk_users=a.chunk_users)
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
