"""Group fairness: user-side (consumer) and provider-side (DESIGN.md section 4).

User side: for a grouping g(u) the group value of a per-user metric is its
mean over the group's evaluable users; difference = max − min and
ratio = min / max over the groups large enough to be judged. Values come from
:class:`fairlearn.metrics.MetricFrame` (``engine="fairlearn"``, the default of
:func:`compare_groups`), with the per-user metric arrays as ``y_true`` /
``y_pred`` and the grouping as ``sensitive_features``, so by_group,
difference(), ratio() and intersections are Fairlearn's. A numpy engine
computes the same numbers from per-group sums and counts — the form that can
be combined across batches of users — about 100 times faster; λ sweeps and
very large user sets use it.

Provider side: exposure share ES_h, catalogue share CS_h, merit share RS_h and
the ratios ES/CS (equal exposure) and ES/RS (merit-proportional exposure).

CPFair (Naghiaei et al., SIGIR 2022) names:

* UGF = NDCG(active) − NDCG(inactive): the signed user-group gap between the
  top 5% most active users and the rest (positive = active users served
  better).
* IGF = ES_head − ES_tail: the signed gap in exposure share between the
  popular head and the long tail (positive = head gets more). CPFair states
  item fairness as an exposure deviation between these two groups; this is
  that deviation measured in shares of total exposure, so it lies in [−1, 1]
  and does not depend on the number of users.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validate import MetricsInputError, as_binary_csr, as_top_k
from .exposure import position_weights, user_group_exposure

#: Label given to users or items whose group is missing.
UNKNOWN = "unknown"
#: Separator of intersection labels and names: "F × 55+", "gender × age_band".
INTERSECTION_SEP = " × "
#: Engines accepted by :func:`compare_groups`.
ENGINES = ("fairlearn", "numpy")


# --------------------------------------------------------------------------- groupings


@dataclass(frozen=True)
class Grouping:
    """Group membership of every user (or item).

    Attributes
    ----------
    name : str
        E.g. ``"gender"`` or ``"gender × age_band"``.
    codes : numpy.ndarray of int64, shape (n,)
        Index into :attr:`labels` for each unit.
    labels : tuple of str
        Group labels, sorted, ``"unknown"`` last.
    features : pandas.DataFrame
        The string label(s) per unit, one column per component grouping;
        passed to Fairlearn as ``sensitive_features``.
    n_missing : int
        Units whose label (any component) was missing.
    """

    name: str
    codes: np.ndarray
    labels: tuple[str, ...]
    features: pd.DataFrame = field(repr=False)
    n_missing: int = 0

    @property
    def n_groups(self) -> int:
        """Number of distinct groups present."""
        return len(self.labels)

    @property
    def values(self) -> np.ndarray:
        """The label of every unit, as an object array of str."""
        return np.asarray(self.labels, dtype=object)[self.codes]

    @property
    def sizes(self) -> np.ndarray:
        """Units per group."""
        return np.bincount(self.codes, minlength=self.n_groups)

    @property
    def note(self) -> str | None:
        """A plain sentence about missing labels, or None."""
        if not self.n_missing:
            return None
        return (f"{self.name}: {self.n_missing} without a label, reported as the group "
                f"'{UNKNOWN}'.")


def _label_strings(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    missing = values.isna().to_numpy()
    vals = values
    if pd.api.types.is_float_dtype(vals.dtype):
        present = vals[~missing]
        if len(present) and np.all(np.mod(present.to_numpy(), 1) == 0):
            # Integer codes that became floats because of a NaN: "3", not "3.0".
            vals = vals.astype("Int64")
    strs = vals.astype(str).to_numpy(dtype=object)
    strs[missing] = UNKNOWN
    return strs, missing


def _label_key(label: str):
    try:
        number = float(label)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return (label == UNKNOWN, 0, number, label)
    return (label == UNKNOWN, 1, 0.0, label)


def _codes_for(strs: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    codes, uniques = pd.factorize(strs)  # hashing: linear in the number of units
    uniques = [str(u) for u in uniques]
    # Sorted labels (numbers by value), "unknown" last, so real groups read
    # first in every table.
    order = sorted(uniques, key=_label_key)
    remap = np.empty(len(uniques), dtype=np.int64)
    position = {lab: i for i, lab in enumerate(uniques)}
    remap[[position[lab] for lab in order]] = np.arange(len(order))
    return remap[codes] if len(codes) else codes.astype(np.int64), tuple(order)


def make_grouping(labels, *, name: str, n: int | None = None) -> Grouping:
    """Build a :class:`Grouping` from one label per unit.

    Parameters
    ----------
    labels : Grouping, pandas.Series or array-like, shape (n,)
        Labels per dense index 0..n-1. A Series whose index is not
        ``0..n-1`` is aligned on its (integer) index; units it lacks are
        missing. Missing labels (NaN/None) become the group ``"unknown"``.
    name : str
        Name of the grouping (used in tables and sentences).
    n : int, optional
        Expected number of units.

    Returns
    -------
    Grouping
    """
    if isinstance(labels, Grouping):
        if n is not None and labels.codes.size != n:
            raise MetricsInputError(
                f"Grouping '{labels.name}' covers {labels.codes.size} entries, expected {n}.")
        return labels
    if isinstance(labels, pd.Series):
        series = labels
        size = n if n is not None else len(series)
        if not series.index.equals(pd.RangeIndex(size)):
            idx = series.index
            if not (pd.api.types.is_integer_dtype(idx.dtype) and idx.is_unique
                    and (len(idx) == 0 or (idx.min() >= 0 and idx.max() < size))):
                raise MetricsInputError(
                    f"Labels of '{name}' must be indexed by the dense index 0..{size - 1}; "
                    "map raw ids to dense indices first.")
            series = series.reindex(pd.RangeIndex(size))
    else:
        arr = np.asarray(labels, dtype=object)
        if arr.ndim != 1:
            raise MetricsInputError(f"Labels of '{name}' must be one-dimensional.")
        # Recover a numeric dtype so integer codes print as "3", not "3.0".
        series = pd.Series(arr).infer_objects()
    if n is not None and len(series) != n:
        raise MetricsInputError(f"'{name}' has {len(series)} labels, expected {n}.")
    strs, missing = _label_strings(series.reset_index(drop=True))
    codes, labs = _codes_for(strs)
    features = pd.DataFrame({name: strs.astype(str)})
    return Grouping(name=name, codes=codes, labels=labs, features=features,
                    n_missing=int(missing.sum()))


def intersect(*groupings: Grouping, name: str | None = None) -> Grouping:
    """Intersection of several groupings, labelled like ``"F × 55+"``.

    Only combinations that occur are groups. A unit missing any component is
    labelled with ``"unknown"`` in that position (e.g. ``"F × unknown"``).
    """
    if len(groupings) < 2:
        raise MetricsInputError("An intersection needs at least two groupings.")
    sizes = {g.codes.size for g in groupings}
    if len(sizes) != 1:
        raise MetricsInputError("Intersected groupings must cover the same units.")
    name = name or INTERSECTION_SEP.join(g.name for g in groupings)
    features = pd.concat([g.features.reset_index(drop=True) for g in groupings], axis=1)
    parts = [g.values.astype(str) for g in groupings]
    strs = parts[0].astype(object)
    for p in parts[1:]:
        strs = strs + INTERSECTION_SEP + p.astype(object)
    codes, labels = _codes_for(strs)
    missing = np.zeros(strs.size, dtype=bool)
    for p in parts:
        missing |= p == UNKNOWN
    return Grouping(name=name, codes=codes, labels=labels, features=features,
                    n_missing=int(missing.sum()))


def _top_share_mask(counts: np.ndarray, share: float) -> np.ndarray:
    n = counts.size
    n_top = math.ceil(round(share * n, 9))
    # Stable order: ties at the cut go to the lower index, so the split is
    # exactly `share` of units and reproducible.
    order = np.lexsort((np.arange(n), -counts))
    mask = np.zeros(n, dtype=bool)
    mask[order[:n_top]] = True
    return mask & (counts > 0)


def activity_grouping(activity, *, top_share: float = 0.05, name: str = "activity") -> Grouping:
    """Split users into ``"active"`` (the most active ``top_share``) and ``"inactive"``.

    Parameters
    ----------
    activity : array-like of int, shape (n_users,)
        Training interactions per user (see
        :func:`~fairrec_core.metrics.beyond.user_activity`).
    top_share : float, default 0.05
        ``ceil(top_share * n_users)`` users are active; ties at the boundary go
        to the lower user index; users without interactions are never active.
    name : str

    Returns
    -------
    Grouping
    """
    if not 0.0 < top_share < 1.0:
        raise MetricsInputError(f"top_share must lie strictly between 0 and 1, got {top_share}.")
    active = _top_share_mask(np.asarray(activity), top_share)
    return make_grouping(np.where(active, "active", "inactive"), name=name)


def popularity_grouping(head_mask, *, name: str = "popularity") -> Grouping:
    """Items labelled ``"head"`` or ``"tail"`` from a head mask."""
    return make_grouping(np.where(np.asarray(head_mask, dtype=bool), "head", "tail"), name=name)


# --------------------------------------------------------------------------- user side


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


#: Columns of :attr:`ProviderShares.table`.
PROVIDER_COLUMNS = ("group", "n_items", "n_relevant", "exposure_share", "catalog_share",
                    "merit_share", "es_cs_ratio", "es_rs_ratio")


@dataclass(frozen=True)
class ProviderShares:
    """Exposure, catalogue and merit shares of item groups.

    Attributes
    ----------
    grouping : Grouping
        The item grouping.
    table : pandas.DataFrame
        Columns :data:`PROVIDER_COLUMNS`, one row per group.
    exposure_by_user, merit_by_user : scipy.sparse.csr_matrix, shape (n_users, n_groups)
        Per-user exposure given to, and held-out positives in, each group;
        the bootstrap resamples their rows.
    """

    grouping: Grouping
    table: pd.DataFrame
    exposure_by_user: sp.csr_matrix
    merit_by_user: sp.csr_matrix


def item_group_merit(truth: sp.csr_matrix, item_codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """|T_u ∩ h| for every user u and item group h, as a sparse matrix."""
    onehot = sp.csr_matrix((np.ones(item_codes.size), (np.arange(item_codes.size), item_codes)),
                           shape=(item_codes.size, n_groups))
    return sp.csr_matrix(truth @ onehot)


def shares_table(exposure_sum: np.ndarray, merit_sum: np.ndarray, n_items: np.ndarray,
                 labels) -> pd.DataFrame:
    """ES, CS, RS and ratios from per-group totals (the formulas in one place)."""
    e_tot, r_tot, i_tot = exposure_sum.sum(), merit_sum.sum(), n_items.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        es = exposure_sum / e_tot if e_tot > 0 else np.full(len(labels), np.nan)
        rs = merit_sum / r_tot if r_tot > 0 else np.full(len(labels), np.nan)
        cs = n_items / i_tot
        es_cs = np.where(cs > 0, es / cs, np.nan)
        es_rs = np.where(rs > 0, es / rs, np.nan)
    return pd.DataFrame({
        "group": list(labels), "n_items": n_items.astype(np.int64),
        "n_relevant": merit_sum.astype(np.int64), "exposure_share": es, "catalog_share": cs,
        "merit_share": rs, "es_cs_ratio": es_cs, "es_rs_ratio": es_rs,
    })


def item_group_shares(item_exposure, item_merit, grouping: Grouping) -> pd.DataFrame:
    """Provider shares from per-item totals, without per-user matrices.

    Parameters
    ----------
    item_exposure : array-like of float, shape (n_items,)
        E_i.
    item_merit : array-like of int, shape (n_items,)
        Held-out positives per item, Σ_u 1[i ∈ T_u].
    grouping : Grouping
        Item grouping.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROVIDER_COLUMNS`.
    """
    g = grouping.n_groups
    return shares_table(
        np.bincount(grouping.codes, weights=np.asarray(item_exposure, dtype=float), minlength=g),
        np.bincount(grouping.codes, weights=np.asarray(item_merit, dtype=float), minlength=g),
        grouping.sizes, grouping.labels)


def provider_shares(top_k, truth, item_groups, *, k: int | None = None, exposure: str = "log",
                    p: float = 0.8, name: str = "item_group") -> ProviderShares:
    """Exposure share ES_h, catalogue share CS_h, merit share RS_h and their ratios.

    ES_h = Σ_{i∈h} E_i / Σ_i E_i; CS_h = |h| / |I|;
    RS_h = Σ_u |T_u ∩ h| / Σ_u |T_u|.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, K)
    truth : scipy.sparse matrix, shape (n_users, n_items)
    item_groups : Grouping or array-like of labels, shape (n_items,)
    k : int, optional
    exposure, p
        Position-bias model, see :func:`~fairrec_core.metrics.exposure.position_weights`.
    name : str
        Grouping name when labels are given.

    Returns
    -------
    ProviderShares
        ES/RS is NaN for a group without held-out positives (its merit is
        zero, the ratio undefined).
    """
    truth = as_binary_csr(truth, shape=None, what="Held-out positives")
    lists = as_top_k(top_k, n_items=truth.shape[1], k=k)
    g = make_grouping(item_groups, name=name, n=truth.shape[1])
    return provider_shares_validated(lists, truth, g,
                                     position_weights(lists.shape[1], exposure, p=p))


def provider_shares_validated(lists: np.ndarray, truth: sp.csr_matrix, grouping: Grouping,
                              weights: np.ndarray) -> ProviderShares:
    """:func:`provider_shares` for inputs already checked by the caller."""
    exp_u = user_group_exposure(lists, grouping.codes, grouping.n_groups, weights)
    merit_u = item_group_merit(truth, grouping.codes, grouping.n_groups)
    table = shares_table(np.asarray(exp_u.sum(axis=0)).ravel(),
                         np.asarray(merit_u.sum(axis=0)).ravel(),
                         grouping.sizes, grouping.labels)
    return ProviderShares(grouping=grouping, table=table, exposure_by_user=exp_u,
                          merit_by_user=merit_u)


def igf(exposure, head_mask) -> float:
    """CPFair's item-group fairness as used here: ES_head − ES_tail.

    Parameters
    ----------
    exposure : array-like of float, shape (n_items,)
        Item exposure E_i.
    head_mask : array-like of bool, shape (n_items,)

    Returns
    -------
    float
        In [−1, 1]; NaN when nothing was exposed.
    """
    e = np.asarray(exposure, dtype=np.float64)
    head = np.asarray(head_mask, dtype=bool)
    total = e.sum()
    if total <= 0:
        return float("nan")
    return float((e[head].sum() - e[~head].sum()) / total)
