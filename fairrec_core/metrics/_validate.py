"""Input checks shared by the metric modules.

Every public metric function accepts the raw array conventions of the package
(see :mod:`fairrec_core.metrics`) and funnels them through these helpers, so a
malformed list fails once, early, with a message that names what is wrong and
how often, instead of producing a plausible-looking wrong number.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from fairrec_core.errors import FairrecError

#: Users per batch for every per-user step. Large enough that numpy overheads
#: vanish, small enough that a batch of (batch x K) int64 plus temporaries stays
#: far below a gigabyte even at K = 100.
DEFAULT_BATCH_SIZE = 65_536


class MetricsInputError(FairrecError, ValueError):
    """Recommendation lists, held-out positives or labels cannot be evaluated."""


def batches(n: int, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[slice]:
    """Yield consecutive slices that cover ``range(n)``."""
    if batch_size < 1:
        raise MetricsInputError(f"batch_size must be at least 1, got {batch_size}.")
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def check_k(k) -> int:
    """Return ``k`` as a positive int or raise."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise MetricsInputError(f"K must be a positive whole number, got {k!r}.")
    return int(k)


def as_top_k(top_k, *, n_items: int, k: int | None = None,
             batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
    """Validate top-K lists and return them as an int64 array with ``k`` columns.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, L)
        Dense item indices in rank order; ``-1`` pads lists shorter than ``L``.
    n_items : int
        Size of the catalogue; indices must lie in ``[0, n_items)``.
    k : int, optional
        Cut-off. Extra columns are dropped; missing columns are padded with
        ``-1`` (a list shorter than K is scored against K, as trec_eval does).
    batch_size : int
        Users checked per batch.

    Returns
    -------
    numpy.ndarray of int64, shape (n_users, k)

    Raises
    ------
    MetricsInputError
        Not two-dimensional, not integers, indices out of range, padding in
        the middle of a list (the rank of later items would be ambiguous), or
        the same item twice in one list (it would be counted as two hits).
    """
    arr = np.asarray(top_k)
    if arr.ndim != 2:
        raise MetricsInputError(
            f"Top-K lists must be a 2-D array (users x positions), got {arr.ndim} dimension(s).")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise MetricsInputError(
            f"Top-K lists must hold whole-number item indices, got values of type {arr.dtype}.")
    arr = arr.astype(np.int64, copy=False)
    if k is not None:
        k = check_k(k)
        if arr.shape[1] >= k:
            arr = arr[:, :k]
        else:
            pad = np.full((arr.shape[0], k - arr.shape[1]), -1, dtype=np.int64)
            arr = np.hstack([arr, pad])
    n_bad = n_gap = n_dup = 0
    first_dup = None
    for sl in batches(arr.shape[0], batch_size):
        part = arr[sl]
        n_bad += int(np.count_nonzero((part < -1) | (part >= n_items)))
        valid = part >= 0
        # A real item after a -1 means the list has a hole.
        n_gap += int(np.count_nonzero((valid[:, 1:] & ~valid[:, :-1]).any(axis=1)))
        srt = np.sort(part, axis=1)
        dup_rows = ((srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] >= 0)).any(axis=1)
        if dup_rows.any():
            n_dup += int(dup_rows.sum())
            if first_dup is None:
                first_dup = sl.start + int(np.flatnonzero(dup_rows)[0])
    if n_bad:
        raise MetricsInputError(
            f"{n_bad} entries of the top-K lists are not valid item indices "
            f"(expected -1 for padding or 0..{n_items - 1}).")
    if n_gap:
        raise MetricsInputError(
            f"{n_gap} users have padding (-1) before a real item in their top-K list; "
            "padding may only come at the end of a list.")
    if n_dup:
        raise MetricsInputError(
            f"{n_dup} users have the same item more than once in their top-K list "
            f"(first: user {first_dup}). Remove repeated items before evaluating; "
            "a repeated item would otherwise be counted as several hits.")
    return arr


def as_binary_csr(matrix, *, shape: tuple[int, int] | None, what: str) -> sp.csr_matrix:
    """Return a canonical csr copy whose stored entries are exactly the nonzeros.

    Explicit zeros are dropped and duplicate coordinates merged so that
    ``indptr`` differences count distinct items per user; indices are sorted
    because the hit lookup binary-searches them.
    """
    if not sp.issparse(matrix):
        raise MetricsInputError(f"{what} must be a scipy sparse matrix (users x items).")
    out = sp.csr_matrix(matrix, copy=True)
    if shape is not None and out.shape != tuple(shape):
        raise MetricsInputError(
            f"{what} has shape {out.shape}, expected {tuple(shape)} (users x items).")
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    out.data = np.ones_like(out.data, dtype=np.float64)
    return out
