"""Train / validation / test splits, reproducible from their parameters and seed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from fairrec_core.data.dataset import Dataset
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import Phrase, phrase


@dataclass
class Split:
    """Interactions divided into train, validation and test.

    ``train`` holds every training interaction; ``valid`` and ``test`` are
    used through their *positives* (rating at or above the threshold, or
    any implicit interaction), as DESIGN.md §4 defines relevance.
    """

    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame
    n_users: int
    n_items: int
    method: str
    params: dict = field(default_factory=dict)
    filtered: dict = field(default_factory=dict)

    def _csr(self, rows: pd.DataFrame, positives_only: bool) -> sp.csr_matrix:
        if positives_only:
            rows = rows[rows["positive"].to_numpy()]
        m = sp.csr_matrix((rows["weight"].to_numpy(np.float32),
                           (rows["user"].to_numpy(), rows["item"].to_numpy())),
                          shape=(self.n_users, self.n_items))
        m.sort_indices()
        return m

    def train_matrix(self) -> sp.csr_matrix:
        """All training interactions, weights as values."""
        return self._csr(self.train, positives_only=False)

    def valid_matrix(self) -> sp.csr_matrix:
        """Validation positives."""
        return self._csr(self.valid, positives_only=True)

    def test_matrix(self) -> sp.csr_matrix:
        """Test positives (T_u of DESIGN.md §4)."""
        return self._csr(self.test, positives_only=True)

    def evaluable_users(self) -> np.ndarray:
        """Users with at least one test positive."""
        pos = self.test["user"].to_numpy()[self.test["positive"].to_numpy()]
        return np.unique(pos)

    def summary(self) -> dict:
        """Plain description of how the data was split, with counts."""
        n_eval = int(self.evaluable_users().size)
        return {
            "method": self.method,
            "params": dict(self.params),
            "train_rows": int(len(self.train)),
            "valid_rows": int(len(self.valid)),
            "test_rows": int(len(self.test)),
            "evaluable_users": n_eval,
            "not_evaluable_users": int(self.n_users - n_eval),
            "filtered": dict(self.filtered),
            "description": self.describe(),
        }

    def describe(self) -> Phrase:
        """How the data was split, in English; a :class:`~fairrec_core.i18n.Phrase`, so pages
        and reports can say it in their language (``fairrec_core.i18n.say``)."""
        p, f = self.params, self.filtered
        filtered = (phrase("split.filtered", min_user=f["min_user"], min_item=f["min_item"],
                           rows=f["rows_removed"])
                    if f.get("min_user") or f.get("min_item") else "")
        if self.method == "temporal":
            return phrase("split.temporal", test_n=p["test_n"], valid_n=p["valid_n"],
                          filtered=filtered)
        r = p["ratios"]
        return phrase("split.random", seed=p["seed"], ratios=f"{r[0]:g}:{r[1]:g}:{r[2]:g}",
                      scope=phrase("split.within_user" if p.get("by_user") else "split.overall"),
                      filtered=filtered)


def split_dataset(dataset: Dataset, *, method: str = "auto", test_n: int = 2,
                  valid_n: int = 1, ratios=(0.8, 0.1, 0.1), seed: int = 0,
                  by_user: bool = True, min_user: int = 0, min_item: int = 0) -> Split:
    """Split ``dataset`` into train, validation and test.

    Parameters
    ----------
    method : {"auto", "temporal", "random"}
        ``auto`` is temporal leave-last-n when timestamps exist, random otherwise.
    test_n, valid_n : int
        Temporal: how many of each user's most recent interactions go to test
        and, before those, to validation.
    ratios : tuple of three floats
        Random: train / validation / test proportions (normalised to sum 1).
    seed : int
        Random: the shuffle's seed; the same seed gives the same split.
    by_user : bool
        Random: shuffle within each user (every user gets the ratios) rather
        than over all interactions.
    min_user, min_item : int
        Remove, repeatedly until stable, users and items with fewer interactions.
    """
    inter = dataset.interactions
    keep, filtered = filter_min_counts(inter, min_user=min_user, min_item=min_item)
    inter = inter[keep]
    if method == "auto":
        method = "temporal" if dataset.has_timestamps else "random"
    if method == "temporal":
        if not dataset.has_timestamps:
            raise ConfigError("A temporal split needs a timestamp column; the interactions "
                              "file has none. Use a random split.")
        if test_n < 1 or valid_n < 0:
            raise ConfigError("test_n must be at least 1 and valid_n at least 0.")
        part = _temporal(inter, test_n, valid_n)
        params: dict[str, object] = {"test_n": test_n, "valid_n": valid_n}
    elif method == "random":
        r = np.asarray(ratios, dtype=float)
        if r.shape != (3,) or (r < 0).any() or r[0] <= 0 or r[2] <= 0:
            raise ConfigError("ratios must be three non-negative numbers (train, validation, "
                              "test) with train and test above zero, e.g. 8:1:1.")
        r = r / r.sum()
        part = _random(inter, r, seed, by_user)
        params = {"ratios": [float(x) for x in r], "seed": seed, "by_user": by_user}
    else:
        raise ConfigError(f"Unknown split method '{method}'; use auto, temporal or random.")
    return Split(train=inter[part == 0], valid=inter[part == 1], test=inter[part == 2],
                 n_users=dataset.n_users, n_items=dataset.n_items, method=method,
                 params=params, filtered=filtered)


def filter_min_counts(inter: pd.DataFrame, *, min_user: int = 0, min_item: int = 0,
                      max_rounds: int = 100):
    """Mask of rows kept by iterative minimum-count filtering (a k-core)."""
    users = inter["user"].to_numpy()
    items = inter["item"].to_numpy()
    keep = np.ones(len(inter), dtype=bool)
    for _ in range(max_rounds if (min_user or min_item) else 0):
        uc = np.bincount(users[keep], minlength=users.max(initial=-1) + 1)
        ic = np.bincount(items[keep], minlength=items.max(initial=-1) + 1)
        new = keep & (uc[users] >= min_user) & (ic[items] >= min_item)
        if new.sum() == keep.sum():
            break
        keep = new
    info = {"min_user": int(min_user), "min_item": int(min_item),
            "rows_removed": int((~keep).sum())}
    return keep, info


def _position_from_end(users: np.ndarray, order: np.ndarray):
    """For rows sorted by ``order`` within user: index from each user's last row."""
    u = users[order]
    counts = np.bincount(u) if u.size else np.zeros(0, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(u.size) - start[u]
    from_end = np.empty(u.size, dtype=np.int64)
    from_end[order] = counts[u] - 1 - pos
    size = np.empty(u.size, dtype=np.int64)
    size[order] = counts[u]
    return from_end, size


def _temporal(inter: pd.DataFrame, test_n: int, valid_n: int) -> np.ndarray:
    users = inter["user"].to_numpy()
    order = np.lexsort((np.arange(len(inter)), inter["timestamp"].to_numpy(), users))
    from_end, size = _position_from_end(users, order)
    part = np.zeros(len(inter), dtype=np.int8)
    # A user keeps at least one training interaction; validation comes second.
    part[(from_end < test_n) & (size >= test_n + 1)] = 2
    part[(from_end >= test_n) & (from_end < test_n + valid_n)
         & (size >= test_n + valid_n + 1)] = 1
    return part


def _random(inter: pd.DataFrame, ratios: np.ndarray, seed: int, by_user: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    key = rng.random(len(inter))
    part = np.zeros(len(inter), dtype=np.int8)
    if not by_user:
        order = np.argsort(key, kind="stable")
        n = len(inter)
        cut1, cut2 = round(n * ratios[0]), round(n * (ratios[0] + ratios[1]))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        part[(rank >= cut1) & (rank < cut2)] = 1
        part[rank >= cut2] = 2
        return part
    users = inter["user"].to_numpy()
    order = np.lexsort((key, users))
    from_end, size = _position_from_end(users, order)
    pos = size - 1 - from_end
    n_train = np.maximum(1, np.round(size * ratios[0])).astype(np.int64)
    n_valid = np.round(size * ratios[1]).astype(np.int64)
    part[pos >= n_train] = 1
    part[pos >= n_train + n_valid] = 2
    return part
