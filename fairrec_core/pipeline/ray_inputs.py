"""Inputs of the Ray audit of part files (:mod:`fairrec_core.pipeline.ray_parts`), read
without loading them: headers, Parquet footers (row counts, value ranges), the small
catalogue, and streamed hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fairrec_core.config import AuditConfig
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t

KINDS = ("users", "interactions", "recommendations")
#: The loader's roles as the part reader names its columns.
ROLE_COLUMNS = {"user": "user_id", "item": "item_id"}


def inputs(config: AuditConfig) -> dict:
    """The four inputs' paths (checked to be given by :func:`ray_parts.refuse`)."""
    return {kind: Path(str(config.path(kind))) for kind in (*KINDS, "items")}


def renames(inputs: dict) -> dict:
    """Per file kind, column -> role by the loader's aliases (``seller_id -> provider``),
    from the first file's header."""
    import pyarrow.parquet as pq

    from fairrec_core.data.schema import detect_roles
    from fairrec_core.engine.repartition import _files

    out = {}
    for kind, src in inputs.items():
        files = _files(src)
        if not files:
            continue
        if files[0].suffix.lower() == ".csv":
            from pyarrow import csv

            with csv.open_csv(files[0]) as reader:
                columns = reader.schema.names
        else:
            columns = pq.read_schema(files[0]).names
        roles = detect_roles(columns, kind).roles
        named = {ROLE_COLUMNS.get(role, role): col for role, col in roles.items()}
        out[kind] = {col: name for name, col in named.items() if col != name}
    return out


def threshold(config: AuditConfig, inputs: dict, renames: dict,
              bucketed: dict | None = None) -> float:
    """``[data].rating_threshold``, or the loader's automatic one (4 on a 0-5 scale, else
    80% of the maximum) from the ratings' range (:func:`column_range`)."""
    if config.data.rating_threshold is not None:
        return float(config.data.rating_threshold)
    span = column_range(inputs["interactions"], "rating", renames, bucketed)
    if span is None:
        raise ConfigError(t("engine.refuse.threshold", config.report.lang))
    lo, hi = span
    return 4.0 if hi <= 5 and lo >= 0 else 0.8 * hi


def column_range(src: Path, column: str, renames: dict, bucketed: dict | None = None):
    """``(min, max)`` of a numeric interactions column: from the Parquet footers (nothing
    is read), else from the figures of the bucketing tasks (``bucketed``, as
    :func:`~fairrec_core.engine.repartition.partition_by_user` gives them), else None."""
    span = _footer_range(src, column, renames)
    if span is not None or not bucketed:
        return span
    name = next((c for c, role in renames.items() if role == column), column)
    found = [f["range"][name] for f in bucketed.get("interactions", []) if name in f["range"]]
    if len(found) < len(bucketed.get("interactions", [])) or not found:
        return None
    return min(lo for lo, _ in found), max(hi for _, hi in found)


def _footer_range(src: Path, column: str, renames: dict):
    """``(min, max)`` of a numeric column from the Parquet footers, or None where a file
    is CSV or does not record them."""
    import pyarrow.parquet as pq

    from fairrec_core.engine.repartition import _files

    lo, hi = np.inf, -np.inf
    for f in _files(src):
        if f.suffix.lower() == ".csv":
            return None
        meta = pq.ParquetFile(f).metadata
        names = [renames.get(c, c) for c in meta.schema.names]
        if column not in names:
            return None
        col = names.index(column)
        for g in range(meta.num_row_groups):
            st = meta.row_group(g).column(col).statistics
            if st is None or not st.has_min_max or not isinstance(st.max, (int, float)):
                return None
            lo, hi = min(lo, float(st.min)), max(hi, float(st.max))
    return lo, hi


@dataclass
class Catalogue:
    """The items table (columns named by role) and what the audit groups by."""

    items: Any
    folders: dict
    renames: dict
    users: list
    item_groups: list
    bins: dict

    @property
    def category(self) -> str | None:
        return "category" if "category" in self.items.column_names else None


def catalogue(config: AuditConfig, inputs: dict, folders: dict, renames: dict,
              scratch: Path, bucketed: dict | None = None) -> Catalogue:
    """The catalogue and groupings; with ``item_age`` audited, a copy of the items file
    with that column (in ``scratch``) replaces it for the Ray tasks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fairrec_core.engine.part_io import read_part

    items = read_part(folders["items"], renames.get("items"))
    users, item_groups, bins = _groupings(config, folders, items, renames)
    if "item_age" in item_groups:  # computed from the catalogue, as locally
        items = items.append_column("item_age", pa.array(_item_age(config, inputs,
                                                                   renames, items, bucketed)))
        folders = {**folders, "items": scratch / "catalogue-aged.parquet"}
        pq.write_table(items, folders["items"])
        renames = {**renames, "items": {}}
    return Catalogue(items, folders, renames, users, item_groups, bins)


def _groupings(config: AuditConfig, folders: dict, items, renames: dict
               ) -> tuple[list, list, dict]:
    """User and item groupings (the local defaults where the data allows), and age bins."""
    from fairrec_core.data.attributes import _AGE_NAMES, AGE_EDGES, _words
    from fairrec_core.data.schema import likely_sensitive
    from fairrec_core.data.summary import item_groupings
    from fairrec_core.engine.part_io import part_names, read_part

    mc = config.metrics
    first = read_part(folders["users"] / part_names(folders)[0], renames.get("users"))
    internal = {"user_id", "_file", "_row", "_order"}
    cols = [c for c in first.column_names if c not in internal]
    users = list(mc.user_groupings) if mc.user_groupings is not None else (
        likely_sensitive(cols) or cols)
    bins = {}
    for name in users:
        if name not in cols:
            raise ConfigError(f"[metrics].user_groupings: there is no user attribute "
                              f"'{name}'; the users file has: {', '.join(cols)}.")
        kind = first.schema.field(name).type
        import pyarrow.types as pt

        if pt.is_integer(kind) or pt.is_floating(kind):
            if "age" not in _words(name) and "年龄" not in name:
                raise ConfigError(t("engine.refuse.numeric", config.report.lang, name=name))
            bins[name] = (AGE_EDGES, tuple(_AGE_NAMES))
    frame = items.to_pandas()
    known = [c for c in frame.columns if c != "item_id"]
    its = (list(mc.item_groupings) if mc.item_groupings is not None
           else list(item_groupings(frame).columns))
    if mc.item_groupings is None and "created_at" in frame and frame["created_at"].notna().any():
        its.append("item_age")  # as pipeline.evaluation.item_grouping_columns
    for name in its:
        if name == "item_age" and "created_at" not in known:
            raise ConfigError(t("engine.refuse.item_age", config.report.lang))
        if name not in known and name not in ("popularity", "item_age"):
            raise ConfigError(f"[metrics].item_groupings: there is no item attribute "
                              f"'{name}'; the items file has: {', '.join(known)}.")
    return users, [c for c in its if c != "popularity"], bins


def _item_age(config: AuditConfig, inputs: dict, renames: dict, items,
              bucketed: dict | None) -> np.ndarray:
    """``new`` / ``established`` / ``unknown`` per item, as
    :func:`fairrec_core.pipeline.evaluation.new_item_labels` (the catalogue's dates against
    the last interaction, whose time the Parquet footers record)."""
    import pandas as pd

    from fairrec_core.data.timestamps import read_timestamps

    span = column_range(inputs["interactions"], "timestamp", renames.get("interactions", {}),
                        bucketed)
    if span is None:
        raise ConfigError(t("engine.refuse.item_age", config.report.lang))
    end = read_timestamps(pd.Series([f"{span[1]:.0f}"])).seconds[0]
    raw = items.column("created_at").to_pandas()
    text = raw.astype(str).where(raw.notna(), None)
    secs = read_timestamps(text, allow_missing=True, year_min=1970).seconds.astype(float)
    secs[secs < 0] = np.nan
    labels = np.where(secs >= end - config.metrics.new_item_days * 86400, "new",
                      "established").astype(object)
    labels[np.isnan(secs)] = "unknown"
    return labels


def one_file(folder: Path, out: Path) -> Path:
    """The part files of ``folder`` (the items) concatenated into the Parquet file ``out``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fairrec_core.engine.part_io import read_part
    from fairrec_core.engine.repartition import _files

    pq.write_table(pa.concat_tables([read_part(f) for f in _files(folder)]), out)
    return out


def count_users(src: Path) -> int:
    """Users rows from the Parquet footers (CSV: one per line); nothing else is read."""
    import pyarrow.parquet as pq

    from fairrec_core.engine.repartition import _files

    total = 0
    for f in _files(src):
        if f.suffix.lower() == ".csv":
            with open(f, "rb") as fh:
                total += max(sum(1 for _ in fh) - 1, 0)
        else:
            total += pq.ParquetFile(f).metadata.num_rows
    return total


def source(src: Path) -> dict:
    """Name, SHA-256 (of the part files' bytes in name order, as the local reader hashes
    them) and rows of one input, streamed: nothing is held in memory."""
    import hashlib

    import pyarrow.parquet as pq

    from fairrec_core.engine.repartition import _files

    sha = hashlib.sha256()
    rows: int | None = 0
    for f in _files(src):
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 24), b""):
                sha.update(chunk)
        rows = None if rows is None or f.suffix.lower() == ".csv" else (
            rows + pq.ParquetFile(f).metadata.num_rows)
    return {"name": src.name, "sha256": sha.hexdigest(), "rows": rows}
