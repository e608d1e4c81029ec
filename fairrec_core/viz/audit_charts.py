"""Plotly figures of an audit's results, shared by the dashboard and the HTML report.

Every builder reads the tidy tables of a
:class:`~fairrec_core.metrics.FairnessResult` (or a λ-sweep table) and
returns a ``plotly.graph_objects.Figure``, or ``None`` when there is nothing
to draw.

Labels that come from user data (group names, attribute names) are passed
through :func:`~fairrec_core.viz.data_charts.safe` before they reach Plotly: Plotly renders a subset
of HTML tags inside text, and escaping makes it show such text literally
(it decodes the entities for display) instead of interpreting it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairrec_core.viz.data_charts import ITEM_COLOR, USER_COLOR, safe

MUTED_COLOR = "#B8C2CC"
REFERENCE_COLOR = "#5B6770"
MERIT_COLOR = "#6C8EBF"
CATALOG_COLOR = "#9AA5B1"
POINT_COLOR = "#C62828"
TEMPLATE = "plotly_white"

__all__ = ["lorenz_figure", "provider_exposure_figure", "tradeoff_figure",
           "user_group_figure", "safe"]


def _layout(fig: go.Figure, title: str, *, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
                      template=TEMPLATE, height=height,
                      margin={"l": 60, "r": 20, "t": 70, "b": 60},
                      hoverlabel={"bgcolor": "white"})
    return fig


def user_group_figure(user_groups: pd.DataFrame, grouping: str, metric: str, *,
                      label: str, ratio_fail: float = 0.8) -> go.Figure | None:
    """Group values of one metric for one user grouping, with their intervals.

    Parameters
    ----------
    user_groups : pandas.DataFrame
        ``FairnessResult.user_groups``.
    grouping, metric : str
    label : str
        Display name of the metric (``NDCG@10``).
    ratio_fail : float
        A dotted line marks this fraction of the best judged group's value:
        a group below it fails the ratio check.

    Returns
    -------
    plotly.graph_objects.Figure or None
    """
    rows = user_groups[(user_groups["grouping"] == grouping)
                       & (user_groups["metric"] == metric)]
    if rows.empty:
        return None
    ok = (rows["status"] == "ok").to_numpy()
    value = rows["value"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    labels = [safe(g) for g in rows["group"]]
    fig = go.Figure(go.Bar(
        x=labels, y=value, marker_color=[USER_COLOR if o else MUTED_COLOR for o in ok],
        error_y={"type": "data", "symmetric": False, "array": np.nan_to_num(hi - value),
                 "arrayminus": np.nan_to_num(value - lo), "color": REFERENCE_COLOR},
        customdata=np.column_stack([rows["n"].to_numpy(), lo, hi]),
        hovertemplate="%{x}: %{y:.4f} (CI %{customdata[1]:.4f}–%{customdata[2]:.4f}), "
                      "%{customdata[0]:,} users<extra></extra>"))
    judged = value[ok]
    if judged.size >= 2:
        line = float(np.nanmax(judged)) * ratio_fail
        fig.add_hline(y=line, line={"color": POINT_COLOR, "dash": "dot", "width": 1},
                      annotation_text=f"{ratio_fail:g} × best", annotation_position="top right")
    fig.update_xaxes(type="category", title_text=safe(grouping))
    fig.update_yaxes(title_text=label, rangemode="tozero")
    return _layout(fig, f"{label} by {safe(grouping)}<br><sup>bars: group means with their "
                        "intervals; grey: too few users to judge</sup>")


def provider_exposure_figure(item_groups: pd.DataFrame, grouping: str, *,
                             top: int = 12) -> go.Figure | None:
    """Exposure, catalogue and merit shares of the groups of one item grouping.

    Parameters
    ----------
    item_groups : pandas.DataFrame
        ``FairnessResult.item_groups``.
    grouping : str
    top : int, default 12
        Groups with the largest catalogue share drawn (the title says how
        many there are).
    """
    rows = item_groups[item_groups["grouping"] == grouping]
    if rows.empty:
        return None
    shown = rows.sort_values(["catalog_share", "group"], ascending=[False, True]).head(top)
    labels = [safe(g) for g in shown["group"]]
    es = shown["exposure_share"].to_numpy(float)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name="exposure share", x=labels, y=es, marker_color=ITEM_COLOR,
        error_y={"type": "data", "symmetric": False,
                 "array": np.nan_to_num(shown["exposure_share_ci_high"].to_numpy(float) - es),
                 "arrayminus": np.nan_to_num(es - shown["exposure_share_ci_low"].to_numpy(float)),
                 "color": REFERENCE_COLOR},
        hovertemplate="%{x}: exposure share %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Bar(name="catalogue share", x=labels, y=shown["catalog_share"],
                         marker_color=CATALOG_COLOR,
                         hovertemplate="%{x}: catalogue share %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Bar(name="merit share (held-out positives)", x=labels,
                         y=shown["merit_share"], marker_color=MERIT_COLOR,
                         hovertemplate="%{x}: merit share %{y:.3f}<extra></extra>"))
    more = f" (largest {top} of {len(rows):,} groups)" if len(rows) > top else ""
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(type="category", title_text=safe(grouping))
    fig.update_yaxes(title_text="Share", rangemode="tozero")
    return _layout(fig, f"Exposure vs. catalogue and merit by {safe(grouping)}{more}",
                   height=400)


def lorenz_figure(lorenz: pd.DataFrame, gini: float | None = None) -> go.Figure:
    """The exposure Lorenz curve: share of exposure held by the least-exposed items."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal exposure",
                             line={"color": REFERENCE_COLOR, "dash": "dot"}))
    fig.add_trace(go.Scatter(
        x=lorenz["item_share"], y=lorenz["exposure_share"], mode="lines", name="audited lists",
        line={"color": ITEM_COLOR, "width": 2},
        hovertemplate="least-exposed %{x:.0%} of items get %{y:.1%} of exposure"
                      "<extra></extra>"))
    sub = f" (Gini {gini:.3f})" if gini is not None and np.isfinite(gini) else ""
    fig.update_xaxes(title_text="Share of items (least exposed first)", tickformat=".0%")
    fig.update_yaxes(title_text="Share of exposure", tickformat=".0%")
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return _layout(fig, f"Exposure concentration{sub}", height=380)


def tradeoff_figure(table: pd.DataFrame, *, fairness_column: str, fairness_label: str,
                    accuracy_label: str) -> go.Figure | None:
    """Accuracy against fairness over the λ grid, Pareto points and the operating point.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table with ``lam``, ``ndcg``, ``fairness_column``, ``pareto``
        and ``operating_point`` columns.
    fairness_column : str
    fairness_label, accuracy_label : str
        Axis titles (already safe text).
    """
    if table is None or table.empty or fairness_column not in table:
        return None
    t = table.sort_values("lam")
    x, y = t[fairness_column].to_numpy(float), t["ndcg"].to_numpy(float)
    lam = t["lam"].to_numpy(float)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="lines+markers", name="λ grid", customdata=lam,
        line={"color": USER_COLOR}, marker={"size": 6, "color": USER_COLOR},
        hovertemplate="λ = %{customdata:.2f}: fairness %{x:.3f}, accuracy %{y:.4f}"
                      "<extra></extra>"))
    front = t["pareto"].to_numpy(bool)
    fig.add_trace(go.Scatter(
        x=x[front], y=y[front], mode="markers", name="Pareto-optimal",
        marker={"size": 11, "color": "rgba(0,0,0,0)", "line": {"color": ITEM_COLOR, "width": 2}},
        customdata=lam[front], hovertemplate="Pareto-optimal, λ = %{customdata:.2f}"
                                             "<extra></extra>"))
    op = t["operating_point"].to_numpy(bool)
    if op.any():
        fig.add_trace(go.Scatter(
            x=x[op], y=y[op], mode="markers+text", name="operating point",
            marker={"size": 16, "symbol": "star", "color": POINT_COLOR},
            text=[f"λ = {v:g}" for v in lam[op]], textposition="top right",
            hovertemplate="operating point: fairness %{x:.3f}, accuracy %{y:.4f}"
                          "<extra></extra>"))
    fig.update_xaxes(title_text=fairness_label)
    fig.update_yaxes(title_text=accuracy_label)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return _layout(fig, "Trade-off curve: accuracy vs. fairness over λ", height=420)
