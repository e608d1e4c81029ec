"""From raw CSV tables to a validated, indexed :class:`Dataset`.

All problems across all files are collected into one report before anything
is built; errors stop the flow (nothing half-loaded), warnings travel with the
returned Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairrec_core.data.attributes import band_user_attributes, parse_timestamps
from fairrec_core.data.dataset import Dataset, Recommendations
from fairrec_core.data.reading import MAX_UPLOAD_BYTES, RawTable, as_float, read_csv
from fairrec_core.data.schema import ColumnMapping, detect_roles, resolve_overrides
from fairrec_core.data.validation import Issue, ValidationReport, example_rows
from fairrec_core.errors import ConfigError

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
    tables = {}
    for kind, source in files.items():
        if source is None:
            continue
        enc = encoding.get(kind) if isinstance(encoding, dict) else encoding
        delim = delimiter.get(kind) if isinstance(delimiter, dict) else delimiter
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


def build_dataset(tables: dict[str, RawTable], *, mapping: dict | None = None,
                  rating_threshold: float | None = None, on_unknown_ids: str = "error",
                  min_user_interactions: int = 3) -> LoadOutcome:
    """Validate already-read tables and index them; never raises on bad data."""
    if on_unknown_ids not in ("error", "drop"):
        raise ConfigError("on_unknown_ids must be 'error' or 'drop'.")
    report = ValidationReport()
    outcome = LoadOutcome(None, report, tables)
    if "interactions" not in tables:
        report.add(Issue.error("interactions", None, "missing_file",
                               "An interactions file is required."))
        return outcome
    for table in tables.values():
        report.extend(table.issues)

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
        outcome.mappings[kind] = m
        missing = m.missing_required()
        if missing:
            report.add(Issue.error(
                table.name, None, "missing_column",
                f"{table.name} has no {' or '.join(r.replace('|', '/') for r in missing)} "
                f"column. Its columns are: {', '.join(cols)}. Name the right one in the "
                f"column mapping (CLI: --map {kind}.{missing[0].split('|')[0]}=COLUMN)."))
            continue
        frames[kind] = table.frame
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

    inter = _interactions(frames["interactions"], ids["interactions"], outcome.mappings,
                          user_index, item_index, names, report, on_unknown_ids,
                          rating_threshold)
    recs = None
    if "recommendations" in frames:
        recs = _recommendations(frames["recommendations"], ids["recommendations"],
                                outcome.mappings["recommendations"], user_index, item_index,
                                names["recommendations"], report, on_unknown_ids)
    if not report.ok:
        return outcome

    users, user_numeric = band_user_attributes(
        frames.get("users"), outcome.mappings.get("users"), ids.get("users"), user_index,
        names.get("users", "users.csv"), report)
    items = _items(frames.get("items"), outcome.mappings.get("items"), ids.get("items"),
                   item_index, names.get("items", "items.csv"), report)
    inter_df, threshold = inter
    _check_sufficiency(inter_df, user_index, item_index, names["interactions"],
                       min_user_interactions, report)
    if not report.ok:
        return outcome

    sources = {}
    for kind, table in tables.items():
        info = table.describe()
        if kind in outcome.mappings:
            info["mapping"] = outcome.mappings[kind].to_dict()
        sources[kind] = info
    outcome.dataset = Dataset(user_ids=user_index, item_ids=item_index,
                              interactions=inter_df, users=users, items=items,
                              user_numeric=user_numeric, recommendations=recs,
                              report=report, sources=sources, rating_threshold=threshold)
    return outcome


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


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return index.get_indexer(pd.Index(uniques.astype(object)))[codes]


def _unknown(pos, values, role, name, col, own, report, on_unknown_ids) -> np.ndarray:
    """Flag rows whose id is not in the users/items file; returns the keep mask."""
    bad = pos < 0
    if not bad.any():
        return np.ones(len(pos), dtype=bool)
    rows, n = example_rows(bad)
    examples = ", ".join(map(str, pd.unique(values[bad])[:3]))
    if on_unknown_ids == "drop":
        report.add(Issue.warning(name, col, "unknown_ids",
                                 f"{n} row(s) name {role}s absent from {own} (e.g. {examples}); "
                                 "they were left out.", count=n, rows=rows))
    else:
        report.add(Issue.error(name, col, "unknown_ids",
                               f"{n} row(s) name {role}s absent from {own} (e.g. {examples}). "
                               f"Upload matching exports, or choose to drop such rows "
                               "(CLI: --drop-unknown-ids).", count=n, rows=rows))
    return ~bad


def _interactions(frame, ids, mappings, user_index, item_index, names, report,
                  on_unknown_ids, rating_threshold):
    m = mappings["interactions"]
    name = names["interactions"]
    n = len(frame)
    uid = _positions(ids["user"], user_index)
    iid = _positions(ids["item"], item_index)
    keep = _unknown(uid, ids["user"].to_numpy(), "user", name, m.roles["user"],
                    names.get("users", "users.csv"), report, on_unknown_ids)
    keep &= _unknown(iid, ids["item"].to_numpy(), "item", name, m.roles["item"],
                     names.get("items", "items.csv"), report, on_unknown_ids)
    out = pd.DataFrame({"user": uid.astype(np.int32), "item": iid.astype(np.int32)})
    weight = np.ones(n, dtype=np.float32)
    positive = np.ones(n, dtype=bool)
    threshold = None

    if "rating" in m.roles:
        col = m.roles["rating"]
        rating = as_float(frame[col])
        bad = np.isnan(rating)
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.error(name, col, "non_numeric",
                                   f"{k} row(s) have an empty or non-numeric rating "
                                   f"(e.g. '{frame[col][bad].iloc[0]}').", count=k, rows=rows))
        else:
            lo, hi = float(np.min(rating)), float(np.max(rating))
            threshold = rating_threshold
            if threshold is None:
                threshold = 4.0 if hi <= 5 and lo >= 0 else 0.8 * hi
            positive = rating >= threshold
            out["rating"] = rating
            if not positive.any():
                report.add(Issue.error(name, col, "no_positives",
                                       f"No rating reaches the positive threshold {threshold:g} "
                                       f"(ratings range {lo:g}-{hi:g}); set rating_threshold.",
                                       count=n))
    if "weight" in m.roles:
        col = m.roles["weight"]
        w = as_float(frame[col])
        bad = np.isnan(w) | (w < 0)
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.error(name, col, "non_numeric",
                                   f"{k} row(s) have an empty, negative or non-numeric weight.",
                                   count=k, rows=rows))
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
        ts, bad = parse_timestamps(frame[col])
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.error(name, col, "bad_timestamp",
                                   f"{k} row(s) have an empty or unreadable timestamp (e.g. "
                                   f"'{frame[col][bad].iloc[0]}'); use unix seconds or "
                                   "milliseconds, or ISO-8601 dates.", count=k, rows=rows))
        out["timestamp"] = ts
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


def _recommendations(frame, ids, m, user_index, item_index, name, report, on_unknown_ids):
    uid = _positions(ids["user"], user_index)
    iid = _positions(ids["item"], item_index)
    keep = _unknown(uid, ids["user"].to_numpy(), "user", name, m.roles["user"], "users",
                    report, on_unknown_ids)
    keep &= _unknown(iid, ids["item"].to_numpy(), "item", name, m.roles["item"], "items",
                     report, on_unknown_ids)
    df = pd.DataFrame({"user": uid, "item": iid, "_row": np.arange(len(frame))})
    for role in ("rank", "score"):
        if role in m.roles:
            col = m.roles[role]
            v = as_float(frame[col])
            bad = np.isnan(v)
            if bad.any():
                rows, k = example_rows(bad)
                report.add(Issue.error(name, col, "non_numeric",
                                       f"{k} row(s) have an empty or non-numeric {role}.",
                                       count=k, rows=rows))
            df[role] = v
    if not report.ok:
        return None
    df = df[keep]
    if "rank" in df:
        order = ["user", "rank"]
        asc = [True, True]
        dup = df.duplicated(["user", "rank"], keep=False).to_numpy()
        if dup.any():
            rows = (df["_row"].to_numpy()[dup][:5] + 2).tolist()
            report.add(Issue.error(name, m.roles["rank"], "duplicate_ranks",
                                   f"{int(dup.sum())} row(s) give a user two items at the "
                                   "same rank.", count=int(dup.sum()), rows=rows))
    else:
        order, asc = ["user", "score"], [True, False]
    dup_items = df.duplicated(["user", "item"], keep=False).to_numpy()
    if dup_items.any():
        rows = (df["_row"].to_numpy()[dup_items][:5] + 2).tolist()
        report.add(Issue.error(name, m.roles["item"], "duplicate_items",
                               f"{int(dup_items.sum())} row(s) list the same item twice for "
                               "one user.", count=int(dup_items.sum()), rows=rows))
    if not report.ok:
        return None
    df = df.sort_values(order + ["_row"], ascending=asc + [True], kind="stable")
    users = df["user"].to_numpy()
    pos = np.arange(len(df)) - np.searchsorted(users, users, side="left")
    k = int(pos.max()) + 1 if len(df) else 0
    items = np.full((len(user_index), k), -1, dtype=np.int32)
    items[users, pos] = df["item"].to_numpy()
    scores = None
    if "score" in df:
        scores = np.full(items.shape, np.nan)
        scores[users, pos] = df["score"].to_numpy()
    return Recommendations(items=items, scores=scores)


def _items(frame, m, ids, item_index, name, report) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(item_index)))
    if frame is None:
        return out
    pos = item_index.get_indexer(pd.Index(ids["item"].astype(object)))
    ok = pos >= 0
    for role in ("title", "description", "category", "provider"):
        if role in m.roles:
            col = pd.Series(pd.NA, index=out.index, dtype="object")
            col.iloc[pos[ok]] = frame[m.roles[role]].to_numpy(dtype=object)[ok]
            out[role] = col
    if "price" in m.roles:
        raw = frame[m.roles["price"]]
        price = as_float(raw)
        bad = np.isnan(price) & raw.notna().to_numpy()
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.warning(name, m.roles["price"], "non_numeric",
                                     f"{k} row(s) have a non-numeric price; left empty.",
                                     count=k, rows=rows))
        col = np.full(len(out), np.nan)
        col[pos[ok]] = price[ok]
        out["price"] = col
    if "created_at" in m.roles:
        ts, bad = parse_timestamps(frame[m.roles["created_at"]], allow_missing=True)
        if bad.any():
            rows, k = example_rows(bad)
            report.add(Issue.warning(name, m.roles["created_at"], "bad_timestamp",
                                     f"{k} row(s) have an unreadable date; left empty.",
                                     count=k, rows=rows))
        col = np.full(len(out), np.nan)
        col[pos[ok]] = np.where(ts < 0, np.nan, ts)[ok]
        out["created_at"] = pd.to_datetime(col, unit="s", utc=True)
    for attr in m.attributes:
        col = pd.Series(pd.NA, index=out.index, dtype="object")
        col.iloc[pos[ok]] = frame[attr].to_numpy(dtype=object)[ok]
        out[attr] = col
    if "title" not in out and "description" not in out:
        report.add(Issue.warning(name, None, "no_text",
                                 f"{name} has no title or description column: text-reading "
                                 "models will use item ids only."))
    return out


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
