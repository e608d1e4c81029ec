"""The What-if trade-off chart with the Train page's λ_train curve on the same axes (issue 15.2).

A λ_train grid (``pipeline_session.FAIRTRAIN``, trained on the Train page) and
the What-if re-ranking sweep both tabulate overall NDCG@K against a fairness
column under the same names (``ndcg_ratio[g]``, ``es_cs_ratio[p]``). When the
two name the same column at the same K, :func:`tradeoff_with_training` draws
the re-ranking curve, the train-time curve and one Pareto front over the
union of their points; otherwise :func:`training_overlay` says why not, for a
caption.

No streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.i18n import t

#: The train-time curve's colour: apart from the re-ranking curve's blue, the front's
#: orange and the current point's red (viz.tradeoff_charts).
TRAIN_COLOR = "#2E7D32"

__all__ = ["TRAIN_COLOR", "tradeoff_with_training", "training_overlay", "union_front"]


def training_overlay(wi, grid, lang: str = "en") -> tuple[pd.DataFrame | None, str | None]:
    """The grid's table when it shares the What-if chart's axes, else ``(None, why not)``.

    Parameters
    ----------
    wi : WhatIf
        The What-if sweep (its ``fairness_column`` and ``k``).
    grid : FairTrainGrid or None
        The session's λ_train grid (``training_session.current_grid``).
    lang : {"en", "zh"}

    Returns
    -------
    (pandas.DataFrame or None, str or None)
        ``(table, None)`` to overlay; ``(None, sentence)`` when the grid is on
        another fairness measure or K; ``(None, None)`` when there is no grid.
    """
    if grid is None or grid.table is None or len(grid.table) == 0:
        return None, None
    column = wi.fairness_column
    # ES/CS names only the protected label: the item grouping must be the same one too.
    grouping = (grid.fairness or {}).get("attribute")
    other_items = column is not None and column.startswith("es_cs_ratio[") and \
        grid.fairness.get("term") == "item-exposure" and grouping != wi.item_grouping.name
    if column is None or grid.fairness_column != column or grid.k != wi.k or other_items:
        from fairrec_core.metrics.definitions import metric_label

        return None, t("whatif.train_other_axis", lang,
                       train=metric_label(grid.fairness_column, grid.k, lang),
                       here=metric_label(column, wi.k, lang) if column else "—")
    table = grid.table
    if column not in table or "ndcg" not in table:
        return None, None
    return table, None


def union_front(rerank: pd.DataFrame, train: pd.DataFrame, column: str) -> np.ndarray:
    """Pareto flags over both curves' points (re-ranking rows first, then train-time rows).

    Accuracy is maximised and the fairness column turned into "larger is fairer"
    as the re-ranking sweep does (``rerank.fairness_objective``), so a point is on
    the front when no point of either curve is at least as accurate and as fair.
    """
    from fairrec_core.rerank import fairness_objective, pareto_mask

    x = np.concatenate([rerank[column].to_numpy(float), train[column].to_numpy(float)])
    y = np.concatenate([rerank["ndcg"].to_numpy(float), train["ndcg"].to_numpy(float)])
    return pareto_mask(np.column_stack([y, fairness_objective(x, column)]))


def tradeoff_with_training(wi, current: dict | None, train: pd.DataFrame | None, *,
                           weight: str = "λ", lang: str = "en"):
    """The What-if trade-off figure, with the train-time curve and the union's front.

    Without ``train`` it is exactly ``viz.tradeoff_charts.tradeoff_figure``.
    With it, the re-ranking curve's own front is replaced by the front over both
    curves, and the λ_train points are drawn as their own curve.
    """
    from fairrec_core.viz import tradeoff_charts as tc

    column = wi.fairness_column
    if train is None:
        return tc.tradeoff_figure(wi.table, column, k=wi.k, current=current, weight=weight,
                                  lang=lang)
    rerank = wi.table.sort_values("lam")
    fig = tc.tradeoff_figure(rerank.assign(pareto=False), column, k=wi.k, current=current,
                             weight=weight, lang=lang)
    if fig is None:
        return None
    train = train.sort_values("lam")
    front = union_front(rerank, train, column)
    fig.add_trace({"type": "scatter", "x": train[column].to_numpy(float),
                   "y": train["ndcg"].to_numpy(float), "mode": "lines+markers",
                   "name": t("whatif.train_curve", lang),
                   "customdata": train["lam"].to_numpy(float),
                   "line": {"color": TRAIN_COLOR, "width": 1.5, "dash": "dash"},
                   "marker": {"size": 8, "symbol": "diamond", "color": TRAIN_COLOR},
                   "hovertemplate": "λ_train = %{customdata:g}<br>%{x:.3f}, %{y:.4f}"
                                    "<extra></extra>"})
    x = np.concatenate([rerank[column].to_numpy(float), train[column].to_numpy(float)])
    y = np.concatenate([rerank["ndcg"].to_numpy(float), train["ndcg"].to_numpy(float)])
    order = np.argsort(x[front])
    fig.add_trace({"type": "scatter", "x": x[front][order], "y": y[front][order],
                   "mode": "lines+markers", "name": t("whatif.train_front", lang),
                   "line": {"color": tc.FRONT_COLOR, "width": 2, "dash": "dot"},
                   "marker": {"size": 12, "color": "rgba(0,0,0,0)",
                              "line": {"color": tc.FRONT_COLOR, "width": 2}},
                   "hoverinfo": "skip"})
    return fig
