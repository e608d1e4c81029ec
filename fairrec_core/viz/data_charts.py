"""Plotly figures describing a dataset: long tail, user activity, group sizes.

Every builder takes a :class:`fairrec_core.data.DataSummary` and returns a
``plotly.graph_objects.Figure`` (or ``None`` when the data has nothing to
show), with a title, axis labels and the shared colours below, so that the
dashboard, the HTML report and a notebook draw the same pictures.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairrec_core.data.summary import DataSummary
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.text_escape import html_text

# One colour for everything about users, one for items, a muted one for
# "too small to judge" and a neutral one for reference lines.
USER_COLOR = "#3A6EA5"
ITEM_COLOR = "#D9822B"
MUTED_COLOR = "#B8C2CC"
REFERENCE_COLOR = "#5B6770"
TEMPLATE = "plotly_white"

# DESIGN.md §4: smaller user groups are reported as "insufficient data".
DEFAULT_MIN_GROUP_SIZE = 30

__all__ = ["ITEM_COLOR", "USER_COLOR", "item_groups_figure", "long_tail_figure", "safe",
           "user_activity_figure", "user_groups_figure"]


def safe(text) -> str:
    """User-derived text made inert for Plotly's HTML-like text rendering.

    Plotly renders a subset of HTML inside labels, titles and hover text (a
    category ``<a href=...>`` becomes a live link); escaped, it shows the text
    literally (it decodes the entities for display). Quotes stay as they are:
    Plotly writes text into SVG text nodes, where a quote is harmless, and it
    would show ``&quot;`` literally. The chart modules' name for
    :func:`fairrec_core.text_escape.html_text` with ``quote=False``.
    """
    return html_text(text, quote=False)


def _layout(fig: go.Figure, title: str, *, height: int = 360, top: int = 70) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        template=TEMPLATE, height=height, showlegend=False,
        margin={"l": 60, "r": 20, "t": top, "b": 55},
        hoverlabel={"bgcolor": "white"},
    )
    return fig


def _hover(text) -> str:
    """``safe`` text for a hover template, where ``%{...}`` would be read as a field."""
    return safe(text).replace("%{", "%\u200b{")


def long_tail_figure(summary: DataSummary, *, max_points: int = 2000,
                     lang: str = "en") -> go.Figure | None:
    """Interactions per item, items sorted from most to least popular, log y axis.

    Parameters
    ----------
    summary : DataSummary
        From :func:`fairrec_core.data.summarize`.
    max_points : int, default 2000
        Larger catalogs are drawn from this many evenly spaced ranks (the
        first and last rank always included), which keeps the figure light
        without changing its shape.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when no item has an interaction.

    Notes
    -----
    A log axis cannot show zero, so items without interactions are left out
    of the curve and counted in the subtitle instead. The dashed line marks
    the top 20% of the catalog and its share of all interactions
    (``summary.counts["top20_item_share"]``).
    """
    per_item = np.sort(np.asarray(summary.per_item))[::-1]
    n_items = per_item.size
    positive = per_item[per_item > 0]
    if positive.size == 0:
        return None
    ranks = np.arange(1, positive.size + 1)
    if positive.size > max_points:
        keep = np.unique(np.linspace(0, positive.size - 1, max_points).round().astype(int))
        ranks, positive = ranks[keep], positive[keep]

    fig = go.Figure(go.Scatter(
        x=ranks, y=positive, mode="lines", line={"color": ITEM_COLOR, "width": 2.5},
        hovertemplate=t("chart.data.rank_hover", lang, x="%{x:,}", y="%{y:,}")
        + "<extra></extra>"))
    head = max(1, int(round(0.2 * n_items)))
    share = summary.counts.get("top20_item_share")
    if share is not None and head < n_items:
        fig.add_vline(x=head, line={"color": REFERENCE_COLOR, "dash": "dash", "width": 1})
        fig.add_annotation(x=head, y=1, yref="paper", xanchor="left", yanchor="top",
                           showarrow=False, font={"color": REFERENCE_COLOR, "size": 12},
                           text=" " + t("chart.data.top20", lang, share=f"{share:.0%}"))
    zero = n_items - int((per_item > 0).sum())
    subtitle = t("chart.data.n_items", lang, n=f"{n_items:,}") + (
        t("chart.data.zero_items", lang, n=f"{zero:,}") if zero else "")
    _layout(fig, t("chart.data.long_tail", lang) + f"<br><sup>{subtitle}</sup>")
    fig.update_xaxes(title_text=t("chart.data.rank_axis", lang), range=[0, n_items + 1])
    fig.update_yaxes(title_text=t("chart.data.interactions_log", lang), type="log",
                     tickvals=_log_ticks(float(positive.max())), tickformat=",d")
    return fig


def _activity_bins(values: np.ndarray, max_bins: int) -> np.ndarray:
    """Equal-width integer bin edges: one value per bin when the range allows."""
    lo, hi = int(values.min()), int(values.max())
    width = max(1, math.ceil((hi - lo + 1) / max_bins))
    return np.arange(lo, hi + width + 1, width)


def _log_ticks(top: float) -> list[float]:
    """1, 2, 5, 10, 20, 50, ... up to ``top``: labels a reader can take in at a glance."""
    ticks: list[float] = []
    decade = 1
    while decade <= top * 1.0001:
        ticks += [m * decade for m in (1, 2, 5) if m * decade <= top * 2]
        decade *= 10
    return ticks


def user_activity_figure(summary: DataSummary, *, max_bins: int = 30,
                         lang: str = "en") -> go.Figure | None:
    """Histogram of interactions per user (users with at least one interaction).

    Parameters
    ----------
    summary : DataSummary
        From :func:`fairrec_core.data.summarize`.
    max_bins : int, default 30
        When activity spans more distinct values than this, each bin covers
        several values (all bins equally wide, so bar heights compare).

    Notes
    -----
    With a heavy tail (the most active user has more than 20 times the
    median activity) the y axis is logarithmic, so the few heavy users stay
    visible next to the many light ones.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when no user has an interaction.
    """
    per_user = np.asarray(summary.per_user)
    active = per_user[per_user > 0]
    if active.size == 0:
        return None
    edges = _activity_bins(active, max_bins)
    counts, _ = np.histogram(active, bins=edges)
    labels = [str(a) if b - a == 1 else f"{a}-{b - 1}" for a, b in pairwise(edges)]
    share = counts / active.size
    fig = go.Figure(go.Bar(
        x=labels, y=counts, marker_color=USER_COLOR, customdata=share,
        hovertemplate=t("chart.data.activity_hover", lang, x="%{x}", y="%{y:,}",
                        share="%{customdata:.1%}") + "<extra></extra>"))
    median = float(np.median(active))
    idle = int(per_user.size - active.size)
    subtitle = t("chart.data.active_users", lang, n=f"{active.size:,}", median=f"{median:g}") + (
        t("chart.data.idle_users", lang, n=f"{idle:,}") if idle else "")
    _layout(fig, t("chart.data.activity", lang) + f"<br><sup>{subtitle}</sup>")
    fig.update_xaxes(title_text=t("chart.data.per_user_axis", lang), type="category")
    heavy_tail = active.max() > 20 * median
    if heavy_tail:
        fig.update_yaxes(title_text=t("chart.data.users_log", lang), type="log",
                         tickvals=_log_ticks(float(counts.max())), tickformat=",d")
    else:
        fig.update_yaxes(title_text=t("chart.data.users", lang))
    fig.update_layout(bargap=0.08)
    return fig


# "under 18", "18-24", "55+", "2023", "0.5-3.2": a band or a year label.
_LEADING_NUMBER = re.compile(r"^(under\s+|<\s*)?(-?\d+(?:\.\d+)?)")


def _natural_order(groups: pd.DataFrame, size_col: str) -> pd.DataFrame:
    """Bands (``under 18``, ``18-24``, ``55+``) and years in numeric order; others by size.

    ``unknown`` always goes last.
    """
    labels = groups["group"].astype(str)
    known = labels != "unknown"
    keys = labels[known].map(lambda s: _LEADING_NUMBER.match(s))
    if known.any() and keys.map(bool).all():
        order = keys.map(lambda m: float(m.group(2)) - (0.5 if m.group(1) else 0.0))
        ranked = groups[known].assign(_k=order.to_numpy()).sort_values("_k").drop(columns="_k")
    else:
        ranked = groups[known].sort_values([size_col, "group"], ascending=[False, True])
    return pd.concat([ranked, groups[~known]])


def user_groups_figure(summary: DataSummary, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
                       max_cols: int = 3, lang: str = "en") -> go.Figure | None:
    """Bar charts of user group sizes, one panel per user attribute.

    Parameters
    ----------
    summary : DataSummary
        From :func:`fairrec_core.data.summarize`; uses ``summary.user_groups``.
    min_group_size : int, default 30
        Groups smaller than this are drawn in a muted colour and a dashed
        line marks the size: a fairness audit reports them as "insufficient
        data" rather than judging them (DESIGN.md §4).
    max_cols : int, default 3
        Panels per row.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the data has no user attributes.
    """
    groups = summary.user_groups
    if groups is None or groups.empty:
        return None
    attributes = list(dict.fromkeys(groups["attribute"]))
    cols = min(max_cols, len(attributes))
    rows = math.ceil(len(attributes) / cols)
    fig = make_subplots(rows=rows, cols=cols,
                        subplot_titles=[safe(grouping_label(a, lang)) for a in attributes],
                        horizontal_spacing=0.08, vertical_spacing=0.22 if rows > 1 else 0.1)
    total = int(summary.counts.get("users", 0)) or None
    for k, attr in enumerate(attributes):
        part = _natural_order(groups[groups["attribute"] == attr], "users")
        sizes = part["users"].to_numpy()
        colors = [USER_COLOR if s >= min_group_size else MUTED_COLOR for s in sizes]
        share = sizes / total if total else np.zeros(len(sizes))
        r, c = divmod(k, cols)
        fig.add_trace(go.Bar(
            x=[safe(group_label(g, lang)) for g in part["group"]], y=sizes, marker_color=colors,
            customdata=share, name=safe(attr),
            hovertemplate=f"{_hover(attr)} = " + t(
                "chart.data.group_hover", lang, x="%{x}", y="%{y:,}",
                share="%{customdata:.1%}") + "<extra></extra>"),
            row=r + 1, col=c + 1)
        fig.add_hline(y=min_group_size, row=r + 1, col=c + 1,
                      line={"color": REFERENCE_COLOR, "dash": "dot", "width": 1})
        fig.update_xaxes(type="category", row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=t("chart.data.users", lang) if c == 0 else None,
                         row=r + 1, col=c + 1)
    _layout(fig, t("chart.data.user_groups", lang) + "<br><sup>"
            + t("chart.data.grey_bars", lang, n=min_group_size) + "</sup>",
            height=140 + 260 * rows, top=100)
    return fig


def item_groups_figure(summary: DataSummary, *, top: int = 12,
                       lang: str = "en") -> go.Figure | None:
    """Horizontal bars of items per category and per provider, one panel each.

    Parameters
    ----------
    summary : DataSummary
        From :func:`fairrec_core.data.summarize`; uses ``summary.item_groups``.
    top : int, default 12
        Largest groups drawn per attribute. The panel title says how many
        groups and items the rest hold, so a catalog with thousands of
        sellers stays readable without hiding its long tail.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when the items have neither category nor provider.
    """
    groups = summary.item_groups
    if groups is None or groups.empty:
        return None
    attributes = list(dict.fromkeys(groups["attribute"]))
    parts, titles = [], []
    for attr in attributes:
        part = groups[groups["attribute"] == attr].sort_values(
            ["items", "group"], ascending=[False, True])
        parts.append(part)
        rest = part.iloc[top:]
        if len(rest):
            share = rest["items"].sum() / max(part["items"].sum(), 1)
            titles.append(t("chart.data.largest", lang, attr=safe(grouping_label(attr, lang)),
                            top=top, n=f"{len(part):,}", rest=f"{len(rest):,}",
                            share=f"{share:.0%}"))
        else:
            titles.append(safe(grouping_label(attr, lang)))
    fig = make_subplots(rows=1, cols=len(attributes), subplot_titles=titles,
                        horizontal_spacing=0.2 if len(attributes) > 1 else 0.1)
    longest = 1
    for k, (attr, part) in enumerate(zip(attributes, parts)):
        shown = part.head(top)
        longest = max(longest, len(shown))
        # Reversed so that the largest group is drawn at the top.
        fig.add_trace(go.Bar(
            x=shown["items"].to_numpy()[::-1],
            y=[safe(group_label(g, lang)) for g in shown["group"]][::-1],
            orientation="h", marker_color=ITEM_COLOR, name=safe(attr),
            hovertemplate=f"{_hover(attr)} = " + t("chart.data.items_hover", lang, y="%{y}",
                                                    x="%{x:,}") + "<extra></extra>"),
            row=1, col=k + 1)
        fig.update_xaxes(title_text=t("chart.data.items", lang), row=1, col=k + 1)
        fig.update_yaxes(type="category", automargin=True, row=1, col=k + 1)
    _layout(fig, t("chart.data.item_groups", lang),
            height=max(340, 150 + 24 * longest), top=100)
    return fig
