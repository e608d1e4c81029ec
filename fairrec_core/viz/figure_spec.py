"""A renderer-neutral description of one figure: what it shows, not how it is drawn.

Every audit figure is built once, as a :class:`FigureSpec`, from the audit's
tables; :func:`fairrec_core.viz.render_plotly.to_plotly` turns it into the
interactive figure (the dashboard and the HTML report use the same object) and
:func:`fairrec_core.viz.render_png.to_png` into the PDF's picture. So the two
cannot disagree on groups, values, colours, lines or titles.

Text fields hold plain text, exactly as a reader should see it; each renderer
escapes it for its own markup (HTML entities for Plotly, ``\\$`` for
matplotlib). ``hover`` and ``customdata`` are Plotly hover templates (markup,
with data labels already escaped by the builder); the PNG has no hover and
ignores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Bars", "FigureSpec", "Line", "RefLine"]

#: Line styles by name: Plotly's ``dash`` value -> matplotlib's ``linestyle``.
DASHES = {"solid": "-", "dash": "--", "dot": ":"}


@dataclass
class Bars:
    """One bar series over the figure's categories.

    ``color`` is one colour or one per bar; ``hatched`` marks bars drawn with
    a pattern (groups too small to judge). ``ci_low``/``ci_high`` give an
    error bar per bar (NaN: none).
    """

    name: str
    values: np.ndarray
    color: str | list[str]
    ci_low: np.ndarray | None = None
    ci_high: np.ndarray | None = None
    opacity: float = 1.0
    hatched: list[bool] | None = None
    err_width: float = 1.5
    legend: bool = True
    hover: str | None = None
    customdata: Any = None


@dataclass
class Line:
    """A line and/or markers through points; optional text by each point."""

    name: str
    x: np.ndarray
    y: np.ndarray
    color: str
    dash: str = "solid"
    width: float = 1.5
    lines: bool = True
    markers: bool = False
    marker_size: float = 6
    symbol: str = "circle"
    hollow: bool = False
    #: Horizontal then vertical steps between points (a Pareto front), not straight lines.
    step: bool = False
    #: Fill the area between this line and the previous one, in this colour.
    fill: str | None = None
    text: list[str] | None = None
    legend: bool = True
    hover: str | None = None
    customdata: Any = None


@dataclass
class RefLine:
    """A horizontal (``axis="y"``) or vertical (``axis="x"``) reference line.

    ``name`` puts it in the legend (not on the plot: two lines close together
    would print their labels over each other); ``label`` writes a short text
    at its foot instead.
    """

    value: float
    color: str
    name: str | None = None
    dash: str = "dash"
    width: float = 1.0
    axis: str = "y"
    label: str | None = None


@dataclass
class FigureSpec:
    """One figure: title, axes, bar series over categories, lines, reference lines.

    ``x_format``/``y_format`` are d3 number formats (``".0%"``: shares drawn
    as percentages); ``legend`` is ``"top"`` (under the title), ``"bottom"``
    (under the x axis) or ``None``.
    """

    title: str
    subtitle: str = ""
    x_title: str = ""
    y_title: str = ""
    categories: list[str] | None = None
    bars: list[Bars] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    refs: list[RefLine] = field(default_factory=list)
    x_format: str | None = None
    y_format: str | None = None
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    y_from_zero: bool = False
    height: int = 380
    legend: str | None = "top"
