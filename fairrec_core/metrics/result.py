"""One call from top-K lists to every accuracy, exposure and fairness table.

:func:`evaluate_lists` is the metrics stage of the audit pipeline. It returns a
:class:`FairnessResult` whose tables carry every number a report or a
dashboard shows, intervals and verdicts included; nothing needs recomputing
downstream. A table never holds an unexplained NaN: each such cell sits in a
row whose ``status`` is ``insufficient_data`` and whose ``reason`` (or
``note``) says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._validate import (
    DEFAULT_BATCH_SIZE,
    MetricsInputError,
    as_binary_csr,
    as_top_k,
    check_k,
)
from .beyond import (
    coverage_from_lists,
    gini,
    head_items,
    list_lengths,
    user_aplt,
    user_arp,
    user_miscalibration,
    user_novelty,
)
from .bootstrap import (
    derive_rng,
    gap_band,
    gap_samples,
    min_ratio_band,
    percentile_interval,
    resampled_sums,
)
from .checks import Thresholds, run_checks
from .exposure import exposure_from_lists, position_weights
from .groups import (
    ENGINES,
    GroupComparison,
    Grouping,
    _num_den,
    activity_grouping,
    compare_groups,
    intersect,
    make_grouping,
    popularity_grouping,
    provider_shares_validated,
)
from .ranking import RANKING_METRICS, ranking_metrics_validated

#: Per-user metrics reported overall and per user group (in this order).
USER_METRICS: tuple[str, ...] = RANKING_METRICS + ("novelty", "arp", "aplt", "miscalibration")

OVERALL_COLUMNS = ("metric", "value", "ci_low", "ci_high", "n", "note")
USER_GROUP_COLUMNS = ("grouping", "group", "metric", "value", "ci_low", "ci_high", "n",
                      "status", "reason")
USER_GAP_COLUMNS = ("grouping", "metric", "n_groups", "best_group", "worst_group", "difference",
                    "difference_ci_low", "difference_ci_high", "ratio", "ratio_ci_low",
                    "ratio_ci_high", "status", "reason")
ITEM_GROUP_COLUMNS = ("grouping", "group", "n_items", "n_relevant", "exposure_share",
                      "exposure_share_ci_low", "exposure_share_ci_high", "catalog_share",
                      "merit_share", "merit_share_ci_low", "merit_share_ci_high",
                      "es_cs_ratio", "es_cs_ratio_ci_low", "es_cs_ratio_ci_high",
                      "es_rs_ratio", "es_rs_ratio_ci_low", "es_rs_ratio_ci_high",
                      "es_cs_ratio_band_low", "es_cs_ratio_band_high",
                      "es_rs_ratio_band_low", "es_rs_ratio_band_high",
                      "status", "reason")

#: Up to this many users, ``engine="auto"`` computes group values with Fairlearn.
FAIRLEARN_MAX_USERS = 50_000

#: Names of the groupings :func:`evaluate_lists` always adds.
ACTIVITY, POPULARITY = "activity", "popularity"
_CATALOGUE_NOTE = ("catalogue-level statistic: no bootstrap interval (resampling users with "
                   "replacement leaves some out, which biases it)")


@dataclass(frozen=True)
class FairnessResult:
    """Everything the metrics stage produces.

    Attributes
    ----------
    overall : pandas.DataFrame
        ``metric, value, ci_low, ci_high, n, note``: the per-user metrics
        (mean over evaluable users), coverage, gini, ugf, igf.
    user_groups : pandas.DataFrame
        ``grouping, group, metric, value, ci_low, ci_high, n, status, reason``.
    user_gaps : pandas.DataFrame
        Per (grouping, metric): best and worst judged group, difference and
        ratio with intervals, ``status, reason``.
    item_groups : pandas.DataFrame
        Per (item grouping, group): shares, ratios and intervals.
    checks : pandas.DataFrame
        Verdicts, see :mod:`fairrec_core.metrics.checks`.
    per_user : pandas.DataFrame
        Per-user metrics plus ``evaluable``, ``n_relevant``, ``list_length``.
    user_labels : pandas.DataFrame
        The group label of every user in every user grouping.
    items : pandas.DataFrame
        ``exposure, popularity, head`` and the item grouping labels per item.
    lorenz : pandas.DataFrame
        ``item_share, exposure_share``: the exposure Lorenz curve.
    counts : dict
        ``n_users, n_items, n_evaluable, n_excluded, n_with_list``.
    notes : list of str
        Plain sentences about excluded users, missing labels and choices made.
    params : dict
        The options used (for the report's methodology section).
    """

    overall: pd.DataFrame
    user_groups: pd.DataFrame
    user_gaps: pd.DataFrame
    item_groups: pd.DataFrame
    checks: pd.DataFrame
    per_user: pd.DataFrame
    user_labels: pd.DataFrame
    items: pd.DataFrame
    lorenz: pd.DataFrame
    counts: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    params: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tidy tables, by name."""
        return {"overall": self.overall, "user_groups": self.user_groups,
                "user_gaps": self.user_gaps, "item_groups": self.item_groups,
                "checks": self.checks}


def _user_groupings(user_groups, intersections, activity, n_users, active_share):
    groupings: dict[str, Grouping] = {}
    for name, labels in (user_groups or {}).items():
        if name == ACTIVITY:
            raise MetricsInputError(
                f"'{ACTIVITY}' is computed from the training data; give your grouping "
                "another name.")
        groupings[name] = make_grouping(labels, name=name, n=n_users)
    groupings[ACTIVITY] = activity_grouping(activity, top_share=active_share, name=ACTIVITY)
    for combo in intersections:
        combo = tuple(combo)
        missing = [c for c in combo if c not in groupings]
        if missing:
            raise MetricsInputError(
                f"Intersection {' × '.join(combo)} names unknown grouping(s): "
                f"{', '.join(missing)}.")
        g = intersect(*(groupings[c] for c in combo))
        groupings[g.name] = g
    return groupings


def _item_groupings(item_groups, head, n_items):
    groupings: dict[str, Grouping] = {}
    for name, labels in (item_groups or {}).items():
        if name == POPULARITY:
            raise MetricsInputError(
                f"'{POPULARITY}' (head/tail) is computed from the training data; give your "
                "item grouping another name.")
        groupings[name] = make_grouping(labels, name=name, n=n_items)
    groupings[POPULARITY] = popularity_grouping(head, name=POPULARITY)
    return groupings


def _group_rows(cmp: GroupComparison, boot: np.ndarray, level: float, min_size: int):
    rows = []
    lo, hi = percentile_interval(boot, level=level)
    for gi, group in enumerate(cmp.grouping.labels):
        for mi, metric in enumerate(cmp.value.columns):
            n = int(cmp.n.iat[gi, mi])
            value = float(cmp.value.iat[gi, mi])
            if n == 0:
                status, reason, cl, ch = ("insufficient_data",
                                          "no evaluable users in this group", np.nan, np.nan)
            elif n < min_size:
                status, reason, cl, ch = (
                    "insufficient_data",
                    f"only {n} evaluable users (minimum {min_size}); shown, not judged, "
                    "no interval",
                    np.nan, np.nan)
            else:
                status, reason, cl, ch = "ok", "", float(lo[gi, mi]), float(hi[gi, mi])
            rows.append((cmp.grouping.name, group, metric, value, cl, ch, n, status, reason))
    return rows


def _gap_rows(cmp: GroupComparison, boot: np.ndarray, level: float, min_size: int):
    rows = []
    labels = list(cmp.grouping.labels)
    for mi, metric in enumerate(cmp.value.columns):
        n_ok = int(cmp.sufficient[metric].sum())
        best, worst = cmp.best[metric], cmp.worst[metric]
        base = dict(grouping=cmp.grouping.name, metric=metric, n_groups=n_ok,
                    best_group=best if best is not None else "",
                    worst_group=worst if worst is not None else "")
        if len(labels) < 2:
            reason = f"all users are in one group of {cmp.grouping.name}"
        elif n_ok < 2:
            reason = (f"only {n_ok} of {len(labels)} groups have at least {min_size} "
                      "evaluable users")
        else:
            reason = ""
        if reason:
            rows.append({**base, "difference": np.nan, "difference_ci_low": np.nan,
                         "difference_ci_high": np.nan, "ratio": np.nan, "ratio_ci_low": np.nan,
                         "ratio_ci_high": np.nan, "status": "insufficient_data",
                         "reason": reason})
            continue
        # Simultaneous band over the judged groups: the worst/best pair was
        # selected for looking extreme, so its own interval would be too low.
        judged = cmp.sufficient[metric].to_numpy()
        rlo, rhi, dlo, dhi = gap_band(boot[:, judged, mi],
                                      cmp.value[metric].to_numpy()[judged], level=level)
        ratio = float(cmp.ratio[metric])
        if np.isfinite(ratio) and not np.isfinite(rlo):
            # A judged group with mean 0 has no log ratio; its ratio is 0 in
            # every resample, so the fixed pair's interval is exact there.
            _, r = gap_samples(boot[:, :, [mi]], np.array([labels.index(best)]),
                               np.array([labels.index(worst)]))
            rlo, rhi = percentile_interval(r[:, 0], level=level)
        status, why = "ok", ""
        if not np.isfinite(ratio):
            status = "insufficient_data"
            why = f"every judged group has {metric} = 0, so the ratio is undefined"
            rlo = rhi = np.nan
        rows.append({**base, "difference": float(cmp.difference[metric]),
                     "difference_ci_low": float(dlo), "difference_ci_high": float(dhi),
                     "ratio": ratio, "ratio_ci_low": float(rlo), "ratio_ci_high": float(rhi),
                     "status": status, "reason": why})
    return rows


def _item_rows(name: str, table: pd.DataFrame, es_b: np.ndarray, rs_b: np.ndarray,
               level: float, min_size: int):
    out = table.copy()
    out.insert(0, "grouping", name)
    cs = table["catalog_share"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        samples = {"exposure_share": es_b, "merit_share": rs_b,
                   "es_cs_ratio": es_b / cs,
                   "es_rs_ratio": np.where(rs_b > 0, es_b / rs_b, np.nan)}
    for col, s in samples.items():
        lo, hi = percentile_interval(s, level=level)
        defined = np.isfinite(out[col].to_numpy())
        out[f"{col}_ci_low"] = np.where(defined, lo, np.nan)
        out[f"{col}_ci_high"] = np.where(defined, hi, np.nan)
    _add_bands(out, samples, level, min_size)
    status, reason = [], []
    for _, row in out.iterrows():
        if not np.isfinite(row["exposure_share"]):
            status.append("insufficient_data")
            reason.append("no item was recommended, so exposure shares are undefined")
        elif row["n_relevant"] == 0:
            status.append("insufficient_data")
            reason.append("no held-out positives among these items: merit share is 0 and "
                          "ES/RS undefined")
        elif row["n_relevant"] < min_size:
            status.append("insufficient_data")
            reason.append(f"only {int(row['n_relevant'])} held-out positives (minimum "
                          f"{min_size}); shown, not judged")
        else:
            status.append("ok")
            reason.append("")
    out["status"], out["reason"] = status, reason
    return out[list(ITEM_GROUP_COLUMNS)]


def _add_bands(out: pd.DataFrame, samples: dict, level: float, min_size: int) -> None:
    """Simultaneous bands of ES/CS (defined groups) and ES/RS (judged groups).

    The provider check judges the lowest ratio over groups; the minimum of
    the bands covers the lowest true ratio (see :func:`min_ratio_band`).
    """
    judged = {"es_cs_ratio": np.isfinite(out["es_cs_ratio"].to_numpy(dtype=float)),
              "es_rs_ratio": np.isfinite(out["es_rs_ratio"].to_numpy(dtype=float))
              & (out["n_relevant"].to_numpy() >= min_size)}
    for col, ok in judged.items():
        low, high = np.full(len(out), np.nan), np.full(len(out), np.nan)
        if ok.any():
            lo_j, hi_j = min_ratio_band(samples[col][:, ok],
                                        out[col].to_numpy(dtype=float)[ok], level=level)
            low[ok], high[ok] = lo_j, hi_j
        out[f"{col}_band_low"], out[f"{col}_band_high"] = low, high


def evaluate_lists(top_k, truth, train, *, user_groups: Mapping | None = None,
                   item_groups: Mapping | None = None,
                   intersections: Sequence[Sequence[str]] = (), k: int = 10,
                   item_categories=None, exposure: str = "log", geometric_p: float = 0.8,
                   head_share: float = 0.2, active_share: float = 0.05,
                   calibration_alpha: float = 0.01, n_boot: int = 1000, seed: int = 0,
                   min_group_size: int = 30, thresholds: Thresholds | None = None,
                   ci_level: float = 0.95, engine: str = "auto",
                   batch_size: int = DEFAULT_BATCH_SIZE) -> FairnessResult:
    """Accuracy, beyond-accuracy and two-sided fairness of top-K lists.

    Parameters
    ----------
    top_k : array-like of int, shape (n_users, L)
        Dense item indices in rank order, ``-1`` = padding.
    truth : scipy.sparse matrix, shape (n_users, n_items)
        Nonzero = held-out positive (T_u).
    train : scipy.sparse matrix, shape (n_users, n_items)
        Training interactions: popularity, novelty, ARP, head/tail, activity,
        calibration history.
    user_groups : mapping of str to labels, optional
        One label per user per grouping (missing → group ``"unknown"``). An
        ``"activity"`` grouping (top ``active_share`` of users by training
        interactions) is always added.
    item_groups : mapping of str to labels, optional
        One label per item per grouping. A ``"popularity"`` grouping
        (``head`` / ``tail``) is always added.
    intersections : sequence of sequences of str
        Groupings to intersect, e.g. ``[("gender", "age_band")]``.
    k : int, default 10
    item_categories : array-like, optional
        Category per item; enables Steck's miscalibration.
    exposure : {"log", "geometric", "uniform"}
    geometric_p : float, default 0.8
    head_share : float, default 0.2
    active_share : float, default 0.05
    calibration_alpha : float, default 0.01
    n_boot : int, default 1000
        Bootstrap resamples (users resampled within each group).
    seed : int, default 0
    min_group_size : int, default 30
        Groups with fewer evaluable users are reported as insufficient data.
    thresholds : Thresholds, optional
        Check thresholds (default: four-fifths rule on NDCG).
    ci_level : float, default 0.95
    engine : {"auto", "fairlearn", "numpy"}
        How user-group point values are computed: through Fairlearn's
        MetricFrame, or from per-group sums with numpy. The numbers are the
        same (the test suite checks both against each other and against
        Fairlearn called directly); Fairlearn costs ~0.3 s per grouping per
        6,000 users, so ``auto`` uses it up to :data:`FAIRLEARN_MAX_USERS`
        users and numpy beyond. The engine used is in ``params["engine"]``.
    batch_size : int

    Returns
    -------
    FairnessResult
    """
    k = check_k(k)
    thresholds = thresholds or Thresholds()
    if engine not in ("auto",) + ENGINES:
        raise MetricsInputError(f"Unknown engine {engine!r}; choose auto, fairlearn or numpy.")
    if min_group_size < 1:
        raise MetricsInputError(f"min_group_size must be at least 1, got {min_group_size}.")
    truth = as_binary_csr(truth, shape=None, what="Held-out positives")
    train = as_binary_csr(train, shape=truth.shape, what="Training interactions")
    n_users, n_items = truth.shape
    lists = as_top_k(top_k, n_items=n_items, k=k, batch_size=batch_size)
    if lists.shape[0] != n_users:
        raise MetricsInputError(
            f"Top-K lists cover {lists.shape[0]} users but the interaction matrices cover "
            f"{n_users}; all must use the same dense user index.")
    weights = position_weights(k, exposure, p=geometric_p)
    if engine == "auto":
        engine = "fairlearn" if n_users <= FAIRLEARN_MAX_USERS else "numpy"
    notes: list[str] = []

    # ---- per-user arrays
    ranking = ranking_metrics_validated(lists, truth, k, batch_size)
    popularity = np.bincount(train.indices, minlength=n_items)
    activity = np.diff(train.indptr)
    head = head_items(popularity, head_share=head_share)
    length = list_lengths(lists)
    per_user = ranking.per_user.copy()
    per_user["novelty"] = user_novelty(lists, popularity, n_users)
    per_user["arp"] = user_arp(lists, popularity)
    per_user["aplt"] = user_aplt(lists, ~head, k)
    if item_categories is not None:
        cats = make_grouping(item_categories, name="category", n=n_items)
        per_user["miscalibration"] = user_miscalibration(
            lists, train, cats.codes, cats.n_groups, alpha=calibration_alpha, weights=weights,
            batch_size=batch_size)
        if cats.note:
            notes.append(cats.note)
    else:
        per_user["miscalibration"] = np.nan
    metrics = list(USER_METRICS)
    values = per_user[metrics]
    # Novelty is a mean over recommended pairs, so users weigh by list length.
    w = np.ones((n_users, len(metrics)))
    w[:, metrics.index("novelty")] = length
    num, den = _num_den(values.to_numpy(), w)

    if ranking.n_excluded:
        notes.append(f"{ranking.n_excluded} of {n_users} users have no held-out positives and "
                     "are excluded from accuracy metrics.")
    n_empty = int((length == 0).sum())
    if n_empty:
        who = "1 user has" if n_empty == 1 else f"{n_empty} users have"
        notes.append(f"{who} an empty list, left out of novelty, ARP and APLT.")
    unseen = int(((popularity[lists[lists >= 0]]) == 0).sum())
    if unseen:
        notes.append(f"{unseen} recommended entries are items never seen in training; novelty "
                     "scores them as if seen by one user.")
    n_head = int(head.sum())
    notes.append(f"Head: the {n_head} most popular items ({n_head / max(n_items, 1):.0%} of the "
                 f"catalogue; target {head_share:.0%}); the other {n_items - n_head} are the tail.")

    # ---- exposure and catalogue metrics
    item_exp = exposure_from_lists(lists, n_items, weights)
    ugroups = _user_groupings(user_groups, intersections, activity, n_users, active_share)
    igroups = _item_groupings(item_groups, head, n_items)
    for g in list(ugroups.values()) + list(igroups.values()):
        if g.note:
            notes.append(g.note)
    shares = {name: provider_shares_validated(lists, truth, g, weights)
              for name, g in igroups.items()}

    # ---- one overall draw serves per-user metrics, provider shares and IGF
    mats = [np.hstack([num, den])]
    for s in shares.values():
        mats += [s.exposure_by_user, s.merit_by_user]
    sums = resampled_sums(mats, n_boot=n_boot, seed=derive_rng(seed, "overall"))
    both = sums[0][:, 0]
    m = len(metrics)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot_overall = np.where(both[:, m:] > 0, both[:, :m] / both[:, m:], np.nan)
    lo, hi = percentile_interval(boot_overall, level=ci_level)
    tot_num, tot_den = num.sum(axis=0), den.sum(axis=0)
    n_eval = (den > 0).sum(axis=0)
    overall = []
    for j, metric in enumerate(metrics):
        if n_eval[j] == 0:
            note = ("no item categories given" if metric == "miscalibration"
                    and item_categories is None else "no user can be evaluated on this metric")
            overall.append((metric, np.nan, np.nan, np.nan, 0, note))
        else:
            overall.append((metric, float(tot_num[j] / tot_den[j]), float(lo[j]), float(hi[j]),
                            int(n_eval[j]), ""))
    overall.append(("coverage", coverage_from_lists(lists, n_items), np.nan, np.nan, n_items,
                    _CATALOGUE_NOTE))
    g_val = gini(item_exp)
    overall.append(("gini", g_val, np.nan, np.nan, n_items,
                    _CATALOGUE_NOTE if np.isfinite(g_val) else "no item was recommended"))

    item_rows, es_samples = [], {}
    for j, (name, s) in enumerate(shares.items()):
        e = sums[1 + 2 * j][:, 0]
        r = sums[2 + 2 * j][:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            es_b = e / e.sum(axis=1, keepdims=True)
            rs_b = r / r.sum(axis=1, keepdims=True)
        es_samples[name] = es_b
        item_rows.append(_item_rows(name, s.table, es_b, rs_b, ci_level, min_group_size))
    item_table = (pd.concat(item_rows, ignore_index=True) if item_rows
                  else pd.DataFrame(columns=list(ITEM_GROUP_COLUMNS)))

    # ---- user groupings: point values (Fairlearn or numpy) and within-group bootstrap
    group_rows, gap_rows, boots = [], [], {}
    for name, g in ugroups.items():
        cmp = compare_groups(values, g, weights=w, min_group_size=min_group_size, engine=engine)
        (b_both,) = resampled_sums([np.hstack([num, den])], strata=g.codes, n_strata=g.n_groups,
                                   n_boot=n_boot, seed=derive_rng(seed, f"user:{name}"))
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = np.where(b_both[..., m:] > 0, b_both[..., :m] / b_both[..., m:], np.nan)
        boots[name] = boot
        group_rows += _group_rows(cmp, boot, ci_level, min_group_size)
        gap_rows += _gap_rows(cmp, boot, ci_level, min_group_size)
    user_group_table = pd.DataFrame(group_rows, columns=list(USER_GROUP_COLUMNS))
    gap_table = pd.DataFrame(gap_rows, columns=list(USER_GAP_COLUMNS))
    if item_categories is None:
        keep = user_group_table["metric"] != "miscalibration"
        user_group_table = user_group_table[keep].reset_index(drop=True)
        gap_table = gap_table[gap_table["metric"] != "miscalibration"].reset_index(drop=True)

    # ---- CPFair's named gaps
    overall.append(_ugf_row(ugroups[ACTIVITY], values, boots[ACTIVITY], metrics, ci_level,
                            min_group_size))
    overall.append(_igf_row(shares[POPULARITY].table, es_samples[POPULARITY], ci_level, n_users))
    overall_table = pd.DataFrame(overall, columns=list(OVERALL_COLUMNS))

    checks = run_checks(gap_table, item_table, thresholds=thresholds, k=k,
                        min_group_size=min_group_size, level=ci_level)

    if item_categories is None:
        per_user = per_user.drop(columns="miscalibration")
    per_user.insert(0, "list_length", length)
    per_user.insert(0, "n_relevant", ranking.n_relevant)
    per_user.insert(0, "evaluable", ranking.evaluable)
    user_labels = pd.DataFrame({name: g.values for name, g in ugroups.items()},
                               index=pd.RangeIndex(n_users, name="user"))
    items = pd.DataFrame({"exposure": item_exp, "popularity": popularity, "head": head},
                         index=pd.RangeIndex(n_items, name="item"))
    for name, g in igroups.items():
        if name != POPULARITY:
            items[name] = g.values
    return FairnessResult(
        overall=overall_table, user_groups=user_group_table, user_gaps=gap_table,
        item_groups=item_table, checks=checks, per_user=per_user, user_labels=user_labels,
        items=items, lorenz=_lorenz(item_exp),
        counts={"n_users": n_users, "n_items": n_items, "n_evaluable": ranking.n_evaluable,
                "n_excluded": ranking.n_excluded, "n_with_list": int((length > 0).sum())},
        notes=list(dict.fromkeys(notes)),  # a grouping may also be the calibration categories
        params={"k": k, "exposure": exposure, "geometric_p": geometric_p,
                "head_share": head_share, "active_share": active_share,
                "calibration_alpha": calibration_alpha, "n_boot": n_boot, "seed": seed,
                "min_group_size": min_group_size, "ci_level": ci_level, "engine": engine,
                "thresholds": thresholds.to_dict(),
                "intersections": [list(c) for c in intersections],
                "ci_method": "percentile bootstrap over users, resampled within each group; "
                             "worst/best gaps and the lowest provider ratio: simultaneous "
                             "max-|t| bands over the judged groups"},
    )


def _ugf_row(g: Grouping, values: pd.DataFrame, boot: np.ndarray, metrics, level, min_size):
    j = metrics.index("ndcg")
    labels = list(g.labels)
    if "active" not in labels or "inactive" not in labels:
        return ("ugf", np.nan, np.nan, np.nan, 0,
                "UGF needs both active and inactive users")
    a, i = labels.index("active"), labels.index("inactive")
    col = values["ndcg"].to_numpy()
    ev = ~np.isnan(col)
    n_a, n_i = int((ev & (g.codes == a)).sum()), int((ev & (g.codes == i)).sum())
    if n_a == 0 or n_i == 0:
        return ("ugf", np.nan, np.nan, np.nan, n_a + n_i,
                "UGF needs evaluable users in both the active and the inactive group")
    value = float(col[ev & (g.codes == a)].mean() - col[ev & (g.codes == i)].mean())
    lo, hi = percentile_interval(boot[:, a, j] - boot[:, i, j], level=level)
    note = "NDCG(active) − NDCG(inactive)"
    if min(n_a, n_i) < min_size:
        note += f"; a group has fewer than {min_size} evaluable users, interpret with care"
    return ("ugf", value, float(lo), float(hi), n_a + n_i, note)


def _igf_row(table: pd.DataFrame, es_b: np.ndarray, level, n_users):
    labels = list(table["group"])
    es = table["exposure_share"].to_numpy()
    if not np.isfinite(es).all():
        return ("igf", np.nan, np.nan, np.nan, n_users, "no item was recommended")
    h = labels.index("head") if "head" in labels else None
    t = labels.index("tail") if "tail" in labels else None
    es_h = es[h] if h is not None else 0.0
    es_t = es[t] if t is not None else 0.0
    samp_h = es_b[:, h] if h is not None else 0.0
    samp_t = es_b[:, t] if t is not None else 0.0
    lo, hi = percentile_interval(samp_h - samp_t, level=level)
    return ("igf", float(es_h - es_t), float(lo), float(hi), n_users,
            "ES(head) − ES(tail)")


def _lorenz(exposure: np.ndarray) -> pd.DataFrame:
    e = np.sort(exposure)
    total = e.sum()
    n = e.size
    cum = np.concatenate([[0.0], np.cumsum(e) / total]) if total > 0 else np.zeros(n + 1)
    return pd.DataFrame({"item_share": np.arange(n + 1) / max(n, 1), "exposure_share": cum})
