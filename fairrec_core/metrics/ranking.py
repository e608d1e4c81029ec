"""Per-user ranking metrics at a cut-off K (DESIGN.md section 4).

All metrics use binary gains and are computed for a whole batch of users at
once from a boolean hit matrix ``hits[u, k] = 1[i_k in T_u]``:

* Precision@K = |L_u ∩ T_u| / K  (K, not the list length: a short list is
  penalised, as in trec_eval's ``P_K``)
* Recall@K = |L_u ∩ T_u| / |T_u|
* HR@K = 1[|L_u ∩ T_u| > 0]
* MRR@K = 1 / rank of the first hit, 0 without a hit
* NDCG@K = DCG / IDCG with DCG = Σ_k hit_k / log2(k + 1) and IDCG over the
  first min(K, |T_u|) positions
* AP@K = Σ_k P@k · hit_k / min(K, |T_u|)

Users with an empty T_u are not evaluable: their row is NaN and they are
counted in :attr:`RankingResult.n_excluded`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validate import (
    DEFAULT_BATCH_SIZE,
    MetricsInputError,
    as_binary_csr,
    as_top_k,
    batches,
    check_k,
)

#: Column order of :attr:`RankingResult.per_user`; part of the stable API.
RANKING_METRICS: tuple[str, ...] = ("precision", "recall", "hr", "mrr", "ndcg", "ap")


@dataclass(frozen=True)
class RankingResult:
    """Per-user ranking metrics.

    Attributes
    ----------
    per_user : pandas.DataFrame
        One row per user (index ``user`` = dense user index), columns
        :data:`RANKING_METRICS`; NaN for users that are not evaluable.
    evaluable : numpy.ndarray of bool
        ``|T_u| > 0``.
    n_relevant : numpy.ndarray of int
        ``|T_u|`` per user.
    k : int
        The cut-off.
    """

    per_user: pd.DataFrame
    evaluable: np.ndarray
    n_relevant: np.ndarray
    k: int

    @property
    def n_evaluable(self) -> int:
        """Users with at least one held-out positive."""
        return int(self.evaluable.sum())

    @property
    def n_excluded(self) -> int:
        """Users without held-out positives, excluded from accuracy metrics."""
        return int(self.evaluable.size - self.evaluable.sum())


def discounts(k: int) -> np.ndarray:
    """Return ``1 / log2(rank + 1)`` for ranks ``1..k``."""
    return 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))


def hit_matrix(top_k: np.ndarray, truth_rows: sp.csr_matrix) -> np.ndarray:
    """Boolean ``hits[u, k] = 1[top_k[u, k] in T_u]`` for one batch of users.

    ``truth_rows`` must be canonical (sorted indices, no explicit zeros). The
    lookup encodes (user, item) pairs as ``u * n_items + i``; row-major order
    with sorted column indices makes the truth keys ascending, so one
    ``searchsorted`` answers every position of every list at once.
    """
    n_rows, n_items = truth_rows.shape
    n_rel = np.diff(truth_rows.indptr)
    if truth_rows.nnz == 0:
        return np.zeros(top_k.shape, dtype=bool)
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), n_rel)
    keys = row_of * n_items + truth_rows.indices.astype(np.int64)
    query = np.arange(n_rows, dtype=np.int64)[:, None] * n_items + top_k
    pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    # Padding (-1) could collide with the previous user's last item key, so
    # it is masked explicitly.
    return (keys[pos] == query) & (top_k >= 0)


def metrics_from_hits(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> np.ndarray:
    """Compute the six ranking metrics from a hit matrix.

    Parameters
    ----------
    hits : numpy.ndarray of bool, shape (n, k)
    n_relevant : numpy.ndarray of int, shape (n,)
        ``|T_u|``; rows with 0 become NaN.
    k : int

    Returns
    -------
    numpy.ndarray of float64, shape (n, 6)
        Columns in the order of :data:`RANKING_METRICS`.
    """
    n = hits.shape[0]
    out = np.full((n, len(RANKING_METRICS)), np.nan)
    ev = n_relevant > 0
    if not ev.any():
        return out
    h = hits[ev].astype(np.float64)
    rel = n_relevant[ev].astype(np.float64)
    n_hits = h.sum(axis=1)
    disc = discounts(k)
    ideal_len = np.minimum(k, n_relevant[ev])
    idcg = np.cumsum(disc)[ideal_len - 1]
    has_hit = n_hits > 0
    first = np.argmax(hits[ev], axis=1)
    prec_at = np.cumsum(h, axis=1) / np.arange(1, k + 1)
    out[ev, 0] = n_hits / k
    out[ev, 1] = n_hits / rel
    out[ev, 2] = has_hit
    out[ev, 3] = np.where(has_hit, 1.0 / (first + 1), 0.0)
    out[ev, 4] = (h @ disc) / idcg
    out[ev, 5] = (prec_at * h).sum(axis=1) / ideal_len
    return out


def iter_ranking_metrics(top_k, truth, *, k: int = 10,
                         batch_size: int = DEFAULT_BATCH_SIZE
                         ) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield ranking metrics batch by batch of users.

    This is the streaming form for very large user sets: a caller can fold
    each batch into per-group sums and counts and discard it.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, L)
        Item indices in rank order, ``-1`` = padding.
    truth : scipy.sparse matrix, shape (n_users, n_items)
        Nonzero = held-out positive.
    k : int, default 10
    batch_size : int

    Yields
    ------
    rows : slice
        The users of this batch.
    values : numpy.ndarray, shape (batch, 6)
        Metrics in :data:`RANKING_METRICS` order (NaN = not evaluable).
    n_relevant : numpy.ndarray of int, shape (batch,)
    """
    k = check_k(k)
    truth = as_binary_csr(truth, shape=None, what="Held-out positives")
    lists = as_top_k(top_k, n_items=truth.shape[1], k=k, batch_size=batch_size)
    if lists.shape[0] != truth.shape[0]:
        raise MetricsInputError(
            f"Top-K lists cover {lists.shape[0]} users but the held-out positives "
            f"cover {truth.shape[0]}; both must use the same dense user index.")
    yield from _iter_valid(lists, truth, k, batch_size)


def _iter_valid(lists, truth, k, batch_size):
    for sl in batches(lists.shape[0], batch_size):
        rows = truth[sl]
        n_rel = np.diff(rows.indptr)
        hits = hit_matrix(lists[sl], rows)
        yield sl, metrics_from_hits(hits, n_rel, k), n_rel


def ranking_metrics(top_k, truth, *, k: int = 10,
                    batch_size: int = DEFAULT_BATCH_SIZE) -> RankingResult:
    """Per-user Precision, Recall, HR, MRR, NDCG and AP at K.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, L)
        Item indices in rank order, ``-1`` = padding. Columns beyond K are
        ignored; fewer than K columns are treated as padded lists.
    truth : scipy.sparse matrix, shape (n_users, n_items)
        Nonzero = held-out positive.
    k : int, default 10
        Cut-off.
    batch_size : int
        Users processed per vectorised batch.

    Returns
    -------
    RankingResult

    Raises
    ------
    MetricsInputError
        Malformed lists (see :func:`~fairrec_core.metrics._validate.as_top_k`)
        or mismatched shapes.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> truth = sp.csr_matrix(np.array([[1, 0, 1, 0]]))
    >>> r = ranking_metrics(np.array([[2, 1]]), truth, k=2)
    >>> float(r.per_user.loc[0, "mrr"])
    1.0
    """
    n_users = np.asarray(top_k).shape[0] if np.ndim(top_k) == 2 else 0
    values = np.empty((n_users, len(RANKING_METRICS)))
    n_rel = np.empty(n_users, dtype=np.int64)
    for sl, vals, rel in iter_ranking_metrics(top_k, truth, k=k, batch_size=batch_size):
        values[sl] = vals
        n_rel[sl] = rel
    return _result(values, n_rel, k)


def _result(values: np.ndarray, n_rel: np.ndarray, k: int) -> RankingResult:
    frame = pd.DataFrame(values, columns=list(RANKING_METRICS),
                         index=pd.RangeIndex(values.shape[0], name="user"))
    return RankingResult(per_user=frame, evaluable=n_rel > 0, n_relevant=n_rel, k=k)


def ranking_metrics_validated(lists: np.ndarray, truth: sp.csr_matrix, k: int,
                              batch_size: int = DEFAULT_BATCH_SIZE) -> RankingResult:
    """Like :func:`ranking_metrics` for inputs already checked by the caller."""
    values = np.empty((lists.shape[0], len(RANKING_METRICS)))
    n_rel = np.empty(lists.shape[0], dtype=np.int64)
    for sl, vals, rel in _iter_valid(lists, truth, k, batch_size):
        values[sl] = vals
        n_rel[sl] = rel
    return _result(values, n_rel, k)
