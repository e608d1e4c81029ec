"""Report charts drawn from the one definition of each figure.

A :class:`~fairrec_core.report.blocks.Chart` holds two ways to draw a figure:
the HTML report embeds :func:`~fairrec_core.viz.render_plotly.to_plotly` of
the figure's :class:`~fairrec_core.viz.figure_spec.FigureSpec` (the same
object the dashboard shows), the PDF report
:func:`~fairrec_core.viz.render_png.to_png` of the same spec.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fairrec_core.report.blocks import Chart

if TYPE_CHECKING:
    from fairrec_core.viz.figure_spec import FigureSpec

__all__ = ["spec_chart"]


def spec_chart(key: str, spec: Callable[[], FigureSpec | None]) -> Chart:
    """A chart block drawn from ``spec()`` (a FigureSpec, or None: nothing to draw).

    Parameters
    ----------
    key : str
        The chart's id in the report (``data-chart`` in the HTML).
    spec : callable
        Builds the figure's spec; called when the chart is drawn.

    Returns
    -------
    Chart
    """

    def figure():
        from fairrec_core.viz.render_plotly import to_plotly

        made = spec()
        return None if made is None else to_plotly(made)

    def png():
        from fairrec_core.viz.render_png import to_png

        return to_png(spec())

    return Chart(key, figure, png)
