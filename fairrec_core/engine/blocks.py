"""User-partitioned blocks: the rows the engines fold, as Arrow tables.

One row per user: dense index ``user``, hash ``key`` of the user id, the
top-K list ``lists`` (fixed-size list), held-out positives ``truth`` and, for
calibration, the training history ``train`` (variable-size lists of item
indices), and one int32 group-code column per user grouping (``g0, g1,
...``). A block holds a contiguous range of users, so a user's rows never
span two blocks. Arrow list columns decode into CSR matrices without a copy
(:func:`decode`), which is how a Ray worker reads its batch.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from .partials import BatchContext, batch_partial, csr_rows


def _list_column(m: sp.csr_matrix, lo: int, hi: int) -> pa.ListArray:
    indptr = m.indptr[lo:hi + 1].astype(np.int32)
    values = m.indices[indptr[0]:indptr[-1]].astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(indptr - indptr[0]), pa.array(values))


def make_blocks(keys: np.ndarray, lists: np.ndarray, truth: sp.csr_matrix,
                train: sp.csr_matrix | None, codes: np.ndarray, *,
                block_users: int = 50_000) -> list[pa.Table]:
    """Split users into Arrow tables of at most ``block_users`` consecutive users.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (n_users,)
    lists : numpy.ndarray of int, shape (n_users, k)
    truth : scipy.sparse.csr_matrix, shape (n_users, n_items)
        Canonical held-out positives.
    train : scipy.sparse.csr_matrix or None
        Canonical training interactions (only needed for calibration).
    codes : numpy.ndarray of int, shape (n_users, n_user_groupings)
    block_users : int

    Returns
    -------
    list of pyarrow.Table
    """
    n, k = lists.shape
    out = []
    for lo in range(0, n, block_users):
        hi = min(n, lo + block_users)
        cols = {"user": pa.array(np.arange(lo, hi, dtype=np.int64)),
                "key": pa.array(keys[lo:hi].astype(np.uint64)),
                "lists": pa.FixedSizeListArray.from_arrays(
                    pa.array(lists[lo:hi].astype(np.int32).ravel()), k),
                "truth": _list_column(truth, lo, hi)}
        if train is not None:
            cols["train"] = _list_column(train, lo, hi)
        for j in range(codes.shape[1]):
            cols[f"g{j}"] = pa.array(codes[lo:hi, j].astype(np.int32))
        out.append(pa.table(cols))
    return out


def _csr_of(column, n_items: int) -> sp.csr_matrix:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    offsets = arr.offsets.to_numpy().astype(np.int64)
    values = arr.values.to_numpy()[offsets[0]:offsets[-1]]
    return csr_rows(offsets - offsets[0], values, n_items)


def decode(batch: pa.Table, ctx: BatchContext):
    """The arrays of a block (or any slice of one), ready for :func:`batch_partial`."""
    users = batch.column("user").to_numpy()
    keys = batch.column("key").to_numpy().astype(np.uint64)
    lists_col = batch.column("lists").combine_chunks()
    lists = lists_col.flatten().to_numpy().reshape(len(batch), ctx.k).astype(np.int64)
    truth = _csr_of(batch.column("truth"), ctx.n_items)
    train = _csr_of(batch.column("train"), ctx.n_items) if "train" in batch.column_names else None
    codes = np.stack([batch.column(f"g{j}").to_numpy().astype(np.int64)
                      for j in range(len(ctx.user_groupings))], axis=1)
    return users, keys, lists, truth, train, codes


def block_partial(batch: pa.Table, ctx: BatchContext):
    """Fold an Arrow block of users into a :class:`~fairrec_core.engine.partials.Partial`."""
    return batch_partial(ctx, *decode(batch, ctx))
