"""Plain-language names and definitions of every number fairrec reports.

One place for the wording, so that the dashboard's tooltips, the report's
methodology section and the CLI say the same thing. The definitions follow
DESIGN.md section 4; each is one or two sentences a non-specialist can read,
with the formula where it helps.

Metric columns of a λ sweep carry the group in brackets
(``es_cs_ratio[small]``, ``ndcg_ratio[activity]``); :func:`metric_label` and
:func:`metric_help` understand that form too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFINITIONS", "STATUS_LABELS", "MetricInfo", "metric_help", "metric_info",
           "metric_label"]


@dataclass(frozen=True)
class MetricInfo:
    """How one metric is shown.

    Attributes
    ----------
    label : str
        Short display name; ``{k}`` is replaced by the cut-off.
    definition : str
        One or two sentences, formula included where it helps.
    higher_is_better : bool or None
        None where neither direction is "better" (exposure shares, ratios
        whose ideal is 1).
    percent : bool
        Whether the value reads best as a percentage.
    """

    label: str
    definition: str
    higher_is_better: bool | None = True
    percent: bool = False


DEFINITIONS: dict[str, MetricInfo] = {
    # ---- per-user ranking metrics (binary gains; trec_eval conventions)
    "precision": MetricInfo(
        "Precision@{k}", "Share of the K recommended items that the user went on to like "
        "(held-out positives): |list ∩ held-out| / K, averaged over evaluable users."),
    "recall": MetricInfo(
        "Recall@{k}", "Share of the user's held-out positives that made it into the list: "
        "|list ∩ held-out| / |held-out|, averaged over evaluable users."),
    "hr": MetricInfo(
        "HR@{k}", "Hit rate: the share of evaluable users with at least one held-out positive "
        "in their list.", percent=True),
    "mrr": MetricInfo(
        "MRR@{k}", "Mean reciprocal rank: 1 / (rank of the first held-out positive in the "
        "list), 0 when there is none, averaged over evaluable users."),
    "ndcg": MetricInfo(
        "NDCG@{k}", "Normalised discounted cumulative gain: hits near the top count more "
        "(each hit at rank r adds 1/log2(r+1)), divided by the best possible score for the "
        "user; 1 is a perfect list. Averaged over evaluable users."),
    "ap": MetricInfo(
        "AP@{k}", "Average precision: the mean of Precision@r at every rank r holding a "
        "held-out positive, divided by min(K, |held-out|)."),
    # ---- beyond accuracy
    "novelty": MetricInfo(
        "Novelty", "How unfamiliar the recommended items are: mean of −log2(share of "
        "training users who interacted with the item), in bits. Higher = less mainstream."),
    "arp": MetricInfo(
        "ARP", "Average recommendation popularity: the mean number of training "
        "interactions of the recommended items. Lower = less popularity bias.",
        higher_is_better=False),
    "aplt": MetricInfo(
        "APLT", "Average percentage of long-tail items: the share of each list taken by "
        "tail items (items outside the most popular 20% of the catalogue).", percent=True),
    "miscalibration": MetricInfo(
        "Miscalibration", "How far the category mix of a list drifts from the category mix "
        "of the user's history (Steck 2018: KL(p ‖ (1−α)q + αp), α = 0.01). 0 = perfectly "
        "calibrated; lower is better.", higher_is_better=False),
    "coverage": MetricInfo(
        "Coverage@{k}", "Share of the catalogue that appears in at least one user's list.",
        percent=True),
    "gini": MetricInfo(
        "Exposure Gini", "Inequality of exposure over all items (items never shown "
        "included): 0 = every item gets equal exposure, 1 = one item gets all of it.",
        higher_is_better=False),
    "ugf": MetricInfo(
        "UGF", "User-group fairness (CPFair): NDCG of the most active 5% of users minus "
        "NDCG of the other users. 0 = no gap.", higher_is_better=None),
    "igf": MetricInfo(
        "IGF", "Item-group fairness (CPFair): exposure share of the popular head items "
        "minus that of the tail items. 0 = equal shares.", higher_is_better=None),
    # ---- user-group gaps
    "difference": MetricInfo(
        "Difference", "Best group value minus worst group value (groups too small to judge "
        "are left out). 0 = no gap.", higher_is_better=False),
    "ratio": MetricInfo(
        "Ratio", "Worst group value divided by best group value. 1 = no gap. Its 95% "
        "interval covers all pairs of groups at once (picking the most different pair does "
        "not count as evidence); the check fails when the whole interval is below 0.8 (the "
        "four-fifths rule), warns when it is below 0.9, and is inconclusive when it "
        "straddles 0.9."),
    "value": MetricInfo(
        "Group value", "Mean of the per-user metric over the group's evaluable users, with "
        "a 95% bootstrap interval (users resampled within the group)."),
    # ---- provider side
    "exposure_share": MetricInfo(
        "Exposure share", "Share of all exposure that goes to the group's items. Exposure "
        "of a list slot falls with rank: 1/log2(rank+1).", higher_is_better=None,
        percent=True),
    "catalog_share": MetricInfo(
        "Catalogue share", "Share of the catalogue's items that belong to the group.",
        higher_is_better=None, percent=True),
    "merit_share": MetricInfo(
        "Merit share", "Share of all held-out positives (items users went on to like) that "
        "belong to the group: the exposure the group has earned.", higher_is_better=None,
        percent=True),
    "es_cs_ratio": MetricInfo(
        "ES/CS", "Exposure share divided by catalogue share. 1 = exposure in proportion to "
        "the group's size; below 1 = under-exposed.", higher_is_better=None),
    "es_rs_ratio": MetricInfo(
        "ES/RS", "Exposure share divided by merit share. 1 = exposure in proportion to how "
        "much users liked the group's items; below 1 = under-exposed for its merit.",
        higher_is_better=None),
    # ---- λ-sweep columns (the group comes in brackets)
    "ndcg_difference": MetricInfo(
        "NDCG gap", "NDCG of the best user group minus that of the worst (groups with at "
        "least 30 evaluable users). 0 = no gap.", higher_is_better=False),
    "ndcg_ratio": MetricInfo(
        "NDCG ratio", "NDCG of the worst user group divided by that of the best. 1 = no "
        "gap; below 0.8 fails the four-fifths rule."),
    "lam": MetricInfo(
        "λ", "Fairness weight of the re-ranker: 0 keeps the model's own ranking, 1 gives "
        "the fairness objective its full weight.", higher_is_better=None),
}

#: How check statuses read in tables and scorecards.
STATUS_LABELS = {"pass": "pass", "warn": "warn", "fail": "fail",
                 "inconclusive": "inconclusive", "insufficient_data": "insufficient data"}

_BRACKET = re.compile(r"^(?P<base>[^\[]+)\[(?P<group>.*)\]$")


def _split(name: str) -> tuple[str, str | None]:
    m = _BRACKET.match(str(name))
    return (m["base"], m["group"]) if m else (str(name), None)


def metric_info(name: str) -> MetricInfo | None:
    """The :class:`MetricInfo` of ``name`` (a bracketed sweep column maps to its base)."""
    return DEFINITIONS.get(_split(name)[0])


def metric_label(name: str, k: int | None = 10) -> str:
    """Display name, e.g. ``NDCG@10`` or ``ES/CS (small)``.

    Parameters
    ----------
    name : str
        Metric or sweep-column name; unknown names are returned unchanged.
    k : int, optional
        The cut-off put into ``@K`` labels; None leaves ``@K``.
    """
    base, group = _split(name)
    info = DEFINITIONS.get(base)
    if info is None:
        return str(name)
    label = info.label.replace("{k}", "K" if k is None else str(k))
    return f"{label} ({group})" if group is not None else label


def metric_help(name: str, k: int | None = 10) -> str:
    """Tooltip text: the label and its definition (empty for unknown names)."""
    base, group = _split(name)
    info = DEFINITIONS.get(base)
    if info is None:
        return ""
    text = info.definition.replace(" K ", f" {k} " if k else " K ")
    if group is not None:
        text += f" Here for the group or grouping “{group}”."
    return f"{metric_label(name, k)}: {text}"
