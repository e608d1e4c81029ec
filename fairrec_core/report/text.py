"""Words shared by every report format: section titles, number formats, methodology.

The HTML and PDF reports and report.json all take their methodology text
from :func:`methodology`, so the definitions a reader sees are the ones the
numbers were computed with (DESIGN.md §4), with this audit's parameters
filled in.
"""

from __future__ import annotations

import math

SECTION_TITLES = {
    "scorecard": "Verdict scorecard",
    "data": "Data summary and validation warnings",
    "model": "Model card",
    "accuracy": "Accuracy",
    "user_fairness": "User-side fairness",
    "provider_exposure": "Provider-side exposure",
    "tradeoff": "Accuracy / fairness trade-off",
    "explanations": "Sample explanations per group",
    "methodology": "Methodology and definitions",
    "reproducibility": "Reproducibility",
}
STATUS_LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL",
                 "inconclusive": "INCONCLUSIVE", "insufficient_data": "NOT JUDGED"}
STATUS_COLORS = {"pass": "#2E7D32", "warn": "#B26A00", "fail": "#C62828",
                 "inconclusive": "#5E35B1", "insufficient_data": "#6B7280"}
METRIC_NAMES = {"precision": "Precision", "recall": "Recall", "hr": "HR", "mrr": "MRR",
                "ndcg": "NDCG", "ap": "AP", "novelty": "Novelty", "arp": "ARP",
                "aplt": "APLT", "miscalibration": "Miscalibration", "coverage": "Coverage",
                "gini": "Exposure Gini", "ugf": "UGF", "igf": "IGF"}
#: Metrics whose names carry the cut-off (@K).
AT_K = {"precision", "recall", "hr", "mrr", "ndcg", "ap"}


def metric_name(metric: str, k: int) -> str:
    """Display name: ``NDCG@10``, ``Novelty``."""
    base = METRIC_NAMES.get(metric, metric)
    return f"{base}@{k}" if metric in AT_K else base


def num(x, digits: int = 3) -> str:
    """A number for a table: fixed digits, a dash for missing values."""
    if x is None:
        return "\u2014"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return "\u2014"
    if v != 0 and abs(v) < 10 ** -digits:
        return f"{v:.{digits}g}"
    return f"{v:,.{digits}f}"


def interval(lo, hi, digits: int = 3) -> str:
    """``[lo, hi]`` or a dash when the interval is not available."""
    if lo is None or hi is None or not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return "\u2014"
    return f"[{num(lo, digits)}, {num(hi, digits)}]"


def verdict_sentence(verdict: dict) -> str:
    """One sentence summarising the scorecard."""
    c = verdict["counts"]
    parts = [f"{c['fail']} failed", f"{c['warn']} warned", f"{c['pass']} passed"]
    if c.get("inconclusive"):
        parts.append(f"{c['inconclusive']} inconclusive (the data cannot tell)")
    if c["insufficient_data"]:
        parts.append(f"{c['insufficient_data']} not judged (insufficient data)")
    return (f"Overall verdict: {STATUS_LABELS[verdict['status']]}. Of {verdict['n_checks']} "
            f"checks, {', '.join(parts)}.")


def methodology(result) -> list[dict]:
    """Definitions with this audit's parameters, as ``{"term", "definition"}`` dicts."""
    p = result.fairness.params
    k = int(p["k"])
    th = p["thresholds"]
    split = result.data.get("split", {})
    exposure = {"log": "1 / log2(k + 1)", "geometric": f"{p['geometric_p']}^(k - 1)",
                "uniform": "1 for every position k ≤ K"}[p["exposure"]]
    return [
        {"term": "Held-out positives and evaluable users",
         "definition": f"{split.get('description', '')} A test interaction is a positive when "
                       "its rating reaches the positive threshold (every implicit interaction "
                       "is one). Users without a test positive are excluded from accuracy "
                       "metrics and counted."},
        {"term": f"Ranking metrics (cut-off K = {k})",
         "definition": "Binary relevance, matching trec_eval. Precision@K = hits / K; "
                       "Recall@K = hits / |T_u|; HR@K = 1 if any hit; MRR@K = 1 / rank of the "
                       "first hit; NDCG@K = DCG / IDCG with DCG = Σ 1[i_k ∈ T_u] / log2(k + 1); "
                       "AP@K = Σ_k P@k · 1[i_k ∈ T_u] / min(K, |T_u|). Values are means over "
                       "evaluable users."},
        {"term": "Exposure",
         "definition": f"Position weight e(k) = {exposure} ('{p['exposure']}' model). Item "
                       "exposure E_i = Σ_u Σ_k e(k) · 1[i_k = i]."},
        {"term": "Beyond accuracy",
         "definition": "Coverage = share of the catalogue recommended to anyone. Exposure "
                       "Gini over all items (zeros included). Novelty = mean of "
                       "−log2(popularity / users). ARP = mean training popularity of listed "
                       f"items. Head = the most popular items making up {p['head_share']:.0%} "
                       "of the catalogue; APLT = share of tail items per list. Miscalibration "
                       "(Steck 2018) = KL(p ‖ (1 − α)q + αp) between a user's category mix in "
                       f"history and in the list, α = {p['calibration_alpha']}."},
        {"term": "User-side (consumer) fairness",
         "definition": "For a grouping of users, the group value is the mean per-user metric "
                       "over the group's evaluable users (computed with Fairlearn's "
                       "MetricFrame). Difference = best − worst group; ratio = worst / best. "
                       f"The activity grouping marks the top {p['active_share']:.0%} of users by "
                       "training interactions as 'active'. UGF = NDCG(active) − NDCG(inactive)."},
        {"term": "Provider-side exposure",
         "definition": "For an item grouping h: exposure share ES_h = Σ_{i∈h} E_i / Σ_i E_i; "
                       "catalogue share CS_h = |h| / |I|; merit share RS_h = share of held-out "
                       "positives among h's items. ES/CS = 1 is equal exposure per item; ES/RS "
                       "= 1 is exposure proportional to merit. IGF = ES(head) − ES(tail)."},
        {"term": "Confidence intervals",
         "definition": f"{p['ci_level']:.0%} percentile bootstrap intervals over users "
                       f"({p['n_boot']:,} resamples, seed {p['seed']}), resampling users within "
                       "each group; intervals are given for every group value, difference and "
                       "ratio. The worst/best difference and ratio, and the lowest provider "
                       "ratio, are extremes over groups: their intervals are simultaneous over "
                       "the judged groups (bootstrap max-|t|: one critical value covers every "
                       "pair of groups at once), so singling out the most different pair does "
                       "not make a gap look surer than it is. Catalogue-level statistics "
                       "(coverage, Gini) have none."
                       + (f" Engine: Ray. {p['ci_method']}; resamples are not stratified by "
                          "group, and group values come from merged per-group sums rather "
                          "than Fairlearn (same numbers)." if p.get("engine") == "ray"
                          else "")},
        {"term": "Minimum group size",
         "definition": f"A group with fewer than {p['min_group_size']} evaluable users (or, for "
                       "merit ratios, held-out positives) is reported as 'insufficient data': "
                       "shown, not judged."},
        {"term": "Checks and thresholds",
         "definition": f"User side: ratio < {th['ratio_fail']} fails (the four-fifths rule), "
                       f"< {th['ratio_warn']} warns, for "
                       f"{', '.join(metric_name(m, k) for m in th['user_metrics'])}. Provider "
                       f"side: the lowest group's {'ES/RS' if th['provider_basis'] == 'merit' else 'ES/CS'} "
                       f"ratio < {th['provider_ratio_fail']} fails, < "
                       f"{th['provider_ratio_warn']} warns. The interval decides, not the "
                       "point estimate: a check fails (warns) only when its whole interval "
                       "lies below the fail (warning) threshold, passes only when the whole "
                       "interval lies at or above the warning threshold, and is inconclusive "
                       "when the interval straddles it: the data cannot tell. With no true "
                       "gap (or one at the fail threshold), a FAIL is wrong at most 5% of the "
                       "time (2.5% with two groups)."},
        {"term": "Re-ranking and the trade-off curve",
         "definition": "A re-ranker re-orders each user's candidate items, trading the model's "
                       "(per-user min-max normalised) score against a fairness objective with "
                       "weight λ ∈ [0, 1]; λ = 0 is the model's own ranking. The curve shows "
                       "accuracy and fairness at each λ of a grid; Pareto-optimal points are "
                       "marked, and the operating point is the λ the audited lists used."},
    ]
