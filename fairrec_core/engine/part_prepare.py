"""One part of a co-partitioned audit: read, checked and split (the *prepare* step).

:func:`prepare_part` reads a part's users, interactions and recommendations
files, reports a bad row with its file and row (:class:`PartInputError`,
before anything is computed), maps ids to the part's users and the
catalogue, makes fairrec's temporal split and returns the part's small
mergeable figures and its block of whole users. The rest of the audit of
part files is :mod:`fairrec_core.engine.parts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from .part_io import PartInputError, layout, part_summary, read_part
from .poisson import user_keys

__all__ = ["TEST_N", "VALID_N", "prepare_part"]

TEST_N, VALID_N = 2, 1


class _Rows:
    """Where a part's rows came from: the part file itself or, after
    :func:`~fairrec_core.engine.repartition.partition_by_user`, the input file
    and row recorded in its ``_file`` / ``_row`` columns."""

    def __init__(self, path: Path, table: pa.Table):
        self.label = f"{path.parent.name}/{path.name}"
        self.origin = None
        if "_file" in table.column_names:
            self.origin = (table.column("_file").to_numpy(zero_copy_only=False),
                           table.column("_row").to_numpy())

    def __call__(self, row: int) -> str:
        if self.origin is None:
            return f"{self.label}, row {row + 1}"
        return f"{self.origin[0][row]}, row {int(self.origin[1][row]) + 1}"


def _fail(loc: _Rows, row: int, what: str) -> None:
    raise PartInputError(f"{loc(row)}: {what}. The audit stopped; no report was written.")


def _column(table: pa.Table, name: str, loc: _Rows) -> np.ndarray:
    if name not in table.column_names:
        raise PartInputError(f"{loc.label} has no column {name!r}.")
    col = table.column(name)
    if col.null_count:
        _fail(loc, int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0]),
              f"{name} is empty")
    return col.to_numpy()


def _index(ids: np.ndarray, known: np.ndarray, order: np.ndarray, loc: _Rows,
           what: str) -> np.ndarray:
    """Positions of ``ids`` in ``known`` (sorted by ``order``); a stranger is a bad row."""
    ranked = known[order]
    if (ranked.dtype.kind in "iu" and np.asarray(ids).dtype.kind in "iu" and ranked.size
            and (np.diff(ranked) == 1).all()):  # dense integer ids: no search needed
        pos = ids.astype(np.int64) - int(ranked[0])
        bad = (pos < 0) | (pos >= ranked.size)
        pos[bad] = 0
    else:
        pos = np.minimum(np.searchsorted(ranked, ids), max(known.size - 1, 0))
        bad = ranked[pos] != ids if known.size else np.ones(ids.size, bool)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        where = ("the users file" if what == "user_id" else "the items file")
        _fail(loc, r, f"{what} {ids[r].item()!r} is not in {where}")
    return order[pos]


def _user_item(table: pa.Table, loc: _Rows, uid, uorder, item_ids, iorder):
    """Dense user and item indices of an interactions or recommendations part."""
    return (_index(_column(table, "user_id", loc), uid, uorder, loc, "user_id"),
            _index(_column(table, "item_id", loc), item_ids, iorder, loc, "item_id"))


def _split(u: np.ndarray, ts: np.ndarray, n: int, test_n: int, valid_n: int):
    """Held-out and training masks of fairrec's temporal split
    (:func:`fairrec_core.data.split.split_dataset`): per user by timestamp, ties
    in file order; the last ``test_n`` are held out and the ``valid_n`` before
    them validate (neither train nor test); a user keeps a training row."""
    ts = np.asarray(ts).astype(np.int64)
    span = int(ts.max() - ts.min()) if ts.size else 0
    if span < 2**32 and n < 2**31:  # one int64 key: a stable sort keeps file order in ties
        order = np.argsort((u.astype(np.int64) << 32) | (ts - ts.min()), kind="stable")
    else:
        order = np.lexsort((np.arange(u.size), ts, u))
    count = np.bincount(u, minlength=n)
    from_end = np.empty(u.size, dtype=np.int64)
    from_end[order] = (np.cumsum(count) - 1)[u[order]] - np.arange(u.size)
    size = count[u]
    test = (from_end < test_n) & (size >= test_n + 1)
    valid = (from_end >= test_n) & (from_end < test_n + valid_n) & (size >= test_n + valid_n + 1)
    return test, ~(test | valid)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy 2's hashing ``unique`` is ~5x slower here)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys


def _lists_column(u: np.ndarray, i: np.ndarray, n: int) -> pa.ListArray:
    order = np.argsort((u.astype(np.int64) << 32) | i, kind="stable")
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(u, minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(i[order].astype(np.int32)))


def prepare_part(name: str, root, item_ids: np.ndarray, columns: Sequence[str],
                 k: int, relevance: float, test_n: int = TEST_N, valid_n: int = VALID_N,
                 renames: dict | None = None):
    """Read, check and split one part; return its small figures and its block.

    Parameters
    ----------
    renames : dict, optional
        Per file kind, column -> role (the loader's aliases, e.g. ``uid -> user_id``).

    Returns
    -------
    stats : dict
        ``n`` users, ``popularity`` (training users per item), ``activity``
        (training rows per user), ``labels`` (per user column: the distinct
        values and each user's code into them).
    block : pyarrow.Table
        One row per user of the part: ``key``, ``lists``, ``truth``, ``train``.
    """
    folders = layout(root)
    paths = {kind: folders[kind] / name for kind in ("users", "interactions", "recommendations")}
    users = read_part(paths["users"], (renames or {}).get("users"))
    loc = {"users": _Rows(paths["users"], users)}
    uid = _column(users, "user_id", loc["users"])
    n = uid.size
    uorder = np.argsort(uid, kind="stable")
    if n > 1 and (uid[uorder][1:] == uid[uorder][:-1]).any():
        dup = uorder[1:][uid[uorder][1:] == uid[uorder][:-1]][0]
        _fail(loc["users"], int(dup), f"user_id {uid[dup].item()!r} appears twice")
    iorder = np.argsort(item_ids, kind="stable")
    inter = read_part(paths["interactions"], (renames or {}).get("interactions"))
    loc["interactions"] = _Rows(paths["interactions"], inter)
    u, i = _user_item(inter, loc["interactions"], uid, uorder, item_ids, iorder)
    rating = _column(inter, "rating", loc["interactions"]).astype(np.float64)
    test, train = _split(u, _column(inter, "timestamp", loc["interactions"]), n, test_n,
                         valid_n)
    pos = test & (rating >= relevance)
    rec = read_part(paths["recommendations"], (renames or {}).get("recommendations"))
    loc["recommendations"] = _Rows(paths["recommendations"], rec)
    ru, ri = _user_item(rec, loc["recommendations"], uid, uorder, item_ids, iorder)
    rank = _column(rec, "rank", loc["recommendations"]).astype(np.int64)
    lists = _top_k(ru, ri, rank, n, k, loc["recommendations"])
    train_u, train_i = u[train], i[train]
    pairs = _distinct(train_u.astype(np.int64) * item_ids.size + train_i)  # one per (user, item)
    stats = {"n": n, "popularity": np.bincount(pairs % item_ids.size, minlength=item_ids.size),
             "activity": np.bincount(pairs // item_ids.size, minlength=n),
             "labels": {c: _codes(_column(users, c, loc["users"])) for c in columns},
             "order": (users.column("_order").to_numpy() if "_order" in users.column_names
                       else None),
             "summary": {**part_summary(u, i, rating >= relevance, test, train, pos, ru, n,
                                         item_ids.size,
                                         _column(inter, "timestamp", loc["interactions"])),
                         "list_length": int(rank.max(initial=0))}}
    block = pa.table({"key": pa.array(user_keys(uid)),
                      "lists": pa.FixedSizeListArray.from_arrays(pa.array(lists.ravel()), k),
                      "truth": _lists_column(u[pos], i[pos], n),
                      "train": _lists_column(train_u, train_i, n)})
    return stats, block


def _top_k(u, i, rank, n: int, k: int, loc: _Rows) -> np.ndarray:
    """Each user's list by rank (ranks beyond k ignored; -1 pads short lists)."""
    bad = rank < 1
    if bad.any():
        _fail(loc, int(np.flatnonzero(bad)[0]), "rank must be 1 or more")
    keep = rank <= k
    slot = u[keep] * k + rank[keep] - 1
    order = np.argsort(slot, kind="stable")
    dup = order[1:][slot[order][1:] == slot[order][:-1]]
    if dup.size:
        _fail(loc, int(np.flatnonzero(keep)[dup[0]]), "two items at the same rank")
    lists = np.full(n * k, -1, dtype=np.int32)
    lists[slot] = i[keep]
    return lists.reshape(n, k)


def _codes(values: np.ndarray):
    """Distinct values and codes (a few labels shared by many users)."""
    uniques, codes = np.unique(values.astype(str), return_inverse=True)
    return uniques.astype(object), codes.astype(np.int32)
