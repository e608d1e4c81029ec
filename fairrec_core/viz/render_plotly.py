"""A :class:`~fairrec_core.viz.figure_spec.FigureSpec` as an interactive Plotly figure.

The one Plotly renderer of the audit figures: the dashboard shows the figure
it returns and the HTML report embeds the same figure's JSON.

Figures are built light: plain figure dictionaries wrapped without Plotly's
per-property validation (``go.Figure(spec, _validate=False)``; validating and
deep-copying a template costs 15-20 ms per figure, and the What-if page
redraws at every slider move), and without Plotly's full template (a few
layout properties give plotly_white's look in a fraction of the JSON). Only
standard Plotly attributes are used; the tests validate the output with
``go.Figure(fig.to_dict())``.

Plain text of the spec is HTML-escaped here: Plotly renders a subset of HTML
inside text (a category ``<a href=...>`` would become a live link); escaped,
it shows the text literally.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.text_escape import html_text
from fairrec_core.viz.colors import GRID_COLOR, REFERENCE_COLOR
from fairrec_core.viz.figure_spec import Bars, FigureSpec, Line, RefLine

__all__ = ["light_figure", "to_plotly"]

_LEGEND = {"top": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left",
                   "x": 0.0},
           # Under the axis a long legend wraps without covering the title.
           "bottom": {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left",
                      "x": 0.0}}


def _esc(text) -> str:
    return html_text(text, quote=False)


def light_figure(data: list, layout: dict, title: str, height: int):
    """A Plotly figure from trace and layout dicts, with the shared white look.

    Parameters
    ----------
    data : list of dict
    layout : dict
        Overrides the defaults (axes are merged with the grid look).
    title : str
        Plotly markup (escaped by the caller).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    layout = {
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"color": "#31333F", "family": '"Source Sans", sans-serif'},
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        "height": height, "margin": {"l": 60, "r": 20, "t": 95, "b": 55},
        "hoverlabel": {"bgcolor": "white"}, "legend": _LEGEND["top"], **layout}
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR,
                        "linecolor": GRID_COLOR, **layout.get(axis, {})}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _bars(b: Bars, x: list[str]) -> dict:
    marker: dict = {"color": b.color}
    if b.opacity != 1.0:
        marker["opacity"] = b.opacity
    if b.hatched is not None and any(b.hatched):
        marker["pattern"] = {"shape": ["/" if h else "" for h in b.hatched],
                             "fillmode": "overlay", "fgcolor": "white"}
    trace: dict = {"type": "bar", "name": _esc(b.name), "x": x, "y": b.values,
                   "marker": marker, "showlegend": b.legend}
    if b.ci_low is not None and b.ci_high is not None:
        v = np.asarray(b.values, float)
        trace["error_y"] = {"type": "data", "symmetric": False,
                            "array": np.nan_to_num(np.asarray(b.ci_high, float) - v),
                            "arrayminus": np.nan_to_num(v - np.asarray(b.ci_low, float)),
                            "color": REFERENCE_COLOR, "thickness": b.err_width, "width": 6}
    if b.customdata is not None:
        trace["customdata"] = b.customdata
    trace["hovertemplate"] = b.hover if b.hover else "%{x}: %{y}<extra></extra>"
    return trace


def _line(ln: Line) -> dict:
    mode = "+".join(m for m, on in (("lines", ln.lines), ("markers", ln.markers),
                                    ("text", ln.text is not None)) if on)
    trace: dict = {"type": "scatter", "x": ln.x, "y": ln.y, "mode": mode,
                   "name": _esc(ln.name), "showlegend": ln.legend,
                   "line": {"color": ln.color, "width": ln.width, "dash": ln.dash,
                            **({"shape": "hv"} if ln.step else {})}}
    if ln.markers:
        trace["marker"] = ({"size": ln.marker_size, "symbol": ln.symbol,
                            "color": "rgba(0,0,0,0)",
                            "line": {"color": ln.color, "width": 2}} if ln.hollow else
                           {"size": ln.marker_size, "symbol": ln.symbol, "color": ln.color})
    if ln.fill:
        trace.update(fill="tonexty", fillcolor=ln.fill)
    if ln.text is not None:
        trace.update(text=[_esc(s) for s in ln.text], textposition="top center")
    if ln.customdata is not None:
        trace["customdata"] = ln.customdata
    if ln.hover:
        trace["hovertemplate"] = ln.hover
    else:
        trace["hoverinfo"] = "skip"
    return trace


def _ref(r: RefLine) -> tuple[dict, dict | None, dict | None]:
    """Shape, legend entry and annotation of one reference line."""
    style = {"color": r.color, "dash": r.dash, "width": r.width}
    if r.axis == "x":
        shape = {"type": "line", "xref": "x", "yref": "paper", "x0": r.value, "x1": r.value,
                 "y0": 0, "y1": 1, "line": style}
    else:
        shape = {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                 "y0": r.value, "y1": r.value, "line": style}
    legend = None
    if r.name:
        # A trace without points, only so that the line has a named legend entry.
        legend = {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "line": style,
                  "name": _esc(r.name), "hoverinfo": "skip"}
    note = None
    if r.label:
        note = {"xref": "x" if r.axis == "x" else "paper", "yref": "paper" if r.axis == "x"
                else "y", "x": r.value if r.axis == "x" else 1, "y": 0 if r.axis == "x"
                else r.value, "text": _esc(r.label), "showarrow": False, "xanchor": "right",
                "yanchor": "bottom", "font": {"size": 11, "color": r.color}}
    return shape, legend, note


def _axis(title: str, fmt: str | None, rng, *, category: bool = False,
          zero: bool = False) -> dict:
    axis: dict = {"title": {"text": _esc(title)}}
    if fmt:
        axis["tickformat"] = fmt
    if rng is not None:
        axis["range"] = list(rng)
    if category:
        axis["type"] = "category"
    if zero:
        axis["rangemode"] = "tozero"
    return axis


def to_plotly(spec: FigureSpec):
    """The interactive figure of ``spec``.

    Parameters
    ----------
    spec : FigureSpec

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x = [_esc(c) for c in spec.categories or []]
    data = [_bars(b, x) for b in spec.bars] + [_line(ln) for ln in spec.lines]
    shapes, notes = [], []
    for r in spec.refs:
        shape, legend, note = _ref(r)
        shapes.append(shape)
        if legend:
            data.append(legend)
        if note:
            notes.append(note)
    layout: dict = {
        "xaxis": _axis(spec.x_title, spec.x_format, spec.x_range,
                       category=spec.categories is not None),
        "yaxis": _axis(spec.y_title, spec.y_format, spec.y_range, zero=spec.y_from_zero),
        "showlegend": spec.legend is not None}
    if shapes:
        layout["shapes"] = shapes
    if notes:
        layout["annotations"] = notes
    if len(spec.bars) > 1:
        layout.update(barmode="group", bargap=0.2, bargroupgap=0.05)
    if spec.legend == "bottom":
        layout.update(legend=_LEGEND["bottom"], margin={"l": 60, "r": 20, "t": 70, "b": 110})
    elif spec.legend is None:
        layout["margin"] = {"l": 60, "r": 20, "t": 75, "b": 60}
    title = _esc(spec.title)
    if spec.subtitle:
        title += f"<br><sup>{_esc(spec.subtitle)}</sup>"
    return light_figure(data, layout, title, spec.height)
