"""Part files of a user-partitioned export: where they are, how they are read, and the
counts each part contributes to the report (:mod:`fairrec_core.engine.parts`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fairrec_core.errors import FairrecError


class PartInputError(FairrecError):
    """A part file has a bad row; the message names the file and the row (1 = first)."""


def read_part(path: Path, renames: dict | None = None) -> pa.Table:
    """A Parquet file or folder, or a CSV file (ids and numbers typed by pyarrow), with
    its columns renamed by ``renames`` (column -> role, e.g. ``seller_id -> provider``)."""
    if path.suffix.lower() == ".csv":
        from pyarrow import csv

        table = csv.read_csv(path)
    else:
        table = pq.read_table(path)
    if renames:
        table = table.rename_columns([renames.get(c, c) for c in table.column_names])
    return table


def layout(root) -> dict:
    """The three part folders and the items file: ``root/users`` ... ``root/items.parquet``,
    or a dict naming each (``users``, ``interactions``, ``recommendations``, ``items``)."""
    if isinstance(root, dict):
        return {kind: Path(v) for kind, v in root.items()}
    root = Path(root)
    return {**{kind: root / kind for kind in ("users", "interactions", "recommendations")},
            "items": root / "items.parquet"}


def part_summary(u, i, positive, test, train, pos, rec_users, n: int, n_items: int, ts):
    """Mergeable counts for the report's data section (as :func:`fairrec_core.data.summarize`
    and :meth:`Split.summary` give them for the local engine)."""
    ts = np.asarray(ts)
    return {"interactions": int(u.size), "positives": int(positive.sum()),
            "per_user_hist": np.bincount(np.bincount(u, minlength=n)),
            "per_item": np.bincount(i, minlength=n_items),
            "first": ts.min() if ts.size else None, "last": ts.max() if ts.size else None,
            "users_with_recommendations": int(np.unique(rec_users).size),
            "train_rows": int(train.sum()), "test_rows": int(test.sum()),
            "valid_rows": int(u.size - train.sum() - test.sum()),
            "evaluable_users": int(np.unique(u[pos]).size)}


def part_names(folders: dict) -> list[str]:
    """Part file names, present in all three folders."""
    names = sorted(p.name for p in folders["users"].iterdir()  # a file, or a folder of files
                   if not p.name.startswith((".", "_"))
                   and (p.is_dir() or p.suffix.lower() in (".parquet", ".csv")))
    if not names:
        raise PartInputError(f"No Parquet or CSV part files in {folders['users']}.")
    for kind in ("interactions", "recommendations"):
        missing = [n for n in names if not (folders[kind] / n).exists()]
        if missing:
            raise PartInputError(f"{kind}/{missing[0]} is missing: every users part needs "
                                 "its interactions and recommendations part of the same name.")
    return names
