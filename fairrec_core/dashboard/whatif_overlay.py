"""The What-if trade-off chart with the Train page's λ_train curve on the same axes (issue 15.2).

A λ_train grid (``pipeline_session.FAIRTRAIN``, trained on the Train page) and
the What-if re-ranking sweep both tabulate overall NDCG@K against a fairness
column under the same names (``ndcg_ratio[g]``, ``es_cs_ratio[p]``). When the
two name the same column at the same K, :func:`tradeoff_with_training` draws
the re-ranking curve, the train-time curve and one Pareto front over the
union of their points; otherwise :func:`training_overlay` says why not, for a
caption. When the grid kept its models' candidates, :func:`combined_for` re-ranks
each λ_train > 0 model with the sweep's own re-ranker (cached in the session),
and the chart adds those "training + re-ranking" curves, the front then running
over all three sets.

No streamlit here.
"""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np
import pandas as pd

from fairrec_core.i18n import t

#: The train-time curve's colour: apart from the re-ranking curve's blue, the front's
#: orange and the current point's red (viz.tradeoff_charts).
TRAIN_COLOR = "#2E7D32"
#: The combined curves' colour: a lighter shade of the train-time curve's.
COMBINED_COLOR = "#81C784"
#: Session key of the cached combined table (:func:`combined_for`).
COMBINED = "whatif_combined"

__all__ = ["COMBINED", "COMBINED_COLOR", "TRAIN_COLOR", "combined_caption", "combined_for",
           "tradeoff_with_training", "training_overlay", "union_front"]


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


def union_front(rerank: pd.DataFrame, train: pd.DataFrame, column: str,
                combined: pd.DataFrame | None = None) -> np.ndarray:
    """Pareto flags over the curves' points (re-ranking rows, train-time rows, then combined).

    Accuracy is maximised and the fairness column turned into "larger is fairer"
    as the re-ranking sweep does (``rerank.fairness_objective``), so a point is on
    the front when no point of any curve is at least as accurate and as fair
    (one definition: :func:`fairrec_core.pipeline.combined_stage.union_front`).
    """
    from fairrec_core.pipeline.combined_stage import union_front as front

    return front(column, rerank, train, combined)


def combined_for(state: MutableMapping, wi, grid, train: pd.DataFrame | None
                 ) -> pd.DataFrame | None:
    """The combined training + re-ranking table of ``wi`` and ``grid``, computed once.

    Every λ_train > 0 model of the grid re-ranked with the What-if sweep's own
    re-ranker and metrics over its λ values
    (:func:`fairrec_core.pipeline.combined_stage.combined_tradeoff`). Kept in
    ``state[COMBINED]`` keyed on the grid and the sweep, so slider steps only
    read it. None when the grid is not overlaid (``train`` is None) or kept no
    candidates.
    """
    if train is None or grid is None or not getattr(grid, "candidates", None):
        return None
    from fairrec_core.pipeline.combined_stage import combined_tradeoff

    key = (id(grid), id(grid.candidates), grid.data_version, tuple(train["lam"]), id(wi),
           wi.request, wi.model_version)
    hit = state.get(COMBINED)
    if hit is not None and hit[0] == key:
        return hit[1]
    table = combined_tradeoff(wi, grid.candidates, wi.table["lam"], rerank=wi.table,
                              train=train)
    state[COMBINED] = (key, table)
    return table


def combined_caption(wi, train: pd.DataFrame, combined: pd.DataFrame | None,
                     lang: str = "en") -> str:
    """What the combined curves are, and which set holds the front's points."""
    from fairrec_core.pipeline.combined_stage import front_sources

    if combined is None or not len(combined):
        return ""
    n = front_sources(wi.fairness_column, rerank=wi.table, train=train, combined=combined)
    return t("combined.whatif_caption", lang, models=combined["lam_train"].nunique(),
             total=sum(n.values()), both=n["combined"], rerank=n["rerank"], train=n["train"])


def tradeoff_with_training(wi, current: dict | None, train: pd.DataFrame | None, *,
                           weight: str = "λ", lang: str = "en",
                           combined: pd.DataFrame | None = None):
    """The What-if trade-off figure, with the train-time curve and the union's front.

    Without ``train`` it is exactly ``viz.tradeoff_charts.tradeoff_figure``.
    With it, the re-ranking curve's own front is replaced by the front over all
    curves, and the λ_train points are drawn as their own curve; ``combined``
    (:func:`combined_for`) adds one thin line per λ_train > 0 model re-ranked
    over λ, all under one legend entry, and its points join the front.
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
    if combined is not None and (not len(combined) or column not in combined):
        combined = None
    if combined is not None:
        _combined_traces(fig, combined, column, weight, lang)
    fig.add_trace({"type": "scatter", "x": train[column].to_numpy(float),
                   "y": train["ndcg"].to_numpy(float), "mode": "lines+markers",
                   "name": t("whatif.train_curve", lang),
                   "customdata": train["lam"].to_numpy(float),
                   "line": {"color": TRAIN_COLOR, "width": 1.5, "dash": "dash"},
                   "marker": {"size": 8, "symbol": "diamond", "color": TRAIN_COLOR},
                   "hovertemplate": "λ_train = %{customdata:g}<br>%{x:.3f}, %{y:.4f}"
                                    "<extra></extra>"})
    tables = [rerank, train] + ([combined] if combined is not None else [])
    front = union_front(rerank, train, column, combined)
    x = np.concatenate([tb[column].to_numpy(float) for tb in tables])
    y = np.concatenate([tb["ndcg"].to_numpy(float) for tb in tables])
    order = np.argsort(x[front])
    fig.add_trace({"type": "scatter", "x": x[front][order], "y": y[front][order],
                   "mode": "lines+markers",
                   "name": t("combined.front" if combined is not None else "whatif.train_front",
                             lang),
                   "line": {"color": tc.FRONT_COLOR, "width": 2, "dash": "dot"},
                   "marker": {"size": 12, "color": "rgba(0,0,0,0)",
                              "line": {"color": tc.FRONT_COLOR, "width": 2}},
                   "hoverinfo": "skip"})
    return fig


def _combined_traces(fig, combined: pd.DataFrame, column: str, weight: str, lang: str) -> None:
    """One thin line per λ_train over λ, grouped under one legend entry."""
    name = t("combined.curve", lang)
    for n, (lam_train, part) in enumerate(combined.sort_values(["lam_train", "lam"])
                                          .groupby("lam_train", sort=True)):
        fig.add_trace({"type": "scatter", "x": part[column].to_numpy(float),
                       "y": part["ndcg"].to_numpy(float), "mode": "lines",
                       "name": name, "legendgroup": "combined", "showlegend": n == 0,
                       "customdata": np.column_stack([np.full(len(part), float(lam_train)),
                                                      part["lam"].to_numpy(float)]),
                       "line": {"color": COMBINED_COLOR, "width": 1},
                       "hovertemplate": f"λ_train = %{{customdata[0]:g}}, {weight} = "
                                        "%{customdata[1]:g}<br>%{x:.3f}, %{y:.4f}"
                                        "<extra></extra>"})
