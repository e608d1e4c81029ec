"""The audit's fairness figures, each defined once as a :class:`FigureSpec`.

The Fairness page, the HTML report and the PDF report all draw these specs
(:func:`~fairrec_core.viz.render_plotly.to_plotly`,
:func:`~fairrec_core.viz.render_png.to_png`), so a figure shows the same
title, groups, colours and reference lines wherever it appears. Every builder
reads the tidy tables of a :class:`~fairrec_core.metrics.FairnessResult`
(the dashboard's run and the report's ``AuditResult.fairness`` alike);
nothing here computes a metric. Groups keep one colour across every chart
(:func:`~fairrec_core.viz.colors.group_colors` over the grouping's full label
set).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.metrics.definitions import metric_info
from fairrec_core.text_escape import html_text
from fairrec_core.viz.colors import (
    CATALOG_COLOR,
    LORENZ_COLOR,
    MERIT_COLOR,
    REFERENCE_COLOR,
    STATUS_COLORS,
    UNKNOWN_COLOR,
    group_colors,
)
from fairrec_core.viz.figure_spec import Bars, FigureSpec, Line, RefLine

__all__ = ["lorenz_spec", "provider_spec", "user_group_spec"]

#: Lorenz curves of large catalogues are thinned to about this many points.
LORENZ_POINTS = 2001


def _names(metric: str, grouping: str, k: int, lang: str) -> tuple[str, str]:
    # Imported here: the dashboard's wording module imports the report helpers lazily.
    from fairrec_core.dashboard.fairness_session import metric_text

    return metric_text(metric, k, lang)[0] if metric else "", grouping_label(grouping, lang)


def _user_rows(result, grouping: str, metric: str) -> pd.DataFrame:
    ug = result.user_groups
    return ug[(ug["grouping"] == grouping) & (ug["metric"] == metric)].reset_index(drop=True)


def user_group_spec(result, grouping: str, metric: str, *,
                    colors: dict[str, str] | None = None,
                    lang: str = "en") -> FigureSpec | None:
    """Mean of one per-user metric per group, with 95% bootstrap intervals.

    Parameters
    ----------
    result : FairnessResult
    grouping, metric : str
    colors : dict, optional
        ``{group: colour}``; default from the grouping's labels.
    lang : {"en", "zh"}

    Returns
    -------
    FigureSpec or None
        None when the result has no such rows. Groups too small to judge are
        hatched, without an interval; a dashed line marks the mean over all
        users, a dotted one the four-fifths line (``ratio_fail`` × the best
        judged group) when the metric is checked; both are named in the legend.
    """
    rows = _user_rows(result, grouping, metric)
    if rows.empty:
        return None
    k = int(result.params.get("k", 10))
    label, gname = _names(metric, grouping, k, lang)
    groups = rows["group"].astype(str).tolist()
    colors = colors or group_colors(result.user_labels[grouping].astype(str).unique()
                                    if grouping in result.user_labels else groups)
    value = rows["value"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    ok = (rows["status"] == "ok").to_numpy()
    info = metric_info(metric)
    pct = info is not None and info.percent
    fmt = ".1%" if pct else ".4f"
    hover = t("chart.fair.user_hover", lang, label=html_text(label, quote=False),
              value=f"%{{y:{fmt}}}", lo=f"%{{customdata[1]:{fmt}}}",
              hi=f"%{{customdata[2]:{fmt}}}", n="%{customdata[0]:,}")
    bars = Bars(name=label, values=value, color=[colors.get(g, UNKNOWN_COLOR) for g in groups],
                ci_low=lo, ci_high=hi, hatched=[not o for o in ok], legend=False,
                customdata=np.column_stack([rows["n"].to_numpy(), lo, hi,
                                            np.where(ok, "", t("chart.fair.too_few", lang))]),
                hover=(f"{html_text(gname, quote=False)} = %{{x}}<br>{hover} "
                       "%{customdata[3]}<extra></extra>"))
    refs = []
    overall = result.overall.set_index("metric")
    if metric in overall.index and np.isfinite(overall.at[metric, "value"]):
        mean = float(overall.at[metric, "value"])
        refs.append(RefLine(mean, REFERENCE_COLOR, t("chart.fair.all_users", lang,
                                                     value=f"{mean:{fmt}}")))
    thresholds = result.params.get("thresholds", {})
    if metric in thresholds.get("user_metrics", ("ndcg",)) and ok.sum() >= 2:
        fail = float(thresholds.get("ratio_fail", 0.8))
        refs.append(RefLine(float(np.nanmax(value[ok])) * fail, STATUS_COLORS["fail"],
                            t("chart.fair.times_best", lang, ratio=f"{fail:g}"), dash="dot"))
    unit = t("chart.fair.unit_share" if metric == "hr" else "chart.fair.unit_mean", lang)
    small = "" if ok.all() else t("chart.fair.user_sub_small", lang)
    return FigureSpec(
        title=t("chart.fair.user_title", lang, label=label, grouping=gname),
        subtitle=t("chart.fair.user_sub", lang) + small, x_title=gname,
        y_title=label + unit, categories=[group_label(g, lang) for g in groups], bars=[bars],
        refs=refs,
        y_format=".0%" if pct else None, y_from_zero=True, height=380, legend="top")


def shown_groups(rows: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top - 1`` least exposed groups for their merit, and the most over-exposed one."""
    key = rows["es_rs_ratio"].fillna(rows["es_cs_ratio"])
    ranked = rows.assign(_k=key.fillna(np.inf).to_numpy()).sort_values(["_k", "group"])
    low = ranked.head(top - 1)
    defined = ranked[np.isfinite(ranked["_k"])]
    # The most over-exposed group is the other half of the story: where the exposure went.
    high = defined.tail(1) if len(defined) else ranked.tail(1)
    return pd.concat([low, high[~high.index.isin(low.index)]]).drop(columns="_k")


def provider_spec(result, grouping: str, *, colors: dict[str, str] | None = None,
                  top: int = 15, lang: str = "en") -> tuple[FigureSpec | None, str]:
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
        Groupings with more groups show the ``top - 1`` groups with the lowest
        exposure-to-merit ratio (the ones a provider check would flag) and the
        most over-exposed group.
    lang : {"en", "zh"}

    Returns
    -------
    (FigureSpec or None, caption)
        The caption says which groups are shown when not all are.
    """
    rows = result.item_groups[result.item_groups["grouping"] == grouping]
    if rows.empty:
        return None, ""
    _, gname = _names("", grouping, 10, lang)
    colors = colors or group_colors(rows["group"].astype(str))
    caption = ""
    shown = rows
    if len(rows) > top:
        shown = shown_groups(rows, top)
        caption = t("fair.showing_lowest", lang, top=len(shown), n=f"{len(rows):,}",
                    low=top - 1)
    groups = shown["group"].astype(str).tolist()
    es = shown["exposure_share"].to_numpy(float)
    cs = shown["catalog_share"].to_numpy(float)
    rs = shown["merit_share"].to_numpy(float)
    bars = [
        Bars(t("chart.fair.es_name", lang), es, [colors.get(g, UNKNOWN_COLOR) for g in groups],
             ci_low=shown["exposure_share_ci_low"].to_numpy(float),
             ci_high=shown["exposure_share_ci_high"].to_numpy(float),
             customdata=np.column_stack([shown["es_cs_ratio"], shown["es_rs_ratio"],
                                         shown["n_items"]]),
             hover=t("chart.fair.es_hover", lang, x="%{x}", y="%{y:.1%}",
                     cs="%{customdata[0]:.2f}", rs="%{customdata[1]:.2f}",
                     n="%{customdata[2]:,}") + "<extra></extra>"),
        Bars(t("chart.fair.cs_name", lang), cs, CATALOG_COLOR, opacity=0.35,
             hover=t("chart.fair.cs_hover", lang, x="%{x}", y="%{y:.1%}") + "<extra></extra>"),
        Bars(t("chart.fair.rs_name", lang), rs, MERIT_COLOR, opacity=0.7,
             ci_low=shown["merit_share_ci_low"].to_numpy(float),
             ci_high=shown["merit_share_ci_high"].to_numpy(float), err_width=1.0,
             hover=t("chart.fair.rs_hover", lang, x="%{x}", y="%{y:.1%}") + "<extra></extra>")]
    # Small shares (many providers) need a decimal, or the ticks read "1%, 1%, 0%".
    top_share = np.nanmax(np.r_[es, rs, cs, 0.0])
    spec = FigureSpec(
        title=t("chart.fair.provider_title", lang, grouping=gname),
        subtitle=t("chart.fair.provider_sub", lang), x_title=gname,
        y_title=t("chart.fair.share_axis", lang), categories=[group_label(g, lang) for g in groups],
        bars=bars,
        y_format=".1%" if top_share < 0.05 else ".0%", y_from_zero=True, height=420)
    return spec, caption


def lorenz_spec(result, lang: str = "en") -> FigureSpec:
    """Exposure Lorenz curve over all items, with the equality line and the Gini."""
    overall = result.overall.set_index("metric")
    gini = float(overall.at["gini", "value"]) if "gini" in overall.index else math.nan
    x = result.lorenz["item_share"].to_numpy(float)
    y = result.lorenz["exposure_share"].to_numpy(float)
    if x.size > LORENZ_POINTS:  # a large catalogue: evenly spaced points keep the shape
        keep = np.unique(np.linspace(0, x.size - 1, LORENZ_POINTS).round().astype(int))
        x, y = x[keep], y[keep]
    lines = [Line(t("chart.fair.equal", lang), np.array([0.0, 1.0]), np.array([0.0, 1.0]),
                  REFERENCE_COLOR, dash="dot", width=1),
             Line(t("chart.fair.audited", lang), x, y, LORENZ_COLOR, width=2.5,
                  fill="rgba(217,130,43,0.12)",
                  hover=t("chart.fair.lorenz_hover", lang, x="%{x:.0%}", y="%{y:.1%}")
                  + "<extra></extra>")]
    sub = (t("chart.fair.gini", lang, gini=f"{gini:.3f}") if np.isfinite(gini)
           else t("chart.fair.no_item", lang))
    return FigureSpec(
        title=t("chart.fair.lorenz_title", lang), subtitle=sub,
        x_title=t("chart.fair.items_axis", lang), y_title=t("chart.fair.exposure_axis", lang),
        lines=lines, x_format=".0%", y_format=".0%", x_range=(0, 1), y_range=(0, 1),
        height=420)
