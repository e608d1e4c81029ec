"""Turning user attributes into audit groups, all columns at once.

Categorical columns are kept as text; numeric ones are binned into labelled
bands (age into 18-24, 25-34, ...; others into quartile ranges); date columns
into years. Identifier-like columns (zip and postal codes, phone prefixes,
anything named ``*_id`` or ``*code``, or holding numbers with leading zeros)
stay categorical: their digits name places and people, they do not measure.
Missing values form their own ``unknown`` group; a value that is present but
does not fit the column's kind (a Canadian postcode among US zip codes, a
"declined" among incomes) keeps its own text and is never called missing.

Work is done on blocks of columns with array operations, so a users file with
thousands of attribute columns is banded in seconds.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fairrec_core.data.timestamps import parse_timestamps
from fairrec_core.data.validation import Issue, example_rows

__all__ = ["AGE_EDGES", "UNKNOWN", "band_user_attributes", "identifier_like",
           "parse_timestamps"]

UNKNOWN = "unknown"
AGE_EDGES = (18, 25, 35, 45, 55)  # marketing's usual bands: under 18, 18-24, ..., 55+
_AGE_NAMES = np.array(["under 18"] + [f"{a}-{b - 1}" for a, b in pairwise(AGE_EDGES)]
                      + [f"{AGE_EDGES[-1]}+"], dtype=object)
_DATE_WORDS = frozenset({"date", "time", "since", "at", "on", "joined", "signup", "registered",
                         "created", "birthday", "dob", "timestamp", "ts", "day"})
_DATE_HINTS_CJK = ("日期", "时间")
_ID_TOKENS = frozenset({"id", "ids", "uuid", "guid", "zip", "zipcode", "postcode", "postalcode",
                        "postal", "plz", "cep", "pincode", "phone", "tel", "telephone",
                        "mobile", "fax", "prefix", "areacode", "dialcode", "code", "ssn",
                        "iban", "ean", "upc", "isbn", "sku"})
_ID_HINTS_CJK = ("邮编", "邮政编码", "电话", "手机", "区号", "编号", "编码", "代码", "号码")
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_LEADING_ZERO = r"^[+-]?0\d"
# 2023-03-05, 05/03/2023, 2023年3月, Mar 5, 2023, 5 March 2023: worth a full date parse.
_DATE_LIKE = (r"\d{1,4}[-/.年]\d{1,2}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
              r"|\d{1,2} [A-Za-z]{3,9}\.? \d{4}")
_BLOCK_CELLS = 1 << 21  # cells per block of columns: bounds the temporary arrays
MAX_MISSING_WARNINGS = 20  # one warning per column up to this many, then one summary


def _words(column: str) -> set[str]:
    """Words of a column name: ``zip_code``, ``ZipCode`` and ``zipCode`` give zip, code."""
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(column))}


def _date_named(column: str) -> bool:
    return bool(_words(column) & _DATE_WORDS) or any(h in str(column) for h in _DATE_HINTS_CJK)


def identifier_like(column: str) -> bool:
    """Whether a column's name says it holds codes or ids, not quantities.

    The name is split into words (``zip_code``, ``ZipCode``, ``phonePrefix``);
    a word such as ``id``, ``zip``, ``postcode``, ``phone``, ``prefix`` or
    ``code`` marks an identifier. ``paid`` or ``valid`` do not.
    """
    return bool(_words(column) & _ID_TOKENS) or any(h in str(column) for h in _ID_HINTS_CJK)


def band_user_attributes(frame, mapping, ids, user_index, name, report):
    """Audit-ready user groups and the raw numeric attributes.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        The users file as text.
    mapping : ColumnMapping
        Its column roles; ``mapping.attributes`` are banded.
    ids : dict
        ``{"user": Series}``, the cleaned user ids of ``frame``'s rows.
    user_index : pandas.Index
        All user ids, in dense order.
    name : str
        The file name for messages.
    report : ValidationReport
        Receives the warnings (missing values, text in numeric columns).

    Returns
    -------
    users : pandas.DataFrame
        One text column of group labels per attribute, one row per user.
    numeric : pandas.DataFrame
        The numeric (and date, as unix seconds) attributes' raw values.
    """
    index = pd.RangeIndex(len(user_index))
    if frame is None or not mapping.attributes:
        return pd.DataFrame(index=index), pd.DataFrame(index=index)
    pos = user_index.get_indexer(pd.Index(ids["user"].astype(object)))
    ok = pos >= 0
    wanted = set(mapping.attributes)
    # Column access by name costs a Series each; one pass over the frame is cheaper.
    arrays = {c: _arrow_text(s) for c, s in frame.items() if c in wanted}
    attrs = list(mapping.attributes)
    step = max(1, _BLOCK_CELLS // max(len(frame), 1))
    labels, numeric, odd = [], [], []
    for start in range(0, len(attrs), step):
        block = attrs[start:start + step]
        lab, num, txt = _band_block([arrays[c] for c in block], block, frame)
        full = np.full((len(user_index), len(block)), UNKNOWN, dtype=object)
        full[pos[ok]] = lab[ok]
        labels.append(full)
        if num:
            v = np.full((len(user_index), len(num)), np.nan)
            v[pos[ok]] = np.column_stack(list(num.values()))[ok]
            numeric.append(pd.DataFrame(v, index=index, columns=list(num)))
        odd += txt
    table = np.hstack(labels)
    _report(attrs, (table == UNKNOWN).sum(0), odd, frame, name, report)
    users = pd.DataFrame(table, index=index, columns=attrs, dtype=object)
    return users, (pd.concat(numeric, axis=1) if numeric else pd.DataFrame(index=index))


def _arrow_text(values: pd.Series) -> pa.Array:
    try:
        return pa.array(values.array, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a frame not read from text: numbers etc.
        return pa.array(values.astype(object).where(values.notna(), None).map(
            lambda v: v if v is None else str(v)), type=pa.large_string())


def _band_block(arrays: list, cols: list[str], frame: pd.DataFrame):
    """Labels (rows x columns), numeric values by column, and text cells in numeric columns."""
    n, m = len(frame), len(cols)
    # One Arrow array of all cells, column after column: every test below is one call.
    flat = pa.chunked_array(arrays, type=pa.large_string()).combine_chunks()
    text = pc.utf8_trim_whitespace(flat)
    present = pc.fill_null(pc.not_equal(text, ""), False)
    is_num = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    zero = pc.fill_null(pc.match_substring_regex(text, _LEADING_ZERO), False)
    num: np.ndarray = np.full(n * m, np.nan)
    num_mask = is_num.to_numpy(zero_copy_only=False)
    num[num_mask] = pc.cast(pc.filter(text, is_num), pa.float64()).to_numpy()
    num_mask &= np.isfinite(num)  # "1e400" overflows: text, not a quantity
    num[~num_mask] = np.nan
    present = present.to_numpy(zero_copy_only=False).reshape(m, n)
    num = num.reshape(m, n)
    num_mask = num_mask.reshape(m, n)
    strings = np.where(present, text.to_numpy(zero_copy_only=False).reshape(m, n), UNKNOWN)

    n_present = present.sum(1)
    n_num = num_mask.sum(1)
    srt = np.sort(num, axis=1)  # NaN last: distinct values are the steps between them
    n_distinct = (np.diff(srt, axis=1) != 0).sum(1) - np.isnan(srt[:, 1:]).sum(1) + (n_num > 0)
    is_age = np.array(["age" in _words(c) or "年龄" in c for c in cols])
    ident = (np.array([identifier_like(c) for c in cols])
             | zero.to_numpy(zero_copy_only=False).reshape(m, n).any(1))
    numeric = (~ident & (n_present > 0) & (n_num >= 0.95 * n_present)
               & (is_age | (n_distinct > 5)))

    labels = strings.copy()
    values: dict[str, np.ndarray] = {}
    odd = []
    quart = np.flatnonzero(numeric & ~is_age)
    qs_of: dict = dict(zip(quart.tolist(), _quartiles(srt[quart], n_num[quart])))
    for j in np.flatnonzero(numeric):
        v = num[j]
        banded = _age_bands(v) if is_age[j] else _quartile_bands(v, qs_of[j])
        labels[j] = np.where(num_mask[j], banded, strings[j])
        values[cols[j]] = v
        if (present[j] & ~num_mask[j]).any():
            odd.append((cols[j], present[j] & ~num_mask[j]))
    dated_named = np.array([_date_named(c) for c in cols])
    candidates = np.flatnonzero(~numeric & (n_present > 0) & dated_named)
    if candidates.size:  # cheap screen first: full date parsing is slow on free text
        looks = pc.fill_null(pc.match_substring_regex(text, _DATE_LIKE), False)
        looks = looks.to_numpy(zero_copy_only=False).reshape(m, n)
        share = (looks & present).sum(1) / np.maximum(n_present, 1)
        candidates = candidates[share[candidates] >= 0.95]
    for j in candidates:
        dated = _years(frame[cols[j]], present[j], strings[j])
        if dated is not None:
            labels[j], values[cols[j]] = dated
    return labels.T, values, odd


def _quartiles(srt: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Min, quartiles and max of each row of sorted values (NaN last), numpy's linear rule.

    ``np.nanquantile(axis=1)`` loops over rows in Python; the sorted rows give
    the same numbers with a few array operations.
    """
    if not len(srt):
        return np.empty((0, 5))
    at = np.array([0, 0.25, 0.5, 0.75, 1.0])[None, :] * (counts[:, None] - 1)
    lo = np.floor(at).astype(np.int64)
    hi = np.minimum(lo + 1, counts[:, None] - 1)
    low = np.take_along_axis(srt, lo, axis=1)
    high = np.take_along_axis(srt, hi, axis=1)
    return low + (high - low) * (at - lo)


def _age_bands(v: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(np.asarray(AGE_EDGES, dtype=np.float64), np.nan_to_num(v),
                          side="right")
    return _AGE_NAMES[idx]


def _quartile_bands(v: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Quartile-range labels; bins are right-closed, as ``pandas.cut`` makes them."""
    qs = np.unique(quantiles)
    if qs.size < 2:
        return np.array([f"{x:g}" for x in np.nan_to_num(v)], dtype=object)
    names = np.array([f"{qs[i]:g}-{qs[i + 1]:g}" for i in range(qs.size - 1)], dtype=object)
    return names[np.searchsorted(qs[1:-1], np.nan_to_num(v), side="left")]


def _years(raw: pd.Series, present: np.ndarray, strings: np.ndarray):
    """Year labels of a date column, or None when its values are mostly not dates."""
    secs, bad = parse_timestamps(raw.str.strip(), allow_missing=True)
    if (~bad[present]).mean() < 0.95:
        return None
    good = secs >= 0
    years = np.datetime_as_string(secs[good].astype("datetime64[s]"), unit="Y")
    labels = strings.copy()
    labels[good] = years.astype(object)
    return labels, np.where(good, secs, np.nan).astype(np.float64)


def _report(attrs: list, missing: np.ndarray, odd: list, frame: pd.DataFrame, name: str,
            report) -> None:
    cols = [(c, int(k)) for c, k in zip(attrs, missing) if k]
    for col, k in cols[:MAX_MISSING_WARNINGS]:
        report.add(Issue.warning(name, col, "missing_attribute",
                                 f"{k} user(s) have no {col}; they form the group "
                                 f"'{UNKNOWN}'.", count=k))
    if len(cols) > MAX_MISSING_WARNINGS:
        rest = cols[MAX_MISSING_WARNINGS:]
        report.add(Issue.warning(name, None, "missing_attribute",
                                 f"{len(rest)} more column(s) have users without a value "
                                 f"(e.g. {', '.join(c for c, _ in rest[:5])}); they form the "
                                 f"group '{UNKNOWN}' in each.", count=len(rest)))
    for col, mask in odd[:MAX_MISSING_WARNINGS]:
        rows, k = example_rows(mask)
        report.add(Issue.warning(name, col, "non_numeric_attribute",
                                 f"{k} user(s) have a non-numeric {col} (e.g. "
                                 f"'{str(frame[col][mask].iloc[0]).strip()[:40]}') in a numeric "
                                 "column; they keep that text as their group.",
                                 count=k, rows=rows))
