"""Static (PNG) versions of the audit charts for the PDF report, drawn with matplotlib.

They show the same data as the Plotly figures of
:mod:`fairrec_core.viz.audit_charts`; the PDF cannot hold interactive charts.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd

from fairrec_core.i18n import t
from fairrec_core.report.text import attr_name
from fairrec_core.viz.audit_charts import (
    CATALOG_COLOR,
    MERIT_COLOR,
    MUTED_COLOR,
    POINT_COLOR,
    REFERENCE_COLOR,
)
from fairrec_core.viz.data_charts import ITEM_COLOR, USER_COLOR

WIDTH, HEIGHT, DPI = 7.0, 3.0, 150


def _plain(text) -> str:
    # A "$" would switch matplotlib into math mode and can make drawing fail.
    return str(text).replace("$", r"\$")


def _figure(height: float = HEIGHT):
    # matplotlib's object API, not pyplot: no global state and no GUI backend, so
    # charts can be drawn from the dashboard's download threads at the same time.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E5E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _fonts(draw):
    """Draw with DejaVu Sans first and the CJK font (when installed) as fallback.

    Chinese labels, and Chinese group names in the data even in an English report,
    need the CJK font. Text takes its font when it is created, so the family is set
    for the whole drawing, not just the saving.
    """

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        import matplotlib

        from fairrec_core.report.fonts import matplotlib_cjk_family

        families = ["DejaVu Sans"]
        cjk = matplotlib_cjk_family()
        if cjk:
            families.append(cjk)
        with matplotlib.rc_context({"font.family": families}):
            return draw(*args, **kwargs)

    return wrapper


def _labels(ax, labels) -> None:
    labels = [_plain(x) for x in labels]
    ax.set_xticks(range(len(labels)))
    rotate = max((len(x) for x in labels), default=0) * len(labels) > 60
    ax.set_xticklabels(labels, rotation=30 if rotate else 0, ha="right" if rotate else "center",
                       fontsize=8)


@_fonts
def user_group_png(user_groups: pd.DataFrame, grouping: str, metric: str, *, label: str,
                   ratio_fail: float = 0.8, lang: str = "en") -> bytes | None:
    """Group means of one metric with intervals (see ``user_group_figure``)."""
    rows = user_groups[(user_groups["grouping"] == grouping)
                       & (user_groups["metric"] == metric)]
    if rows.empty:
        return None
    fig, ax = _figure()
    ok = (rows["status"] == "ok").to_numpy()
    v = rows["value"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    x = np.arange(len(rows))
    ax.bar(x, v, color=[USER_COLOR if o else MUTED_COLOR for o in ok], width=0.6)
    err = np.vstack([np.nan_to_num(v - lo), np.nan_to_num(hi - v)])
    ax.errorbar(x, v, yerr=err, fmt="none", ecolor=REFERENCE_COLOR, capsize=3, linewidth=1)
    if ok.sum() >= 2:
        ax.axhline(float(np.nanmax(v[ok])) * ratio_fail, color=POINT_COLOR, linestyle=":",
                   linewidth=1, label=t("chart.times_best", lang, ratio=f"{ratio_fail:g}"))
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    _labels(ax, rows["group"])
    ax.set_ylabel(_plain(label), fontsize=9)
    ax.set_title(t("chart.user_title", lang, label=_plain(label),
                   grouping=_plain(attr_name(grouping, lang))), fontsize=10, loc="left")
    return _png(fig)


@_fonts
def provider_png(item_groups: pd.DataFrame, grouping: str, *, top: int = 12,
                 lang: str = "en") -> bytes | None:
    """Exposure, catalogue and merit shares per group (see ``provider_exposure_figure``)."""
    rows = item_groups[item_groups["grouping"] == grouping]
    if rows.empty:
        return None
    shown = rows.sort_values(["catalog_share", "group"], ascending=[False, True]).head(top)
    fig, ax = _figure()
    x = np.arange(len(shown))
    w = 0.27
    es = shown["exposure_share"].to_numpy(float)
    err = np.vstack([np.nan_to_num(es - shown["exposure_share_ci_low"].to_numpy(float)),
                     np.nan_to_num(shown["exposure_share_ci_high"].to_numpy(float) - es)])
    ax.bar(x - w, es, w, color=ITEM_COLOR, label=t("chart.exposure_share", lang))
    ax.errorbar(x - w, es, yerr=err, fmt="none", ecolor=REFERENCE_COLOR, capsize=2,
                linewidth=1)
    ax.bar(x, shown["catalog_share"], w, color=CATALOG_COLOR, label=t("chart.catalog_share", lang))
    ax.bar(x + w, shown["merit_share"], w, color=MERIT_COLOR, label=t("chart.merit_share", lang))
    _labels(ax, shown["group"])
    ax.set_ylabel(t("chart.share", lang), fontsize=9)
    more = t("chart.largest", lang, top=top, n=len(rows)) if len(rows) > top else ""
    ax.set_title(t("chart.provider_title", lang, grouping=_plain(attr_name(grouping, lang)),
                   more=more), fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, ncols=3, loc="upper right")
    return _png(fig)


@_fonts
def lorenz_png(lorenz: pd.DataFrame, gini: float | None = None, *, lang: str = "en") -> bytes:
    """The exposure Lorenz curve."""
    fig, ax = _figure(HEIGHT * 1.1)
    ax.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":",
            label=t("chart.equal_exposure", lang))
    ax.plot(lorenz["item_share"], lorenz["exposure_share"], color=ITEM_COLOR, linewidth=2,
            label=t("chart.audited_lists", lang))
    ax.set_xlabel(t("chart.items_share", lang), fontsize=9)
    ax.set_ylabel(t("chart.exposure_axis", lang), fontsize=9)
    sub = (t("chart.gini", lang, gini=f"{gini:.3f}") if gini is not None and np.isfinite(gini)
           else "")
    ax.set_title(t("chart.lorenz_title", lang, gini=sub), fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


@_fonts
def tradeoff_png(table: pd.DataFrame, *, fairness_column: str, fairness_label: str,
                 accuracy_label: str, lang: str = "en") -> bytes | None:
    """Accuracy vs. fairness over λ with the Pareto front and the operating point."""
    if table is None or table.empty or fairness_column not in table:
        return None
    tab = table.sort_values("lam")
    x, y = tab[fairness_column].to_numpy(float), tab["ndcg"].to_numpy(float)
    fig, ax = _figure(HEIGHT * 1.2)
    ax.plot(x, y, "-o", color=USER_COLOR, markersize=3, linewidth=1, label=t("chart.grid", lang))
    front = tab["pareto"].to_numpy(bool)
    ax.scatter(x[front], y[front], s=60, facecolors="none", edgecolors=ITEM_COLOR,
               linewidths=1.5, label=t("chart.pareto", lang), zorder=3)
    op = tab["operating_point"].to_numpy(bool)
    if op.any():
        ax.scatter(x[op], y[op], s=160, marker="*", color=POINT_COLOR, zorder=4,
                   label=t("chart.operating", lang, lam=f"{tab['lam'].to_numpy()[op][0]:g}"))
    for xi, yi, lam in zip(x[::5], y[::5], tab["lam"].to_numpy()[::5]):
        ax.annotate(f"λ={lam:g}", (xi, yi), textcoords="offset points", xytext=(4, 4),
                    fontsize=7, color=REFERENCE_COLOR)
    ax.set_xlabel(_plain(fairness_label), fontsize=9)
    ax.set_ylabel(_plain(accuracy_label), fontsize=9)
    ax.set_title(t("chart.tradeoff_title", lang), fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)
