"""A :class:`~fairrec_core.viz.figure_spec.FigureSpec` as a static PNG (the PDF report).

The PDF cannot hold interactive charts; this draws the same spec the
dashboard and the HTML report show, with matplotlib's object API (no pyplot:
no global state and no GUI backend, so charts can be drawn from the
dashboard's download threads at the same time).
"""

from __future__ import annotations

import functools
import io

import numpy as np

from fairrec_core.viz.colors import GRID_COLOR, REFERENCE_COLOR
from fairrec_core.viz.figure_spec import DASHES, FigureSpec

__all__ = ["draw", "to_png"]

WIDTH, HEIGHT, DPI = 7.0, 3.0, 150
#: Plotly marker symbols -> matplotlib markers.
_MARKERS = {"circle": "o", "star": "*"}


def _plain(text) -> str:
    # A "$" would switch matplotlib into math mode and can make drawing fail.
    return str(text).replace("$", r"\$")


def _fonts(draw_fn):
    """Draw with DejaVu Sans first and the CJK font (when installed) as fallback.

    Chinese labels, and Chinese group names in the data even in an English report,
    need the CJK font. Text takes its font when it is created, so the family is set
    for the whole drawing, not just the saving.
    """

    @functools.wraps(draw_fn)
    def wrapper(*args, **kwargs):
        import matplotlib

        from fairrec_core.report.fonts import matplotlib_cjk_family

        families = ["DejaVu Sans"]
        cjk = matplotlib_cjk_family()
        if cjk:
            families.append(cjk)
        with matplotlib.rc_context({"font.family": families}):
            return draw_fn(*args, **kwargs)

    return wrapper


def _percent(ax_axis, fmt: str | None) -> None:
    if fmt and fmt.endswith("%"):
        from matplotlib.ticker import PercentFormatter

        decimals = int(fmt.strip(".%") or 0)
        ax_axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _draw_bars(ax, spec: FigureSpec) -> None:
    n = len(spec.bars)
    width = 0.8 / max(n, 1) if n > 1 else 0.6
    x = np.arange(len(spec.categories or []))
    for j, b in enumerate(spec.bars):
        pos = x + (j - (n - 1) / 2) * width
        v = np.asarray(b.values, float)
        hatch = b.hatched or [False] * len(v)
        bars = ax.bar(pos, v, width, color=b.color, alpha=b.opacity,
                      label=_plain(b.name) if b.legend else None)
        for patch, h in zip(bars.patches, hatch):
            if h:
                patch.set_hatch("//")
                patch.set_edgecolor("white")
        if b.ci_low is not None and b.ci_high is not None:
            err = np.vstack([np.nan_to_num(v - np.asarray(b.ci_low, float)),
                             np.nan_to_num(np.asarray(b.ci_high, float) - v)])
            ax.errorbar(pos, v, yerr=err, fmt="none", ecolor=REFERENCE_COLOR, capsize=3,
                        linewidth=b.err_width * 0.7)
    labels = [_plain(c) for c in spec.categories or []]
    ax.set_xticks(x)
    rotate = max((len(s) for s in labels), default=0) * len(labels) > 60
    ax.set_xticklabels(labels, rotation=30 if rotate else 0,
                       ha="right" if rotate else "center", fontsize=8)


def _draw_lines(ax, spec: FigureSpec) -> None:
    previous = None
    for ln in spec.lines:
        x, y = np.asarray(ln.x, float), np.asarray(ln.y, float)
        style = DASHES.get(ln.dash, "-") if ln.lines else "none"
        marker = _MARKERS.get(ln.symbol, "o") if ln.markers else None
        size = ln.marker_size * (0.9 if ln.symbol == "star" else 0.6)
        ax.plot(x, y, linestyle=style, color=ln.color, linewidth=ln.width, marker=marker,
                markersize=size, markerfacecolor="none" if ln.hollow else ln.color,
                markeredgewidth=1.5 if ln.hollow else 0.5,
                drawstyle="steps-post" if ln.step else "default",
                label=_plain(ln.name) if ln.legend else None, zorder=4 if ln.markers else 3)
        if ln.fill and previous is not None and x.size:
            base = np.interp(x, *previous)
            ax.fill_between(x, base, y, color=ln.color, alpha=0.12, linewidth=0)
        for xi, yi, s in zip(x, y, ln.text or []):
            if s:
                ax.annotate(_plain(s), (xi, yi), textcoords="offset points", xytext=(4, 5),
                            fontsize=7, color=REFERENCE_COLOR)
        previous = (x, y)


def _draw_refs(ax, spec: FigureSpec) -> None:
    for r in spec.refs:
        kw = {"color": r.color, "linestyle": DASHES.get(r.dash, "-"), "linewidth": r.width,
              "label": _plain(r.name) if r.name else None}
        (ax.axvline if r.axis == "x" else ax.axhline)(r.value, **kw)
        if r.label:
            ax.annotate(_plain(r.label), (r.value, 0), xycoords=("data", "axes fraction"),
                        ha="right", va="bottom", fontsize=7, color=r.color)


def draw(spec: FigureSpec):
    """The matplotlib Figure of ``spec`` (not yet saved; tests read its artists).

    Parameters
    ----------
    spec : FigureSpec

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, HEIGHT * spec.height / 380), dpi=DPI)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    if spec.bars:
        _draw_bars(ax, spec)
    _draw_lines(ax, spec)
    _draw_refs(ax, spec)
    ax.set_xlabel(_plain(spec.x_title), fontsize=9)
    ax.set_ylabel(_plain(spec.y_title), fontsize=9)
    _percent(ax.yaxis, spec.y_format)
    _percent(ax.xaxis, spec.x_format)
    if spec.x_range is not None:
        ax.set_xlim(*spec.x_range)
    if spec.y_range is not None:
        ax.set_ylim(*spec.y_range)
    elif spec.y_from_zero:
        bottom, top = ax.get_ylim()
        # Headroom above the bars, where the legend can sit without covering one.
        room = 1.25 if spec.bars and spec.legend is not None else 1.0
        ax.set_ylim(min(0.0, bottom), top * room)
    ax.set_title(_plain(spec.title), fontsize=10, loc="left",
                 pad=14 if spec.subtitle else 6)
    if spec.subtitle:
        ax.text(0, 1.01, _plain(spec.subtitle), transform=ax.transAxes, fontsize=7,
                color=REFERENCE_COLOR, va="bottom")
    if spec.legend is not None and ax.get_legend_handles_labels()[0]:
        # A white box: where no corner is free, the legend stays readable over the data.
        ax.legend(fontsize=7, loc="best", frameon=True, framealpha=0.85, edgecolor="none")
    return fig


@_fonts
def to_png(spec: FigureSpec | None) -> bytes | None:
    """``spec`` drawn as PNG bytes; None for no spec.

    Parameters
    ----------
    spec : FigureSpec or None

    Returns
    -------
    bytes or None
    """
    if spec is None:
        return None
    fig = draw(spec)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
