"""Position-bias models and item exposure (DESIGN.md section 4).

A position-bias model e(k) says how much attention rank k of a list receives.
Item exposure sums that attention over every list: E_i = Σ_u Σ_k e(k)·1[i_k = i].
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validate import MetricsInputError, as_top_k, check_k

#: Names accepted by :func:`position_weights`.
EXPOSURE_MODELS: tuple[str, ...] = ("log", "geometric", "uniform")


def position_weights(k: int, model: str = "log", *, p: float = 0.8) -> np.ndarray:
    """Attention e(k) for ranks 1..k.

    Parameters
    ----------
    k : int
        List length.
    model : {"log", "geometric", "uniform"}
        ``log``: 1 / log2(k + 1) (the NDCG discount); ``geometric``: p^(k-1)
        (rank-biased precision's patience model); ``uniform``: 1.
    p : float, default 0.8
        Patience of the geometric model, in (0, 1].

    Returns
    -------
    numpy.ndarray of float64, shape (k,)
    """
    k = check_k(k)
    ranks = np.arange(1, k + 1, dtype=np.float64)
    if model == "log":
        return 1.0 / np.log2(ranks + 1.0)
    if model == "geometric":
        if not 0.0 < p <= 1.0:
            raise MetricsInputError(f"The geometric patience p must lie in (0, 1], got {p}.")
        return p ** (ranks - 1.0)
    if model == "uniform":
        return np.ones(k)
    raise MetricsInputError(
        f"Unknown exposure model {model!r}; choose one of {', '.join(EXPOSURE_MODELS)}.")


def item_exposure(top_k, n_items: int, *, k: int | None = None, model: str = "log",
                  p: float = 0.8) -> np.ndarray:
    """Exposure E_i of every item (zeros for items never recommended).

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, L)
        Item indices in rank order, ``-1`` = padding.
    n_items : int
        Catalogue size.
    k : int, optional
        Cut-off; defaults to the number of columns.
    model, p
        See :func:`position_weights`.

    Returns
    -------
    numpy.ndarray of float64, shape (n_items,)
    """
    lists = as_top_k(top_k, n_items=n_items, k=k)
    return exposure_from_lists(lists, n_items, position_weights(lists.shape[1], model, p=p))


def exposure_from_lists(lists: np.ndarray, n_items: int, weights: np.ndarray) -> np.ndarray:
    """Item exposure for validated lists and per-position weights."""
    valid = lists >= 0
    w = np.broadcast_to(weights, lists.shape)[valid]
    return np.bincount(lists[valid], weights=w, minlength=n_items).astype(np.float64)


def user_group_exposure(lists: np.ndarray, item_codes: np.ndarray, n_groups: int,
                        weights: np.ndarray) -> sp.csr_matrix:
    """Exposure each user's list gives each item group, as a sparse matrix.

    Parameters
    ----------
    lists : numpy.ndarray of int, shape (n_users, k)
        Validated lists.
    item_codes : numpy.ndarray of int, shape (n_items,)
        Group code of every item.
    n_groups : int
    weights : numpy.ndarray, shape (k,)
        Position weights.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_users, n_groups)
        Entry (u, h) = Σ_k e(k)·1[group(i_k) = h]. Sparse because a provider
        grouping can have thousands of groups while a list touches at most k.
    """
    n_users = lists.shape[0]
    valid = lists >= 0
    rows = np.broadcast_to(np.arange(n_users)[:, None], lists.shape)[valid]
    cols = item_codes[lists[valid]]
    w = np.broadcast_to(weights, lists.shape)[valid]
    out = sp.csr_matrix((w, (rows, cols)), shape=(n_users, n_groups))
    out.sum_duplicates()
    return out
