"""Figures of the trade-off: the λ curve (What-if page, HTML and PDF report) and deltas.

:func:`tradeoff_spec` is the one definition of the trade-off figure: the
What-if page draws it at the slider's λ, the report at the audit's operating
point (:func:`~fairrec_core.viz.render_plotly.to_plotly` and
:func:`~fairrec_core.viz.render_png.to_png`). The before/after deltas are the
What-if page's alone.

Both are redrawn on every slider move, so they are built light (see
:mod:`fairrec_core.viz.render_plotly`) and the deltas without pattern fills.
Labels come from the checked catalogue (``lang``); ``weight`` is the symbol
the slider sets: ``λ``, or ``p`` for FA*IR's target proportion.

Groups keep the colours of :func:`~fairrec_core.viz.colors.group_colors`;
"before" is the same colour faded, "after" the full colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label
from fairrec_core.metrics.definitions import metric_info, metric_label
from fairrec_core.text_escape import html_text
from fairrec_core.viz.colors import (
    CURVE_COLOR,
    FRONT_COLOR,
    POINT_COLOR,
    REFERENCE_COLOR,
    UNKNOWN_COLOR,
    group_colors,
)
from fairrec_core.viz.figure_spec import FigureSpec, Line, RefLine
from fairrec_core.viz.render_plotly import light_figure, to_plotly

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["deltas_figure", "tradeoff_figure", "tradeoff_spec"]


def _safe(text) -> str:
    """Data text made inert in Plotly markup (hover templates, titles built here)."""
    return html_text(text, quote=False)


def _fmt(column: str) -> str:
    info = metric_info(column)
    return ".1%" if info is not None and info.percent else ".3f"


def tradeoff_spec(table: pd.DataFrame, fairness_column: str, *, k: int = 10,
                  current: dict | None = None, weight: str = "λ", lang: str = "en",
                  current_name: str | None = None) -> FigureSpec | None:
    """NDCG@K against the fairness metric over the λ grid, Pareto front and current λ.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (``lam``, ``ndcg``, ``fairness_column``, ``pareto``).
    fairness_column : str
        E.g. ``es_cs_ratio[small]`` or ``miscalibration``.
    k : int
    current : dict, optional
        The metrics row at the slider's λ, or the report's operating point
        (``lam``, ``ndcg``, the column), drawn as a star.
    weight : str
        The swept parameter's symbol in labels: ``λ``, or ``p`` (FA*IR's target
        proportion).
    lang : {"en", "zh"}
    current_name : str, optional
        The star's legend name (default "current λ = ...").

    Returns
    -------
    FigureSpec or None
        None when the table lacks the column.
    """
    if table is None or table.empty or fairness_column not in table:
        return None
    t_ = table.sort_values("lam")
    x = t_[fairness_column].to_numpy(float)
    y = t_["ndcg"].to_numpy(float)
    lam = t_["lam"].to_numpy(float)
    xl, yl = metric_label(fairness_column, k, lang), metric_label("ndcg", k, lang)
    hx, hy = _safe(xl), _safe(yl)
    fx = _fmt(fairness_column)
    w = weight
    lines = [Line(t("whatif.chart.tradeoff.grid", lang, w=w), x, y, CURVE_COLOR,
                  markers=True, customdata=lam,
                  hover=(f"{w} = %{{customdata:.2f}}<br>{hx}: %{{x:{fx}}}<br>{hy}: "
                         "%{y:.4f}<extra></extra>"))]
    front = t_["pareto"].to_numpy(bool) if "pareto" in t_ else np.zeros(len(t_), bool)
    if front.any():
        order = np.argsort(x[front])
        lines.append(Line(t("whatif.chart.tradeoff.front", lang), x[front][order],
                          y[front][order], FRONT_COLOR, dash="dot", width=2, markers=True,
                          marker_size=11, hollow=True, customdata=lam[front][order],
                          hover=t("whatif.chart.tradeoff.front_hover", lang, w=w)
                          + "%{customdata:.2f}<extra></extra>"))
    if current is not None and fairness_column in current:
        lines.append(Line(
            current_name or t("whatif.chart.tradeoff.current", lang, w=w,
                              lam=f"{current['lam']:.2f}"),
            np.array([current[fairness_column]], float), np.array([current["ndcg"]], float),
            POINT_COLOR, lines=False, markers=True, marker_size=16, symbol="star",
            text=[f"{w} = {current['lam']:.2f}"],
            hover=(t("whatif.chart.tradeoff.current_hover", lang, w=w)
                   + f"<br>{hx}: %{{x:{fx}}}<br>{hy}: %{{y:.4f}}<extra></extra>")))
    refs = []
    if fairness_column.startswith(("es_cs_ratio", "es_rs_ratio")):
        hint = t("whatif.chart.tradeoff.fairer_to_one" if np.nanmax(x) <= 1
                 else "whatif.chart.tradeoff.fair_at_one", lang)
        refs.append(RefLine(1.0, REFERENCE_COLOR, dash="dot", axis="x",
                            label=t("whatif.chart.tradeoff.fair_share", lang)))
    else:
        info = metric_info(fairness_column)
        hint = t("whatif.chart.tradeoff.fairer_left" if info is not None
                 and info.higher_is_better is False else "whatif.chart.tradeoff.fairer_right",
                 lang)
    return FigureSpec(
        title=t("whatif.chart.tradeoff.title", lang, y=yl, x=xl, w=w),
        subtitle=t("whatif.chart.tradeoff.subtitle", lang, n=len(t_), w=w),
        x_title=f"{xl}  ({hint})",
        y_title=t("whatif.chart.tradeoff.accuracy", lang, metric=yl), lines=lines, refs=refs,
        x_format=".0%" if fx == ".1%" else None, height=460, legend="bottom")


def tradeoff_figure(table: pd.DataFrame, fairness_column: str, *, k: int = 10,
                    current: dict | None = None, weight: str = "λ", lang: str = "en",
                    current_name: str | None = None):
    """The trade-off figure of :func:`tradeoff_spec` as a Plotly figure (None: no data)."""
    spec = tradeoff_spec(table, fairness_column, k=k, current=current, weight=weight,
                         lang=lang, current_name=current_name)
    return None if spec is None else to_plotly(spec)


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
    x = [_safe(group_label(g, lang)) for g in groups]
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
              "xaxis": {"type": "category", "title": {"text": _safe(grouping)}},
              "yaxis": {"title": {"text": _safe(axis)}, "rangemode": "tozero",
                        **({"tickformat": ".0%"} if percent else {})}}
    return light_figure(data, layout, _safe(title), 360)
