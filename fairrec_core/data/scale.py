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
import os
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


class _InverseCdf:
    """Draws from a discrete distribution by inverse CDF with a guide table.

    ``np.searchsorted`` over a 10^5-entry CDF costs ~17 cache-missing probes
    per draw; with 10^7 users that is most of the generator's time. A guide
    table (Chen 1974) maps each of ``bins`` equal slices of [0, 1) to the
    first entry whose CDF reaches it, so a draw is one lookup plus a few
    forward steps, and gives exactly ``searchsorted(cdf, u)``.
    """

    def __init__(self, cdf: np.ndarray, values: np.ndarray, bins: int, top: float = 1.0):
        self.cdf, self.values, self.top = cdf, values, top
        self.guide = np.searchsorted(cdf, np.arange(bins) * (top / bins)).astype(np.int32)

    def index(self, u: np.ndarray) -> np.ndarray:
        """The first entry whose CDF is >= u, for each u in (0, top]."""
        slot = np.minimum((u * (self.guide.size / self.top)).astype(np.int64),
                          self.guide.size - 1)
        idx = self.guide[slot]
        todo = np.flatnonzero(self.cdf[idx] < u)
        while todo.size:  # a few steps: a slice holds few entries
            idx[todo] += 1
            todo = todo[self.cdf[idx[todo]] < u[todo]]
        return idx

    def draw(self, u: np.ndarray) -> np.ndarray:
        """The values at :meth:`index`, in the shape of ``u``."""
        return self.values[self.index(u.ravel())].reshape(u.shape)


def _samplers(items: dict) -> tuple:
    """Popularity sampler over all items, and one within each category.

    The per-category CDFs are laid end to end, category c spanning (c, c+1],
    so one draw of ``c + u`` picks a popularity-weighted item of category c
    for every row at once.
    """
    n = items["weight"].size
    pop_cdf = np.cumsum(items["weight"])
    pop_cdf /= pop_cdf[-1]
    pop_cdf[-1] = 1.0
    pop = _InverseCdf(pop_cdf, np.arange(n, dtype=np.int32), bins=1 << 22)
    ids, cdfs = [], []
    for c in range(len(CATEGORIES)):
        members = np.flatnonzero(items["category"] == c)
        cdf = np.cumsum(items["weight"][members])
        cdf /= cdf[-1]
        cdf[-1] = 1.0
        ids.append(members)
        cdfs.append(c + cdf)
    cat = _InverseCdf(np.concatenate(cdfs), np.concatenate(ids).astype(np.int32),
                      bins=len(CATEGORIES) << 20, top=float(len(CATEGORIES)))
    return pop, cat


def _unit(rng, shape) -> np.ndarray:
    """Uniform draws in (0, 1] (0 would fall on the previous category's last item)."""
    return 1.0 - rng.random(shape)


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


def _interactions(rng, u: dict, cat_sampler: _InverseCdf, items: dict):
    """History rows of one chunk, deduplicated, with ratings and timestamps.

    Rows come back sorted by user, then timestamp.
    """
    n_items = items["weight"].size
    rows = np.repeat(np.arange(u["user"].size), u["length"])
    in_fav = rng.random(rows.size) < 0.85
    cats = np.where(in_fav, u["fav"][rows], rng.integers(0, len(CATEGORIES), rows.size))
    item = cat_sampler.draw(cats + _unit(rng, rows.size))
    key = np.sort(rows.astype(np.int64) * n_items + item)
    key = key[np.r_[True, key[1:] != key[:-1]]]  # one row per (user, item)
    rows, item = key // n_items, key % n_items
    liked = items["category"][item] == u["fav"][rows]
    rating = np.where(liked, 4 + (rng.random(rows.size) < 0.6),
                      1 + np.searchsorted(np.cumsum([0.1, 0.15, 0.25, 0.3]),
                                          rng.random(rows.size), side="right"))
    ts = rng.integers(T0, T1, rows.size)
    order = np.argsort((rows << 25) | (ts - T0), kind="stable")  # T1 - T0 < 2^25
    return rows[order], item[order], rating[order], ts[order]


def _held_out(rows: np.ndarray, n_users: int) -> np.ndarray:
    """Mask of each user's last TEST_N rows (rows sorted by user, then time).

    As fairrec's temporal split: a user keeps at least one training row.
    """
    counts = np.bincount(rows, minlength=n_users)
    end = np.cumsum(counts)
    pos = np.arange(rows.size) - (end - counts)[rows]
    return (pos >= counts[rows] - TEST_N) & (counts[rows] > TEST_N)


def _candidates(rng, u: dict, rows, item, test, samplers) -> np.ndarray:
    """Each user's candidates, sorted: popularity draws, taste draws, held-out items (-1 pads)."""
    n, half = u["user"].size, CANDIDATES // 2
    pop, cat = samplers
    held = np.full((n, TEST_N), -1, dtype=np.int32)
    t_rows = rows[test]
    slot = np.arange(t_rows.size) - np.searchsorted(t_rows, t_rows)
    held[t_rows, slot] = item[test]
    cand = np.hstack([pop.draw(_unit(rng, (n, half))),
                      cat.draw(np.repeat(u["fav"], half).reshape(n, half)
                               + _unit(rng, (n, half))), held])
    cand.sort(axis=1)
    return cand


def _recommend(rng, u: dict, rows, item, test, items: dict, samplers, k: int):
    """Top-k of the production recommender over popularity and taste candidates."""
    n, n_items = u["user"].size, items["weight"].size
    knows = np.bincount(rows[~test], minlength=n) >= 5  # short histories: popularity only
    cand = _candidates(rng, u, rows, item, test, samplers)
    c = np.maximum(cand, 0)
    base = (0.4 * np.log(items["weight"] * n_items) - SMALL_PENALTY * items["small"])
    score = base.astype(np.float32)[c]
    score += rng.standard_normal(cand.shape, dtype=np.float32) * np.float32(0.5)
    score[knows[:, None] & (items["category"].astype(np.int8)[c] == u["fav"][:, None])] += 3.0
    score[cand < 0] = -np.inf
    score[:, 1:][cand[:, 1:] == cand[:, :-1]] = -np.inf  # duplicates (cand is sorted)
    # Never recommend what the user already has. The candidate keys are sorted
    # (user-major, sorted within a user), so each training row finds its
    # candidate (the first of equal ones, the others are duplicates) directly.
    ckeys = (np.arange(n, dtype=np.int64)[:, None] * n_items + cand).ravel()
    train_keys = rows[~test].astype(np.int64) * n_items + item[~test]
    pos = np.minimum(np.searchsorted(ckeys, train_keys), ckeys.size - 1)
    score.ravel()[pos[ckeys[pos] == train_keys]] = -np.inf
    part = np.argpartition(-score, k - 1, axis=1)[:, :k]
    best = np.take_along_axis(score, part, 1)
    top = np.take_along_axis(part, np.argsort(-best, axis=1, kind="stable"), 1)
    return np.take_along_axis(cand, top, 1).astype(np.int64)


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

    def merge_all(self, partials) -> None:
        """Add chunk partials ``(exp, merit, ndcg, rows)`` in the order given."""
        for exp, merit, ndcg, rows in partials:
            self.exp += exp
            self.merit += merit
            self.ndcg += ndcg
            for key, value in rows.items():
                self.rows[key] += value

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


#: What every chunk needs besides its seed: set once per worker process.
_SHARED: dict = {}


def _init_worker(out: Path, items: dict, k: int) -> None:
    _SHARED.update(out=out, items=items, k=k, samplers=_samplers(items))


def _write_chunk(task) -> tuple:
    """Generate and write one chunk of users; return its truth partial."""
    c, seed, lo, hi = task
    out, items, k = _SHARED["out"], _SHARED["items"], _SHARED["k"]
    crng = np.random.default_rng(seed)  # one stream per chunk: same data in any order
    u = _users(crng, lo, hi)
    rows, item, rating, ts = _interactions(crng, u, _SHARED["samplers"][1], items)
    test = _held_out(rows, hi - lo)
    recs = _recommend(crng, u, rows, item, test, items, _SHARED["samplers"], k)
    part = _Truth(items["small"].size, items["small"])
    part.add(u, rows, item, rating, test, recs)
    name = f"part-{c:05d}.parquet"
    pq.write_table(pa.table({"user_id": u["user"], "gender": u["gender"], "age": u["age"],
                             "region": u["region"], "membership_tier": u["tier"]}),
                   out / "users" / name)
    pq.write_table(pa.table({"user_id": rows + lo, "item_id": item,
                             "rating": rating.astype(np.int8), "timestamp": ts}),
                   out / "interactions" / name)
    pq.write_table(pa.table({"user_id": np.repeat(u["user"], k), "item_id": recs.ravel(),
                             "rank": np.tile(np.arange(1, k + 1, dtype=np.int16), hi - lo)}),
                   out / "recommendations" / name)
    return part.exp, part.merit, part.ndcg, part.rows


def write_scale_dataset(out, *, n_users: int = 10_000_000, n_items: int = 100_000,
                        k: int = 20, seed: int = 42, chunk_users: int = 100_000,
                        workers: int = 1) -> dict:
    """Write the dataset described in the module docstring; return its truth figures.

    Part ``c`` holds users ``c*chunk_users`` up to the next part's first user
    in all three folders, so a reader can take one part of each as a block
    of whole users.

    Parameters
    ----------
    out : path
        Output folder (created).
    n_users, n_items : int
    k : int
        Length of every production list.
    seed : int
    chunk_users : int
        Users generated and written at once (bounds memory: about 4 KB each
        per worker).
    workers : int
        Processes generating chunks in parallel. The files and figures do
        not depend on it (each chunk has its own random stream; the truth
        partials are merged in chunk order).
    """
    out = Path(out)
    for sub in ("users", "interactions", "recommendations"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(seed)
    rng = np.random.default_rng(root.spawn(1)[0])
    items = _items(rng, n_items)
    pq.write_table(pa.table({
        "item_id": np.arange(n_items), "category": np.array(CATEGORIES)[items["category"]],
        "seller_id": items["seller"], "seller_size": np.where(items["small"], "small", "big")}),
        out / "items.parquet")
    truth = _Truth(n_items, items["small"])
    n_chunks = math.ceil(n_users / chunk_users)
    tasks = [(c, child, c * chunk_users, min(n_users, (c + 1) * chunk_users))
             for c, child in enumerate(root.spawn(n_chunks + 1)[1:])]
    if workers <= 1:
        _init_worker(out, items, k)
        partials = map(_write_chunk, tasks)
        truth.merge_all(partials)
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no forked copies of the caller's state
        with ctx.Pool(workers, _init_worker, (out, items, k)) as pool:
            truth.merge_all(pool.imap(_write_chunk, tasks))  # in chunk order
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
    p.add_argument("--chunk-users", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes generating chunks in parallel (default: up to 2)")
    a = p.parse_args(argv)
    doc = write_scale_dataset(a.out, n_users=a.users, n_items=a.items, k=a.k, seed=a.seed,
                              chunk_users=a.chunk_users, workers=a.workers)
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
