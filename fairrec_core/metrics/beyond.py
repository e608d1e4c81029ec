"""Beyond-accuracy metrics: coverage, exposure Gini, novelty, popularity bias,
long-tail share and calibration (DESIGN.md section 4).

Per-user variants (``user_*``) return one value per user, NaN where a user has
nothing to measure, so they can be grouped and bootstrapped like the ranking
metrics. Scalar variants aggregate exactly as the design defines.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ._validate import (
    DEFAULT_BATCH_SIZE,
    MetricsInputError,
    as_binary_csr,
    as_top_k,
    batches,
)
from .exposure import position_weights, user_group_exposure
from .groups import make_grouping

# --------------------------------------------------------------------------- catalogue


def coverage(top_k, n_items: int) -> float:
    """Coverage@K = |∪_u L_u| / |I|.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, K)
        ``-1`` = padding.
    n_items : int
        Catalogue size |I|.

    Returns
    -------
    float
    """
    lists = as_top_k(top_k, n_items=n_items)
    return coverage_from_lists(lists, n_items)


def coverage_from_lists(lists: np.ndarray, n_items: int) -> float:
    """Coverage for validated lists."""
    if n_items == 0:
        return float("nan")
    seen = np.zeros(n_items, dtype=bool)
    seen[lists[lists >= 0]] = True
    return float(seen.sum() / n_items)


def gini(values) -> float:
    """Gini coefficient of non-negative values, zeros included.

    With values sorted ascending, ``x_(1) <= ... <= x_(n)``:
    ``G = Σ_j (2j − n − 1) x_(j) / (n Σ_j x_(j))``. 0 when all values are
    equal, (n − 1)/n when one value holds everything.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        E.g. item exposure E_i over the whole catalogue.

    Returns
    -------
    float
        NaN if the values sum to zero (nothing to distribute).
    """
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    n = x.size
    if n and x[0] < 0:
        raise MetricsInputError("The Gini coefficient needs non-negative values.")
    total = x.sum()
    if n == 0 or total == 0:
        return float("nan")
    j = np.arange(1, n + 1, dtype=np.float64)
    return float(np.sum((2.0 * j - n - 1.0) * x) / (n * total))


# --------------------------------------------------------------------------- popularity


def item_popularity(train) -> np.ndarray:
    """Distinct training users of every item (pop_i).

    Stored entries are counted once per (user, item) pair, whatever their value:
    the training matrix may hold ratings or weights, which are not counts.
    """
    train = as_binary_csr(train, shape=None, what="Training interactions")
    return np.bincount(train.indices, minlength=train.shape[1]).astype(np.int64)


def user_activity(train) -> np.ndarray:
    """Distinct training items of every user (the activity level)."""
    train = as_binary_csr(train, shape=None, what="Training interactions")
    return np.diff(train.indptr).astype(np.int64)


def head_items(popularity, *, head_share: float = 0.2) -> np.ndarray:
    """Boolean mask of the head: the most popular items making up ``head_share`` of items.

    Parameters
    ----------
    popularity : array-like of int, shape (n_items,)
        pop_i, e.g. from :func:`item_popularity`.
    head_share : float, default 0.2
        Fraction of the catalogue in the head; the head has
        ``ceil(head_share * n_items)`` items.

    Returns
    -------
    numpy.ndarray of bool
        True for head items. Ties at the boundary go to the lower item index
        (a stable, reproducible cut); items never seen in training are never
        head, so the head can be smaller than requested on a cold catalogue.
    """
    if not 0.0 < head_share < 1.0:
        raise MetricsInputError(f"head_share must lie strictly between 0 and 1, got {head_share}.")
    pop = np.asarray(popularity)
    n = pop.size
    # Rounding first keeps e.g. 0.2 * 15 = 3.0000000000000004 from becoming 4.
    n_head = math.ceil(round(head_share * n, 9))
    order = np.lexsort((np.arange(n), -pop))
    head = np.zeros(n, dtype=bool)
    head[order[:n_head]] = True
    head &= pop > 0
    return head


# --------------------------------------------------------------------------- per-user


def list_lengths(lists: np.ndarray) -> np.ndarray:
    """Number of real (non-padding) items in each validated list."""
    return (lists >= 0).sum(axis=1)


def user_novelty(lists: np.ndarray, popularity: np.ndarray, n_users: int) -> np.ndarray:
    """Mean self-information −log2(pop_i / |U|) of each user's list.

    Items never seen in training would have infinite self-information; they
    are scored as if seen by one user (the largest finite value, log2 |U|).
    Users with an empty list get NaN.
    """
    info = -np.log2(np.maximum(popularity, 1) / n_users)
    return _mean_over_list(lists, info)


def user_arp(lists: np.ndarray, popularity: np.ndarray) -> np.ndarray:
    """Average popularity (#train users) of the items in each user's list."""
    return _mean_over_list(lists, popularity.astype(np.float64))


def user_aplt(lists: np.ndarray, tail: np.ndarray, k: int) -> np.ndarray:
    """|L_u ∩ tail| / K per user; NaN for users with an empty list."""
    valid = lists >= 0
    in_tail = valid & tail[np.where(valid, lists, 0)]
    out = in_tail.sum(axis=1) / k
    return np.where(valid.any(axis=1), out, np.nan)


def _mean_over_list(lists: np.ndarray, per_item: np.ndarray) -> np.ndarray:
    valid = lists >= 0
    vals = np.where(valid, per_item[np.where(valid, lists, 0)], 0.0)
    length = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(length > 0, vals.sum(axis=1) / length, np.nan)


# --------------------------------------------------------------------------- scalars


def novelty(top_k, train) -> float:
    """Novelty = mean over recommended (u, i_k) of −log2(pop_i / |U|).

    Pooled over every recommended pair (users with longer lists weigh more),
    |U| = number of users in ``train``. See :func:`user_novelty` for items
    unseen in training.
    """
    train = as_binary_csr(train, shape=None, what="Training interactions")
    lists = as_top_k(top_k, n_items=train.shape[1])
    pop = np.bincount(train.indices, minlength=train.shape[1])
    per_user = user_novelty(lists, pop, train.shape[0])
    length = list_lengths(lists)
    return _weighted_mean(per_user, length)


def arp(top_k, train) -> float:
    """ARP = mean over users of the mean #train users of their recommended items.

    Users with an empty list are skipped.
    """
    train = as_binary_csr(train, shape=None, what="Training interactions")
    lists = as_top_k(top_k, n_items=train.shape[1])
    pop = np.bincount(train.indices, minlength=train.shape[1])
    return _weighted_mean(user_arp(lists, pop), None)


def aplt(top_k, train, *, k: int | None = None, head_share: float = 0.2) -> float:
    """APLT = mean over users of |L_u ∩ tail| / K (users with an empty list skipped)."""
    train = as_binary_csr(train, shape=None, what="Training interactions")
    lists = as_top_k(top_k, n_items=train.shape[1], k=k)
    pop = np.bincount(train.indices, minlength=train.shape[1])
    tail = ~head_items(pop, head_share=head_share)
    return _weighted_mean(user_aplt(lists, tail, lists.shape[1]), None)


def _weighted_mean(values: np.ndarray, weights) -> float:
    ok = ~np.isnan(values)
    if weights is None:
        return float(values[ok].mean()) if ok.any() else float("nan")
    w = np.asarray(weights, dtype=np.float64)[ok]
    return float((values[ok] * w).sum() / w.sum()) if w.sum() > 0 else float("nan")


# --------------------------------------------------------------------------- calibration


def user_miscalibration(lists: np.ndarray, train: sp.csr_matrix, item_categories: np.ndarray,
                        n_categories: int, *, alpha: float = 0.01,
                        weights: np.ndarray | None = None,
                        batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
    """Steck's miscalibration KL(p || (1 − α) q + α p) per user, in nats.

    Parameters
    ----------
    lists : numpy.ndarray of int, shape (n_users, k)
        Validated lists.
    train : scipy.sparse.csr_matrix
        Canonical binary training matrix; p(c|u) is the share of category c
        among the user's training items (each item counted once).
    item_categories : numpy.ndarray of int, shape (n_items,)
        Category code per item (an "unknown" category is just another code).
    n_categories : int
    alpha : float, default 0.01
        Mixing weight that keeps the divergence finite when the list misses a
        category of the history.
    weights : numpy.ndarray, optional
        Position weights for q(c|u); default the ``log`` model, so categories
        near the top count more, as in Steck (2018).
    batch_size : int

    Returns
    -------
    numpy.ndarray of float64, shape (n_users,)
        NaN for users with an empty history or an empty list.
    """
    if not 0.0 < alpha < 1.0:
        raise MetricsInputError(f"The calibration alpha must lie in (0, 1), got {alpha}.")
    if weights is None:
        weights = position_weights(lists.shape[1], "log")
    onehot = sp.csr_matrix(
        (np.ones(item_categories.size), (np.arange(item_categories.size), item_categories)),
        shape=(item_categories.size, n_categories))
    out = np.full(lists.shape[0], np.nan)
    for sl in batches(lists.shape[0], batch_size):
        hist = (train[sl] @ onehot).toarray()
        rec = user_group_exposure(lists[sl], item_categories, n_categories, weights).toarray()
        h_tot = hist.sum(axis=1, keepdims=True)
        r_tot = rec.sum(axis=1, keepdims=True)
        ok = (h_tot[:, 0] > 0) & (r_tot[:, 0] > 0)
        p = hist[ok] / h_tot[ok]
        q = rec[ok] / r_tot[ok]
        mix = (1.0 - alpha) * q + alpha * p
        with np.errstate(divide="ignore", invalid="ignore"):
            # Categories absent from the history contribute 0·log 0 = 0.
            terms = np.where(p > 0, p * np.log(p / mix), 0.0)
        block = out[sl]
        block[ok] = terms.sum(axis=1)
        out[sl] = block
    return out


def miscalibration(top_k, train, item_categories, *, alpha: float = 0.01,
                   exposure: str = "log", p: float = 0.8) -> float:
    """Mean miscalibration over users with a history and a list (Steck 2018).

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, K)
    train : scipy.sparse matrix, shape (n_users, n_items)
    item_categories : array-like, shape (n_items,)
        Category label per item; missing labels form their own category.
    alpha : float, default 0.01
    exposure, p
        Position weighting of the list, see
        :func:`~fairrec_core.metrics.exposure.position_weights`.

    Returns
    -------
    float
    """
    train = as_binary_csr(train, shape=None, what="Training interactions")
    lists = as_top_k(top_k, n_items=train.shape[1])
    cats = make_grouping(item_categories, name="category", n=train.shape[1])
    vals = user_miscalibration(lists, train, cats.codes, cats.n_groups, alpha=alpha,
                               weights=position_weights(lists.shape[1], exposure, p=p))
    return _weighted_mean(vals, None)


__all__ = [
    "aplt", "arp", "coverage", "coverage_from_lists", "gini", "head_items", "item_popularity",
    "list_lengths", "miscalibration", "novelty", "user_activity", "user_aplt", "user_arp",
    "user_miscalibration", "user_novelty",
]
