"""Plotly figures of the What-if page: the λ trade-off curve and before/after deltas.

These are redrawn on every slider move, within a 100 ms budget, so they are
built as plain figure specifications and wrapped without Plotly's
per-property validation (``go.Figure(spec, _validate=False)``): validating
and deep-copying the template costs 15–20 ms per figure, the rest well
under 1 ms. The specs use only standard Plotly attributes; the tests
validate every builder's output with ``go.Figure(fig.to_dict())``.

Groups keep the colours of :func:`~fairrec_core.viz.colors.group_colors`;
"before" is the same colour faded, "after" the full colour.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairrec_core.metrics.definitions import metric_info, metric_label
from fairrec_core.viz.colors import UNKNOWN_COLOR, group_colors
from fairrec_core.viz.fairness_charts import REFERENCE_COLOR, safe

TEMPLATE = "plotly_white"
CURVE_COLOR = "#3A6EA5"
FRONT_COLOR = "#D9822B"
POINT_COLOR = "#C62828"

__all__ = ["deltas_figure", "tradeoff_figure"]


@functools.lru_cache(maxsize=1)
def _template() -> dict:
    import plotly.io as pio

    return pio.templates[TEMPLATE].to_plotly_json()


def _figure(data: list, layout: dict, title: str, height: int) -> go.Figure:
    layout = {
        "template": _template(),
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        "height": height, "margin": {"l": 60, "r": 20, "t": 95, "b": 55},
        "hoverlabel": {"bgcolor": "white"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left",
                   "x": 0.0},
        **layout}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _fmt(column: str) -> str:
    info = metric_info(column)
    return ".1%" if info is not None and info.percent else ".3f"


def tradeoff_figure(table: pd.DataFrame, fairness_column: str, *, k: int = 10,
                    current: dict | None = None) -> go.Figure | None:
    """NDCG@K against the fairness metric over the λ grid, Pareto front and current λ.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (``lam``, ``ndcg``, ``fairness_column``, ``pareto``).
    fairness_column : str
        E.g. ``es_cs_ratio[small]`` or ``miscalibration``.
    k : int
    current : dict, optional
        The metrics row at the slider's λ (``lam``, ``ndcg``, the column).

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the table lacks the column.
    """
    if table is None or table.empty or fairness_column not in table:
        return None
    t = table.sort_values("lam")
    x = t[fairness_column].to_numpy(float)
    y = t["ndcg"].to_numpy(float)
    lam = t["lam"].to_numpy(float)
    xl, yl = safe(metric_label(fairness_column, k)), metric_label("ndcg", k)
    fx = _fmt(fairness_column)
    data = [{"type": "scatter", "x": x, "y": y, "mode": "lines+markers",
             "name": "λ grid (0 → 1)", "customdata": lam,
             "line": {"color": CURVE_COLOR, "width": 1.5},
             "marker": {"size": 6, "color": CURVE_COLOR},
             "hovertemplate": (f"λ = %{{customdata:.2f}}<br>{xl}: %{{x:{fx}}}<br>{yl}: "
                               "%{y:.4f}<extra></extra>")}]
    front = t["pareto"].to_numpy(bool) if "pareto" in t else np.zeros(len(t), bool)
    if front.any():
        order = np.argsort(x[front])
        data.append({"type": "scatter", "x": x[front][order], "y": y[front][order],
                     "mode": "lines+markers", "name": "Pareto front (best on both)",
                     "customdata": lam[front][order],
                     "line": {"color": FRONT_COLOR, "width": 2, "dash": "dot"},
                     "marker": {"size": 11, "color": "rgba(0,0,0,0)",
                                "line": {"color": FRONT_COLOR, "width": 2}},
                     "hovertemplate": "Pareto-optimal at λ = %{customdata:.2f}<extra></extra>"})
    if current is not None and fairness_column in current:
        data.append({"type": "scatter", "x": [current[fairness_column]],
                     "y": [current["ndcg"]], "mode": "markers+text",
                     "name": f"current λ = {current['lam']:.2f}",
                     "marker": {"size": 16, "symbol": "star", "color": POINT_COLOR},
                     "text": [f"λ = {current['lam']:.2f}"], "textposition": "top center",
                     "hovertemplate": (f"current λ<br>{xl}: %{{x:{fx}}}<br>{yl}: %{{y:.4f}}"
                                       "<extra></extra>")})
    layout: dict = {}
    if fairness_column.startswith(("es_cs_ratio", "es_rs_ratio")):
        hint = "fairer towards 1 →" if np.nanmax(x) <= 1 else "fair at 1"
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1,
                             "y0": 0, "y1": 1,
                             "line": {"color": REFERENCE_COLOR, "dash": "dot", "width": 1}}]
        layout["annotations"] = [{"xref": "x", "yref": "paper", "x": 1, "y": 0,
                                  "text": "fair share", "showarrow": False,
                                  "xanchor": "right", "yanchor": "bottom",
                                  "font": {"size": 11, "color": REFERENCE_COLOR}}]
    else:
        info = metric_info(fairness_column)
        hint = "← fairer" if info is not None and info.higher_is_better is False else "fairer →"
    layout["xaxis"] = {"title": {"text": f"{xl}  ({hint})"},
                       **({"tickformat": ".0%"} if fx == ".1%" else {})}
    layout["yaxis"] = {"title": {"text": f"{yl} (accuracy, mean per user)"}}
    # Three legend entries wrap: below the axis they cannot cover the title.
    layout["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left",
                        "x": 0.0}
    layout["margin"] = {"l": 60, "r": 20, "t": 70, "b": 110}
    return _figure(data, layout, f"Trade-off: {yl} vs {xl} over λ<br><sup>{len(t)} "
                                 "re-rankings, λ = 0 (the model's lists) to 1</sup>", 460)


def deltas_figure(frame: pd.DataFrame | None, *, title: str, axis: str, grouping: str,
                  lam: float, percent: bool = False,
                  colors: dict[str, str] | None = None) -> go.Figure | None:
    """Before/after bars per group (``group, before, after`` columns).

    Parameters
    ----------
    frame : pandas.DataFrame or None
    title, axis : str
        Figure title and y-axis title (with units); plain text, escaped here.
    grouping : str
        The grouping's name (x-axis title).
    lam : float
        The λ of the "after" bars, for the legend.
    percent : bool
        Values are shares.
    colors : dict, optional
        ``{group: colour}``; default from the frame's groups.

    Returns
    -------
    plotly.graph_objects.Figure or None
    """
    if frame is None or frame.empty:
        return None
    groups = frame["group"].astype(str).tolist()
    colors = colors or group_colors(groups)
    col = [colors.get(g, UNKNOWN_COLOR) for g in groups]
    x = [safe(g) for g in groups]
    fmt = ".1%" if percent else ".4f"
    before = frame["before"].to_numpy(float)
    after = frame["after"].to_numpy(float)
    delta = after - before
    text = [("" if not np.isfinite(d) else f"{d:+.1%}" if percent else f"{d:+.4f}")
            for d in delta]
    data = [
        {"type": "bar", "name": "before (λ = 0)", "x": x, "y": before,
         "marker": {"color": col, "opacity": 0.45,
                    "pattern": {"shape": "/", "fgcolor": "white", "fgopacity": 0.9}},
         "hovertemplate": f"%{{x}} before: %{{y:{fmt}}}<extra></extra>"},
        {"type": "bar", "name": f"after (λ = {lam:.2f})", "x": x, "y": after,
         "marker": {"color": col}, "customdata": delta, "text": text,
         "textposition": "outside", "cliponaxis": False,
         "hovertemplate": (f"%{{x}} after: %{{y:{fmt}}} (change %{{customdata:+{fmt}}})"
                           "<extra></extra>")}]
    layout = {"barmode": "group", "bargap": 0.25,
              "xaxis": {"type": "category", "title": {"text": safe(grouping)}},
              "yaxis": {"title": {"text": safe(axis)}, "rangemode": "tozero",
                        **({"tickformat": ".0%"} if percent else {})}}
    return _figure(data, layout, safe(title), 360)
