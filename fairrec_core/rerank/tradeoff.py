"""The accuracy and fairness measured at every λ of a sweep (:class:`TradeoffMetrics`).

Built once per sweep from the held-out positives, the training data and the
groupings; :meth:`TradeoffMetrics.evaluate` then measures one set of top-K
lists with the metrics engine's definitions, fast enough for a slider.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
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

from .base import RerankError, as_grouping, check_k

#: Item groupings with more groups than this report only the protected groups
#: (a provider grouping can have thousands of sellers).
MAX_ITEM_GROUP_COLUMNS = 10


def _canonical(matrix, *, what: str, shape=None) -> sp.csr_matrix:
    """A binary CSR copy (duplicates summed, zeros dropped, indices sorted)."""
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


def _same_k(metrics: TradeoffMetrics, k) -> int:
    """K of the lists to make: ``metrics.k`` unless a matching K is given."""
    if k is None:
        return metrics.k
    k = check_k(k)
    if k != metrics.k:
        raise RerankError(f"The lists would have K = {k} but the metrics measure K = "
                          f"{metrics.k}; build TradeoffMetrics with k={k}.")
    return k

