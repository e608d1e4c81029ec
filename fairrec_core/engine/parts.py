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

import numpy as np
import pyarrow as pa

from fairrec_core.metrics.grouping import Grouping, grouping_from_codes

from .blocks import block_partial
from .evaluate import plan_audit
from .part_io import PartInputError, layout, part_names, read_part
from .part_prepare import TEST_N, VALID_N, prepare_part
from .partials import merge_all
from .runners import EngineError, RayOptions, _start


def fold_part(block: pa.Table, offset: int, codes: np.ndarray, ctx):
    """One part's :class:`Partial`: its block with global user indices and group codes."""
    cols = {"user": pa.array(np.arange(offset, offset + block.num_rows, dtype=np.int64)),
            **{c: block.column(c) for c in block.column_names}}
    if ctx.categories is None:
        cols.pop("train")
    for j in range(codes.shape[1]):
        cols[f"g{j}"] = pa.array(codes[:, j].astype(np.int32))
    return block_partial(pa.table(cols), ctx)


def _merge_labels(parts: list, column: str, bins: dict) -> tuple[np.ndarray, np.ndarray]:
    """Every user's code of ``column`` in part order, and the label of each code.

    Codes, not per-user labels: at 10^7 users a string per user and grouping
    was most of the driver's memory.
    """
    uniques = np.unique(np.concatenate([s["labels"][column][0] for s in parts]).astype(str))
    labels = uniques.astype(object)
    if column in bins:  # cut the few distinct values, not every user's
        edges, names = bins[column]
        labels = np.asarray(names, dtype=object)[np.digitize(uniques.astype(float), edges)]
    codes = np.concatenate([np.searchsorted(uniques, s["labels"][column][0].astype(str))
                            .astype(np.int32)[s["labels"][column][1]] for s in parts])
    return codes, labels


def _user_grouping(parts: list, column: str, bins: dict, perm) -> Grouping:
    codes, labels = _merge_labels(parts, column, bins)
    return grouping_from_codes(_reorder(codes, perm), labels, name=column)


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
                                 zip(out, _offsets(out), codes)), engine="local",
                       categorical_labels=True)


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
        user_groups={c: _user_grouping(parts, c, bins, perm) for c in columns},
        item_groups={c: items.column(c).to_numpy(zero_copy_only=False).astype(object)
                     for c in item_groupings}, k=k,
        item_categories=(None if category is None
                         else items.column(category).to_numpy(zero_copy_only=False)),
        **options)
    codes = np.stack([g.codes for g in plan.ugroups.values()], axis=1, dtype=np.int32)
    if perm is not None:  # back to part order
        codes[perm] = codes.copy()
    offsets = _offsets(parts) + [codes.shape[0]]
    return plan, [codes[a:b] for a, b in itertools.pairwise(offsets)]


def _merge_in_order(ray, refs: list):
    """Merge the parts' partials one at a time, in part order (the same sums on
    every run), releasing each from the object store once added: a partial holds
    its resampled provider totals (n_boot × providers × 2 floats, 32 MB at
    1,000 resamples), and all of them at once were most of the driver's memory."""
    total = None
    for i, ref in enumerate(refs):
        part = ray.get(ref)
        refs[i] = None
        total = part if total is None else total.merge(part)
        del part, ref
    if total is None:
        raise ValueError("nothing to merge")
    return total


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
        folds = [fold.remote(b, off, c, ctx_ref) for (_, b), off, c in
                 zip(refs, _offsets(stats), codes)]
        del refs, codes, stats  # each block is freed once its fold has run
        total = _merge_in_order(ray, folds)
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
    return plan.finish(total, engine="ray", categorical_labels=True)
