"""Re-ranking on top of each fairness-trained model: the "both combined" curves (issue 15.2).

A λ_train grid (:func:`fairrec_core.fairtrain.train_grid`) gives one model per
λ_train; the re-ranking sweep (:func:`~fairrec_core.pipeline.rerank_stage.tradeoff_table`)
re-ranks the plain model's candidates over λ. :func:`combined_tradeoff`
re-ranks every λ_train > 0 model's candidates with the *same* re-ranker and
metrics adapter over the same λ values, so the three sets of points (re-ranking
alone, training alone, both) are measured one way and share the chart's axes.
The Pareto front is taken once over all of them (:func:`union_front`).

The candidates are kept while the grid trains, through the grid's ``on_fit``
hook (:func:`keep_candidates`): each model's top-C ids and scores, not the
model. The dashboard (What-if page) and ``fairrec audit`` (report's
``model.fairtrain["combined"]``) both go through here.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence

import numpy as np
import pandas as pd

#: The sources of the trade-off points, in the order :func:`union_front` stacks them.
SOURCES = ("rerank", "train", "combined")

__all__ = ["SOURCES", "audit_combined", "best_at", "combined_tradeoff", "front_sources",
           "keep_candidates", "union_front"]


def keep_candidates(store: MutableMapping, k: int, c: int) -> Callable[[float, object], None]:
    """A ``train_grid(on_fit=...)`` hook that keeps each λ_train > 0 model's candidates.

    Parameters
    ----------
    store : mutable mapping
        Filled as ``store[λ_train] = Candidates`` (top ``c`` ids and scores per
        user, :func:`~fairrec_core.pipeline.rerank_stage.model_candidates`).
    k, c : int
        List length and candidates per user (the re-ranking sweep's own ``C``).

    Notes
    -----
    λ_train = 0 is the plain model; re-ranking it is the re-ranking sweep itself,
    so its candidates are not kept twice.
    """
    from fairrec_core.pipeline.rerank_stage import model_candidates

    def hook(lam: float, model) -> None:
        if lam > 0:
            store[float(lam)] = model_candidates(model, k, c)

    return hook


def union_front(column: str, *tables: pd.DataFrame | None) -> np.ndarray:
    """Pareto flags over the points of all ``tables`` stacked in order (None skipped).

    NDCG is maximised and ``column`` turned into "larger is fairer" as the
    re-ranking sweep does (:func:`fairrec_core.rerank.fairness_objective`), so a
    point is on the front when no point of any table is at least as accurate and
    as fair, and strictly better in one. A table without ``column`` adds no point.
    """
    from fairrec_core.rerank import fairness_objective, pareto_mask

    parts = [t for t in tables if t is not None and len(t) and column in t and "ndcg" in t]
    if not parts:
        return np.zeros(0, dtype=bool)
    x = np.concatenate([t[column].to_numpy(float) for t in parts])
    y = np.concatenate([t["ndcg"].to_numpy(float) for t in parts])
    return pareto_mask(np.column_stack([y, fairness_objective(x, column)]))


def combined_tradeoff(setup, candidates_by_lam: dict, lams: Sequence[float], *,
                      rerank: pd.DataFrame | None = None,
                      train: pd.DataFrame | None = None,
                      column: str | None = None) -> pd.DataFrame:
    """Re-rank every λ_train > 0 model's candidates over ``lams`` with ``setup``'s re-ranker.

    Parameters
    ----------
    setup : RerankSetup or WhatIf
        Anything with the re-ranking sweep's ``reranker``, ``metrics``
        (:class:`~fairrec_core.rerank.TradeoffMetrics`) and ``fairness_column``:
        the same method, groups, protected group and K as the sweep.
    candidates_by_lam : dict of float -> Candidates
        From :func:`keep_candidates`; λ_train = 0 entries are ignored.
    lams : sequence of float
        The sweep's λ values.
    rerank, train : pandas.DataFrame, optional
        The re-ranking sweep and the λ_train grid: the ``pareto`` flag of the
        result is taken over their points and the combined ones together.
    column : str, optional
        The fairness axis of that front; default ``setup.fairness_column`` (the
        report passes the grid's, any column the metrics adapter measures).

    Returns
    -------
    pandas.DataFrame
        One row per (λ_train, λ): ``lam_train``, ``lam``, the metrics adapter's
        columns (``ndcg``, the fairness column, ...) and ``pareto`` (on the front
        of all points; see :func:`union_front`). Empty with these columns when
        no λ_train > 0 model's candidates were kept.
    """
    from fairrec_core.rerank import sweep

    column = column or setup.fairness_column
    parts = []
    for lam_train in sorted(x for x in candidates_by_lam if x > 0):
        table = sweep(candidates_by_lam[lam_train], setup.reranker, setup.metrics,
                      lams=list(lams)).table
        table = table.drop(columns=["seconds", "pareto"], errors="ignore")
        table.insert(0, "lam_train", float(lam_train))
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=["lam_train", "lam", "ndcg", column, "pareto"])
    out = pd.concat(parts, ignore_index=True)
    flags = union_front(column, rerank, train, out) if column in out else np.zeros(0, bool)
    out["pareto"] = flags[len(flags) - len(out):] if len(flags) >= len(out) else False
    return out


def front_sources(column: str, *, rerank: pd.DataFrame | None = None,
                  train: pd.DataFrame | None = None,
                  combined: pd.DataFrame | None = None) -> dict[str, int]:
    """How many points of the front over all three sets come from each: ``{source: n}``.

    ``n`` of ``"combined"`` counts the front points that combine both (a
    λ_train > 0 model re-ranked at λ > 0 or not).
    """
    tables = {"rerank": rerank, "train": train, "combined": combined}
    kept = {s: t for s, t in tables.items()
            if t is not None and len(t) and column in t and "ndcg" in t}
    flags = union_front(column, *kept.values())
    out, at = dict.fromkeys(SOURCES, 0), 0
    for source, table in kept.items():
        out[source] = int(flags[at:at + len(table)].sum())
        at += len(table)
    return out


def best_at(combined: pd.DataFrame, lam: float) -> pd.DataFrame:
    """Each λ_train's combined row at the sweep's λ nearest ``lam`` (the operating point)."""
    if combined is None or not len(combined):
        return pd.DataFrame(columns=getattr(combined, "columns", []))
    lams = np.unique(combined["lam"].to_numpy(float))
    nearest = lams[np.argmin(np.abs(lams - float(lam)))]
    return combined[np.isclose(combined["lam"].to_numpy(float), nearest)].sort_values(
        "lam_train").reset_index(drop=True)


def audit_combined(config, dataset, split, base, tradeoff: dict, fairtrain: dict,
                   candidates: dict) -> None:
    """``fairrec audit``: put the combined rows into ``fairtrain["combined"]`` (report.json).

    Run after the re-ranking stage when ``[model.fairness].grid`` kept its
    models' candidates and the re-ranking sweep is on. The re-ranker is built
    again from the same config, data and base candidates
    (:func:`~fairrec_core.pipeline.rerank_stage.build_reranker` is deterministic),
    so it is the sweep's own; the λ values are the sweep's. The λ_train of the audited
    model itself (``[model.fairness].weight``) is left out: the sweep already re-ranks
    it. Only ``lam_train``,
    ``lam``, ``ndcg``, the grid's fairness column and ``pareto`` are kept. When
    the sweep cannot measure the grid's axis, ``fairtrain["combined_note"]`` says so.
    """
    from fairrec_core._json import jsonable
    from fairrec_core.i18n import phrase
    from fairrec_core.pipeline.rerank_stage import _user_groupings, build_reranker

    sweep_table = tradeoff.get("table")
    if not candidates or not tradeoff.get("available") or base.candidates is None or \
            not isinstance(sweep_table, pd.DataFrame):
        return
    column = fairtrain["fairness_column"]
    setup = build_reranker(config.rerank, config.metrics, config.thresholds, dataset, split,
                           base.candidates, user_groupings=_user_groupings(config, dataset))
    # ES/CS names only the protected label: the item grouping must be the grid's too.
    other_items = column.startswith("es_cs_ratio[") and setup is not None and \
        fairtrain["fairness"].get("attribute") != setup.item_grouping
    if setup is None or column not in sweep_table or other_items:
        fairtrain["combined_note"] = phrase(
            "combined.not_comparable", here=(setup.fairness_column if setup else None) or "—",
            train=column)
        return
    # The sweep re-ranks the audited model; when that model was itself trained with the
    # term, its λ_train's combined curve would be the sweep again (points counted twice).
    fair = config.model.fairness
    weight = float(fair.weight) if fair is not None and fair.weight else 0.0
    kept = {lam: c for lam, c in candidates.items() if not np.isclose(lam, weight)}
    train = pd.DataFrame(fairtrain["table"])
    table = combined_tradeoff(setup, kept, sweep_table["lam"], rerank=sweep_table,
                              train=train, column=column)
    keep = ["lam_train", "lam", "ndcg", column, "pareto"]
    fairtrain["combined"] = jsonable(table[keep].to_dict("records"))
