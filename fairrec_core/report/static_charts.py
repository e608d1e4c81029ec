"""Static (PNG) versions of the audit charts for the PDF report, drawn with matplotlib.

They show the same data as the Plotly figures of
:mod:`fairrec_core.viz.audit_charts`; the PDF cannot hold interactive charts.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

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


def _labels(ax, labels) -> None:
    labels = [_plain(x) for x in labels]
    ax.set_xticks(range(len(labels)))
    rotate = max((len(x) for x in labels), default=0) * len(labels) > 60
    ax.set_xticklabels(labels, rotation=30 if rotate else 0, ha="right" if rotate else "center",
                       fontsize=8)


def user_group_png(user_groups: pd.DataFrame, grouping: str, metric: str, *, label: str,
                   ratio_fail: float = 0.8) -> bytes | None:
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
                   linewidth=1, label=f"{ratio_fail:g} × best")
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    _labels(ax, rows["group"])
    ax.set_ylabel(_plain(label), fontsize=9)
    ax.set_title(f"{_plain(label)} by {_plain(grouping)} (grey: too few users to judge)",
                 fontsize=10, loc="left")
    return _png(fig)


def provider_png(item_groups: pd.DataFrame, grouping: str, *, top: int = 12) -> bytes | None:
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
    ax.bar(x - w, es, w, color=ITEM_COLOR, label="exposure share")
    ax.errorbar(x - w, es, yerr=err, fmt="none", ecolor=REFERENCE_COLOR, capsize=2,
                linewidth=1)
    ax.bar(x, shown["catalog_share"], w, color=CATALOG_COLOR, label="catalogue share")
    ax.bar(x + w, shown["merit_share"], w, color=MERIT_COLOR, label="merit share")
    _labels(ax, shown["group"])
    ax.set_ylabel("Share", fontsize=9)
    more = f" (largest {top} of {len(rows)})" if len(rows) > top else ""
    ax.set_title(f"Exposure vs. catalogue and merit by {_plain(grouping)}{more}", fontsize=10,
                 loc="left")
    ax.legend(fontsize=7, frameon=False, ncols=3, loc="upper right")
    return _png(fig)


def lorenz_png(lorenz: pd.DataFrame, gini: float | None = None) -> bytes:
    """The exposure Lorenz curve."""
    fig, ax = _figure(HEIGHT * 1.1)
    ax.plot([0, 1], [0, 1], color=REFERENCE_COLOR, linestyle=":", label="equal exposure")
    ax.plot(lorenz["item_share"], lorenz["exposure_share"], color=ITEM_COLOR, linewidth=2,
            label="audited lists")
    ax.set_xlabel("Share of items (least exposed first)", fontsize=9)
    ax.set_ylabel("Share of exposure", fontsize=9)
    sub = f" (Gini {gini:.3f})" if gini is not None and np.isfinite(gini) else ""
    ax.set_title(f"Exposure concentration{sub}", fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def tradeoff_png(table: pd.DataFrame, *, fairness_column: str, fairness_label: str,
                 accuracy_label: str) -> bytes | None:
    """Accuracy vs. fairness over λ with the Pareto front and the operating point."""
    if table is None or table.empty or fairness_column not in table:
        return None
    t = table.sort_values("lam")
    x, y = t[fairness_column].to_numpy(float), t["ndcg"].to_numpy(float)
    fig, ax = _figure(HEIGHT * 1.2)
    ax.plot(x, y, "-o", color=USER_COLOR, markersize=3, linewidth=1, label="λ grid")
    front = t["pareto"].to_numpy(bool)
    ax.scatter(x[front], y[front], s=60, facecolors="none", edgecolors=ITEM_COLOR,
               linewidths=1.5, label="Pareto-optimal", zorder=3)
    op = t["operating_point"].to_numpy(bool)
    if op.any():
        ax.scatter(x[op], y[op], s=160, marker="*", color=POINT_COLOR, zorder=4,
                   label=f"operating point (λ = {t['lam'].to_numpy()[op][0]:g})")
    for xi, yi, lam in zip(x[::5], y[::5], t["lam"].to_numpy()[::5]):
        ax.annotate(f"λ={lam:g}", (xi, yi), textcoords="offset points", xytext=(4, 4),
                    fontsize=7, color=REFERENCE_COLOR)
    ax.set_xlabel(_plain(fairness_label), fontsize=9)
    ax.set_ylabel(_plain(accuracy_label), fontsize=9)
    ax.set_title("Trade-off curve: accuracy vs. fairness over λ", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)
