"""λ sweeps, Pareto fronts and the search for the smallest sufficient λ.

A sweep re-ranks the same candidates at every λ of a grid (default 21
points, 0, 0.05, …, 1), measures accuracy and fairness of each result with
the metrics engine, and flags the Pareto-optimal rows. The dashboard slider
reads this table and re-ranks the current λ live. The λ-independent work
(sorting, normalising, grouping the candidates) is done once per sweep.

:func:`smallest_lambda` answers "how much fairness weight does it take?":
the smallest λ at which a metric meets a target (for example
``"es_cs_ratio[small] >= 0.8"``), found by bisection.

The metrics measured at each λ are :class:`~fairrec_core.rerank.tradeoff.TradeoffMetrics`
and the bisection lives in :mod:`fairrec_core.rerank.lambda_search`; both are
re-exported here, where callers import them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .base import Candidates, Reranker, RerankError, check_lam
from .lambda_search import LambdaSearch, Target, smallest_lambda
from .tradeoff import MAX_ITEM_GROUP_COLUMNS, TradeoffMetrics, _same_k

__all__ = [
    "DEFAULT_LAMBDAS", "MAX_ITEM_GROUP_COLUMNS", "TradeoffMetrics", "pareto_mask",
    "fairness_objective", "SweepResult", "sweep", "Target", "LambdaSearch", "smallest_lambda",
]

#: Default λ grid: 21 points from 0 to 1.
DEFAULT_LAMBDAS = tuple(round(x, 10) for x in np.linspace(0.0, 1.0, 21))


# --------------------------------------------------------------------------- Pareto


def pareto_mask(values) -> np.ndarray:
    """Rows not dominated by any other row, all columns to be maximised.

    A row is dominated when another row is at least as good in every column
    and strictly better in one. Rows with a NaN are never on the front.

    Parameters
    ----------
    values : array-like of float, shape (n_rows, n_objectives)

    Returns
    -------
    numpy.ndarray of bool, shape (n_rows,)
    """
    v = np.asarray(values, dtype=np.float64)
    ok = np.logical_not(np.isnan(v).any(axis=1))
    geq = (v[:, None, :] >= v[None, :, :]).all(axis=2)   # geq[a, b]: a ≥ b everywhere
    gt = (v[:, None, :] > v[None, :, :]).any(axis=2)
    dominated = ((geq & gt) & ok[:, None]).any(axis=0)
    return ok & ~dominated


def fairness_objective(values, column: str) -> np.ndarray:
    """Turn a fairness column into "larger is fairer".

    Exposure ratios (ES/CS, ES/RS) are fair at 1; both under- and
    over-exposure move away from it, so the objective is −|1 − ratio|.
    User-side ratios (min/max ≤ 1) and coverage are used as they are;
    differences and miscalibration are negated.
    """
    v = np.asarray(values, dtype=np.float64)
    if column.startswith(("es_cs_ratio", "es_rs_ratio")):
        return -np.abs(1.0 - v)
    if column.startswith(("ndcg_difference", "miscalibration")):
        return -v
    return v


# --------------------------------------------------------------------------- sweeps

@dataclass
class SweepResult:
    """One row per λ: accuracy, fairness, Pareto flag, and provenance.

    Attributes
    ----------
    table : pandas.DataFrame
        Column ``lam``, the metric columns of :class:`TradeoffMetrics`,
        ``pareto`` (bool) and ``seconds`` (re-ranking + metrics time).
    method : str
    params : dict
        The re-ranker's parameters (from the λ = first-grid-point result).
    fairness_column : str or None
        The metric traded against ``ndcg`` in the Pareto front.
    results : dict of float -> RerankResult
        The lists themselves when ``keep_results=True``.
    """

    table: pd.DataFrame
    method: str
    params: dict
    fairness_column: str | None
    results: dict = field(default_factory=dict)

    @property
    def front(self) -> pd.DataFrame:
        """The Pareto-optimal rows."""
        return self.table[self.table["pareto"]]


def sweep(candidates: Candidates, reranker: Reranker, metrics: TradeoffMetrics, *,
          lams: Sequence[float] | None = None, k: int | None = None,
          keep_results: bool = False) -> SweepResult:
    """Re-rank at every λ of a grid and measure each result.

    Parameters
    ----------
    candidates : Candidates
    reranker : Reranker
        A configured method (see :func:`fairrec_core.rerank.make_reranker`).
    metrics : TradeoffMetrics
    lams : sequence of float, optional
        Default :data:`DEFAULT_LAMBDAS` (21 points).
    k : int, optional
        Defaults to ``metrics.k``.
    keep_results : bool, default False
        Keep every :class:`RerankResult` (memory: users × K per λ).

    Returns
    -------
    SweepResult
        Pareto flags over (``ndcg``, fairness objective of
        ``metrics.fairness_column``; see :func:`fairness_objective`).
    """
    k = _same_k(metrics, k)
    grid = [check_lam(x) for x in (DEFAULT_LAMBDAS if lams is None else lams)]
    if not grid:
        raise RerankError("The λ grid is empty.")
    state = reranker.prepare(candidates, k=k)
    rows, results, params = [], {}, None
    for lam in grid:
        t0 = time.perf_counter()
        res = reranker.run(state, lam)
        row = {"lam": lam, **metrics.evaluate(res.ids)}
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        if params is None:
            params = res.provenance()
        if keep_results:
            results[lam] = res
    assert params is not None  # the grid is not empty
    table = pd.DataFrame(rows)
    col = metrics.fairness_column
    if col is not None and col in table:
        obj = np.column_stack([table["ndcg"].to_numpy(), fairness_objective(table[col], col)])
        table.insert(len(table.columns) - 1, "pareto", pareto_mask(obj))
    else:
        table.insert(len(table.columns) - 1, "pareto", pareto_mask(table[["ndcg"]]))
    return SweepResult(table=table, method=reranker.name, params=params, fairness_column=col,
                       results=results)
