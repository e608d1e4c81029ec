"""λ sweeps, Pareto fronts and the search for the smallest sufficient λ.

A sweep re-ranks the same candidates at every λ of a grid (default 21
points, 0, 0.05, …, 1), measures accuracy and fairness of each result with
the metrics engine, and flags the Pareto-optimal rows. The dashboard slider
reads this table and re-ranks the current λ live. The λ-independent work
(sorting, normalising, grouping the candidates) is done once per sweep.

:func:`smallest_lambda` answers "how much fairness weight does it take?":
the smallest λ at which a metric meets a target (for example
``"es_cs_ratio[small] >= 0.8"``), found by bisection.
"""

from __future__ import annotations

import math
import operator
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from fairrec_core.metrics.beyond import (
    coverage_from_lists,
    head_items,
    item_popularity,
    user_activity,
    user_aplt,
)
from fairrec_core.metrics.exposure import position_weights
from fairrec_core.metrics.groups import (
    Grouping,
    activity_grouping,
    group_means,
    shares_table,
)
from fairrec_core.metrics.ranking import RANKING_METRICS, hit_matrix, metrics_from_hits

from .base import (
    Candidates,
    Reranker,
    RerankError,
    RerankResult,
    as_grouping,
    check_k,
    check_lam,
)

#: Default λ grid: 21 points from 0 to 1.
DEFAULT_LAMBDAS = tuple(round(x, 10) for x in np.linspace(0.0, 1.0, 21))

#: Item groupings with more groups than this report only the protected groups
#: (a provider grouping can have thousands of sellers).
MAX_ITEM_GROUP_COLUMNS = 10


def _canonical(matrix, *, what: str, shape=None) -> sp.csr_matrix:
    if not sp.issparse(matrix):
        raise RerankError(f"{what} must be a scipy sparse matrix (users x items).")
    out = sp.csr_matrix(matrix, copy=True)
    if shape is not None and out.shape != tuple(shape):
        raise RerankError(f"{what} has shape {out.shape}, expected {tuple(shape)}.")
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    out.data = np.ones_like(out.data, dtype=np.float64)
    return out


class TradeoffMetrics:
    """Accuracy and fairness of one set of top-K lists, as one table row.

    A thin adapter over the metrics engine (``fairrec_core.metrics``) that
    precomputes everything independent of the lists (groupings, merit per
    item group, head/tail split, history category mix) so that a λ sweep
    pays only for what changes. It calls the engine's building blocks
    (``hit_matrix``, ``metrics_from_hits``, ``group_means``,
    ``shares_table``, ``coverage_from_lists``, ``user_aplt``); two sums are
    done here from cached parts: exposure per item group and Steck's
    miscalibration (KL(p ‖ (1 − α) q + α p), α = 0.01, log rank weights,
    as ``user_miscalibration``). The tests check every column against the
    engine's public functions.

    Parameters
    ----------
    truth : scipy.sparse matrix, shape (n_users, n_items)
        Held-out positives (T_u).
    item_groups : Grouping or labels, shape (n_items,), optional
        Provider grouping whose exposure shares are reported.
    protected : str or list of str, optional
        The group(s) a fairness target usually names; always reported, and
        the fairness axis of the Pareto front.
    user_groups : mapping of name -> Grouping or labels, optional
        User groupings for the user-side gap; the activity grouping (top 5%
        of users by training interactions = "active") is added when
        ``train`` is given and ``activity=True``.
    train : scipy.sparse matrix, optional
        Training interactions: head/tail split for APLT, history for
        calibration, activity for the default user grouping.
    categories : Grouping or labels, shape (n_items,), optional
        Item categories for miscalibration (needs ``train``).
    k : int, default 10
    exposure : {"log", "geometric", "uniform"}, default "log"
    head_share : float, default 0.2
    min_group_size : int, default 30
        User groups with fewer evaluable users are not compared.
    activity : bool, default True

    Columns of a row
    ----------------
    ``ndcg``, ``recall`` (means over evaluable users);
    ``ndcg_difference[g]``, ``ndcg_ratio[g]`` per user grouping g;
    ``exposure_share[h]``, ``es_cs_ratio[h]``, ``es_rs_ratio[h]`` per item group h;
    ``coverage``; ``aplt`` (with train); ``miscalibration`` (with train and
    categories).
    """

    def __init__(self, truth, *, item_groups=None, protected=None,
                 user_groups: Mapping | None = None, train=None, categories=None, k: int = 10,
                 exposure: str = "log", head_share: float = 0.2, min_group_size: int = 30,
                 activity: bool = True):
        self.truth = _canonical(truth, what="The held-out positives")
        n_users, n_items = self.truth.shape
        self.n_users, self.n_items = n_users, n_items
        self.k = check_k(k)
        self.exposure = exposure
        self.weights = position_weights(self.k, exposure)
        self.min_group_size = int(min_group_size)
        self.train = None if train is None else _canonical(train, what="The training matrix",
                                                           shape=(n_users, n_items))
        self.item_groups: Grouping | None = None
        self.protected: tuple[str, ...] = ()
        if item_groups is not None:
            self.item_groups = as_grouping(item_groups, name="item_group", what="item")
            if self.item_groups.codes.size != n_items:
                raise RerankError(f"The item grouping labels {self.item_groups.codes.size} items; "
                                  f"the held-out matrix has {n_items}.")
            if protected is not None:
                labs = [protected] if isinstance(protected, str) else protected
                missing = [x for x in labs if x not in self.item_groups.labels]
                if missing:
                    raise RerankError(
                        f"Protected group {missing} is not a label of "
                        f"'{self.item_groups.name}' ({', '.join(self.item_groups.labels)}).")
                self.protected = tuple(str(x) for x in labs)
        self.user_groups: dict[str, Grouping] = {}
        if activity and self.train is not None:
            self.user_groups["activity"] = activity_grouping(user_activity(self.train))
        for name, g in (user_groups or {}).items():
            grp = as_grouping(g, name=str(name), what="user")
            if grp.codes.size != n_users:
                raise RerankError(f"User grouping '{name}' labels {grp.codes.size} users; the "
                                  f"held-out matrix has {n_users}.")
            self.user_groups[str(name)] = grp
        self.n_relevant = np.diff(self.truth.indptr)
        if self.item_groups is not None:
            g = self.item_groups
            # Σ_u |T_u ∩ h| does not depend on the lists.
            self._merit = np.bincount(g.codes[self.truth.indices],
                                      minlength=g.n_groups).astype(np.float64)
        self.tail = None
        if self.train is not None:
            self.tail = ~head_items(item_popularity(self.train), head_share=head_share)
        self.categories = None
        if categories is not None and self.train is not None:
            self.categories = as_grouping(categories, name="category", what="item category")
            if self.categories.codes.size != n_items:
                raise RerankError(f"The category labels cover {self.categories.codes.size} "
                                  f"items; the held-out matrix has {n_items}.")
            gc = self.categories
            counts = np.zeros((n_users, gc.n_groups))
            rows = np.repeat(np.arange(n_users), np.diff(self.train.indptr))
            np.add.at(counts, (rows, gc.codes[self.train.indices]), 1.0)
            tot = counts.sum(axis=1)
            self._has_history = tot > 0
            self._p = np.divide(counts, tot[:, None], out=np.zeros_like(counts),
                                where=tot[:, None] > 0)
        self.calibration_alpha = 0.01

    @classmethod
    def from_split(cls, dataset, split, *, item_attribute: str | None = "seller_size",
                   protected=None, user_attributes: Sequence[str] = (),
                   category_attribute: str | None = "category", k: int = 10,
                   **options) -> TradeoffMetrics:
        """Build from a Dataset and its Split (:mod:`fairrec_core.data`).

        Parameters
        ----------
        item_attribute : str, optional
            Column of ``dataset.items`` that groups providers (default
            ``seller_size``); skipped when absent.
        user_attributes : sequence of str
            Columns of ``dataset.users`` to compare users by (the activity
            grouping is always added).
        category_attribute : str, optional
            Column of ``dataset.items`` for calibration.
        """
        items = dataset.items
        item_groups = (items[item_attribute] if item_attribute and item_attribute in items
                       else None)
        if item_groups is not None:
            item_groups = item_groups.rename(item_attribute)
        cats = (items[category_attribute] if category_attribute and category_attribute in items
                else None)
        ugroups = {a: dataset.users[a] for a in user_attributes}
        return cls(split.test_matrix(), item_groups=item_groups, protected=protected,
                   user_groups=ugroups, train=split.train_matrix(), categories=cats, k=k,
                   **options)

    @property
    def fairness_column(self) -> str | None:
        """The column the Pareto front trades against accuracy."""
        if self.protected:
            return f"es_cs_ratio[{self.protected[0]}]"
        if self.user_groups:
            return f"ndcg_ratio[{next(iter(self.user_groups))}]"
        return "coverage"

    def evaluate(self, top_k) -> dict:
        """Metrics of one set of lists (users × K item ids, -1 = padding)."""
        lists = np.asarray(top_k)
        if lists.shape[0] != self.n_users:
            raise RerankError(f"The lists cover {lists.shape[0]} users; the held-out matrix "
                              f"{self.n_users}.")
        lists = lists[:, :self.k].astype(np.int64, copy=False)
        if lists.shape[1] < self.k:
            lists = np.hstack([lists, np.full((lists.shape[0], self.k - lists.shape[1]), -1)])
        row: dict = {}
        values = metrics_from_hits(hit_matrix(lists, self.truth), self.n_relevant, self.k)
        ndcg = values[:, RANKING_METRICS.index("ndcg")]
        recall = values[:, RANKING_METRICS.index("recall")]
        any_eval = bool((self.n_relevant > 0).any())
        row["ndcg"] = float(np.nanmean(ndcg)) if any_eval else math.nan
        row["recall"] = float(np.nanmean(recall)) if any_eval else math.nan
        for name, g in self.user_groups.items():
            means, counts = group_means(ndcg, g)
            ok = counts[:, 0] >= self.min_group_size
            m = means[ok, 0]
            if m.size >= 2:
                hi, lo = float(m.max()), float(m.min())
                row[f"ndcg_difference[{name}]"] = hi - lo
                row[f"ndcg_ratio[{name}]"] = lo / hi if hi > 0 else math.nan
            else:
                row[f"ndcg_difference[{name}]"] = row[f"ndcg_ratio[{name}]"] = math.nan
        valid = lists >= 0
        safe = np.where(valid, lists, 0)
        w = np.broadcast_to(self.weights, lists.shape)
        if self.item_groups is not None:
            g = self.item_groups
            exposure = np.bincount(g.codes[safe][valid], weights=w[valid],
                                   minlength=g.n_groups).astype(np.float64)
            table = shares_table(exposure, self._merit, g.sizes, g.labels).set_index("group")
            labels = (list(table.index) if len(table) <= MAX_ITEM_GROUP_COLUMNS
                      else list(self.protected))
            for lab in labels:
                row[f"exposure_share[{lab}]"] = float(table.at[lab, "exposure_share"])
                row[f"es_cs_ratio[{lab}]"] = float(table.at[lab, "es_cs_ratio"])
                row[f"es_rs_ratio[{lab}]"] = float(table.at[lab, "es_rs_ratio"])
        row["coverage"] = coverage_from_lists(lists, self.n_items)
        if self.tail is not None:
            vals = user_aplt(lists, self.tail, self.k)
            row["aplt"] = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        if self.categories is not None:
            row["miscalibration"] = self._miscalibration(lists, safe, valid, w)
        return row

    def _miscalibration(self, lists, safe, valid, w) -> float:
        gc = self.categories
        assert gc is not None  # only called when categories were given
        n = lists.shape[0]
        key = (np.arange(n)[:, None] * gc.n_groups + gc.codes[safe])[valid]
        q = np.bincount(key, weights=w[valid], minlength=n * gc.n_groups).reshape(n, gc.n_groups)
        tot = q.sum(axis=1)
        ok = self._has_history & (tot > 0)
        if not ok.any():
            return math.nan
        p = self._p[ok]
        mix = (1 - self.calibration_alpha) * q[ok] / tot[ok, None] + self.calibration_alpha * p
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / mix), 0.0)
        return float(terms.sum(axis=1).mean())


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


def _same_k(metrics: TradeoffMetrics, k) -> int:
    if k is None:
        return metrics.k
    k = check_k(k)
    if k != metrics.k:
        raise RerankError(f"The lists would have K = {k} but the metrics measure K = "
                          f"{metrics.k}; build TradeoffMetrics with k={k}.")
    return k


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


# --------------------------------------------------------------------------- search

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_TARGET = re.compile(r"^\s*(?P<metric>[^<>=\s]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>[-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Target:
    """A condition on one metric column, e.g. ``es_cs_ratio[small] >= 0.8``."""

    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, target) -> Target:
        """From a string ``"metric >= value"``, a (metric, op, value) tuple or a Target."""
        if isinstance(target, Target):
            return target
        if isinstance(target, str):
            m = _TARGET.match(target)
            if not m:
                raise RerankError(f"Cannot read the target {target!r}; write it like "
                                  "'es_cs_ratio[small] >= 0.8'.")
            return cls(m["metric"], m["op"], float(m["value"]))
        metric, op, value = target
        if op not in _OPS:
            raise RerankError(f"Unknown comparison {op!r}; use one of {', '.join(_OPS)}.")
        return cls(str(metric), op, float(value))

    def met(self, row: Mapping) -> bool:
        if self.metric not in row:
            raise RerankError(f"The target names '{self.metric}', which is not measured; "
                              f"available: {', '.join(k for k in row if k != 'lam')}.")
        v = row[self.metric]
        return bool(np.isfinite(v) and _OPS[self.op](v, self.value))

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass
class LambdaSearch:
    """Outcome of :func:`smallest_lambda`.

    Attributes
    ----------
    target : Target
    lam : float or None
        Smallest λ found that meets the target (within ``tol``); None if even
        λ = 1 does not.
    row : dict or None
        Metrics at ``lam``.
    result : RerankResult or None
        The lists at ``lam`` (with provenance).
    evaluations : list of (λ, value, met)
        Every λ tried, in order.
    """

    target: Target
    lam: float | None
    row: dict | None
    result: RerankResult | None
    evaluations: list

    @property
    def found(self) -> bool:
        return self.lam is not None

    def describe(self) -> str:
        if self.lam is None:
            return (f"No λ in [0, 1] meets {self.target}; at λ = 1 the value is "
                    f"{self.evaluations[-1][1]:.4g}.")
        assert self.row is not None  # a λ was found, so its row was kept
        return (f"The smallest λ meeting {self.target} is {self.lam:.4g} "
                f"({self.target.metric} = {self.row[self.target.metric]:.4g}); "
                f"{len(self.evaluations)} evaluations.")


def smallest_lambda(candidates: Candidates, reranker: Reranker, metrics: TradeoffMetrics, *,
                    target, k: int | None = None, tol: float = 1e-3,
                    max_iter: int = 40) -> LambdaSearch:
    """The smallest λ whose re-ranked lists meet ``target``, by bisection.

    λ = 0 is tried first (if the base lists already meet the target the
    answer is 0), then λ = 1 (if it fails, there is no answer); in between
    the interval [last failing λ, first meeting λ] is halved until it is
    shorter than ``tol``, and the meeting end is returned.

    Parameters
    ----------
    candidates : Candidates
    reranker : Reranker
    metrics : TradeoffMetrics
    target : str, tuple or Target
        E.g. ``"es_cs_ratio[small] >= 0.8"``.
    k : int, optional
    tol : float, default 1e-3
    max_iter : int, default 40

    Returns
    -------
    LambdaSearch

    Notes
    -----
    Bisection assumes the metric is monotone in λ (the tests check this for
    the provider method's small-seller exposure on the sample data). If it
    is not, the returned λ still meets the target and a λ less than ``tol``
    below it did not, but a smaller meeting λ may exist elsewhere; run a
    :func:`sweep` to see the whole curve.
    """
    tgt = Target.parse(target)
    if not 0 < tol < 1:
        raise RerankError(f"tol must lie in (0, 1), got {tol}.")
    k = _same_k(metrics, k)
    state = reranker.prepare(candidates, k=k)
    evaluations = []

    def try_lam(lam):
        res = reranker.run(state, lam)
        row = {"lam": lam, **metrics.evaluate(res.ids)}
        ok = tgt.met(row)
        evaluations.append((lam, float(row[tgt.metric]), ok))
        return ok, row, res

    ok, row, res = try_lam(0.0)
    if ok:
        return LambdaSearch(tgt, 0.0, row, res, evaluations)
    ok, row, res = try_lam(1.0)
    if not ok:
        return LambdaSearch(tgt, None, None, None, evaluations)
    lo, hi, best = 0.0, 1.0, (row, res)
    for _ in range(max_iter):
        if hi - lo <= tol:
            break
        mid = 0.5 * (lo + hi)
        ok, row, res = try_lam(mid)
        if ok:
            hi, best = mid, (row, res)
        else:
            lo = mid
    return LambdaSearch(tgt, hi, best[0], best[1], evaluations)
