"""Most-popular baseline: every user gets the most-interacted unseen items."""

from __future__ import annotations

import numpy as np

from fairrec_core.models.base import Recommender
from fairrec_core.models.top_k import seen_coordinates


class Popularity(Recommender):
    """Rank items by their number of training interactions.

    Ties are broken by dense item id (lower first), so lists are reproducible
    and match ``pandas.Series.value_counts`` followed by a stable sort on id.

    Attributes
    ----------
    counts_ : numpy.ndarray of int64, shape (n_items,)
        Training interactions per item.
    order_ : numpy.ndarray of int64, shape (n_items,)
        Items from most to least popular.
    """

    name = "popularity"
    #: Scores are the same whatever the user's history.
    history_dependence = "none"

    def _fit(self, dataset, split, train, *, callbacks) -> None:
        self.counts_ = np.bincount(train["item"].to_numpy(), minlength=self.n_items_
                                   ).astype(np.int64)
        self._order()

    def _order(self) -> None:
        self.order_ = np.lexsort((np.arange(self.n_items_), -self.counts_))

    def _score_block(self, users, items):
        row = self.counts_.astype(np.float32)
        if items is not None:
            row = row[items]
        return np.broadcast_to(row, (len(users), row.size)).copy()

    def _top_block(self, users, k, exclude):
        # Walk the one global order and skip each user's seen items: exact
        # tie-breaking and no n_users x n_items score matrix.
        n_seen = np.diff(self.seen_.indptr)[users] if exclude else np.zeros(len(users), int)
        width = int(min(self.n_items_, k + (n_seen.max() if len(users) else 0)))
        cand = np.broadcast_to(self.order_[:width], (len(users), width))
        keep = np.ones((len(users), width), dtype=bool)
        if exclude and n_seen.any():
            rank_of = np.empty(self.n_items_, dtype=np.int64)
            rank_of[self.order_] = np.arange(self.n_items_)
            rows, cols = seen_coordinates(self.seen_, users)
            r = rank_of[cols]
            inside = r < width
            keep[rows[inside], r[inside]] = False
        # Stable sort puts the kept candidates first, in popularity order.
        pick = np.argsort(~keep, axis=1, kind="stable")[:, :k]
        ids = np.take_along_axis(cand, pick, axis=1).astype(np.int64)
        ok = np.take_along_axis(keep, pick, axis=1)
        ids[~ok] = -1
        scores = np.where(ok, self.counts_[np.maximum(ids, 0)], np.nan).astype(np.float32)
        return ids, scores

    def history_scorer(self, history, items=None, *, user=None):
        """Every subset of any history scores the items by their counts (see the interface)."""
        self._check_fitted()
        history = np.asarray(history).reshape(-1)
        if history.size:
            self._items(history)  # unknown ids are an error here as for any model
        if user is not None:
            self._users([user])
        row = self.counts_.astype(np.float64)
        if items is not None:
            row = row[self._items(items)]

        def scorer(keep) -> np.ndarray:
            z = np.asarray(keep)
            n = 1 if z.ndim == 1 else z.shape[0]
            return np.broadcast_to(row, (n, row.size)).copy()

        return scorer

    def _fitted_config(self) -> dict:
        return {}

    def _state_tensors(self) -> dict:
        return {"counts": self.counts_}

    def _load_state(self, tensors, fitted, folder) -> None:
        self.counts_ = np.asarray(tensors["counts"], dtype=np.int64)
        self._order()
