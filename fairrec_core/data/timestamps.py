"""Timestamps: unix s/ms/us/ns numbers or date-time text to unix seconds, with checks.

Plausible years for e-commerce logs are 1990-2100 (``YEAR_MIN``, ``YEAR_MAX``):
times outside are read but warned about. A column mostly in one unit with some
values in another (seconds with a few milliseconds) is an error, because no
single reading of it is right; the rows in the minority unit are named.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairrec_core.data.reading import as_float
from fairrec_core.data.validation import Issue, example_rows

YEAR_MIN, YEAR_MAX = 1990, 2100
_LO = 631_152_000        # 1990-01-01T00:00:00Z
_HI = 4_133_980_800      # 2101-01-01T00:00:00Z
_UNIT_NAMES = {1.0: "seconds", 1e3: "milliseconds", 1e6: "microseconds", 1e9: "nanoseconds"}
# Seconds that numpy's datetime64[s] and int64 hold with room to spare (year ~ 292 billion).
_INT_SAFE = 9.0e18


@dataclass
class TimestampReading:
    """What :func:`read_timestamps` found in one column.

    Attributes
    ----------
    seconds : ndarray of int64
        Unix seconds; ``-1`` where missing, unreadable or before 1970.
    bad : ndarray of bool
        Unreadable values (and missing ones unless missing was allowed).
    mixed : ndarray of bool
        Numbers whose magnitude says another unit than the column's, and that
        read as a plausible time in that unit (e.g. milliseconds among seconds).
    out_of_range : ndarray of bool
        Readable times outside ``YEAR_MIN``-``YEAR_MAX``.
    unit : str or None
        The column's unit when it is numeric (``"seconds"``, ...), else None.
    year_min : int
        The earliest year taken as plausible.
    """

    seconds: np.ndarray
    bad: np.ndarray
    mixed: np.ndarray
    out_of_range: np.ndarray
    unit: str | None = None
    year_min: int = YEAR_MIN


def parse_timestamps(values: pd.Series, *, allow_missing: bool = False):
    """Unix seconds (int64) from unix s/ms/us/ns numbers or date-time text.

    Returns
    -------
    seconds : ndarray of int64
        ``-1`` where a value is missing or unreadable.
    bad : ndarray of bool
        Unreadable values, plus missing ones unless ``allow_missing``.
    """
    r = read_timestamps(values, allow_missing=allow_missing)
    return r.seconds, r.bad


def read_timestamps(values: pd.Series, *, allow_missing: bool = False,
                    year_min: int = YEAR_MIN) -> TimestampReading:
    """Read one timestamp column and flag mixed units and implausible years.

    Parameters
    ----------
    values : pandas.Series of str
        The column as text.
    allow_missing : bool
        Whether an empty cell is acceptable (it is not ``bad`` then).
    year_min : int
        Earliest plausible year (1970 at the lowest); later than ``YEAR_MAX``
        is always implausible.
    """
    present = values.notna().to_numpy()
    num = as_float(values)
    finite = np.isfinite(num)
    n = len(values)
    out = np.full(n, -1, dtype=np.int64)
    mixed = np.zeros(n, dtype=bool)
    unit = None
    if present.any() and int((~np.isnan(num)).sum()) >= 0.5 * present.sum():
        # Mostly numbers: the column's unit comes from its median, each value's from itself.
        scale = _unix_scale(np.median(np.abs(num[finite])) if finite.any() else 0.0)
        unit = _UNIT_NAMES[scale]
        secs = np.where(finite, num, 0.0) / scale
        ok = finite & (np.abs(secs) < _INT_SAFE)
        out[ok] = secs[ok].astype(np.int64)
        own = _unix_scale(np.abs(np.where(finite, num, 0.0)))
        own_secs = np.where(finite, num, 0.0) / own
        mixed = (ok & (own != scale) & _plausible(own_secs)
                 & ~_plausible(secs))
    else:
        parsed = pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce")
        retry = parsed.isna().to_numpy() & present
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(values[retry], format="mixed", utc=True,
                                           errors="coerce")
        ok = parsed.notna().to_numpy()
        out[ok] = parsed[ok].dt.as_unit("s").astype("int64").to_numpy()
    # A genuine timestamp before 1970 is implausible for e-commerce logs.
    bad = present & (out < 0) if allow_missing else (out < 0)
    lo = _year_start(year_min)
    out_of_range = (out >= 0) & ~mixed & ((out < lo) | (out >= _HI))
    return TimestampReading(out, bad, mixed, out_of_range, unit, year_min)


def timestamp_issues(reading: TimestampReading, raw: pd.Series, *, name: str, column: str,
                     severity_bad: str = "error", what: str = "timestamp") -> list[Issue]:
    """Issues for one column read by :func:`read_timestamps`, each naming rows.

    Mixed units are errors; out-of-range years are warnings; unreadable
    values are errors for interactions and warnings (``severity_bad``) where
    the value is optional.
    """
    issues = []
    make_bad = Issue.error if severity_bad == "error" else Issue.warning
    if reading.bad.any():
        rows, k = example_rows(reading.bad)
        example = raw[reading.bad].iloc[0]
        shown = "an empty cell" if pd.isna(example) else f"'{str(example)[:40]}'"
        tail = ("use unix seconds or milliseconds, or ISO-8601 dates (years 1970-2261)."
                if severity_bad == "error" else "left empty.")
        issues.append(make_bad(name, column, "bad_timestamp",
                               f"{k} row(s) have an empty, unreadable or pre-1970 {what} "
                               f"(e.g. {shown}); {tail}", count=k, rows=rows))
    if reading.mixed.any():
        rows, k = example_rows(reading.mixed)
        first = float(as_float(raw[reading.mixed].iloc[:1])[0])
        minority = _UNIT_NAMES[_unix_scale(abs(first))]
        issues.append(Issue.error(
            name, column, "mixed_timestamp_units",
            f"{k} row(s) have {what}s in {minority} while the rest of the column is in "
            f"{reading.unit} (e.g. '{str(raw[reading.mixed].iloc[0])[:40]}'); one column "
            "must use one unit. Convert those rows.", count=k, rows=rows))
    if reading.out_of_range.any():
        rows, k = example_rows(reading.out_of_range)
        first = int(reading.seconds[reading.out_of_range][0])
        issues.append(Issue.warning(
            name, column, "timestamp_out_of_range",
            f"{k} row(s) have {what}s outside the years {reading.year_min}-{YEAR_MAX} (e.g. "
            f"{format_seconds(first)}); check the export's unit and clock.",
            count=k, rows=rows))
    return issues


def format_seconds(seconds: int, *, date_only: bool = False) -> str:
    """A unix time as ISO text, for any year numpy can hold (no pandas range limit)."""
    stamp = np.datetime64(int(seconds), "s")
    return str(stamp.astype("datetime64[D]")) if date_only else str(stamp).replace("T", " ")


def _year_start(year: int) -> int:
    return int(np.datetime64(f"{year:04d}-01-01", "s").astype(np.int64))


def _plausible(seconds: np.ndarray) -> np.ndarray:
    return (seconds >= _LO) & (seconds < _HI)


def _unix_scale(magnitude):
    """Seconds per unit implied by a unix time's magnitude (scalar or array)."""
    m = np.asarray(magnitude, dtype=np.float64)
    scale = np.select([m > 1e17, m > 1e14, m > 1e11], [1e9, 1e6, 1e3], default=1.0)
    return float(scale) if scale.ndim == 0 else scale
