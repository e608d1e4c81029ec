"""Per-user score normalisation and the base order of candidates.

Scores of different models (or of one model for different users) live on
different scales; a fairness term added to raw scores would weigh more for
users whose scores happen to be close together. DESIGN.md §5 therefore mixes
*normalised* relevance: per user, min-max over the real candidates,

    rel = (s − min_u s) / (max_u s − min_u s)  ∈ [0, 1].

A user whose candidates all have the same score (or who has one candidate)
gets relevance 1 for all of them: nothing distinguishes them, and the
fairness term alone decides.
"""

from __future__ import annotations

import numpy as np


def minmax_per_user(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Min-max normalise each row over its valid entries.

    Parameters
    ----------
    scores : numpy.ndarray of float, shape (n_users, C)
    valid : numpy.ndarray of bool, shape (n_users, C)

    Returns
    -------
    numpy.ndarray of float64, shape (n_users, C)
        Values in [0, 1] at valid entries, 0 at padding.

    Notes
    -----
    The map is monotone, so it never reorders a user's candidates; values
    that differ by less than the float resolution of the user's range can
    become equal, which is why every method breaks ties by the base order
    rather than by normalised value.
    """
    s = np.where(valid, scores, np.nan)
    has = valid.any(axis=1)
    lo = np.zeros(scores.shape[0])
    hi = np.zeros(scores.shape[0])
    lo[has] = np.nanmin(s[has], axis=1)
    hi[has] = np.nanmax(s[has], axis=1)
    span = hi - lo
    flat = span <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = (s - lo[:, None]) / np.where(flat, 1.0, span)[:, None]
    rel[flat] = 1.0
    return np.where(valid, np.clip(rel, 0.0, 1.0), 0.0)


def base_order(scores: np.ndarray, valid: np.ndarray) -> np.ndarray | None:
    """Column order that sorts each row by descending score, padding last.

    Ties keep their column order (a stable sort), which defines the base
    top-K: the K first columns of this order.

    Returns
    -------
    numpy.ndarray of int64, shape (n_users, C), or None
        None when the rows are already in that order (the usual case for
        model output and imported lists), which saves the sort.
    """
    if scores.shape[1] < 2:
        return None
    v0, v1 = valid[:, :-1], valid[:, 1:]
    prefix = not (v1 & ~v0).any()
    if prefix:
        with np.errstate(invalid="ignore"):
            nonincreasing = (scores[:, 1:] <= scores[:, :-1]) | ~v1
        if nonincreasing.all():
            return None
    key = np.where(valid, -scores, np.inf)
    return np.argsort(key, axis=1, kind="stable").astype(np.int64)


def minmax_sorted(raw: np.ndarray, n_valid: np.ndarray) -> np.ndarray:
    """:func:`minmax_per_user` for rows already in base order (padding last).

    The maximum is the first entry and the minimum the last real one, so no
    reduction over the rows is needed; the values are identical to
    :func:`minmax_per_user`'s.
    """
    n = raw.shape[0]
    rows = np.arange(n)
    has = n_valid > 0
    hi = np.where(has, raw[:, 0], 0.0)
    lo = np.where(has, raw[rows, np.maximum(n_valid - 1, 0)], 0.0)
    span = hi - lo
    flat = span <= 0
    valid = np.arange(raw.shape[1])[None, :] < n_valid[:, None]
    with np.errstate(invalid="ignore"):
        rel = (raw - lo[:, None]) / np.where(flat, 1.0, span)[:, None]
    rel[flat] = 1.0
    rel[~valid] = 0.0
    return rel
