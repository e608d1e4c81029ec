"""Id positions, and the optional items and recommendations files as indexed tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.data.dataset import Recommendations
from fairrec_core.data.reading import as_float
from fairrec_core.data.timestamps import read_timestamps, timestamp_issues
from fairrec_core.data.validation import Issue, example_rows

_PANDAS_MAX_SECONDS = pd.Timestamp.max.value // 10**9


def positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Dense positions of ``values`` in ``index`` (-1 where absent), one lookup per distinct id."""
    codes, uniques = pd.factorize(values)
    return index.get_indexer(pd.Index(uniques.astype(object)))[codes]


def flag_unknown(pos, values, role, name, col, own, report, on_unknown_ids) -> np.ndarray:
    """Report rows whose id is not in the users/items file; returns the keep mask.

    An error when ``on_unknown_ids`` is ``"error"``, a warning when ``"drop"``.
    """
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


def build_recommendations(frame, ids, m, user_index, item_index, name, report, on_unknown_ids):
    uid = positions(ids["user"], user_index)
    iid = positions(ids["item"], item_index)
    keep = flag_unknown(uid, ids["user"].to_numpy(), "user", name, m.roles["user"], "users",
                    report, on_unknown_ids)
    keep &= flag_unknown(iid, ids["item"].to_numpy(), "item", name, m.roles["item"], "items",
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


def build_items(frame, m, ids, item_index, name, report) -> pd.DataFrame:
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
        raw = frame[m.roles["created_at"]]
        # Catalogues hold old releases (books, films): only pre-1970 or future dates warn.
        reading = read_timestamps(raw, allow_missing=True, year_min=1970)
        report.extend(timestamp_issues(reading, raw, name=name, column=m.roles["created_at"],
                                       severity_bad="warning", what="date"))
        ts = reading.seconds.astype(np.float64)
        # pandas datetimes end in 2262; later dates were warned about above and stay empty.
        ts[(ts < 0) | (ts > _PANDAS_MAX_SECONDS)] = np.nan
        col = np.full(len(out), np.nan)
        col[pos[ok]] = ts[ok]
        out["created_at"] = pd.to_datetime(col, unit="s", utc=True)
    if m.attributes:
        # All attribute columns in one block: adding thousands one by one took minutes.
        block = np.full((len(out), len(m.attributes)), pd.NA, dtype=object)
        block[pos[ok]] = frame[m.attributes].to_numpy(dtype=object)[ok]
        out = pd.concat([out.drop(columns=[c for c in m.attributes if c in out]),
                         pd.DataFrame(block, index=out.index, columns=m.attributes,
                                      dtype=object)], axis=1)
    if "title" not in out and "description" not in out:
        report.add(Issue.warning(name, None, "no_text",
                                 f"{name} has no title or description column: text-reading "
                                 "models will use item ids only."))
    return out
