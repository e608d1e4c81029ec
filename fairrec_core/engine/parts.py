"""Read, validate, split and fold co-partitioned Parquet part files on Ray.

For inputs laid out by user range, as :mod:`fairrec_core.data.scale` writes
them (and as a platform's export partitioned by user can be): part file
``interactions/P``, ``recommendations/P`` and ``users/P`` of the same name
hold the same users, and no user appears in two parts. Then every part is a
block of whole users and the audit never gathers per-user rows on the
driver:

1. *prepare* (one Ray task per part): read the part's three files, check
   them (a bad row is reported with its file and row, and stops the audit
   before anything is computed), map ids to the part's users and the
   catalogue, make the temporal split (each user's last ``test_n``
   interactions by timestamp are held out, a user keeps at least one
   training row, as fairrec's default split), and leave the block (lists,
   held-out positives, training items) in Ray's object store. Only small
   mergeable figures come back: training users per item, each user's
   number of training rows and the user attributes as codes.
2. the driver merges those into the groupings, head items and context, as
   the in-memory engine does (:func:`~fairrec_core.engine.evaluate.plan_audit`);
3. *fold* (one Ray task per part): the block with its group codes becomes a
   :class:`~fairrec_core.engine.partials.Partial`; the partials merge into
   the same tables as :func:`~fairrec_core.engine.evaluate_partitioned`.

With ``runner="local"`` the same two functions run in this process, part
after part.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from .blocks import block_partial
from .evaluate import plan_audit
from .part_io import PartInputError, layout, part_names, part_summary, read_part
from .partials import merge_all
from .poisson import user_keys
from .runners import EngineError, RayOptions, _start

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


def fold_part(block: pa.Table, offset: int, codes: np.ndarray, ctx):
    """One part's :class:`Partial`: its block with global user indices and group codes."""
    cols = {"user": pa.array(np.arange(offset, offset + block.num_rows, dtype=np.int64)),
            **{c: block.column(c) for c in block.column_names}}
    if ctx.categories is None:
        cols.pop("train")
    for j in range(codes.shape[1]):
        cols[f"g{j}"] = pa.array(codes[:, j].astype(np.int32))
    return block_partial(pa.table(cols), ctx)


def _merge_labels(parts: list, column: str, bins: dict) -> np.ndarray:
    """Every user's label of ``column``, in part order (shared label objects)."""
    uniques = np.unique(np.concatenate([s["labels"][column][0] for s in parts]).astype(str))
    labels = uniques.astype(object)
    if column in bins:  # cut the few distinct values, not every user's
        edges, names = bins[column]
        labels = np.asarray(names, dtype=object)[np.digitize(uniques.astype(float), edges)]
    return np.concatenate([labels[np.searchsorted(uniques, s["labels"][column][0].astype(str))
                                  [s["labels"][column][1]]] for s in parts])


def evaluate_parts(root, *, user_groupings: Sequence[str], item_groupings: Sequence[str] = (),
                   category: str | None = "category", bins: dict | None = None, k: int = 10,
                   relevance: float = 4.0, runner: str = "ray", ray: RayOptions | None = None,
                   test_n: int = TEST_N, valid_n: int = VALID_N, summaries: list | None = None,
                   renames: dict | None = None, **metrics):
    """The audit of co-partitioned part files (module docstring), folded part by part.

    Parameters
    ----------
    root : path or dict
        Folder with ``users/``, ``interactions/``, ``recommendations/`` part
        folders and ``items.parquet``, or a dict naming those four (:func:`layout`).
    user_groupings : sequence of str
        Users-file columns audited as groupings.
    item_groupings : sequence of str
        Items-file columns audited as item groupings.
    category : str or None
        Items-file column of calibration categories.
    bins : dict of str to (edges, labels), optional
        Numeric user columns cut into bands (``numpy.digitize`` on ``edges``).
    k : int
    relevance : float
        Held-out interactions with a rating at least this are relevant.
    runner : {"ray", "local"}
    ray : RayOptions, optional
    test_n, valid_n : int
        Held-out and validation interactions per user (temporal split).
    renames : dict, optional
        Per file kind (``items`` too), column -> role, applied as each file is read.
    summaries : list, optional
        Receives every part's counts for the report's data section
        (:func:`_part_summary`), in part order.
    **metrics
        ``n_boot, seed, min_group_size, thresholds, ci_level, exposure,
        geometric_p, head_share, active_share, calibration_alpha,
        intersections, keep_per_user`` as for ``evaluate_partitioned``.

    Raises
    ------
    PartInputError
        A bad row (named by file and row) or a missing part file.
    EngineError
        Ray could not run the tasks.
    """
    root = layout(root)
    names = part_names(root)
    items = read_part(root["items"], (renames or {}).get("items"))
    if "item_id" not in items.column_names:
        raise PartInputError(f"{root['items'].name} has no column 'item_id'.")
    item_ids = items.column("item_id").to_numpy()
    columns = list(user_groupings)
    split = (test_n, valid_n, renames)
    sink = [] if summaries is None else summaries
    if runner == "ray":
        return _on_ray(root, names, item_ids, items, columns, item_groupings, category,
                       bins or {}, k, (relevance, *split), ray or RayOptions(),
                       {**metrics, "_sink": sink})
    out = [prepare_part(n, root, item_ids, columns, k, relevance, *split) for n in names]
    sink.extend(s["summary"] for s, _ in out)
    plan, codes = _plan([s for s, _ in out], items, columns, item_groupings, category,
                        bins or {}, k, metrics)
    return plan.finish(merge_all(fold_part(b, off, c, plan.ctx) for (_, b), off, c in
                                 zip(out, _offsets(out), codes)), engine="local")


def _offsets(parts: list) -> list[int]:
    sizes = [s["n"] if isinstance(s, dict) else s[0]["n"] for s in parts]
    return [0, *np.cumsum(sizes)[:-1].tolist()]


def _reorder(x: np.ndarray, perm) -> np.ndarray:
    return x if perm is None else x[perm]


def _plan(parts: list, items: pa.Table, columns, item_groupings, category, bins, k, metrics):
    """The groupings and context from the parts' figures; each part's group codes."""
    options = {"n_boot": 1000, "seed": 0, "min_group_size": 30, "thresholds": None,
               "ci_level": 0.95, "exposure": "log", "geometric_p": 0.8, "head_share": 0.2,
               "active_share": 0.05, "calibration_alpha": 0.01, "intersections": (),
               "keep_per_user": False, "fault_marker": None, **metrics}
    # Users in input order (the users file's, as the loader indexes them): ties of
    # the activity grouping go to the earlier user, whatever the partitioning.
    perm = (None if any(s["order"] is None for s in parts)
            else np.argsort(np.concatenate([s["order"] for s in parts]), kind="stable"))
    plan = plan_audit(
        n_items=items.num_rows, popularity=np.sum([s["popularity"] for s in parts], axis=0),
        activity=_reorder(np.concatenate([s["activity"] for s in parts]), perm),
        user_groups={c: _reorder(_merge_labels(parts, c, bins), perm) for c in columns},
        item_groups={c: items.column(c).to_numpy(zero_copy_only=False).astype(object)
                     for c in item_groupings}, k=k,
        item_categories=(None if category is None
                         else items.column(category).to_numpy(zero_copy_only=False)),
        **options)
    codes = np.stack([g.codes for g in plan.ugroups.values()], axis=1)
    if perm is not None:  # back to part order
        codes[perm] = codes.copy()
    offsets = _offsets(parts) + [codes.shape[0]]
    return plan, [codes[a:b] for a, b in itertools.pairwise(offsets)]


def _on_ray(root, names, item_ids, items, columns, item_groupings, category, bins, k,
            how: tuple, options: RayOptions, metrics):
    """Both passes as Ray tasks; blocks stay in the object store between them."""
    import ray

    started = _start(options)
    try:
        prep = ray.remote(num_returns=2, max_retries=options.max_retries)(prepare_part)
        fold = ray.remote(max_retries=options.max_retries)(fold_part)
        ids_ref = ray.put(item_ids)
        refs = [prep.remote(n, root, ids_ref, columns, k, *how) for n in names]
        stats = ray.get([s for s, _ in refs])
        metrics.pop("_sink").extend(s["summary"] for s in stats)
        plan, codes = _plan(stats, items, columns, item_groupings, category, bins, k, metrics)
        ctx_ref = ray.put(plan.ctx)
        total = merge_all(ray.get([fold.remote(b, off, c, ctx_ref) for (_, b), off, c in
                                   zip(refs, _offsets(stats), codes)]))
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, PartInputError):
            raise PartInputError(str(cause)) from None
        raise EngineError(f"The Ray engine stopped: a task failed after {options.max_retries} "
                          f"retries ({type(cause or exc).__name__}). No report was "
                          "written.") from None
    except ray.exceptions.WorkerCrashedError:
        raise EngineError(f"The Ray engine stopped: a worker was lost and its task failed after "
                          f"{options.max_retries} retries. No report was written.") from None
    except ray.exceptions.RayError as exc:
        raise EngineError(f"The Ray engine stopped ({type(exc).__name__}). No report was "
                          "written.") from None
    finally:
        if started:
            ray.shutdown()
    return plan.finish(total, engine="ray")
