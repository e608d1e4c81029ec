"""From raw CSV tables to a validated, indexed :class:`Dataset`.

All problems across all files are collected into one report before anything
is built; errors stop the flow (nothing half-loaded), warnings travel with the
returned Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairrec_core.data.attributes import band_user_attributes
from fairrec_core.data.checks import check_ratings, check_threshold, confusable_ids
from fairrec_core.data.dataset import Dataset
from fairrec_core.data.parquet import is_parquet, locate_part_rows, read_parquet
from fairrec_core.data.reading import MAX_UPLOAD_BYTES, RawTable, as_float, read_csv
from fairrec_core.data.schema import (
    ColumnMapping,
    columns_hint,
    detect_roles,
    resolve_overrides,
)
from fairrec_core.data.side_tables import (
    build_items,
    build_recommendations,
    flag_unknown,
    positions,
)
from fairrec_core.data.timestamps import read_timestamps, timestamp_issues
from fairrec_core.data.validation import Issue, ValidationReport, example_rows
from fairrec_core.errors import ConfigError

MAX_WEIGHT = 1e6  # an interaction weight beyond this is a corrupt cell, not a count
# Relative strength of implicit events, used as interaction weights.
EVENT_WEIGHTS = {"view": 1.0, "pv": 1.0, "impression": 0.5, "click": 2.0, "fav": 3.0,
                 "favorite": 3.0, "wishlist": 3.0, "cart": 3.0, "add_to_cart": 3.0,
                 "addtocart": 3.0, "purchase": 4.0, "buy": 4.0, "order": 4.0,
                 "transaction": 4.0}


@dataclass
class LoadOutcome:
    """What a load produced: the dataset when there were no errors, and the report."""

    dataset: Dataset | None
    report: ValidationReport
    tables: dict[str, RawTable] = field(default_factory=dict)
    mappings: dict[str, ColumnMapping] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.dataset is not None


def read_files(files: dict, *, encoding=None, delimiter=None,
               max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, RawTable]:
    """Read each ``{kind: source}`` entry (None entries are skipped).

    ``encoding`` and ``delimiter`` are either one value for all files or a
    ``{kind: value}`` dict.
    """
    tables: dict[str, RawTable] = {}
    for kind, source in files.items():
        if source is None:
            continue
        enc = encoding.get(kind) if isinstance(encoding, dict) else encoding
        delim = delimiter.get(kind) if isinstance(delimiter, dict) else delimiter
        if is_parquet(source):  # a .parquet file or a folder of part files
            tables[kind] = read_parquet(source, max_bytes=max_bytes)
            continue
        tables[kind] = read_csv(source, encoding=enc, delimiter=delim, max_bytes=max_bytes)
    return tables


def load_dataset(interactions, users=None, items=None, recommendations=None, *,
                 mapping: dict | None = None, encoding=None, delimiter=None,
                 rating_threshold: float | None = None, on_unknown_ids: str = "error",
                 min_user_interactions: int = 3,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Read, validate and index the uploaded files; raise if any error is found.

    Parameters
    ----------
    interactions, users, items, recommendations : path, bytes or file-like
        ``interactions`` is required; the others are optional.
    mapping : dict, optional
        ``{kind: {role: column}}`` overriding auto-detection; the key ``"*"``
        holds overrides for any file that has the named column.
    encoding, delimiter : str or dict, optional
        Forced per all files or per kind; detected when omitted.
    rating_threshold : float, optional
        ``rating >= threshold`` marks a positive; default 4 on a 1-5 scale,
        otherwise 80% of the observed maximum.
    on_unknown_ids : {"error", "drop"}
        What to do with rows naming users or items absent from the users or
        items file: stop, or drop them with a warning.
    min_user_interactions : int
        Users with fewer interactions cannot be evaluated; they are reported.

    Raises
    ------
    DataValidationError
        With ``.report`` listing every problem.
    """
    tables = read_files({"interactions": interactions, "users": users, "items": items,
                         "recommendations": recommendations},
                        encoding=encoding, delimiter=delimiter, max_bytes=max_bytes)
    outcome = build_dataset(tables, mapping=mapping, rating_threshold=rating_threshold,
                            on_unknown_ids=on_unknown_ids,
                            min_user_interactions=min_user_interactions)
    outcome.report.raise_if_errors()
    return outcome.dataset


@locate_part_rows
def build_dataset(tables: dict[str, RawTable], *, mapping: dict | None = None,
                  rating_threshold: float | None = None, on_unknown_ids: str = "error",
                  min_user_interactions: int = 3) -> LoadOutcome:
    """Validate already-read tables and index them; never raises on bad data."""
    if on_unknown_ids not in ("error", "drop"):
        raise ConfigError("on_unknown_ids must be 'error' or 'drop'.")
    rating_threshold = check_threshold(rating_threshold)
    report = ValidationReport()
    outcome = LoadOutcome(None, report, tables)
    if "interactions" not in tables:
        report.add(Issue.error("interactions", None, "missing_file",
                               "An interactions file is required."))
        return outcome
    for table in tables.values():
        report.extend(table.issues)

    frames = _mapped_frames(tables, mapping, outcome.mappings, report)
    if not report.ok:
        return outcome

    names = {k: t.name for k, t in tables.items()}
    ids = {k: _clean_ids(frames[k], outcome.mappings[k], names[k], report) for k in frames}
    if not report.ok:
        return outcome

    user_index = _make_index(ids, "user", "users", names, report)
    item_index = _make_index(ids, "item", "items", names, report)
    if not report.ok:
        return outcome
    _look_alike_ids(user_index, item_index, frames, names, outcome.mappings, report)

    inter = _interactions(frames["interactions"], ids["interactions"], outcome.mappings,
                          user_index, item_index, names, report, on_unknown_ids,
                          rating_threshold)
    recs = None
    if "recommendations" in frames:
        recs = build_recommendations(frames["recommendations"], ids["recommendations"],
                                     outcome.mappings["recommendations"], user_index,
                                     item_index, names["recommendations"], report,
                                     on_unknown_ids)
    if not report.ok:
        return outcome

    users, user_numeric = band_user_attributes(
        frames.get("users"), outcome.mappings.get("users"), ids.get("users"), user_index,
        names.get("users", "users.csv"), report)
    items = build_items(frames.get("items"), outcome.mappings.get("items"), ids.get("items"),
                        item_index, names.get("items", "items.csv"), report)
    inter_df, threshold = inter
    _check_sufficiency(inter_df, user_index, item_index, names["interactions"],
                       min_user_interactions, report)
    if not report.ok:
        return outcome

    sources = {kind: {**table.describe(), **({"mapping": outcome.mappings[kind].to_dict()}
                                             if kind in outcome.mappings else {})}
               for kind, table in tables.items()}
    outcome.dataset = Dataset(user_ids=user_index, item_ids=item_index,
                              interactions=inter_df, users=users, items=items,
                              user_numeric=user_numeric, recommendations=recs,
                              report=report, sources=sources, rating_threshold=threshold)
    return outcome


def _mapped_frames(tables: dict[str, RawTable], mapping, mappings: dict,
                   report) -> dict[str, pd.DataFrame]:
    """The frames whose column roles resolve, by file kind; each kind's roles go to ``mappings``.

    A mapping that cannot be applied or a missing required column is reported
    as an error, and that file is left out of the result.
    """
    frames: dict[str, pd.DataFrame] = {}
    for kind, table in tables.items():
        if table.frame is None:
            continue
        cols = list(table.frame.columns)
        try:
            m = detect_roles(cols, kind, resolve_overrides(mapping, kind, cols))
        except ConfigError as exc:
            report.add(Issue.error(table.name, None, "bad_mapping", str(exc)))
            continue
        mappings[kind] = m
        missing = m.missing_required()
        if missing:
            report.add(Issue.error(
                table.name, None, "missing_column",
                f"{table.name} has no {' or '.join(r.replace('|', '/') for r in missing)} "
                f"column. {columns_hint(cols)} Name the right one in the "
                f"column mapping (CLI: --map {kind}.{missing[0].split('|')[0]}=COLUMN)."))
            continue
        frames[kind] = table.frame
    return frames


def _look_alike_ids(user_index, item_index, frames, names, mappings, report) -> None:
    """Warn about ids that differ only by invisible characters or case, per own file."""
    for role, index in (("user", user_index), ("item", item_index)):
        kind = f"{role}s" if f"{role}s" in frames else "interactions"
        confusable_ids(index, name=names[kind], column=mappings[kind].roles[role],
                       role=role, report=report)


def _clean_ids(frame, mapping, name, report) -> dict[str, pd.Series]:
    out = {}
    for role in ("user", "item"):
        col = mapping.roles.get(role)
        if col is None:
            continue
        values = frame[col].str.strip()
        missing = values.isna() | (values == "")
        if missing.any():
            rows, n = example_rows(missing)
            report.add(Issue.error(name, col, "missing_id",
                                   f"{n} row(s) have no {role} id.", count=n, rows=rows))
        out[role] = values
    return out


def _make_index(ids, role, own_kind, names, report) -> pd.Index:
    """Index of ids: the users/items file's order if given, else sorted first use."""
    if own_kind in ids:
        own = ids[own_kind][role]
        dup = own.duplicated(keep="first").to_numpy()
        if dup.any():
            rows, n = example_rows(dup)
            report.add(Issue.error(names[own_kind], own.name, "duplicate_ids",
                                   f"{n} {role} id(s) appear more than once in "
                                   f"{names[own_kind]}; each must be listed once.",
                                   count=n, rows=rows))
        return pd.Index(own.drop_duplicates().astype(object).to_numpy(), name=role)
    seen = pd.concat([v[role] for v in ids.values() if role in v], ignore_index=True)
    return pd.Index(np.sort(seen.dropna().unique().astype(object)), name=role)


def _interactions(frame, ids, mappings, user_index, item_index, names, report,
                  on_unknown_ids, rating_threshold):
    m = mappings["interactions"]
    name = names["interactions"]
    n = len(frame)
    uid = positions(ids["user"], user_index)
    iid = positions(ids["item"], item_index)
    keep = flag_unknown(uid, ids["user"].to_numpy(), "user", name, m.roles["user"],
                    names.get("users", "users.csv"), report, on_unknown_ids)
    keep &= flag_unknown(iid, ids["item"].to_numpy(), "item", name, m.roles["item"],
                     names.get("items", "items.csv"), report, on_unknown_ids)
    out = pd.DataFrame({"user": uid.astype(np.int32), "item": iid.astype(np.int32)})
    weight = np.ones(n, dtype=np.float32)
    positive = np.ones(n, dtype=bool)
    threshold = None

    if "rating" in m.roles:
        col = m.roles["rating"]
        rating = as_float(frame[col])
        threshold, pos = check_ratings(rating, frame[col], name=name, column=col,
                                       threshold=rating_threshold, report=report)
        if pos is not None:
            positive = pos
            out["rating"] = rating
    if "weight" in m.roles:
        col = m.roles["weight"]
        w = as_float(frame[col])
        bad = ~np.isfinite(w) | (w < 0) | (w > MAX_WEIGHT)
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.error(name, col, "non_numeric",
                                   f"{k} row(s) have an empty, negative, non-numeric or "
                                   f"absurd weight (over {MAX_WEIGHT:,.0f}; e.g. "
                                   f"'{frame[col][bad].iloc[0]}').", count=k, rows=rows))
        weight = w.astype(np.float32)
    if "event" in m.roles:
        col = m.roles["event"]
        ev = frame[col].str.strip().str.lower()
        known = ev.map(EVENT_WEIGHTS)
        if "weight" not in m.roles:
            weight = known.fillna(1.0).to_numpy(np.float32)
        unknown = known.isna().to_numpy() & ev.notna().to_numpy()
        if unknown.any():
            rows, k = example_rows(unknown)
            kinds = ", ".join(map(str, pd.unique(ev[unknown])[:5]))
            report.add(Issue.warning(name, col, "unknown_event",
                                     f"{k} row(s) have event types fairrec does not know "
                                     f"({kinds}); they count as positives with weight 1.",
                                     count=k, rows=rows))
    if "timestamp" in m.roles:
        col = m.roles["timestamp"]
        reading = read_timestamps(frame[col])
        report.extend(timestamp_issues(reading, frame[col], name=name, column=col))
        out["timestamp"] = reading.seconds
    out["weight"] = weight
    out["positive"] = positive
    if not report.ok:
        return out, threshold

    out["_row"] = np.arange(n, dtype=np.int64)
    if not keep.all():
        out = out[keep]
    # (user, item) as one int64 key: hashing one column is far cheaper than a frame.
    pair = out["user"].to_numpy(np.int64) * len(item_index) + out["item"].to_numpy(np.int64)
    repeated = pd.Series(pair).duplicated(keep=False).to_numpy()
    if repeated.any():
        key_cols = ["user", "item"] + (["timestamp"] if "timestamp" in out else [])
        dup = out.duplicated(key_cols, keep="first").to_numpy()
        if dup.any():
            rows = (out["_row"].to_numpy()[dup][:5] + 2).tolist()
            k = int(dup.sum())
            what = "user, item and timestamp" if "timestamp" in out else "user and item"
            report.add(Issue.warning(name, None, "duplicate_rows",
                                     f"{k} row(s) repeat the {what} of an earlier row; "
                                     "only the first of each was kept.", count=k, rows=rows))
            out = out[~dup]
        out = _merge_repeats(out, name, report)
    return out.drop(columns="_row").reset_index(drop=True), threshold


def _merge_repeats(out: pd.DataFrame, name: str, report) -> pd.DataFrame:
    """Collapse repeat interactions with one item into one (user, item) pair.

    The pair keeps its first timestamp (when the user first chose the item),
    the sum of weights, the highest rating, and is positive if any row was.
    """
    if "timestamp" in out:
        out = out.sort_values(["timestamp", "_row"], kind="stable")
    rep = out.duplicated(["user", "item"], keep="first").to_numpy()
    if not rep.any():
        return out.sort_values("_row", kind="stable")
    k = int(rep.sum())
    rows = (np.sort(out["_row"].to_numpy()[rep])[:5] + 2).tolist()
    report.add(Issue.warning(name, None, "repeat_interactions",
                             f"{k} row(s) are repeat interactions with an item the user had "
                             "already interacted with; each (user, item) pair was merged into "
                             "one (first time kept, weights added).", count=k, rows=rows))
    agg = {"weight": "sum", "positive": "max", "_row": "first"}
    for c in ("timestamp", "rating"):
        if c in out:
            agg[c] = "first" if c == "timestamp" else "max"
    merged = out.groupby(["user", "item"], sort=False, as_index=False).agg(agg)
    return merged.sort_values("_row", kind="stable")[out.columns]


def _check_sufficiency(inter, user_index, item_index, name, min_user, report) -> None:
    n_users_active = inter["user"].nunique()
    if len(user_index) < 2 or n_users_active < 2:
        report.add(Issue.error(name, None, "too_few_users",
                               f"The data has interactions from {n_users_active} user(s); an "
                               "audit compares users, so it needs at least two (in practice, "
                               "hundreds)."))
        return
    if inter["item"].nunique() < 2:
        report.add(Issue.error(name, None, "too_few_items",
                               "All interactions concern one item; nothing can be ranked."))
        return
    counts = np.bincount(inter["user"].to_numpy(), minlength=len(user_index))
    active = counts > 0
    few = active & (counts < min_user)
    if few.all() or (~few[active]).sum() == 0:
        report.add(Issue.error(name, None, "no_evaluable_users",
                               f"No user has {min_user} or more interactions, so no "
                               "recommendation can be checked against held-out data."))
    elif few.any():
        examples = ", ".join(map(str, user_index[few][:5]))
        report.add(Issue.warning(name, None, "too_few_interactions",
                                 f"{int(few.sum())} user(s) have fewer than {min_user} "
                                 f"interactions (e.g. {examples}); they stay in training but "
                                 "cannot be evaluated.", count=int(few.sum())))
    silent = int((~active).sum())
    if silent:
        report.add(Issue.warning(name, None, "users_without_interactions",
                                 f"{silent} user(s) in the users file have no interactions; "
                                 "they cannot be evaluated.", count=silent))
