"""Parsing of timestamps and turning user attributes into audit groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.data.reading import as_float
from fairrec_core.data.schema import normalise
from fairrec_core.data.validation import Issue

UNKNOWN = "unknown"
AGE_EDGES = (18, 25, 35, 45, 55)  # marketing's usual bands: under 18, 18-24, ..., 55+
_DATE_HINTS = ("date", "time", "since", "at", "joined", "signup", "registered", "日期", "时间")


def parse_timestamps(values: pd.Series, *, allow_missing: bool = False):
    """Unix seconds (int64) from unix s/ms/us numbers or date-time text.

    Returns
    -------
    seconds : ndarray of int64
        ``-1`` where a value is missing or unreadable.
    bad : ndarray of bool
        Unreadable values, plus missing ones unless ``allow_missing``.
    """
    present = values.notna().to_numpy()
    num = as_float(values)
    n_num = int((~np.isnan(num)).sum())
    out = np.full(len(values), -1, dtype=np.int64)
    if present.any() and n_num >= 0.5 * present.sum():  # mostly numbers: the rest are bad
        scale = _unix_scale(np.nanmedian(np.abs(num)) if n_num else 0.0)
        ok = ~np.isnan(num)
        out[ok] = (num[ok] / scale).astype(np.int64)
    else:
        parsed = pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce")
        retry = parsed.isna().to_numpy() & present
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(values[retry], format="mixed", utc=True,
                                           errors="coerce")
        ok = parsed.notna().to_numpy()
        out[ok] = parsed[ok].dt.as_unit("s").astype("int64").to_numpy()
    bad = present & (out < 0) if allow_missing else (out < 0)
    # A genuine timestamp before 1970 is implausible for e-commerce logs.
    return out, bad


def _unix_scale(median: float) -> float:
    if median > 1e17:
        return 1e9   # nanoseconds
    if median > 1e14:
        return 1e6   # microseconds
    if median > 1e11:
        return 1e3   # milliseconds
    return 1.0


def band_user_attributes(frame, mapping, ids, user_index, name, report):
    """Audit-ready user groups and the raw numeric attributes.

    Categorical columns are kept as text; numeric ones are binned into labelled
    bands (age into 18-24, 25-34, ...; others into quartile ranges); date
    columns into years. Missing values become their own ``unknown`` group.
    """
    users = pd.DataFrame(index=pd.RangeIndex(len(user_index)))
    numeric = pd.DataFrame(index=users.index)
    if frame is None:
        return users, numeric
    pos = user_index.get_indexer(pd.Index(ids["user"].astype(object)))
    ok = pos >= 0
    for col in mapping.attributes:
        raw = frame[col].str.strip()
        labels, values = _band(raw, col)
        full = pd.Series(UNKNOWN, index=users.index, dtype=object)
        full.iloc[pos[ok]] = labels.to_numpy(dtype=object)[ok]
        users[col] = full
        if values is not None:
            v = np.full(len(users), np.nan)
            v[pos[ok]] = values[ok]
            numeric[col] = v
        missing = int((full == UNKNOWN).sum())
        if missing:
            report.add(Issue.warning(name, col, "missing_attribute",
                                     f"{missing} user(s) have no {col}; they form the group "
                                     f"'{UNKNOWN}'.", count=missing))
    return users, numeric


def _band(raw: pd.Series, col: str):
    present = raw.notna() & (raw != "")
    num = pd.Series(as_float(raw), index=raw.index)
    n_present = int(present.sum())
    labels = raw.where(present, UNKNOWN).astype(object)
    if n_present == 0:
        return labels, None
    is_age = "age" in normalise(col) or "年龄" in col
    if num.notna().sum() >= 0.95 * n_present and (is_age or num[present].nunique() > 5):
        values = num.to_numpy(np.float64)
        if is_age:
            edges = [-np.inf, *AGE_EDGES, np.inf]
            names = ["under 18"] + [f"{a}-{b - 1}" for a, b in zip(AGE_EDGES, AGE_EDGES[1:])]
            names.append(f"{AGE_EDGES[-1]}+")
            banded = pd.cut(num, edges, right=False, labels=names)
        else:
            banded = _quartiles(num)
        return banded.astype(object).where(num.notna(), UNKNOWN), values
    if any(h in normalise(col) for h in _DATE_HINTS):
        secs, bad = parse_timestamps(raw, allow_missing=True)
        if (~bad[present.to_numpy()]).mean() >= 0.95:
            years = pd.Series(pd.to_datetime(np.where(secs < 0, np.nan, secs), unit="s").year,
                              index=raw.index)
            lab = years.astype("Int64").astype(str).where(secs >= 0, UNKNOWN)
            return lab.astype(object), np.where(secs < 0, np.nan, secs).astype(np.float64)
    return labels, None


def _quartiles(num: pd.Series) -> pd.Series:
    qs = np.unique(np.nanquantile(num.to_numpy(np.float64), [0, 0.25, 0.5, 0.75, 1.0]))
    if qs.size < 2:
        return num.map(lambda v: f"{v:g}")
    edges = qs.copy()
    edges[0], edges[-1] = -np.inf, np.inf
    names = [f"{qs[i]:g}-{qs[i + 1]:g}" for i in range(qs.size - 1)]
    return pd.cut(num, edges, labels=names, include_lowest=True)
