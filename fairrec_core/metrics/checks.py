"""Named pass / warn / fail checks with thresholds and one plain sentence each.

Checks read the tidy tables of :class:`~fairrec_core.metrics.result.FairnessResult`
(``user_gaps`` and ``item_groups``), so they can be re-run with other
thresholds without recomputing any metric.

Default thresholds: the four-fifths rule. A ratio (worst group / best group
for users; the lowest exposure relative to merit for item groups) below 0.8
fails, below 0.9 warns. The *interval* decides, not the point estimate
(:func:`interval_status`): a check fails only when the whole interval lies
below the fail threshold, warns only when it lies below the warning
threshold, passes only when it lies at or above the warning threshold, and
is ``inconclusive`` when it straddles the warning threshold ("the data cannot
tell"). The intervals are simultaneous over the judged groups
(:func:`~fairrec_core.metrics.bootstrap.gap_band`,
:func:`~fairrec_core.metrics.bootstrap.min_ratio_band`), so picking the most
extreme groups does not manufacture a gap: when the true ratio is at or above
the fail threshold, a FAIL happens with probability at most 5% (2.5% with
two groups; under 1% in the simulations of tests/test_verdict_simulation.py and
benchmarks/bench_verdicts.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ._validate import MetricsInputError
from .ranking import RANKING_METRICS

#: Possible values of :attr:`Check.status`.
CHECK_STATUSES = ("pass", "warn", "fail", "inconclusive", "insufficient_data")
#: Column order of the checks table.
CHECK_COLUMNS = ("name", "kind", "grouping", "metric", "status", "value", "ci_low", "ci_high",
                 "threshold_fail", "threshold_warn", "message")

_DISPLAY = {"precision": "Precision", "recall": "Recall", "hr": "HR", "mrr": "MRR",
            "ndcg": "NDCG", "ap": "AP"}


@dataclass(frozen=True)
class Thresholds:
    """Check thresholds; validated, and serialisable with :meth:`to_dict`.

    Attributes
    ----------
    ratio_fail, ratio_warn : float
        User side: worst/best group ratio below ``ratio_fail`` fails, below
        ``ratio_warn`` warns (default 0.8 / 0.9, the four-fifths rule).
    user_metrics : tuple of str
        Ranking metrics checked for every user grouping (default NDCG).
    provider_ratio_fail, provider_ratio_warn : float
        Provider side: the lowest group's exposure ratio below these fails / warns.
    provider_basis : {"merit", "catalog"}
        ``merit`` judges ES/RS (exposure proportional to held-out relevance),
        ``catalog`` judges ES/CS (exposure proportional to catalogue share).
    """

    ratio_fail: float = 0.8
    ratio_warn: float = 0.9
    user_metrics: tuple[str, ...] = ("ndcg",)
    provider_ratio_fail: float = 0.8
    provider_ratio_warn: float = 0.9
    provider_basis: str = "merit"

    def __post_init__(self):
        for lo, hi, what in ((self.ratio_fail, self.ratio_warn, "user"),
                             (self.provider_ratio_fail, self.provider_ratio_warn, "provider")):
            if not 0.0 < lo <= hi <= 1.0:
                raise MetricsInputError(
                    f"The {what} thresholds must satisfy 0 < fail <= warn <= 1, got "
                    f"fail={lo}, warn={hi}.")
        metrics = tuple(self.user_metrics)
        bad = [m for m in metrics if m not in RANKING_METRICS]
        if bad or not metrics:
            raise MetricsInputError(
                f"Checked user metrics must be among {', '.join(RANKING_METRICS)} "
                f"(higher is better), got {list(metrics)}.")
        object.__setattr__(self, "user_metrics", metrics)
        if self.provider_basis not in ("merit", "catalog"):
            raise MetricsInputError(
                f"provider_basis must be 'merit' or 'catalog', got {self.provider_basis!r}.")

    def to_dict(self) -> dict:
        """Plain dict (TOML/JSON friendly)."""
        d = asdict(self)
        d["user_metrics"] = list(self.user_metrics)
        return d

    @classmethod
    def from_dict(cls, data: Mapping) -> Thresholds:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise MetricsInputError(f"Unknown threshold setting(s): {', '.join(sorted(unknown))}.")
        data = dict(data)
        if "user_metrics" in data:
            data["user_metrics"] = tuple(data["user_metrics"])
        return cls(**data)


@dataclass(frozen=True)
class Check:
    """One verdict. ``value`` and the interval are the judged ratio."""

    name: str
    kind: str
    grouping: str
    metric: str
    status: str
    value: float
    ci_low: float
    ci_high: float
    threshold_fail: float
    threshold_warn: float
    message: str


def interval_status(low: float, high: float, *, fail: float, warn: float) -> str:
    """Status of a ratio from its confidence interval ``[low, high]``.

    ``fail`` when ``high < fail``; ``warn`` when ``high < warn``; ``pass``
    when ``low >= warn``; otherwise (the interval contains the warning
    threshold) ``inconclusive``. NaN bounds give ``inconclusive`` too: the
    ratio exists but nothing says how firm it is. Error rate: with a
    simultaneous band at ``level`` over G groups, a true ratio at or above a
    threshold is declared below it with probability at most 1 − ``level``
    ((1 − ``level``) / 2 when G = 2).
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if high < fail:
        return "fail"
    if high < warn:
        return "warn"
    if low >= warn:
        return "pass"
    return "inconclusive"


def ratio_status(ratio: float, *, fail: float, warn: float) -> str:
    """The point-estimate rule (before intervals decided), kept for comparison.

    ``fail`` below ``fail``, ``warn`` below ``warn``, else ``pass``; NaN is
    insufficient. Verdicts use :func:`interval_status`;
    benchmarks/bench_verdicts.py shows how often this rule cries wolf.
    """
    if ratio is None or not math.isfinite(ratio):
        return "insufficient_data"
    if ratio < fail:
        return "fail"
    if ratio < warn:
        return "warn"
    return "pass"


def _pct(x: float) -> str:
    # Whole percents read best; gaps under 10% keep one decimal so a small
    # interval does not collapse to "0–0%".
    v = x * 100
    text = f"{v:.1f}" if 0 < abs(v) < 9.95 else f"{v:.0f}"
    return text.replace("-", "\u2212")


def _pct_interval(lo: float, hi: float, level: float) -> str:
    lab = f"{level * 100:g}% CI"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{lab} not available"
    if lo >= 0:
        return f"{lab} {_pct(lo)}\u2013{_pct(hi)}%"
    return f"{lab} {_pct(lo)}% to {_pct(hi)}%"


def metric_label(metric: str, k: int) -> str:
    """Display name such as ``NDCG@10``."""
    return f"{_DISPLAY.get(metric, metric)}@{k}"


def user_gap_check(row: Mapping, *, thresholds: Thresholds, k: int,
                   level: float = 0.95) -> Check:
    """Check one (grouping, metric) row of the ``user_gaps`` table.

    The sentence states the relative gap 1 − ratio between the worst and the
    best judged group, with its interval.
    """
    grouping, metric = row["grouping"], row["metric"]
    name = f"user_gap:{grouping}:{metric}"
    label = metric_label(metric, k)
    ratio = float(row["ratio"])
    lo, hi = float(row["ratio_ci_low"]), float(row["ratio_ci_high"])
    if not math.isfinite(ratio) or row.get("status") == "insufficient_data":
        status = "insufficient_data"
        reason = row.get("reason") or "the ratio is undefined"
        message = f"{label} across {grouping} is not judged: {reason}."
    else:
        status = interval_status(lo, hi, fail=thresholds.ratio_fail, warn=thresholds.ratio_warn)
        message = _user_sentence(row, status, label, ratio, lo, hi, thresholds, level)
    return Check(name=name, kind="user_gap", grouping=grouping, metric=metric, status=status,
                 value=ratio, ci_low=lo, ci_high=hi, threshold_fail=thresholds.ratio_fail,
                 threshold_warn=thresholds.ratio_warn, message=message)


def _user_sentence(row, status, label, ratio, lo, hi, thresholds, level) -> str:
    grouping, worst, best = row["grouping"], row["worst_group"], row["best_group"]
    gap = 1.0 - ratio
    ci = _pct_interval(1 - hi, 1 - lo, level)
    if status == "inconclusive":
        where = (f"anywhere from {_pct(1 - hi)}% to {_pct(1 - lo)}%" if math.isfinite(lo)
                 and math.isfinite(hi) else "unknown: no interval is available")
        return (f"The data cannot tell whether {label} differs across {grouping} by more than "
                f"{_pct(1 - thresholds.ratio_warn)}%: users with {grouping} \"{worst}\" receive "
                f"{_pct(gap)}% lower {label} than users with {grouping} \"{best}\", but the "
                f"largest gap between groups could be {where} ({level * 100:g}% CI). More users "
                "per group would narrow it.")
    if abs(gap) < 0.0005:
        return (f"Users with {grouping} \"{worst}\" and \"{best}\" receive the same "
                f"{label} ({ci} for the largest gap).")
    return (f"Users with {grouping} \"{worst}\" receive {_pct(gap)}% lower {label} "
            f"than users with {grouping} \"{best}\" ({ci}).")


def provider_check(grouping: str, rows: pd.DataFrame, *, thresholds: Thresholds,
                   min_group_size: int, level: float = 0.95) -> Check:
    """Check one item grouping from its rows of the ``item_groups`` table.

    The lowest exposure ratio among judged groups decides. Under the merit
    basis a group is judged when it holds at least ``min_group_size``
    held-out positives (fewer make its merit share too noisy).
    """
    col = "es_rs_ratio" if thresholds.provider_basis == "merit" else "es_cs_ratio"
    metric = col
    name = f"provider_exposure:{grouping}"
    ratios = rows[col].to_numpy(dtype=np.float64)
    judged = np.isfinite(ratios)
    if thresholds.provider_basis == "merit":
        judged &= rows["n_relevant"].to_numpy() >= min_group_size
    common: dict[str, Any] = dict(
        name=name, kind="provider_exposure", grouping=grouping, metric=metric,
        threshold_fail=thresholds.provider_ratio_fail,
        threshold_warn=thresholds.provider_ratio_warn)
    if len(rows) < 2 or judged.sum() < 2:
        if len(rows) < 2:
            why = f"all items are in one group of {grouping}"
        elif thresholds.provider_basis == "merit":
            why = (f"fewer than two groups of {grouping} hold at least {min_group_size} "
                   "held-out positives")
        else:
            why = f"fewer than two groups of {grouping} received a defined exposure ratio"
        return Check(status="insufficient_data", value=float("nan"), ci_low=float("nan"),
                     ci_high=float("nan"),
                     message=f"Exposure across {grouping} is not judged: {why}.", **common)
    j = np.flatnonzero(judged)[np.argmin(ratios[judged])]
    row = rows.iloc[j]
    ratio = float(ratios[j])
    if f"{col}_band_low" in rows:
        # The minimum over groups of simultaneous bands covers the lowest true ratio.
        # Any judged group without a band leaves the minimum unbounded: NaN.
        lo = float(np.min(rows[f"{col}_band_low"].to_numpy(dtype=float)[judged]))
        hi = float(np.min(rows[f"{col}_band_high"].to_numpy(dtype=float)[judged]))
    else:  # tables written before bands existed: the lowest group's own interval
        lo, hi = float(row[f"{col}_ci_low"]), float(row[f"{col}_ci_high"])
    status = interval_status(lo, hi, fail=thresholds.provider_ratio_fail,
                             warn=thresholds.provider_ratio_warn)
    basis = ("their share of held-out positives" if thresholds.provider_basis == "merit"
             else "their share of the catalogue")
    has_ci = math.isfinite(lo) and math.isfinite(hi)
    lab = f"{level * 100:g}% CI"
    ci = f"{lab} {lo:.2f}\u2013{hi:.2f}" if has_ci else f"{lab} not available"
    if status == "inconclusive":
        where = f"anywhere from {lo:.2f} to {hi:.2f}" if has_ci else "unknown"
        message = (f"The data cannot tell whether some {grouping} group receives less than "
                   f"{thresholds.provider_ratio_warn:g}\u00d7 the exposure {basis} warrants: "
                   f"items with {grouping} \"{row['group']}\" receive {ratio:.2f}\u00d7 here, "
                   f"but the lowest of {int(judged.sum())} groups judged could be {where} "
                   f"({level * 100:g}% CI).")
    else:
        message = (f"Items with {grouping} \"{row['group']}\" receive {ratio:.2f}\u00d7 the "
                   f"exposure {basis} warrants ({ci}), the lowest of {int(judged.sum())} "
                   "groups judged.")
    return Check(status=status, value=ratio, ci_low=lo, ci_high=hi, message=message, **common)


def run_checks(user_gaps: pd.DataFrame, item_groups: pd.DataFrame, *,
               thresholds: Thresholds | None = None, k: int = 10, min_group_size: int = 30,
               level: float = 0.95) -> pd.DataFrame:
    """All checks as a table (columns :data:`CHECK_COLUMNS`).

    Parameters
    ----------
    user_gaps, item_groups : pandas.DataFrame
        Tables of a :class:`~fairrec_core.metrics.result.FairnessResult`.
    thresholds : Thresholds, optional
    k : int
        Cut-off, for metric names in sentences.
    min_group_size : int
    level : float
        Confidence level of the intervals in the tables.

    Returns
    -------
    pandas.DataFrame
    """
    thresholds = thresholds or Thresholds()
    out: list[Check] = []
    if len(user_gaps):
        for _, row in user_gaps[user_gaps["metric"].isin(thresholds.user_metrics)].iterrows():
            out.append(user_gap_check(row, thresholds=thresholds, k=k, level=level))
    if len(item_groups):
        for grouping, rows in item_groups.groupby("grouping", sort=False):
            out.append(provider_check(grouping, rows.reset_index(drop=True),
                                      thresholds=thresholds, min_group_size=min_group_size,
                                      level=level))
    return checks_table(out)


def checks_table(checks) -> pd.DataFrame:
    """Checks as a DataFrame with the stable :data:`CHECK_COLUMNS`."""
    return pd.DataFrame([asdict(c) for c in checks], columns=list(CHECK_COLUMNS))
