"""The Fairness page's figures and scorecard rows of a fairness audit.

The figures are thin adapters: each is the one definition in
:mod:`fairrec_core.viz.fairness_figures` drawn by
:func:`~fairrec_core.viz.render_plotly.to_plotly`, the same call the HTML
report makes, so the page and the report show the same figure. Nothing here
computes a metric.
"""

from __future__ import annotations

import math

import pandas as pd

from fairrec_core.i18n import has, t
from fairrec_core.i18n.labels import grouping_label
from fairrec_core.viz.colors import STATUS_COLORS, UNKNOWN_COLOR, group_colors
from fairrec_core.viz.fairness_figures import lorenz_spec, provider_spec, user_group_spec
from fairrec_core.viz.render_plotly import to_plotly

#: Scorecard order: the problems first.
STATUS_ORDER = ("fail", "warn", "inconclusive", "insufficient_data", "pass")
STATUS_ICONS = {"pass": ":material/check_circle:", "warn": ":material/warning:",
                "fail": ":material/cancel:", "inconclusive": ":material/contrast:",
                "insufficient_data": ":material/help:"}

__all__ = ["lorenz_figure", "provider_shares_figure", "result_colors", "scorecard",
           "user_group_figure", "user_group_table"]


def result_colors(result) -> dict[str, dict[str, str]]:
    """``{grouping: {group: colour}}`` for every user and item grouping of ``result``."""
    out = {}
    for name in result.user_labels.columns:
        out[name] = group_colors(result.user_labels[name].astype(str).unique())
    for name, rows in result.item_groups.groupby("grouping", sort=False):
        out[name] = group_colors(rows["group"].astype(str))
    return out


# ---------------------------------------------------------------------- scorecard
def scorecard(result, lang: str = "en") -> list[dict]:
    """The checks as cards: problems first, then passes.

    Parameters
    ----------
    result : FairnessResult
    lang : {"en", "zh"}
        Titles, labels, sentences and details in this language (English
        sentences are the engine's own).

    Returns
    -------
    list of dict
        ``status, label, color, icon, title, message, detail`` per check.
    """
    from types import SimpleNamespace

    # Imported here: the dashboard's wording module imports these figures lazily too.
    from fairrec_core.dashboard.fairness_session import metric_text
    from fairrec_core.report.check_text import check_sentence

    checks = result.checks
    k = int(result.params.get("k", 10))
    holder = SimpleNamespace(fairness=result, k=k)  # what check_sentence reads
    cards = []
    for _, c in checks.iterrows():
        status = str(c["status"])
        grouping = grouping_label(c["grouping"], lang)
        if c["kind"] == "user_gap":
            title = t("fair.card_user", lang, metric=metric_text(c["metric"], k, lang)[0],
                      grouping=grouping)
            what = t("fair.what_user", lang)
        else:
            title = t("fair.card_provider", lang, grouping=grouping)
            what = t("fair.what_merit" if c["metric"] == "es_rs_ratio" else "fair.what_catalog",
                     lang)
        value, lo, hi = float(c["value"]), float(c["ci_low"]), float(c["ci_high"])
        if math.isfinite(value):
            detail = f"{what}: {value:.2f}"
            if math.isfinite(lo) and math.isfinite(hi):
                detail += t("fair.card_ci", lang, lo=f"{lo:.2f}", hi=f"{hi:.2f}")
            detail += t("fair.card_rule", lang, fail=f"{float(c['threshold_fail']):.2f}",
                        warn=f"{float(c['threshold_warn']):.2f}")
        else:
            detail = t("fair.not_judged", lang)
        message = str(c["message"]) if lang == "en" else check_sentence(c, holder, lang)
        label = t(f"status.{status}", lang) if has(f"status.{status}") else status
        cards.append({"status": status, "label": label,
                      "color": STATUS_COLORS.get(status, UNKNOWN_COLOR),
                      "icon": STATUS_ICONS.get(status, ""), "title": title,
                      "message": message, "detail": detail,
                      "grouping": str(c["grouping"]), "kind": str(c["kind"])})
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(cards, key=lambda d: order.get(d["status"], len(order)))


# ---------------------------------------------------------------------- figures
def user_group_table(result, grouping: str, metric: str) -> pd.DataFrame:
    """The rows of one grouping and metric, in the engine's group order."""
    ug = result.user_groups
    return ug[(ug["grouping"] == grouping) & (ug["metric"] == metric)].reset_index(drop=True)


def user_group_figure(result, grouping: str, metric: str, *,
                      colors: dict[str, str] | None = None, lang: str = "en"):
    """Mean of one per-user metric per group (see :func:`.fairness_figures.user_group_spec`).

    Returns
    -------
    plotly.graph_objects.Figure or None
    """
    spec = user_group_spec(result, grouping, metric, colors=colors, lang=lang)
    return None if spec is None else to_plotly(spec)


def provider_shares_figure(result, grouping: str, *, colors: dict[str, str] | None = None,
                           top: int = 15, lang: str = "en"):
    """Exposure vs catalogue and merit share (see :func:`.fairness_figures.provider_spec`).

    Returns
    -------
    (plotly.graph_objects.Figure or None, caption)
    """
    spec, caption = provider_spec(result, grouping, colors=colors, top=top, lang=lang)
    return (None if spec is None else to_plotly(spec)), caption


def lorenz_figure(result, lang: str = "en"):
    """Exposure Lorenz curve (see :func:`.fairness_figures.lorenz_spec`)."""
    return to_plotly(lorenz_spec(result, lang))
