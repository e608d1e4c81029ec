"""Partition arbitrary Parquet inputs by user, for :mod:`fairrec_core.engine.parts`.

An export need not be split by user: any part file may hold rows of any
user. :func:`partition_by_user` reads every input part file in its own task
(Ray tasks, or in this process) and writes its rows into ``n_parts``
buckets by a hash of the user id's text (the same key as the Poisson
bootstrap's, :func:`~fairrec_core.engine.poisson.user_keys`), so a user's
users row, interactions and recommendations land in the same bucket
whatever file they came from. Bucket ``b`` of a kind is the folder
``OUT/kind/part-b/`` with one file per input file, in input order, so each
user's rows keep their order. Every row carries its input file and row
(``_file``, ``_row``), so a bad row found later is still reported where the
user can find it. The driver only lists files and waits.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fairrec_core.data.parquet import part_files

from .part_io import PartInputError, read_part
from .poisson import user_keys
from .runners import EngineError, RayOptions, _start

KINDS = ("users", "interactions", "recommendations")


def bucket_file(path: Path, label: str, index: int, out: Path, n_parts: int,
                user_col: str = "user_id") -> dict:
    """Write one input file's rows into the buckets ``out/part-b/src-index.parquet``.

    Returns
    -------
    dict
        ``rows`` written, and ``range``: per numeric column, its ``(min, max)``
        (the automatic rating threshold and the last interaction's time need
        no further pass over the data).
    """
    table = read_part(path)
    if user_col not in table.column_names:
        raise PartInputError(f"{label} has no column {user_col!r}.")
    col = table.column(user_col)
    if col.null_count:
        row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
        raise PartInputError(f"{label}, row {row + 1}: user_id is empty. The audit stopped; "
                             "no report was written.")
    span = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            low, high = pc.min_max(column).values()
            if low.is_valid:
                span[name] = (low.as_py(), high.as_py())
    uniques, inverse = np.unique(col.to_numpy(zero_copy_only=False), return_inverse=True)
    bucket = (user_keys(uniques) % np.uint64(n_parts)).astype(np.int64)[inverse]
    n = table.num_rows
    table = table.append_column("_file", pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([label])))
    table = table.append_column("_row", pa.array(np.arange(n, dtype=np.int64)))
    # Input order (file, row): users keep the loader's order (the users file's),
    # which breaks ties of the activity grouping.
    table = table.append_column("_order", pa.array((np.int64(index) << 40)
                                                   + np.arange(n, dtype=np.int64)))
    order = np.argsort(bucket, kind="stable")  # keeps each user's rows in file order
    table = table.take(pa.array(order))
    bounds = np.concatenate([[0], np.cumsum(np.bincount(bucket, minlength=n_parts))])
    for b in range(n_parts):  # an empty file too: every bucket has every kind
        folder = out / f"part-{b:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(bounds[b], bounds[b + 1] - bounds[b]),
                       folder / f"src-{index:05d}.parquet")
    return {"rows": n, "range": span}


def _files(src: Path) -> list[Path]:
    """A file, or a folder's Parquet part files (else its CSV files), in name order."""
    if not src.is_dir():
        return [src]
    return part_files(src) or sorted(p for p in src.rglob("*.csv")
                                     if not any(s.startswith((".", "_"))
                                                for s in p.relative_to(src).parts))


def partition_by_user(inputs: dict, out, *, n_parts: int, runner: str = "ray",
                      ray: RayOptions | None = None, user_columns: dict | None = None,
                      stats: dict | None = None) -> Path:
    """Rewrite the inputs as ``n_parts`` user buckets that :func:`evaluate_parts` reads.

    Parameters
    ----------
    inputs : dict
        ``users``, ``interactions``, ``recommendations`` (a Parquet or CSV
        file, or a folder of part files) and ``items`` (a Parquet or CSV file).
    out : path
        New folder for the buckets and a copy of the items file.
    n_parts : int
        Buckets (blocks of the audit); a few hundred thousand users each.
    runner : {"ray", "local"}
    ray : RayOptions, optional
    user_columns : dict, optional
        Per kind, the user id column when it is not ``user_id``.
    stats : dict, optional
        Receives, per kind, every input file's :func:`bucket_file` figures.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    PartInputError
        An input without user ids, or with an empty one (file and row named).
    EngineError
        Ray could not run the tasks.
    """
    out = Path(out)
    tasks = []
    for kind in KINDS:
        src = Path(inputs[kind])
        files = _files(src)
        for j, f in enumerate(files):
            label = f"{kind}/{f.relative_to(src).as_posix() if src.is_dir() else f.name}"
            tasks.append((f, label, j, out / kind, n_parts,
                          (user_columns or {}).get(kind, "user_id")))
    (out / "users").mkdir(parents=True, exist_ok=True)
    if Path(inputs["items"]).suffix.lower() == ".csv":
        pq.write_table(read_part(Path(inputs["items"])), out / "items.parquet")
    else:
        shutil.copyfile(inputs["items"], out / "items.parquet")
    sink = {} if stats is None else stats
    if runner != "ray":
        _collect(sink, tasks, [bucket_file(*t) for t in tasks])
        return out
    import ray as ray_mod

    options = ray or RayOptions()
    started = _start(options)
    try:
        task: Any = ray_mod.remote(max_retries=options.max_retries)(bucket_file)
        _collect(sink, tasks, ray_mod.get([task.remote(*t) for t in tasks]))
    except ray_mod.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, PartInputError):
            raise PartInputError(str(cause)) from None
        raise EngineError(f"Partitioning by user stopped ({type(cause or exc).__name__}). "
                          "No report was written.") from None
    finally:
        if started:
            ray_mod.shutdown()
    return out


def _collect(sink: dict, tasks: list, results: list) -> None:
    for t, r in zip(tasks, results):
        sink.setdefault(Path(t[3]).name, []).append(r)
