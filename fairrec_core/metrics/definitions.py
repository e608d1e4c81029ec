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

from fairrec_core.i18n import normalise_lang, t
from fairrec_core.i18n.labels import bracket_label

__all__ = ["DEFINITIONS", "STATUS_LABELS", "MetricInfo", "metric_help", "metric_info",
           "metric_label", "status_label"]


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


#: How each metric reads (direction, percent); names and definitions are in the i18n
#: catalogue (``metricdef.*``), so the dashboard and the report say the same in each language.
_FLAGS: dict[str, dict] = {
    "precision": dict(),
    "recall": dict(),
    "hr": dict(percent=True),
    "mrr": dict(),
    "ndcg": dict(),
    "ap": dict(),
    "novelty": dict(),
    "arp": dict(higher_is_better=False),
    "aplt": dict(percent=True),
    "miscalibration": dict(higher_is_better=False),
    "coverage": dict(percent=True),
    "gini": dict(higher_is_better=False),
    "ugf": dict(higher_is_better=None),
    "igf": dict(higher_is_better=None),
    "difference": dict(higher_is_better=False),
    "ratio": dict(),
    "value": dict(),
    "exposure_share": dict(higher_is_better=None, percent=True),
    "catalog_share": dict(higher_is_better=None, percent=True),
    "merit_share": dict(higher_is_better=None, percent=True),
    "es_cs_ratio": dict(higher_is_better=None),
    "es_rs_ratio": dict(higher_is_better=None),
    "ndcg_difference": dict(higher_is_better=False),
    "ndcg_ratio": dict(),
    "lam": dict(higher_is_better=None),
}


def _info(name: str, lang: str = "en") -> MetricInfo:
    return MetricInfo(t(f"metricdef.{name}.label", lang), t(f"metricdef.{name}.def", lang),
                      **_FLAGS[name])


#: English names and definitions (the catalogue's English column), by metric.
DEFINITIONS: dict[str, MetricInfo] = {name: _info(name) for name in _FLAGS}

#: How check statuses read in tables and scorecards.
STATUS_LABELS = {"pass": "pass", "warn": "warn", "fail": "fail",
                 "inconclusive": "inconclusive", "insufficient_data": "insufficient data"}

_BRACKET = re.compile(r"^(?P<base>[^\[]+)\[(?P<group>.*)\]$")


def _split(name: str) -> tuple[str, str | None]:
    m = _BRACKET.match(str(name))
    return (m["base"], m["group"]) if m else (str(name), None)


def metric_info(name: str, lang: str = "en") -> MetricInfo | None:
    """The :class:`MetricInfo` of ``name`` in ``lang`` (a bracketed sweep column maps to its
    base)."""
    base = _split(name)[0]
    if base not in _FLAGS:
        return None
    return DEFINITIONS[base] if normalise_lang(lang) == "en" else _info(base, lang)


def metric_label(name: str, k: int | None = 10, lang: str = "en") -> str:
    """Display name, e.g. ``NDCG@10`` or ``ES/CS (small)`` (``召回率@10`` in Chinese).

    Parameters
    ----------
    name : str
        Metric or sweep-column name; unknown names are returned unchanged.
    k : int, optional
        The cut-off put into ``@K`` labels; None leaves ``@K``.
    lang : {"en", "zh"}
    """
    base, group = _split(name)
    info = metric_info(base, lang)
    if info is None:
        return str(name)
    label = info.label.replace("{k}", "K" if k is None else str(k))
    return t("metricdef.with_group", lang, label=label,
             group=bracket_label(base, group, lang)) if group is not None else label


def metric_help(name: str, k: int | None = 10, lang: str = "en") -> str:
    """Tooltip text in ``lang``: the label and its definition (empty for unknown names)."""
    base, group = _split(name)
    info = metric_info(base, lang)
    if info is None:
        return ""
    text = info.definition.replace(" K ", f" {k} " if k else " K ")
    if group is not None:
        text += t("metricdef.here_for", lang, group=bracket_label(base, group, lang))
    return t("metricdef.help", lang, label=metric_label(name, k, lang), text=text)


def status_label(status: str, lang: str = "en") -> str:
    """How a check status reads in tables and scorecards, in ``lang``."""
    return t(f"status.{status}", lang)
