"""Named pass / warn / fail checks with thresholds and one plain sentence each.

Checks read the tidy tables of :class:`~fairrec_core.metrics.result.FairnessResult`
(``user_gaps`` and ``item_groups``), so they can be re-run with other
thresholds without recomputing any metric.

Default rule: the four-fifths rule. A ratio (worst group / best group for
users; exposure relative to merit for item groups) below 0.8 fails, below 0.9
warns. The point estimate decides the status; the interval is reported beside
it so a reader can see how firm the verdict is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from ._validate import MetricsInputError
from .ranking import RANKING_METRICS

#: Possible values of :attr:`Check.status`.
CHECK_STATUSES = ("pass", "warn", "fail", "insufficient_data")
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


def ratio_status(ratio: float, *, fail: float, warn: float) -> str:
    """``fail`` below ``fail``, ``warn`` below ``warn``, else ``pass``; NaN is insufficient."""
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
    status = ratio_status(ratio, fail=thresholds.ratio_fail, warn=thresholds.ratio_warn)
    lo, hi = float(row["ratio_ci_low"]), float(row["ratio_ci_high"])
    if status == "insufficient_data" or row.get("status") == "insufficient_data":
        status = "insufficient_data"
        reason = row.get("reason") or "the ratio is undefined"
        message = f"{label} across {grouping} is not judged: {reason}."
    else:
        worst, best = row["worst_group"], row["best_group"]
        gap = 1.0 - ratio
        if abs(gap) < 0.0005:
            message = (f"Users with {grouping} \"{worst}\" and \"{best}\" receive the same "
                       f"{label} ({_pct_interval(1 - hi, 1 - lo, level)} for the gap).")
        else:
            message = (f"Users with {grouping} \"{worst}\" receive {_pct(gap)}% lower {label} "
                       f"than users with {grouping} \"{best}\" "
                       f"({_pct_interval(1 - hi, 1 - lo, level)}).")
    return Check(name=name, kind="user_gap", grouping=grouping, metric=metric, status=status,
                 value=ratio, ci_low=lo, ci_high=hi, threshold_fail=thresholds.ratio_fail,
                 threshold_warn=thresholds.ratio_warn, message=message)


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
    common = dict(name=name, kind="provider_exposure", grouping=grouping, metric=metric,
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
    lo, hi = float(row[f"{col}_ci_low"]), float(row[f"{col}_ci_high"])
    status = ratio_status(ratio, fail=thresholds.provider_ratio_fail,
                          warn=thresholds.provider_ratio_warn)
    basis = ("their share of held-out positives" if thresholds.provider_basis == "merit"
             else "their share of the catalogue")
    ci = (f"{level * 100:g}% CI {lo:.2f}\u2013{hi:.2f}"
          if math.isfinite(lo) and math.isfinite(hi) else f"{level * 100:g}% CI not available")
    message = (f"Items with {grouping} \"{row['group']}\" receive {ratio:.2f}\u00d7 the exposure "
               f"{basis} warrants ({ci}), the lowest of {int(judged.sum())} groups judged.")
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
