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

from fairrec_core.metrics.definitions import STATUS_LABELS, metric_info, metric_label
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
def scorecard(result) -> list[dict]:
    """The checks as cards: problems first, then passes.

    Returns
    -------
    list of dict
        ``status, label, color, icon, title, message, detail`` per check.
    """
    checks = result.checks
    k = int(result.params.get("k", 10))
    cards = []
    for _, c in checks.iterrows():
        status = str(c["status"])
        if c["kind"] == "user_gap":
            title = f"{metric_label(c['metric'], k)} across {c['grouping']}"
            what = "worst / best group ratio"
        else:
            title = f"Exposure across {c['grouping']}"
            what = ("lowest exposure / merit ratio" if c["metric"] == "es_rs_ratio"
                    else "lowest exposure / catalogue ratio")
        value, lo, hi = float(c["value"]), float(c["ci_low"]), float(c["ci_high"])
        if math.isfinite(value):
            detail = f"{what}: {value:.2f}"
            if math.isfinite(lo) and math.isfinite(hi):
                detail += f" (95% CI {lo:.2f}–{hi:.2f})"
            detail += (f"; fails when the whole interval is below "
                       f"{float(c['threshold_fail']):.2f}, warns when it is below "
                       f"{float(c['threshold_warn']):.2f}")
        else:
            detail = "not judged"
        cards.append({"status": status, "label": STATUS_LABELS.get(status, status),
                      "color": STATUS_COLORS.get(status, UNKNOWN_COLOR),
                      "icon": STATUS_ICONS.get(status, ""), "title": title,
                      "message": str(c["message"]), "detail": detail,
                      "grouping": str(c["grouping"]), "kind": str(c["kind"])})
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(cards, key=lambda d: order.get(d["status"], len(order)))


# ---------------------------------------------------------------------- user side
def user_group_table(result, grouping: str, metric: str) -> pd.DataFrame:
    """The rows of one grouping and metric, in the engine's group order."""
    ug = result.user_groups
    return ug[(ug["grouping"] == grouping) & (ug["metric"] == metric)].reset_index(drop=True)


def user_group_figure(result, grouping: str, metric: str, *,
                      colors: dict[str, str] | None = None) -> go.Figure | None:
    """Mean of one per-user metric per group, with 95% bootstrap intervals.

    Parameters
    ----------
    result : FairnessResult
    grouping, metric : str
    colors : dict, optional
        ``{group: colour}``; default from the grouping's labels.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the result has no such rows. Groups too small to judge
        are drawn hatched, without an interval; a dashed line marks the
        mean over all users, a dotted one the four-fifths line (0.8 × the
        best judged group) when the metric is checked.
    """
    rows = user_group_table(result, grouping, metric)
    if rows.empty:
        return None
    k = int(result.params.get("k", 10))
    label = metric_label(metric, k)
    groups = rows["group"].astype(str).tolist()
    colors = colors or group_colors(result.user_labels[grouping].astype(str).unique()
                                    if grouping in result.user_labels else groups)
    value = rows["value"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    ok = (rows["status"] == "ok").to_numpy()
    info = metric_info(metric)
    pct = info is not None and info.percent
    fmt = ".1%" if pct else ".4f"
    fig = go.Figure(go.Bar(
        x=[safe(g) for g in groups], y=value,
        marker={"color": [colors.get(g, UNKNOWN_COLOR) for g in groups],
                "pattern": {"shape": ["" if o else "/" for o in ok], "fillmode": "overlay",
                            "fgcolor": "white"}},
        error_y={"type": "data", "symmetric": False, "array": np.nan_to_num(hi - value),
                 "arrayminus": np.nan_to_num(value - lo), "color": REFERENCE_COLOR,
                 "thickness": 1.5, "width": 6},
        customdata=np.column_stack([rows["n"].to_numpy(), lo, hi,
                                    np.where(ok, "", "too few users to judge")]),
        hovertemplate=(f"{safe(grouping)} = %{{x}}<br>{label}: %{{y:{fmt}}}<br>95% CI "
                       f"%{{customdata[1]:{fmt}}} to %{{customdata[2]:{fmt}}}<br>"
                       "%{customdata[0]:,} evaluable users %{customdata[3]}<extra></extra>")))
    overall = result.overall.set_index("metric")
    if metric in overall.index and np.isfinite(overall.at[metric, "value"]):
        mean = float(overall.at[metric, "value"])
        fig.add_hline(y=mean, line={"color": REFERENCE_COLOR, "dash": "dash", "width": 1},
                      annotation_text=f"all users: {mean:{fmt}}",
                      annotation_position="top left", annotation_font_size=11)
    checked = result.params.get("thresholds", {}).get("user_metrics", ("ndcg",))
    if metric in checked and ok.sum() >= 2:
        fail = float(result.params.get("thresholds", {}).get("ratio_fail", 0.8))
        line = float(np.nanmax(value[ok])) * fail
        fig.add_hline(y=line, line={"color": STATUS_COLORS["fail"], "dash": "dot", "width": 1},
                      annotation_text=f"{fail:g} × best group",
                      annotation_position="bottom right", annotation_font_size=11)
    fig.update_xaxes(type="category", title_text=safe(grouping))
    unit = " (share of users)" if metric == "hr" else " (mean per user)"
    fig.update_yaxes(title_text=label + unit, rangemode="tozero",
                     tickformat=".0%" if pct else None)
    small = "" if ok.all() else "; hatched: too few evaluable users to judge"
    return _layout(fig, f"{label} by {safe(grouping)}<br><sup>bars: group means with 95% "
                        f"bootstrap intervals{small}</sup>")


# ---------------------------------------------------------------------- provider side
def provider_shares_figure(result, grouping: str, *, colors: dict[str, str] | None = None,
                           top: int = 15) -> tuple[go.Figure | None, str]:
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
        Groupings with more groups show the ``top`` groups with the lowest
        exposure-to-merit ratio (the ones a provider check would flag).

    Returns
    -------
    (figure or None, caption)
        The caption says which groups are shown when not all are.
    """
    rows = result.item_groups[result.item_groups["grouping"] == grouping]
    if rows.empty:
        return None, ""
    colors = colors or group_colors(rows["group"].astype(str))
    caption = ""
    if len(rows) > top:
        key = rows["es_rs_ratio"].fillna(rows["es_cs_ratio"]).fillna(np.inf)
        shown = rows.assign(_k=key.to_numpy()).sort_values(["_k", "group"]).head(top)
        caption = (f"Showing the {top} of {len(rows):,} groups with the lowest exposure "
                   "relative to merit; the table below lists all of them.")
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
        name="exposure share (95% CI)", x=x, y=es, offsetgroup="exposure",
        marker_color=[colors.get(g, UNKNOWN_COLOR) for g in groups],
        error_y={**err("exposure_share", es), "color": REFERENCE_COLOR, "thickness": 1.5},
        customdata=np.column_stack([shown["es_cs_ratio"], shown["es_rs_ratio"],
                                    shown["n_items"]]),
        hovertemplate=("%{x}: exposure share %{y:.1%}<br>ES/CS %{customdata[0]:.2f}, "
                       "ES/RS %{customdata[1]:.2f}<br>%{customdata[2]:,} items"
                       "<extra></extra>")))
    fig.add_trace(go.Bar(
        name="catalogue share", x=x, y=shown["catalog_share"], offsetgroup="catalog",
        marker={"color": CATALOG_COLOR, "opacity": 0.35},
        hovertemplate="%{x}: catalogue share %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Bar(
        name="merit share (95% CI)", x=x, y=rs, offsetgroup="merit",
        marker={"color": MERIT_COLOR, "opacity": 0.7},
        error_y={**err("merit_share", rs), "color": REFERENCE_COLOR, "thickness": 1},
        hovertemplate="%{x}: merit share %{y:.1%} (share of held-out positives)"
                      "<extra></extra>"))
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
    fig.update_xaxes(type="category", title_text=safe(grouping))
    fig.update_yaxes(title_text="Share (%)", tickformat=".0%", rangemode="tozero")
    return _layout(fig, f"Exposure vs catalogue and merit share by {safe(grouping)}<br>"
                        "<sup>coloured bar shorter than the grey ones: the group gets less "
                        "exposure than its size or its merit warrants</sup>", height=420,
                   legend=True), caption


def lorenz_figure(result) -> go.Figure:
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
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal exposure",
                             line={"color": REFERENCE_COLOR, "dash": "dot", "width": 1},
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="lines", name="audited lists", fill="tonexty",
        fillcolor="rgba(217,130,43,0.12)", line={"color": LORENZ_COLOR, "width": 2.5},
        hovertemplate="the least-exposed %{x:.0%} of items get %{y:.1%} of all exposure"
                      "<extra></extra>"))
    sub = (f"Gini {gini:.3f} (0 = equal exposure for every item, 1 = all on one item)"
           if np.isfinite(gini) else "no item was recommended")
    fig.update_xaxes(title_text="Share of items, least exposed first (%)", tickformat=".0%",
                     range=[0, 1])
    fig.update_yaxes(title_text="Cumulative share of exposure (%)", tickformat=".0%",
                     range=[0, 1])
    return _layout(fig, f"Exposure Lorenz curve<br><sup>{sub}</sup>", height=420, legend=True)
