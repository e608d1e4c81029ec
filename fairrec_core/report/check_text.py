"""Check sentences in the report's language.

The metrics engine writes each check's sentence in English
(:mod:`fairrec_core.metrics.checks`); that table stays the engine's record. For a
report in another language the sentence is written again from the same row and the
tables it came from, with the numbers formatted exactly as the English sentence
formats them, so every language states identical figures and intervals.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.report import text as T


def localised_checks(result) -> pd.DataFrame:
    """``result.fairness.checks`` with ``message`` in the report's language.

    English reports get the engine's table unchanged.
    """
    lang = T.lang_of(result)
    checks = result.fairness.checks
    if lang == "en" or checks.empty:
        return checks
    out = checks.copy()
    out["message"] = [check_sentence(row, result, lang) for _, row in checks.iterrows()]
    return out


def check_sentence(row, result, lang: str) -> str:
    """The sentence of one checks-table row in ``lang``."""
    if row["kind"] == "user_gap":
        return _user_sentence(row, result, lang)
    if row["kind"] == "provider_exposure":
        return _provider_sentence(row, result, lang)
    return str(row["message"])  # a kind this module does not know keeps the engine's text


def _pct(x: float) -> str:
    # The engine's format (metrics.checks._pct): whole percents, one decimal under 10%.
    v = x * 100
    text = f"{v:.1f}" if 0 < abs(v) < 9.95 else f"{v:.0f}"
    return text.replace("-", "\u2212")


def _pct_ci(lo: float, hi: float, level: str, lang: str) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return t("check.ci_none", lang, level=level)
    key = "check.ci" if lo >= 0 else "check.ci_signed"
    return t(key, lang, level=level, lo=_pct(lo), hi=_pct(hi))


def _user_sentence(row, result, lang: str) -> str:
    f = result.fairness
    level_f = float(f.params["ci_level"])
    level = f"{level_f * 100:g}"
    grouping = grouping_label(row["grouping"], lang)
    label = T.metric_name(row["metric"], result.k, lang)
    gap_row = f.user_gaps[(f.user_gaps["grouping"] == row["grouping"])
                          & (f.user_gaps["metric"] == row["metric"])]
    g = gap_row.iloc[0] if len(gap_row) else {}
    if row["status"] == "insufficient_data":
        reason = reason_text(g.get("reason") if len(gap_row) else "", lang) \
            or t("reason.ratio_undefined", lang)
        return t("check.user.not_judged", lang, label=label, grouping=grouping, reason=reason)
    worst = group_label(g.get("worst_group", ""), lang)
    best = group_label(g.get("best_group", ""), lang)
    ratio, lo, hi = float(row["value"]), float(row["ci_low"]), float(row["ci_high"])
    gap = 1.0 - ratio
    if row["status"] == "inconclusive":
        where = (t("check.where_range", lang, lo=_pct(1 - hi), hi=_pct(1 - lo))
                 if math.isfinite(lo) and math.isfinite(hi) else t("check.where_unknown", lang))
        return t("check.user.inconclusive", lang, label=label, grouping=grouping,
                 threshold=_pct(1 - float(row["threshold_warn"])), worst=worst, best=best,
                 gap=_pct(gap), where=where, level=level)
    ci = _pct_ci(1 - hi, 1 - lo, level, lang)
    if abs(gap) < 0.0005:
        return t("check.user.same", lang, grouping=grouping, worst=worst, best=best,
                 label=label, ci=ci)
    return t("check.user.gap", lang, grouping=grouping, worst=worst, best=best, gap=_pct(gap),
             label=label, ci=ci)


def _provider_sentence(row, result, lang: str) -> str:
    f = result.fairness
    level = f"{float(f.params['ci_level']) * 100:g}"
    grouping = grouping_label(row["grouping"], lang)
    col = row["metric"]
    merit = col == "es_rs_ratio"
    rows = f.item_groups[f.item_groups["grouping"] == row["grouping"]]
    min_size = int(f.params["min_group_size"])
    judged = np.isfinite(rows[col].to_numpy(dtype=np.float64)) if col in rows else np.zeros(0)
    if merit and len(judged):
        judged &= rows["n_relevant"].to_numpy() >= min_size
    if row["status"] == "insufficient_data":
        if len(rows) < 2:
            why = t("reason.one_group_items", lang, grouping=grouping)
        elif merit:
            why = t("reason.few_merit", lang, grouping=grouping, min=min_size)
        else:
            why = t("reason.few_defined", lang, grouping=grouping)
        return t("check.provider.not_judged", lang, grouping=grouping, reason=why)
    ratio, lo, hi = float(row["value"]), float(row["ci_low"]), float(row["ci_high"])
    # The engine names the judged group with the lowest ratio: the value of this row.
    ratios = rows[col].to_numpy(dtype=np.float64)
    candidates = np.flatnonzero(judged)
    j = candidates[np.argmin(ratios[candidates])]
    group = group_label(rows.iloc[j]["group"], lang)
    basis = t("check.basis.merit" if merit else "check.basis.catalog", lang)
    has_ci = math.isfinite(lo) and math.isfinite(hi)
    common = dict(grouping=grouping, group=group, ratio=f"{ratio:.2f}", basis=basis,
                  n=int(judged.sum()))
    if row["status"] == "inconclusive":
        where = (t("check.where_ratio", lang, lo=f"{lo:.2f}", hi=f"{hi:.2f}") if has_ci
                 else t("check.where_ratio_unknown", lang))
        return t("check.provider.inconclusive", lang, threshold=f"{row['threshold_warn']:g}",
                 where=where, level=level, **common)
    ci = (t("check.ci_ratio", lang, level=level, lo=f"{lo:.2f}", hi=f"{hi:.2f}") if has_ci
          else t("check.ci_none", lang, level=level))
    return t("check.provider.ratio", lang, ci=ci, **common)


_REASONS = (
    (re.compile(r"^all users are in one group of (?P<grouping>.+)$"), "reason.one_group_users"),
    (re.compile(r"^only (?P<n>\d+) of (?P<total>\d+) groups have at least (?P<min>\d+) "
                r"evaluable users$"), "reason.few_groups"),
    (re.compile(r"^no evaluable users in this group$"), "reason.no_users"),
    (re.compile(r"^only (?P<n>\d+) evaluable users \(minimum (?P<min>\d+)\); shown, not judged, "
                r"no interval$"), "reason.small_group"),
    (re.compile(r"^every judged group has (?P<metric>.+) = 0, so the ratio is undefined$"),
     "reason.zero_metric"),
    (re.compile(r"^no item was recommended, so exposure shares are undefined$"),
     "reason.no_exposure"),
    (re.compile(r"^no held-out positives among these items: merit share is 0 and ES/RS "
                r"undefined$"), "reason.no_positives"),
    (re.compile(r"^only (?P<n>\d+) held-out positives \(minimum (?P<min>\d+)\); shown, not "
                r"judged$"), "reason.few_positives"),
    (re.compile(r"^catalogue-level statistic: no bootstrap interval \(resampling users with "
                r"replacement leaves some out, which biases it\)$"), "reason.catalogue_level"),
    (re.compile(r"^no item was recommended$"), "reason.nothing_recommended"),
    # Notes of the UGF / IGF rows, which name fairrec's own groups.
    (re.compile(r"^NDCG\(active\) − NDCG\(inactive\)$"), "labels.note.ugf"),
    (re.compile(r"^NDCG\(active\) − NDCG\(inactive\); a group has fewer than (?P<min>\d+) "
                r"evaluable users, interpret with care$"), "labels.note.ugf_small"),
    (re.compile(r"^ES\(head\) − ES\(tail\)$"), "labels.note.igf"),
    (re.compile(r"^UGF needs both active and inactive users$"), "labels.note.ugf_both"),
    (re.compile(r"^UGF needs evaluable users in both the active and the inactive group$"),
     "labels.note.ugf_evaluable"),
)


def reason_text(reason, lang: str) -> str:
    """The metrics engine's reason for not judging, in ``lang`` (unknown reasons unchanged)."""
    text = "" if reason is None or (isinstance(reason, float) and math.isnan(reason)) \
        else str(reason)
    if lang == "en" or not text:
        return text
    for pattern, key in _REASONS:
        m = pattern.match(text)
        if m:
            values = m.groupdict()
            if "grouping" in values:
                values["grouping"] = grouping_label(values["grouping"], lang)
            return t(key, lang, **values)
    return text
