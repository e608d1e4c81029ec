"""User-side group fairness: per-group means, group comparisons and CPFair's UGF.

For a grouping g(u) the group value of a per-user metric is its mean over the
group's evaluable users; difference = max − min and ratio = min / max over the
groups large enough to be judged. Values come from
:class:`fairlearn.metrics.MetricFrame` (``engine="fairlearn"``, the default of
:func:`compare_groups`), with the per-user metric arrays as ``y_true`` /
``y_pred`` and the grouping as ``sensitive_features``, so by_group,
difference(), ratio() and intersections are Fairlearn's. A numpy engine
computes the same numbers from per-group sums and counts — the form that can
be combined across batches of users — about 100 times faster; λ sweeps and
very large user sets use it.

UGF (CPFair, Naghiaei et al., SIGIR 2022) = NDCG(active) − NDCG(inactive): the
signed user-group gap between the top 5% most active users and the rest
(positive = active users served better).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validate import MetricsInputError
from .grouping import INTERSECTION_SEP, Grouping, make_grouping

#: Engines accepted by :func:`compare_groups`.
ENGINES = ("fairlearn", "numpy")


def _num_den(values: np.ndarray, weights) -> tuple[np.ndarray, np.ndarray]:
    """Per-user numerator and denominator so that a group value is Σnum / Σden.

    A plain mean has weight 1 per evaluable user; a pooled mean (novelty over
    recommended pairs) weights each user by list length. NaN = not evaluable.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    ok = ~np.isnan(values)
    if weights is None:
        w = np.ones_like(values)
    else:
        w = np.asarray(weights, dtype=np.float64)
        w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, values.shape)
    den = np.where(ok, w, 0.0)
    num = np.where(ok, values, 0.0) * den
    return num, den


def group_sums(values, grouping: Grouping, *,
               weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-group Σnum, Σden and evaluable counts (the mergeable form).

    Sums from separate batches of users can simply be added before dividing,
    which is how group metrics scale to users that do not fit in memory.

    Returns
    -------
    num, den, count : numpy.ndarray, shape (n_groups, n_metrics)
    """
    num, den = _num_den(values, weights)
    onehot = sp.csr_matrix((np.ones(grouping.codes.size),
                            (grouping.codes, np.arange(grouping.codes.size))),
                           shape=(grouping.n_groups, grouping.codes.size))
    return (np.asarray(onehot @ num), np.asarray(onehot @ den),
            np.asarray(onehot @ (den > 0).astype(np.float64)).astype(np.int64))


def group_means(values, grouping: Grouping, *, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Group values (numpy engine) and evaluable users per group.

    Returns
    -------
    means : numpy.ndarray, shape (n_groups, n_metrics)
        NaN for groups without evaluable users.
    counts : numpy.ndarray of int, shape (n_groups, n_metrics)
    """
    num, den, count = group_sums(values, grouping, weights=weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan), count


def _column_mean(j: int):
    """Metric for column j: Σ y_true[:, j] / Σ y_pred[:, j] over the group's users."""
    def metric(y_true, y_pred):
        # Fairlearn hands a single-column y back as 1-D.
        num = np.reshape(y_true, (len(y_true), -1))[:, j]
        total = float(np.sum(np.reshape(y_pred, (len(y_pred), -1))[:, j]))
        return float(np.sum(num)) / total if total > 0 else float("nan")
    return metric


def metric_frame(values: pd.DataFrame, grouping: Grouping, *, weights=None):
    """A Fairlearn :class:`~fairlearn.metrics.MetricFrame` over per-user metrics.

    Parameters
    ----------
    values : pandas.DataFrame, shape (n_users, n_metrics)
        Per-user metric values; NaN = not evaluable for that metric.
    grouping : Grouping
        Its :attr:`Grouping.features` (one column per component) become
        ``sensitive_features``, so intersections are Fairlearn's own.
    weights : array-like, optional
        Per-user weights for pooled means, shape (n_users,) or like ``values``.

    Returns
    -------
    fairlearn.metrics.MetricFrame
        ``by_group``, ``difference()`` and ``ratio()`` give group means of the
        evaluable users, max − min and min / max.

    Notes
    -----
    The per-user arrays are passed as ``y_true`` (weighted values, 0 where
    not evaluable) and ``y_pred`` (weights, 0 where not evaluable), one column
    per metric, and each metric is Σ y_true / Σ y_pred within a group. This
    keeps NaN out of Fairlearn and lets metrics with different evaluable
    users share one MetricFrame. (Passing them as ``sample_params`` gives
    the same numbers but is ~30 times slower in Fairlearn 0.15.)
    """
    from fairlearn.metrics import MetricFrame

    names = list(values.columns)
    num, den = _num_den(values.to_numpy(dtype=np.float64), weights)
    return MetricFrame(
        metrics={m: _column_mean(j) for j, m in enumerate(names)},
        y_true=num, y_pred=den,
        sensitive_features=grouping.features.reset_index(drop=True),
    )


def _by_group_labels(frame: pd.DataFrame) -> list[str]:
    """Row labels of a MetricFrame's ``by_group``; intersections joined by ``INTERSECTION_SEP``."""
    if isinstance(frame.index, pd.MultiIndex):
        return [INTERSECTION_SEP.join(str(p) for p in tup) for tup in frame.index]
    return [str(v) for v in frame.index]


@dataclass(frozen=True)
class GroupComparison:
    """Group values of several per-user metrics for one grouping.

    Attributes
    ----------
    grouping : Grouping
    value : pandas.DataFrame
        Index = group labels (all groups), columns = metrics; NaN where a
        group has no evaluable user.
    n : pandas.DataFrame
        Evaluable users per group and metric.
    sufficient : pandas.DataFrame of bool
        ``n >= min_group_size``; only these groups are compared.
    difference, ratio : pandas.Series
        max − min and min / max over sufficient groups, per metric; NaN when
        fewer than two groups are sufficient (or the max is 0, for the ratio).
    best, worst : pandas.Series
        Label of the sufficient group with the highest / lowest value.
    min_group_size : int
    """

    grouping: Grouping
    value: pd.DataFrame
    n: pd.DataFrame
    sufficient: pd.DataFrame
    difference: pd.Series
    ratio: pd.Series
    best: pd.Series
    worst: pd.Series
    min_group_size: int


def compare_groups(values, grouping, *, weights=None, min_group_size: int = 30,
                   engine: str = "fairlearn") -> GroupComparison:
    """Group values, difference and ratio of per-user metrics.

    Parameters
    ----------
    values : pandas.DataFrame, shape (n_users, n_metrics)
        Per-user metric values, NaN = not evaluable.
    grouping : Grouping or array-like of labels
    weights : array-like, optional
        Per-user weights (for pooled means such as novelty).
    min_group_size : int, default 30
        Groups with fewer evaluable users are reported but not compared.
    engine : {"fairlearn", "numpy"}
        ``fairlearn`` computes through MetricFrame; ``numpy`` through
        per-group sums (same numbers, much faster; used by λ sweeps).

    Returns
    -------
    GroupComparison
    """
    if engine not in ENGINES:
        raise MetricsInputError(f"Unknown engine {engine!r}; choose one of {ENGINES}.")
    if not isinstance(values, pd.DataFrame):
        values = pd.DataFrame(np.asarray(values, dtype=np.float64))
    grouping = make_grouping(grouping, name="group", n=len(values))
    names = list(values.columns)
    if weights is not None:
        w_arr = np.asarray(weights, dtype=np.float64)
        weights = np.broadcast_to(w_arr[:, None] if w_arr.ndim == 1 else w_arr,
                                  (len(values), len(names)))
    labels = list(grouping.labels)
    means, counts = group_means(values.to_numpy(dtype=np.float64), grouping, weights=weights)
    if engine == "fairlearn":
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            by = metric_frame(values, grouping, weights=weights).by_group
        by.index = _by_group_labels(by)
        means = by.reindex(labels)[names].to_numpy(dtype=np.float64)
    refine = None
    if engine == "fairlearn":
        def refine(sufficient, comparable, hi, diff, ratio):
            # Fairlearn's own difference() and ratio(), over the judged groups
            # only; metrics that judge the same groups share one MetricFrame.
            patterns: dict[tuple[bool, ...], list[int]] = {}
            for j in np.flatnonzero(comparable).tolist():
                patterns.setdefault(tuple(sufficient[:, j]), []).append(j)
            for pattern, js in patterns.items():
                rows = np.asarray(pattern)[grouping.codes]
                sub_g = Grouping(grouping.name, grouping.codes[rows], grouping.labels,
                                 grouping.features.loc[rows].reset_index(drop=True))
                w = None if weights is None else weights[rows][:, js]
                sub = values.iloc[np.flatnonzero(rows), js].reset_index(drop=True)
                with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mf = metric_frame(sub, sub_g, weights=w)
                    d, r = mf.difference(), mf.ratio()
                for j in js:
                    diff[j] = float(d[names[j]])
                    ratio[j] = float(r[names[j]]) if hi[j] > 0 else np.nan

    return group_comparison(grouping, names, means, counts, min_group_size, refine=refine)


def group_comparison(grouping: Grouping, names, means, counts, min_group_size: int, *,
                     refine=None) -> GroupComparison:
    """Best, worst, difference and ratio from per-group means and counts.

    The one place these are judged: :func:`compare_groups` calls it on the
    local engine's means, the distributed engine on its merged sums.

    Parameters
    ----------
    grouping : Grouping
    names : list of str
        Metric names, one per column of ``means``.
    means, counts : numpy.ndarray, shape (n_groups, n_metrics)
        Group means and evaluable users per group, rows in ``grouping.labels`` order.
    min_group_size : int
        Groups with fewer evaluable users are reported but not compared.
    refine : callable, optional
        ``refine(sufficient, comparable, hi, diff, ratio)`` may overwrite ``diff``
        and ``ratio`` in place (the fairlearn engine computes them itself).

    Returns
    -------
    GroupComparison
    """
    labels = list(grouping.labels)
    sufficient = counts >= min_group_size
    comparable = sufficient.sum(axis=0) >= 2
    cols = np.arange(len(names))
    # Best and worst among judged groups only; ties go to the first label.
    best_i = np.where(sufficient, means, -np.inf).argmax(axis=0)
    worst_i = np.where(sufficient, means, np.inf).argmin(axis=0)
    hi, lo = means[best_i, cols], means[worst_i, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(comparable, hi - lo, np.nan)
        ratio = np.where(comparable & (hi > 0), lo / hi, np.nan)
    if refine is not None:
        refine(sufficient, comparable, hi, diff, ratio)

    def pick(idx):
        return pd.Series([labels[i] if ok else None for i, ok in zip(idx, comparable)],
                         index=names, dtype=object)

    return GroupComparison(
        grouping=grouping, value=pd.DataFrame(means, index=labels, columns=names),
        n=pd.DataFrame(counts, index=labels, columns=names),
        sufficient=pd.DataFrame(sufficient, index=labels, columns=names),
        difference=pd.Series(diff, index=names), ratio=pd.Series(ratio, index=names),
        best=pick(best_i), worst=pick(worst_i), min_group_size=min_group_size)


def ugf(ndcg, activity, *, active: str = "active", inactive: str = "inactive") -> float:
    """CPFair's user-group fairness: NDCG(active) − NDCG(inactive).

    Parameters
    ----------
    ndcg : array-like of float, shape (n_users,)
        Per-user NDCG@K, NaN for users that are not evaluable.
    activity : Grouping or array-like of labels
        E.g. :func:`activity_grouping`.

    Returns
    -------
    float
        Signed; NaN if either group has no evaluable user.
    """
    g = make_grouping(activity, name="activity", n=len(ndcg))
    means, _ = group_means(np.asarray(ndcg, dtype=np.float64), g)
    lookup = dict(zip(g.labels, means[:, 0]))
    return float(lookup.get(active, np.nan) - lookup.get(inactive, np.nan))


# --------------------------------------------------------------------------- provider side
