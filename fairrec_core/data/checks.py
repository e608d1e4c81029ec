"""Checks on values that parse but cannot be trusted: ratings and look-alike ids.

Ratings: a rating must be a finite number within ``MAX_ABS_RATING``; negative
ratings are allowed (some scales run -10..10) but warned about. The automatic
positive threshold (80% of the highest rating) must leave at least
``MIN_POSITIVE_SHARE`` of the rows positive, so that one outlier cannot switch
the audit off; an explicit threshold is the analyst's choice and is used as given.

Ids: two ids that differ only by invisible characters (zero-width, bidi
controls, byte-order marks), letter case or character width are most likely
one customer or product typed twice; they are kept apart, with a warning.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from fairrec_core.data.validation import Issue, example_rows
from fairrec_core.errors import ConfigError

MAX_ABS_RATING = 1e6
MIN_POSITIVE_SHARE = 0.05
# Unicode's format characters (category Cf, Unicode 14) plus the blank fillers
# and joiners that render as nothing.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def check_threshold(value) -> float | None:
    """A rating threshold from the user, as a finite float (or None).

    Raises
    ------
    ConfigError
        When it is not a number or not finite (inf or nan would mark every
        or no rating as positive).
    """
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"rating_threshold must be a number; got '{value}'.") from None
    if not math.isfinite(v):
        raise ConfigError(f"rating_threshold must be a finite number; got {v}.")
    return v


def check_ratings(rating: np.ndarray, raw: pd.Series, *, name: str, column: str,
                  threshold: float | None, report) -> tuple[float | None, np.ndarray | None]:
    """Validate a rating column; returns the threshold and the positive mask.

    Parameters
    ----------
    rating : ndarray of float
        The column as numbers (NaN where empty or not a number).
    raw : pandas.Series
        The column as text, for examples in messages.
    threshold : float or None
        The user's threshold, already checked by :func:`check_threshold`;
        None for the automatic one (4 on a 0-5 scale, else 80% of the maximum).

    Returns
    -------
    threshold, positive
        ``(None, None)`` when an error was reported.
    """
    n_errors = len(report.errors)
    for mask, code, what in (
            (np.isnan(rating), "non_numeric", "an empty or non-numeric rating"),
            (np.isinf(rating), "non_finite_rating", "an infinite rating"),
            (np.isfinite(rating) & (np.abs(rating) > MAX_ABS_RATING), "implausible_rating",
             f"a rating beyond ±{MAX_ABS_RATING:,.0f}")):
        if mask.any():
            rows, k = example_rows(mask)
            report.add(Issue.error(name, column, code,
                                   f"{k} row(s) have {what} (e.g. '{raw[mask].iloc[0]}'); "
                                   "ratings must be finite numbers on one scale.",
                                   count=k, rows=rows))
    if len(report.errors) > n_errors:
        return None, None
    lo, hi = float(rating.min()), float(rating.max())
    auto = threshold is None
    if auto:
        threshold = 4.0 if hi <= 5 and lo >= 0 else 0.8 * hi
    positive = rating >= threshold
    neg = rating < 0
    if neg.any():
        rows, k = example_rows(neg)
        report.add(Issue.warning(name, column, "negative_rating",
                                 f"{k} row(s) have a negative rating (e.g. {rating[neg][0]:g}); "
                                 f"they count as not relevant (positive = rating >= "
                                 f"{threshold:g}). If the scale has no negative values, fix "
                                 "those rows.", count=k, rows=rows))
    if not positive.any():
        report.add(Issue.error(name, column, "no_positives",
                               f"No rating reaches the positive threshold {threshold:g} "
                               f"(ratings range {lo:g}-{hi:g}); set rating_threshold.",
                               count=len(rating)))
        return None, None
    share = float(positive.mean())
    if auto and not (hi <= 5 and lo >= 0) and share < MIN_POSITIVE_SHARE:
        rows, k = example_rows(positive)
        report.add(Issue.error(
            name, column, "few_positives",
            f"Only {k} of {len(rating):,} rows ({share:.1%}) reach the automatic positive "
            f"threshold, 80% of the highest rating ({hi:g}), because a few ratings lie far "
            f"above the rest (median {float(np.median(rating)):g}). Fix those rows, or set "
            "rating_threshold (CLI: --rating-threshold).", count=k, rows=rows))
        return None, None
    return threshold, positive


def confusable_ids(ids: pd.Index, *, name: str, column: str, role: str, report,
                   limit: int = 3) -> None:
    """Warn about ids that differ only by invisible characters, case or width."""
    if len(ids) < 2:
        return
    text = pd.Series(ids.astype(str), dtype=object)
    key = text.str.lower()
    odd = ~text.str.isascii().to_numpy()
    if odd.any():  # only non-ASCII ids can hide invisible or wide characters
        key[odd] = (text[odd].str.normalize("NFKC").str.replace(INVISIBLE, "", regex=True)
                    .str.casefold())
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    groups = text[dup].groupby(key[dup].to_numpy(), sort=False).agg(list)
    shown = "; ".join(" and ".join(show_id(v) for v in g[:3]) for g in groups.iloc[:limit])
    report.add(Issue.warning(
        name, column, "confusable_ids",
        f"{len(groups)} group(s) of {role} ids differ only by invisible characters, letter "
        f"case or character width ({shown}); they are kept as different {role}s. If each "
        f"group is one {role}, clean the ids in the export.", count=len(groups)))


def show_id(value: str) -> str:
    """An id in quotes with invisible and non-printable characters escaped."""
    out = []
    for ch in value:
        if ch.isprintable() and not INVISIBLE.match(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return "'" + "".join(out) + "'"
