"""Per-group candidate queues shared by the greedy re-rankers.

The greedy methods (smooth xQuAD, calibrated, FA*IR) add one item per step
to every user's list. Their objective depends on an item only through its
normalised relevance and its group, so within a group the best item left is
always the most relevant one left: the head of that group's queue in base
order. Each step therefore compares one head per group instead of all C
candidates, and all users advance together (a loop over the K positions,
array operations over users and groups).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .base import RerankError, grouped_order


class GroupQueues:
    """Queues of candidate columns per (user, group), in base order.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape (n_users, C)
        Group code of every candidate in base order, ``n_groups`` at padding.
    n_groups : int
    """

    def __init__(self, codes: np.ndarray, n_groups: int):
        self.n_groups = n_groups
        self.order, self.start, self.size = grouped_order(codes, n_groups)
        self.n = codes.shape[0]
        self.rows = np.arange(self.n)

    def cursor(self, rel: np.ndarray) -> Cursor:
        """A fresh walk through the queues for one re-ranking run."""
        return Cursor(self, rel)


class Cursor:
    """The current head of every (user, group) queue during one run.

    Holds, per user and group, the head's base-order column, whether the
    queue still has items, and the head's normalised relevance. After a
    pick only the picked queue of each user moves, so an update touches one
    entry per user instead of all n_users × n_groups.
    """

    def __init__(self, queues: GroupQueues, rel: np.ndarray):
        self.q = queues
        self.rel = rel
        n, g = queues.size.shape
        self.c = rel.shape[1]
        self.flat_order = queues.order.ravel()
        self.row_base = queues.rows * self.c
        self.ptr = np.zeros((n, g), dtype=np.int64)
        self.have = queues.size > 0
        pos = np.where(self.have, queues.start, 0)
        self.cols = np.where(self.have, queues.order[queues.rows[:, None], pos], 0)
        self.rel_head = rel[queues.rows[:, None], self.cols]

    def advance(self, rows: np.ndarray, groups: np.ndarray) -> None:
        """Pop the head of queue ``groups[i]`` of user ``rows[i]``."""
        q = self.q
        nxt = self.ptr[rows, groups] + 1
        self.ptr[rows, groups] = nxt
        ok = nxt < q.size[rows, groups]
        pos = np.where(ok, q.start[rows, groups] + nxt, 0)
        col = np.where(ok, self.flat_order[self.row_base[rows] + pos], 0)
        self.have[rows, groups] = ok
        self.cols[rows, groups] = col
        self.rel_head[rows, groups] = self.rel.ravel()[self.row_base[rows] + col]


def choose(obj: np.ndarray, cols: np.ndarray, have: np.ndarray, n_cols: int):
    """Pick, per user, the head with the highest objective; ties to the lower column.

    Parameters
    ----------
    obj : numpy.ndarray of float, shape (n_users, n_groups)
        Objective of each group's head; ignored where ``have`` is False.
    cols, have : numpy.ndarray, shape (n_users, n_groups)
        Head columns and non-empty flags (:class:`Cursor`).
    n_cols : int
        C, used as a sentinel larger than any column.

    Returns
    -------
    group : numpy.ndarray of int64, shape (n_users,)
        Chosen group (meaningless where ``ok`` is False).
    col : numpy.ndarray of int64
        Chosen base-order column, -1 where nothing is left.
    value : numpy.ndarray of float64
        The chosen head's objective.
    ok : numpy.ndarray of bool
    """
    masked = np.where(have, obj, -np.inf)
    best = masked.max(axis=1)
    # Among the heads that reach the best value, the one earliest in base
    # order wins: the same tie rule as a plain scan over all candidates.
    tie_cols = np.where(have & (masked == best[:, None]), cols, n_cols)
    group = tie_cols.argmin(axis=1)
    col = tie_cols[np.arange(obj.shape[0]), group]
    ok = col < n_cols
    return group, np.where(ok, col, -1), best, ok


def history_shares(history, item_group_codes: np.ndarray, n_groups: int, n_users: int,
                   *, what: str) -> tuple[np.ndarray, np.ndarray]:
    """p(g|u): the share of each group among a user's history items.

    Each (user, item) pair counts once, whatever its stored value (ratings
    or weights are not counts).

    Returns
    -------
    shares : numpy.ndarray of float64, shape (n_users, n_groups)
        Rows sum to 1; all zeros for users without history.
    has_history : numpy.ndarray of bool, shape (n_users,)
    """
    if not sp.issparse(history):
        raise RerankError(f"{what}: history must be a scipy sparse matrix (users x items), "
                          "e.g. Split.train_matrix().")
    h = sp.csr_matrix(history, copy=True)
    h.sum_duplicates()
    h.eliminate_zeros()
    if h.shape[0] != n_users:
        raise RerankError(f"{what}: the history has {h.shape[0]} users (rows) but the candidates "
                          f"have {n_users}.")
    if h.shape[1] != item_group_codes.size:
        raise RerankError(f"{what}: the history has {h.shape[1]} items (columns) but the item "
                          f"grouping labels {item_group_codes.size}; both must cover the same "
                          "catalogue.")
    h.data = np.ones_like(h.data, dtype=np.float64)
    onehot = sp.csr_matrix((np.ones(item_group_codes.size),
                            (np.arange(item_group_codes.size), item_group_codes)),
                           shape=(item_group_codes.size, n_groups))
    counts = np.asarray((h @ onehot).todense())
    tot = counts.sum(axis=1)
    has = tot > 0
    shares = np.zeros_like(counts)
    shares[has] = counts[has] / tot[has, None]
    return shares, has

