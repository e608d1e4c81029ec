"""The production system's own top-K lists, wrapped as a model.

A platform can audit what it already serves without training anything: the
lists come from ``recommendations.csv`` (validated by the data loader) or
from a frame given here, and :meth:`recommend` returns them as they were
served. Items the user had already interacted with are kept by default --
removing them would audit a list nobody saw -- and counted in a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError
from fairrec_core.models.base import Recommender
from fairrec_core.models.top_k import seen_coordinates


class ImportedRecommendations(Recommender):
    """Serve imported top-K lists through the Recommender protocol.

    Parameters
    ----------
    recommendations : pandas.DataFrame, optional
        Columns ``user``, ``item`` (original ids) and ``rank`` and/or
        ``score``. Default: ``dataset.recommendations`` at fit time.
    exclude_seen : bool, default False
        Remove training items from the lists (the lists then shorten).
    on_unknown : {"error", "drop"}, default "error"
        For a given frame: what to do with rows naming users or items the
        dataset does not know.

    Attributes
    ----------
    items_ : numpy.ndarray of int64, shape (n_users, K)
        Dense item ids in served order, ``-1`` padding.
    scores_ : numpy.ndarray of float32, shape (n_users, K)
        The production scores, or ``K - position`` when the file had only
        ranks; NaN where ``items_`` is ``-1``.
    has_scores_ : bool
    """

    name = "imported"

    def __init__(self, *, recommendations: pd.DataFrame | None = None,
                 exclude_seen: bool = False, on_unknown: str = "error"):
        self.recommendations = recommendations
        self.exclude_seen = exclude_seen
        self.on_unknown = on_unknown

    def get_params(self) -> dict:
        return {"exclude_seen": self.exclude_seen, "on_unknown": self.on_unknown}

    def _fit(self, dataset, split, train, *, callbacks) -> None:
        if self.recommendations is not None:
            items, scores = self._from_frame(self.recommendations, dataset)
        else:
            recs = dataset.recommendations
            if recs is None:
                raise ConfigError("No production recommendations were loaded: upload a "
                                  "recommendations CSV (user, item, and rank or score) to audit "
                                  "the lists the platform already serves.")
            items, scores = recs.items, recs.scores
        self._set_lists(np.asarray(items, dtype=np.int64),
                        None if scores is None else np.asarray(scores, dtype=np.float32))
        self._report()

    def _set_lists(self, items: np.ndarray, scores: np.ndarray | None) -> None:
        if items.shape[0] != self.n_users_:
            raise ConfigError(f"The imported lists cover {items.shape[0]} users but the data "
                              f"has {self.n_users_}.")
        self.items_ = items
        self.has_scores_ = scores is not None
        if scores is None:
            k = items.shape[1]
            scores = np.broadcast_to(np.arange(k, 0, -1, dtype=np.float32), items.shape).copy()
        self.scores_ = np.where(items >= 0, scores, np.nan).astype(np.float32)

    def _report(self) -> None:
        empty = ~(self.items_ >= 0).any(axis=1)
        if empty.all():
            raise ConfigError("The imported recommendations contain no list for any user of "
                              "this data.")
        if empty.any():
            self._warn("users_without_list",
                       f"{int(empty.sum())} user(s) have no imported list; their "
                       "recommendations are empty and they count as misses.",
                       count=int(empty.sum()))
        rows = np.flatnonzero(~empty)
        if self.seen_.nnz:
            listed = self._seen_mask(rows)
            n = int(listed.sum())
            if n:
                what = ("removed (exclude_seen=True)" if self.exclude_seen else
                        "kept, as served")
                self._warn("recommends_seen_items",
                           f"{n} imported recommendation(s) name items the user already "
                           f"interacted with in the training data; they were {what}.", count=n)

    def _seen_mask(self, users: np.ndarray) -> np.ndarray:
        lists = self.items_[users]
        rows, cols = seen_coordinates(self.seen_, users)
        seen_keys = np.sort(rows * self.n_items_ + cols)
        keys = np.arange(len(users))[:, None] * self.n_items_ + lists
        pos = np.minimum(np.searchsorted(seen_keys, keys), max(0, seen_keys.size - 1))
        return (seen_keys.size > 0) & (seen_keys[pos] == keys) & (lists >= 0)

    # ---------------------------------------------------------------- serving
    def _score_block(self, users, items):
        out = np.full((len(users), self.n_items_), -np.inf, dtype=np.float32)
        lists = self.items_[users]
        ok = lists >= 0
        r = np.broadcast_to(np.arange(len(users))[:, None], lists.shape)
        out[r[ok], lists[ok]] = self.scores_[users][ok]
        return out if items is None else out[:, items]

    def _top_block(self, users, k, exclude):
        lists = self.items_[users].copy()
        scores = self.scores_[users].copy()
        if exclude and self.seen_.nnz:
            drop = self._seen_mask(users)
            lists[drop] = -1
            scores[drop] = np.nan
            # Close the gaps so padding stays at the end, order otherwise kept.
            order = np.argsort(lists < 0, axis=1, kind="stable")
            lists = np.take_along_axis(lists, order, axis=1)
            scores = np.take_along_axis(scores, order, axis=1)
        if k > lists.shape[1]:
            warnings.warn(f"The imported lists hold {lists.shape[1]} items per user; asked for "
                          f"{k}, the rest is padding (-1).", UserWarning, stacklevel=4)
            pad = k - lists.shape[1]
            lists = np.hstack([lists, np.full((len(users), pad), -1, dtype=np.int64)])
            scores = np.hstack([scores, np.full((len(users), pad), np.nan, dtype=np.float32)])
        return lists[:, :k], scores[:, :k]

    # ---------------------------------------------------------------- a given frame
    def _from_frame(self, frame: pd.DataFrame, dataset):
        if self.on_unknown not in ("error", "drop"):
            raise ConfigError("on_unknown must be 'error' or 'drop'.")
        cols = set(frame.columns)
        if not {"user", "item"} <= cols or not ({"rank", "score"} & cols):
            raise ConfigError("Imported recommendations need columns user, item and rank or "
                              f"score; got {', '.join(map(str, frame.columns))}.")
        df = pd.DataFrame({"user": frame["user"].astype(str).str.strip(),
                           "item": frame["item"].astype(str).str.strip()})
        for c in ("rank", "score"):
            if c in cols:
                v = pd.to_numeric(frame[c], errors="coerce")
                if v.isna().any():
                    raise ConfigError(f"{int(v.isna().sum())} imported row(s) have an empty or "
                                      f"non-numeric {c}.")
                df[c] = v.to_numpy(float)
        df["u"] = dataset.user_ids.get_indexer(pd.Index(df["user"]))
        df["i"] = dataset.item_ids.get_indexer(pd.Index(df["item"]))
        bad = (df["u"] < 0) | (df["i"] < 0)
        if bad.any():
            ex = df.loc[bad, ["user", "item"]].head(3).to_numpy().tolist()
            msg = (f"{int(bad.sum())} imported recommendation(s) name users or items this "
                   f"data does not know (e.g. {', '.join(f'{u}/{i}' for u, i in ex)})")
            if self.on_unknown == "error":
                raise ConfigError(msg + ". Use exports from the same system, or drop such rows "
                                  "(on_unknown='drop').")
            self._warn("unknown_ids", msg + "; they were left out.", count=int(bad.sum()))
            df = df[~bad]
        if "rank" in df and df.duplicated(["u", "rank"]).any():
            n = int(df.duplicated(["u", "rank"], keep=False).sum())
            raise ConfigError(f"{n} imported row(s) give a user two items at the same rank; "
                              "each rank may appear once per user.")
        if df.duplicated(["u", "i"]).any():
            n = int(df.duplicated(["u", "i"], keep=False).sum())
            raise ConfigError(f"{n} imported row(s) list the same item twice for one user.")
        if df.empty:
            raise ConfigError("No imported recommendation matches this data.")
        by, asc = (["u", "rank"], [True, True]) if "rank" in df else (["u", "score"],
                                                                       [True, False])
        df = df.sort_values(by, ascending=asc, kind="stable")
        u = df["u"].to_numpy()
        pos = np.arange(len(df)) - np.searchsorted(u, u, side="left")
        items = np.full((dataset.n_users, int(pos.max()) + 1), -1, dtype=np.int64)
        items[u, pos] = df["i"].to_numpy()
        scores = None
        if "score" in df:
            scores = np.full(items.shape, np.nan, dtype=np.float32)
            scores[u, pos] = df["score"].to_numpy()
        return items, scores

    # ---------------------------------------------------------------- persistence
    def _fitted_config(self) -> dict:
        return {"has_scores": bool(self.has_scores_)}

    def _state_tensors(self) -> dict:
        return {"items": self.items_, "scores": self.scores_}

    def _load_state(self, tensors, fitted, folder) -> None:
        self.items_ = np.asarray(tensors["items"], dtype=np.int64)
        self.scores_ = np.asarray(tensors["scores"], dtype=np.float32)
        self.has_scores_ = bool(fitted.get("has_scores"))
