"""Plotly figures and scorecard rows of a fairness audit, for the dashboard.

Every builder reads the tidy tables of a
:class:`~fairrec_core.metrics.FairnessResult`; nothing here computes a metric.
Groups keep one colour across every chart (:func:`~fairrec_core.viz.colors.group_colors`
over the grouping's full label set), every figure has a title, axis labels
with units, and hover text with the interval and group size. Labels from
user data are HTML-escaped before they reach Plotly, which renders a subset
of HTML in text.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairrec_core.i18n import has, t
from fairrec_core.metrics.definitions import metric_info
from fairrec_core.viz.colors import STATUS_COLORS, UNKNOWN_COLOR, group_colors
from fairrec_core.viz.data_charts import safe

TEMPLATE = "plotly_white"
REFERENCE_COLOR = "#5B6770"
CATALOG_COLOR = "#5B6770"
MERIT_COLOR = "#2B2F33"
LORENZ_COLOR = "#D9822B"

#: Scorecard order: the problems first.
STATUS_ORDER = ("fail", "warn", "inconclusive", "insufficient_data", "pass")
STATUS_ICONS = {"pass": ":material/check_circle:", "warn": ":material/warning:",
                "fail": ":material/cancel:", "inconclusive": ":material/contrast:",
                "insufficient_data": ":material/help:"}

__all__ = ["lorenz_figure", "provider_shares_figure", "result_colors", "scorecard",
           "user_group_figure", "user_group_table"]


def _layout(fig: go.Figure, title: str, *, height: int = 380, legend: bool = False
            ) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        template=TEMPLATE, height=height, showlegend=legend,
        margin={"l": 60, "r": 20, "t": 95 if legend else 75, "b": 60},
        hoverlabel={"bgcolor": "white"})
    if legend:
        # Under the title, left-aligned: a legend on the right collides with long titles.
        fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.01,
                                  "xanchor": "left", "x": 0.0})
    return fig


def result_colors(result) -> dict[str, dict[str, str]]:
    """``{grouping: {group: colour}}`` for every user and item grouping of ``result``."""
    out = {}
    for name in result.user_labels.columns:
        out[name] = group_colors(result.user_labels[name].astype(str).unique())
    for name, rows in result.item_groups.groupby("grouping", sort=False):
        out[name] = group_colors(rows["group"].astype(str))
    return out


# ---------------------------------------------------------------------- scorecard
def _texts(lang: str):
    # Imported here: the report helpers import plotly figures lazily, and so do we.
    from fairrec_core.dashboard.fairness_session import metric_text
    from fairrec_core.report import text as report_text

    return metric_text, report_text


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

    from fairrec_core.report.check_text import check_sentence

    metric_text, report_text = _texts(lang)
    checks = result.checks
    k = int(result.params.get("k", 10))
    holder = SimpleNamespace(fairness=result, k=k)  # what check_sentence reads
    cards = []
    for _, c in checks.iterrows():
        status = str(c["status"])
        grouping = report_text.attr_name(c["grouping"], lang)
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


# ---------------------------------------------------------------------- user side
def user_group_table(result, grouping: str, metric: str) -> pd.DataFrame:
    """The rows of one grouping and metric, in the engine's group order."""
    ug = result.user_groups
    return ug[(ug["grouping"] == grouping) & (ug["metric"] == metric)].reset_index(drop=True)


def _reference_line(fig: go.Figure, y: float, name: str, line: dict) -> None:
    # A line named in the legend, not an annotation on the plot: two reference lines
    # close together would print their labels over each other.
    fig.add_hline(y=y, line=line)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, name=name,
                             hoverinfo="skip"))


def user_group_figure(result, grouping: str, metric: str, *,
                      colors: dict[str, str] | None = None, lang: str = "en") -> go.Figure | None:
    """Mean of one per-user metric per group, with 95% bootstrap intervals.

    Parameters
    ----------
    result : FairnessResult
    grouping, metric : str
    colors : dict, optional
        ``{group: colour}``; default from the grouping's labels.
    lang : {"en", "zh"}

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the result has no such rows. Groups too small to judge
        are drawn hatched, without an interval; a dashed line marks the
        mean over all users, a dotted one the four-fifths line (0.8 × the
        best judged group) when the metric is checked; both are named in
        the legend.
    """
    rows = user_group_table(result, grouping, metric)
    if rows.empty:
        return None
    metric_text, report_text = _texts(lang)
    k = int(result.params.get("k", 10))
    label = metric_text(metric, k, lang)[0]
    gname = safe(report_text.attr_name(grouping, lang))
    groups = rows["group"].astype(str).tolist()
    colors = colors or group_colors(result.user_labels[grouping].astype(str).unique()
                                    if grouping in result.user_labels else groups)
    value = rows["value"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    ok = (rows["status"] == "ok").to_numpy()
    info = metric_info(metric)
    pct = info is not None and info.percent
    fmt = ".1%" if pct else ".4f"
    hover = t("chart.fair.user_hover", lang, label=label, value=f"%{{y:{fmt}}}",
              lo=f"%{{customdata[1]:{fmt}}}", hi=f"%{{customdata[2]:{fmt}}}",
              n="%{customdata[0]:,}")
    fig = go.Figure(go.Bar(
        x=[safe(g) for g in groups], y=value, showlegend=False,
        marker={"color": [colors.get(g, UNKNOWN_COLOR) for g in groups],
                "pattern": {"shape": ["" if o else "/" for o in ok], "fillmode": "overlay",
                            "fgcolor": "white"}},
        error_y={"type": "data", "symmetric": False, "array": np.nan_to_num(hi - value),
                 "arrayminus": np.nan_to_num(value - lo), "color": REFERENCE_COLOR,
                 "thickness": 1.5, "width": 6},
        customdata=np.column_stack([rows["n"].to_numpy(), lo, hi,
                                    np.where(ok, "", t("chart.fair.too_few", lang))]),
        hovertemplate=f"{gname} = %{{x}}<br>{hover} %{{customdata[3]}}<extra></extra>"))
    overall = result.overall.set_index("metric")
    if metric in overall.index and np.isfinite(overall.at[metric, "value"]):
        mean = float(overall.at[metric, "value"])
        _reference_line(fig, mean, t("chart.fair.all_users", lang, value=f"{mean:{fmt}}"),
                        {"color": REFERENCE_COLOR, "dash": "dash", "width": 1})
    checked = result.params.get("thresholds", {}).get("user_metrics", ("ndcg",))
    if metric in checked and ok.sum() >= 2:
        fail = float(result.params.get("thresholds", {}).get("ratio_fail", 0.8))
        _reference_line(fig, float(np.nanmax(value[ok])) * fail,
                        t("chart.fair.times_best", lang, ratio=f"{fail:g}"),
                        {"color": STATUS_COLORS["fail"], "dash": "dot", "width": 1})
    fig.update_xaxes(type="category", title_text=gname)
    unit = t("chart.fair.unit_share" if metric == "hr" else "chart.fair.unit_mean", lang)
    fig.update_yaxes(title_text=label + unit, rangemode="tozero",
                     tickformat=".0%" if pct else None)
    small = "" if ok.all() else t("chart.fair.user_sub_small", lang)
    title = (t("chart.fair.user_title", lang, label=label, grouping=gname) + "<br><sup>"
             + t("chart.fair.user_sub", lang) + small + "</sup>")
    return _layout(fig, title, legend=True)


# ---------------------------------------------------------------------- provider side
def _shown_groups(rows: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top - 1`` least exposed groups for their merit, and the most over-exposed one."""
    key = rows["es_rs_ratio"].fillna(rows["es_cs_ratio"])
    ranked = rows.assign(_k=key.fillna(np.inf).to_numpy()).sort_values(["_k", "group"])
    low = ranked.head(top - 1)
    defined = ranked[np.isfinite(ranked["_k"])]
    # The most over-exposed group is the other half of the story: where the exposure went.
    high = defined.tail(1) if len(defined) else ranked.tail(1)
    return pd.concat([low, high[~high.index.isin(low.index)]]).drop(columns="_k")


def provider_shares_figure(result, grouping: str, *, colors: dict[str, str] | None = None,
                           top: int = 15, lang: str = "en") -> tuple[go.Figure | None, str]:
    """Exposure share per item group against its catalogue share and merit share.

    Three bars per group: exposure share in the group's colour with its 95%
    interval, then catalogue share (light grey) and merit share (dark grey,
    with its interval). A group whose coloured bar is shorter than the grey
    ones is under-exposed for its size or its merit.

    Parameters
    ----------
    result : FairnessResult
    grouping : str
    colors : dict, optional
    top : int, default 15
        Groupings with more groups show the ``top - 1`` groups with the lowest
        exposure-to-merit ratio (the ones a provider check would flag) and the
        most over-exposed group.
    lang : {"en", "zh"}

    Returns
    -------
    (figure or None, caption)
        The caption says which groups are shown when not all are.
    """
    rows = result.item_groups[result.item_groups["grouping"] == grouping]
    if rows.empty:
        return None, ""
    _, report_text = _texts(lang)
    gname = safe(report_text.attr_name(grouping, lang))
    colors = colors or group_colors(rows["group"].astype(str))
    caption = ""
    if len(rows) > top:
        shown = _shown_groups(rows, top)
        caption = t("fair.showing_lowest", lang, top=len(shown), n=f"{len(rows):,}",
                    low=top - 1)
    else:
        shown = rows
    groups = shown["group"].astype(str).tolist()
    x = [safe(g) for g in groups]
    es = shown["exposure_share"].to_numpy(float)
    rs = shown["merit_share"].to_numpy(float)

    def err(col, centre):
        return {"type": "data", "symmetric": False,
                "array": np.nan_to_num(shown[f"{col}_ci_high"].to_numpy(float) - centre),
                "arrayminus": np.nan_to_num(centre - shown[f"{col}_ci_low"].to_numpy(float))}

    fig = go.Figure()
    fig.add_trace(go.Bar(
        name=t("chart.fair.es_name", lang), x=x, y=es, offsetgroup="exposure",
        marker_color=[colors.get(g, UNKNOWN_COLOR) for g in groups],
        error_y={**err("exposure_share", es), "color": REFERENCE_COLOR, "thickness": 1.5},
        customdata=np.column_stack([shown["es_cs_ratio"], shown["es_rs_ratio"],
                                    shown["n_items"]]),
        hovertemplate=t("chart.fair.es_hover", lang, x="%{x}", y="%{y:.1%}",
                        cs="%{customdata[0]:.2f}", rs="%{customdata[1]:.2f}",
                        n="%{customdata[2]:,}") + "<extra></extra>"))
    fig.add_trace(go.Bar(
        name=t("chart.fair.cs_name", lang), x=x, y=shown["catalog_share"],
        offsetgroup="catalog", marker={"color": CATALOG_COLOR, "opacity": 0.35},
        hovertemplate=t("chart.fair.cs_hover", lang, x="%{x}", y="%{y:.1%}")
        + "<extra></extra>"))
    fig.add_trace(go.Bar(
        name=t("chart.fair.rs_name", lang), x=x, y=rs, offsetgroup="merit",
        marker={"color": MERIT_COLOR, "opacity": 0.7},
        error_y={**err("merit_share", rs), "color": REFERENCE_COLOR, "thickness": 1},
        hovertemplate=t("chart.fair.rs_hover", lang, x="%{x}", y="%{y:.1%}")
        + "<extra></extra>"))
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
    fig.update_xaxes(type="category", title_text=gname)
    # Small shares (many providers) need a decimal, or the ticks read "1%, 1%, 0%".
    top_share = np.nanmax(np.r_[es, rs, shown["catalog_share"].to_numpy(float), 0.0])
    fig.update_yaxes(title_text=t("chart.fair.share_axis", lang),
                     tickformat=".1%" if top_share < 0.05 else ".0%", rangemode="tozero")
    title = (t("chart.fair.provider_title", lang, grouping=gname) + "<br><sup>"
             + t("chart.fair.provider_sub", lang) + "</sup>")
    return _layout(fig, title, height=420, legend=True), caption


def lorenz_figure(result, lang: str = "en") -> go.Figure:
    """Exposure Lorenz curve over all items, with the equality line and the Gini."""
    lorenz = result.lorenz
    overall = result.overall.set_index("metric")
    gini = float(overall.at["gini", "value"]) if "gini" in overall.index else math.nan
    x = lorenz["item_share"].to_numpy(float)
    y = lorenz["exposure_share"].to_numpy(float)
    if x.size > 2001:  # a large catalogue: evenly spaced points keep the shape
        keep = np.unique(np.linspace(0, x.size - 1, 2001).round().astype(int))
        x, y = x[keep], y[keep]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=t("chart.fair.equal", lang),
                             line={"color": REFERENCE_COLOR, "dash": "dot", "width": 1},
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="lines", name=t("chart.fair.audited", lang), fill="tonexty",
        fillcolor="rgba(217,130,43,0.12)", line={"color": LORENZ_COLOR, "width": 2.5},
        hovertemplate=t("chart.fair.lorenz_hover", lang, x="%{x:.0%}", y="%{y:.1%}")
        + "<extra></extra>"))
    sub = (t("chart.fair.gini", lang, gini=f"{gini:.3f}") if np.isfinite(gini)
           else t("chart.fair.no_item", lang))
    fig.update_xaxes(title_text=t("chart.fair.items_axis", lang), tickformat=".0%",
                     range=[0, 1])
    fig.update_yaxes(title_text=t("chart.fair.exposure_axis", lang), tickformat=".0%",
                     range=[0, 1])
    return _layout(fig, t("chart.fair.lorenz_title", lang) + f"<br><sup>{sub}</sup>",
                   height=420, legend=True)
