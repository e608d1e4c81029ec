"""Top-K selection with seen items masked, and the dense-id plumbing ranking needs.

Shared by every model (through :class:`~fairrec_core.models.base.Recommender`)
and by the models that rank outside it (the profile tower, imported lists).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from fairrec_core.errors import ConfigError


def top_k_masked(scores, seen: sp.csr_matrix | None, users: np.ndarray, k: int):
    """Top ``k`` of each row of ``scores`` after setting seen items to ``-inf``.

    Parameters
    ----------
    scores : numpy.ndarray or torch.Tensor, shape (n, n_items)
        Modified in place (seen entries become ``-inf``).
    seen : scipy.sparse.csr_matrix or None
        Rows indexed by ``users``.
    users : numpy.ndarray of int
    k : int

    Returns
    -------
    items : numpy.ndarray of int64, shape (n, k)
        ``-1`` where the score is ``-inf`` (nothing left to recommend).
    values : numpy.ndarray of float32, shape (n, k)
        NaN where ``items`` is ``-1``.
    """
    import torch

    t = scores if isinstance(scores, torch.Tensor) else torch.from_numpy(np.asarray(scores))
    if seen is not None and seen.nnz:
        rows, cols = seen_coordinates(seen, users)
        if rows.size:
            # One scattered write per seen pair: O(history), not O(catalogue).
            t[torch.from_numpy(rows).to(t.device), torch.from_numpy(cols).to(t.device)] = -np.inf
    top_vals, top_idx = torch.topk(t, k, dim=1, largest=True, sorted=True)
    vals = top_vals.float().cpu().numpy()
    idx = top_idx.cpu().numpy().astype(np.int64)
    empty = ~np.isfinite(vals) & (vals < 0)
    idx[empty] = -1
    vals[empty] = np.nan
    return idx, vals


def seen_coordinates(seen: sp.csr_matrix, users: np.ndarray):
    """(row-in-batch, item) pairs of the seen items of ``users``."""
    indptr = seen.indptr
    starts = indptr[users]
    counts = indptr[users + 1] - starts
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(users), dtype=np.int64), counts)
    if total == 0:
        return rows, np.empty(0, dtype=np.int64)
    # Positions into seen.indices for every pair, without a Python loop.
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    cols = seen.indices[np.arange(total, dtype=np.int64) + offsets].astype(np.int64)
    return rows, cols


def binary_csr(users: np.ndarray, items: np.ndarray, shape) -> sp.csr_matrix:
    """0/1 float32 CSR of the (user, item) pairs; duplicates count once, indices sorted."""
    m = sp.csr_matrix((np.ones(len(users), dtype=np.float32), (users, items)), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return m


def check_dense_ids(ids, n: int, what: str) -> np.ndarray:
    """``ids`` as a 1-d int64 array of dense indices in ``0..n-1``; plain errors otherwise."""
    arr = np.asarray(ids)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ConfigError(f"{what} ids must be a one-dimensional list of dense indices.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ConfigError(f"{what} ids must be whole-number dense indices (0..{n - 1}); "
                          f"translate original ids with Dataset.{what}_index first.")
    arr = arr.astype(np.int64, copy=False)
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        raise ConfigError(f"{int(bad.sum())} {what} index(es) lie outside 0..{n - 1} "
                          f"(e.g. {int(arr[bad][0])}): the model was fitted on {n} {what}s.")
    return arr


def batch_slices(n: int, size: int):
    """``(start, stop)`` of consecutive batches of ``size`` rows out of ``n``."""
    for a in range(0, n, size):
        yield a, min(n, a + size)


def as_float32_numpy(x) -> np.ndarray:
    """A score block (numpy array or torch tensor) as a float32 numpy array on the CPU."""
    if isinstance(x, np.ndarray):
        return x.astype(np.float32, copy=False)
    return x.detach().float().cpu().numpy()
