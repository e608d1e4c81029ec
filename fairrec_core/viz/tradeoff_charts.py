"""Plotly figures of the What-if page: the λ trade-off curve and before/after deltas.

These are redrawn on every slider move, so they are built light: plain
figure specifications wrapped without Plotly's per-property validation
(``go.Figure(spec, _validate=False)``; validating and deep-copying a template
costs 15–20 ms per figure on the server), and, since the browser parses and
draws every figure again at each step, without Plotly's full template (a few
layout properties give the same white look in a fraction of the JSON) and
without pattern fills. The specs use only standard Plotly attributes; the
tests validate every builder's output with ``go.Figure(fig.to_dict())``.

Labels come from the checked catalogue (``lang``); ``weight`` is the symbol
the slider sets: ``λ``, or ``p`` for FA*IR's target proportion.

Groups keep the colours of :func:`~fairrec_core.viz.colors.group_colors`;
"before" is the same colour faded, "after" the full colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairrec_core.i18n import t
from fairrec_core.metrics.definitions import metric_info, metric_label
from fairrec_core.viz.colors import UNKNOWN_COLOR, group_colors
from fairrec_core.viz.fairness_charts import REFERENCE_COLOR, safe

GRID_COLOR = "#EBF0F8"
CURVE_COLOR = "#3A6EA5"
FRONT_COLOR = "#D9822B"
POINT_COLOR = "#C62828"

__all__ = ["deltas_figure", "tradeoff_figure"]


def _axis(extra: dict) -> dict:
    """plotly_white's axis look, spelled out (the template is ~10 kB of JSON per figure)."""
    return {"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, "linecolor": GRID_COLOR,
            **extra}


def _figure(data: list, layout: dict, title: str, height: int) -> go.Figure:
    layout = {
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"color": "#31333F", "family": '"Source Sans", sans-serif'},
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        "height": height, "margin": {"l": 60, "r": 20, "t": 95, "b": 55},
        "hoverlabel": {"bgcolor": "white"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left",
                   "x": 0.0},
        **layout}
    for axis in ("xaxis", "yaxis"):
        layout[axis] = _axis(layout.get(axis, {}))
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _fmt(column: str) -> str:
    info = metric_info(column)
    return ".1%" if info is not None and info.percent else ".3f"


def tradeoff_figure(table: pd.DataFrame, fairness_column: str, *, k: int = 10,
                    current: dict | None = None, weight: str = "λ",
                    lang: str = "en") -> go.Figure | None:
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
    weight : str
        The swept parameter's symbol in labels: ``λ``, or ``p`` (FA*IR's target
        proportion).
    lang : {"en", "zh"}

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the table lacks the column.
    """
    if table is None or table.empty or fairness_column not in table:
        return None
    t_ = table.sort_values("lam")
    x = t_[fairness_column].to_numpy(float)
    y = t_["ndcg"].to_numpy(float)
    lam = t_["lam"].to_numpy(float)
    xl, yl = safe(metric_label(fairness_column, k)), metric_label("ndcg", k)
    fx = _fmt(fairness_column)
    w = weight
    data = [{"type": "scatter", "x": x, "y": y, "mode": "lines+markers",
             "name": t("whatif.chart.tradeoff.grid", lang, w=w), "customdata": lam,
             "line": {"color": CURVE_COLOR, "width": 1.5},
             "marker": {"size": 6, "color": CURVE_COLOR},
             "hovertemplate": (f"{w} = %{{customdata:.2f}}<br>{xl}: %{{x:{fx}}}<br>{yl}: "
                               "%{y:.4f}<extra></extra>")}]
    front = t_["pareto"].to_numpy(bool) if "pareto" in t_ else np.zeros(len(t_), bool)
    if front.any():
        order = np.argsort(x[front])
        data.append({"type": "scatter", "x": x[front][order], "y": y[front][order],
                     "mode": "lines+markers",
                     "name": t("whatif.chart.tradeoff.front", lang),
                     "customdata": lam[front][order],
                     "line": {"color": FRONT_COLOR, "width": 2, "dash": "dot"},
                     "marker": {"size": 11, "color": "rgba(0,0,0,0)",
                                "line": {"color": FRONT_COLOR, "width": 2}},
                     "hovertemplate": t("whatif.chart.tradeoff.front_hover", lang, w=w)
                     + "%{customdata:.2f}<extra></extra>"})
    if current is not None and fairness_column in current:
        data.append({"type": "scatter", "x": [current[fairness_column]],
                     "y": [current["ndcg"]], "mode": "markers+text",
                     "name": t("whatif.chart.tradeoff.current", lang, w=w,
                               lam=f"{current['lam']:.2f}"),
                     "marker": {"size": 16, "symbol": "star", "color": POINT_COLOR},
                     "text": [f"{w} = {current['lam']:.2f}"], "textposition": "top center",
                     "hovertemplate": (t("whatif.chart.tradeoff.current_hover", lang, w=w)
                                       + f"<br>{xl}: %{{x:{fx}}}<br>{yl}: %{{y:.4f}}"
                                       "<extra></extra>")})
    layout: dict = {}
    if fairness_column.startswith(("es_cs_ratio", "es_rs_ratio")):
        hint = t("whatif.chart.tradeoff.fairer_to_one" if np.nanmax(x) <= 1
                 else "whatif.chart.tradeoff.fair_at_one", lang)
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1,
                             "y0": 0, "y1": 1,
                             "line": {"color": REFERENCE_COLOR, "dash": "dot", "width": 1}}]
        layout["annotations"] = [{"xref": "x", "yref": "paper", "x": 1, "y": 0,
                                  "text": t("whatif.chart.tradeoff.fair_share", lang),
                                  "showarrow": False, "xanchor": "right", "yanchor": "bottom",
                                  "font": {"size": 11, "color": REFERENCE_COLOR}}]
    else:
        info = metric_info(fairness_column)
        hint = t("whatif.chart.tradeoff.fairer_left" if info is not None
                 and info.higher_is_better is False else "whatif.chart.tradeoff.fairer_right",
                 lang)
    layout["xaxis"] = {"title": {"text": f"{xl}  ({hint})"},
                       **({"tickformat": ".0%"} if fx == ".1%" else {})}
    layout["yaxis"] = {"title": {"text": t("whatif.chart.tradeoff.accuracy", lang, metric=yl)}}
    # Three legend entries wrap: below the axis they cannot cover the title.
    layout["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left",
                        "x": 0.0}
    layout["margin"] = {"l": 60, "r": 20, "t": 70, "b": 110}
    title = (t("whatif.chart.tradeoff.title", lang, y=yl, x=xl, w=w) + "<br><sup>"
             + t("whatif.chart.tradeoff.subtitle", lang, n=len(t_), w=w) + "</sup>")
    return _figure(data, layout, title, 460)


def deltas_figure(frame: pd.DataFrame | None, *, title: str, axis: str, grouping: str,
                  lam: float, percent: bool = False,
                  colors: dict[str, str] | None = None, weight: str = "λ",
                  lang: str = "en") -> go.Figure | None:
    """Before/after bars per group (``group, before, after`` columns).

    Parameters
    ----------
    frame : pandas.DataFrame or None
    title, axis : str
        Figure title and y-axis title (with units); plain text, escaped here.
    grouping : str
        The grouping's name (x-axis title).
    lam : float
        The λ (or p) of the "after" bars, for the legend.
    percent : bool
        Values are shares.
    colors : dict, optional
        ``{group: colour}``; default from the frame's groups.
    weight : str
        The swept parameter's symbol: ``λ`` or ``p``.
    lang : {"en", "zh"}

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
    # A change that rounds to zero gets no label (λ = 0: no row of "+0.0000").
    text = ["" if s.lstrip("+-").strip("0.%") == "" else s for s in text]
    hb, ha, hc = (t(f"whatif.chart.deltas.hover_{n}", lang)
                  for n in ("before", "after", "change"))
    data = [
        # "Before" is the group's colour faded (no pattern fill: costly to draw at each step).
        {"type": "bar", "name": t("whatif.chart.deltas.before", lang, w=weight),
         "x": x, "y": before, "marker": {"color": col, "opacity": 0.4},
         "hovertemplate": f"%{{x}} {hb}: %{{y:{fmt}}}<extra></extra>"},
        {"type": "bar", "name": t("whatif.chart.deltas.after", lang, w=weight,
                                  lam=f"{lam:.2f}"),
         "x": x, "y": after, "marker": {"color": col}, "customdata": delta, "text": text,
         "textposition": "outside", "cliponaxis": False,
         "hovertemplate": (f"%{{x}} {ha}: %{{y:{fmt}}} ({hc} %{{customdata:+{fmt}}})"
                           "<extra></extra>")}]
    layout = {"barmode": "group", "bargap": 0.25,
              "xaxis": {"type": "category", "title": {"text": safe(grouping)}},
              "yaxis": {"title": {"text": safe(axis)}, "rangemode": "tozero",
                        **({"tickformat": ".0%"} if percent else {})}}
    return _figure(data, layout, safe(title), 360)
