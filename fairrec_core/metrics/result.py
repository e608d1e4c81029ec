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
from .bootstrap import derive_rng, resampled_sums
from .checks import Thresholds, run_checks
from .exposure import exposure_from_lists, position_weights
from .group_compare import ENGINES, _num_den
from .grouping import (
    Grouping,
    activity_grouping,
    intersect,
    make_grouping,
    popularity_grouping,
)
from .per_user import _data_notes, _per_user_arrays, _UserArrays
from .provider import provider_shares_validated
from .ranking import RANKING_METRICS

# The table rows live in result_rows; the Ray engine's assembly imports them from here.
from .result_rows import (
    _CATALOGUE_NOTE,
    ITEM_GROUP_COLUMNS,
    OVERALL_COLUMNS,
    USER_GAP_COLUMNS,
    USER_GROUP_COLUMNS,
    _add_bands,
    _gap_rows,
    _group_rows,
    _igf_row,
    _item_rows,
    _item_table,
    _lorenz,
    _overall_rows,
    _ugf_row,
    _user_tables,
)

__all__ = [
    "USER_METRICS", "FAIRLEARN_MAX_USERS", "ACTIVITY", "POPULARITY", "FairnessResult",
    "evaluate_lists",
    "OVERALL_COLUMNS", "USER_GROUP_COLUMNS", "USER_GAP_COLUMNS", "ITEM_GROUP_COLUMNS",
    "_CATALOGUE_NOTE", "_add_bands", "_gap_rows", "_group_rows", "_igf_row", "_item_rows",
    "_lorenz", "_ugf_row",
]

#: Per-user metrics reported overall and per user group (in this order).
USER_METRICS: tuple[str, ...] = RANKING_METRICS + ("novelty", "arp", "aplt", "miscalibration")

#: Up to this many users, ``engine="auto"`` computes group values with Fairlearn.
FAIRLEARN_MAX_USERS = 50_000

#: Names of the groupings :func:`evaluate_lists` always adds.
ACTIVITY, POPULARITY = "activity", "popularity"


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
    """The given user groupings, the activity grouping and the requested intersections."""
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
    """The given item groupings and the popularity (head/tail) grouping."""
    groupings: dict[str, Grouping] = {}
    for name, labels in (item_groups or {}).items():
        if name == POPULARITY:
            raise MetricsInputError(
                f"'{POPULARITY}' (head/tail) is computed from the training data; give your "
                "item grouping another name.")
        groupings[name] = make_grouping(labels, name=name, n=n_items)
    groupings[POPULARITY] = popularity_grouping(head, name=POPULARITY)
    return groupings


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
    truth, train, lists, engine = _checked_inputs(top_k, truth, train, k=k, engine=engine,
                                                  min_group_size=min_group_size,
                                                  batch_size=batch_size)
    n_users, n_items = truth.shape
    weights = position_weights(k, exposure, p=geometric_p)
    notes: list[str] = []

    # ---- per-user arrays
    users = _per_user_arrays(lists, truth, train, k, weights, item_categories=item_categories,
                             head_share=head_share, calibration_alpha=calibration_alpha,
                             batch_size=batch_size, notes=notes)
    metrics = list(USER_METRICS)
    values = users.per_user[metrics]
    # Novelty is a mean over recommended pairs, so users weigh by list length.
    w = np.ones((n_users, len(metrics)))
    w[:, metrics.index("novelty")] = users.length
    num, den = _num_den(values.to_numpy(), w)
    notes += _data_notes(users, lists, head_share, n_users, n_items)

    # ---- exposure and catalogue metrics
    item_exp = exposure_from_lists(lists, n_items, weights)
    ugroups = _user_groupings(user_groups, intersections, users.activity, n_users, active_share)
    igroups = _item_groupings(item_groups, users.head, n_items)
    notes += [g.note for g in list(ugroups.values()) + list(igroups.values()) if g.note]
    shares = {name: provider_shares_validated(lists, truth, g, weights)
              for name, g in igroups.items()}

    # ---- one overall draw serves per-user metrics, provider shares and IGF
    mats = [np.hstack([num, den])]
    for s in shares.values():
        mats += [s.exposure_by_user, s.merit_by_user]
    sums = resampled_sums(mats, n_boot=n_boot, seed=derive_rng(seed, "overall"))
    overall = _overall_rows(num, den, sums[0][:, 0], metrics, lists, item_exp,
                            item_categories=item_categories, level=ci_level)
    item_table, es_samples = _item_table(shares, sums, ci_level, min_group_size)

    # ---- user groupings: point values (Fairlearn or numpy) and within-group bootstrap
    user_group_table, gap_table, boots = _user_tables(
        ugroups, values, w, np.hstack([num, den]), n_boot=n_boot, seed=seed, level=ci_level,
        min_size=min_group_size, engine=engine, has_categories=item_categories is not None)

    # ---- CPFair's named gaps
    overall.append(_ugf_row(ugroups[ACTIVITY], values, boots[ACTIVITY], metrics, ci_level,
                            min_group_size))
    overall.append(_igf_row(shares[POPULARITY].table, es_samples[POPULARITY], ci_level, n_users))
    overall_table = pd.DataFrame(overall, columns=list(OVERALL_COLUMNS))

    checks = run_checks(gap_table, item_table, thresholds=thresholds, k=k,
                        min_group_size=min_group_size, level=ci_level)
    per_user, user_labels, items = _unit_tables(users, ugroups, igroups, item_exp,
                                                has_categories=item_categories is not None)
    return FairnessResult(
        overall=overall_table, user_groups=user_group_table, user_gaps=gap_table,
        item_groups=item_table, checks=checks, per_user=per_user, user_labels=user_labels,
        items=items, lorenz=_lorenz(item_exp),
        counts={"n_users": n_users, "n_items": n_items,
                "n_evaluable": users.ranking.n_evaluable,
                "n_excluded": users.ranking.n_excluded,
                "n_with_list": int((users.length > 0).sum())},
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


def _checked_inputs(top_k, truth, train, *, k: int, engine: str, min_group_size: int,
                    batch_size: int):
    """Validated (truth, train, lists, engine): CSR matrices, top-K array, resolved engine.

    Raises
    ------
    MetricsInputError
        On an unknown engine, a group minimum below 1, or lists and matrices
        that do not share one dense user index.
    """
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
    if engine == "auto":
        engine = "fairlearn" if n_users <= FAIRLEARN_MAX_USERS else "numpy"
    return truth, train, lists, engine


def _unit_tables(users: _UserArrays, ugroups, igroups, item_exp, *, has_categories):
    """The per-user, user-label and per-item tables of the result."""
    n_users, n_items = len(users.length), len(item_exp)
    per_user = users.per_user
    if not has_categories:
        per_user = per_user.drop(columns="miscalibration")
    per_user.insert(0, "list_length", users.length)
    per_user.insert(0, "n_relevant", users.ranking.n_relevant)
    per_user.insert(0, "evaluable", users.ranking.evaluable)
    user_labels = pd.DataFrame({name: g.values for name, g in ugroups.items()},
                               index=pd.RangeIndex(n_users, name="user"))
    items = pd.DataFrame({"exposure": item_exp, "popularity": users.popularity,
                          "head": users.head},
                         index=pd.RangeIndex(n_items, name="item"))
    for name, g in igroups.items():
        if name != POPULARITY:
            items[name] = g.values
    return per_user, user_labels, items
