"""What one batch of users contributes to an audit: mergeable sums and counts.

A batch is a set of users (any set: the sums do not depend on how users are
split) with their top-K lists, held-out positives, training histories (only
for calibration) and group codes. :func:`batch_partial` computes their
per-user metrics with the metrics engine's own functions
(:mod:`fairrec_core.metrics.ranking`, :mod:`~fairrec_core.metrics.beyond`,
:mod:`~fairrec_core.metrics.exposure`) and folds them at once into a
:class:`Partial`: per-group numerators, denominators and counts, item
exposure and recommendation counts, per-item held-out positives, and the
Poisson-resampled totals of :mod:`fairrec_core.engine.poisson`. Partials
merge by addition (:meth:`Partial.merge`).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from fairrec_core.metrics.beyond import (
    list_lengths,
    user_aplt,
    user_arp,
    user_miscalibration,
    user_novelty,
)
from fairrec_core.metrics.exposure import exposure_from_lists, user_group_exposure
from fairrec_core.metrics.groups import _num_den, item_group_merit
from fairrec_core.metrics.ranking import hit_matrix, metrics_from_hits
from fairrec_core.metrics.result import USER_METRICS

from .poisson import poisson_cell_sums


@dataclass
class BatchContext:
    """Everything every batch needs besides its own users (broadcast once).

    Attributes
    ----------
    k : int
    weights : numpy.ndarray, shape (k,)
        Position weights e(k).
    popularity : numpy.ndarray of int, shape (n_items,)
        Training users per item.
    tail : numpy.ndarray of bool, shape (n_items,)
    n_users : int
        All users (novelty's |U|).
    user_groupings : dict of str to int
        Name → number of groups, in the order of the batches' code columns.
    item_groupings : dict of str to (codes, n_groups)
    categories : (codes, n_categories) or None
        Item categories, for calibration.
    calibration_alpha : float
    n_boot, seed : int
    keep_per_user : bool
        Also return the per-user metric rows (the report samples users from
        them); the aggregates and intervals never need them.
    fault_marker : str or None
        Testing hook: when set and the file does not exist yet, the first
        worker to reach it creates the file and kills its own process, as a
        lost worker would die.
    """

    k: int
    weights: np.ndarray
    popularity: np.ndarray
    tail: np.ndarray
    n_users: int
    user_groupings: dict
    item_groupings: dict
    categories: tuple | None = None
    calibration_alpha: float = 0.01
    n_boot: int = 1000
    seed: int = 0
    keep_per_user: bool = False
    fault_marker: str | None = None

    @property
    def n_items(self) -> int:
        return int(self.popularity.size)


@dataclass
class Partial:
    """Mergeable totals of a set of users; see the module docstring."""

    n_users: int
    user_sum: int
    num: np.ndarray
    den: np.ndarray
    count: np.ndarray
    group: dict
    boot_overall: np.ndarray
    boot_groups: dict
    exposure: np.ndarray
    rec_count: np.ndarray
    merit: np.ndarray
    boot_items: dict
    n_evaluable: int
    n_with_list: int
    n_unseen: int
    per_user: list = field(default_factory=list)

    def merge(self, other: Partial) -> Partial:
        """The totals of both sets of users (they must be disjoint)."""
        def add(a: dict, b: dict) -> dict:
            return {k: tuple(x + y for x, y in zip(a[k], b[k])) if isinstance(a[k], tuple)
                    else a[k] + b[k] for k in a}

        return Partial(
            self.n_users + other.n_users, self.user_sum + other.user_sum,
            self.num + other.num, self.den + other.den, self.count + other.count,
            add(self.group, other.group), self.boot_overall + other.boot_overall,
            add(self.boot_groups, other.boot_groups), self.exposure + other.exposure,
            self.rec_count + other.rec_count, self.merit + other.merit,
            add(self.boot_items, other.boot_items), self.n_evaluable + other.n_evaluable,
            self.n_with_list + other.n_with_list, self.n_unseen + other.n_unseen,
            self.per_user + other.per_user)


def csr_rows(indptr: np.ndarray, indices: np.ndarray, n_items: int) -> sp.csr_matrix:
    """A canonical binary CSR matrix from one batch's list offsets and item ids."""
    indptr = np.asarray(indptr, dtype=np.int64)
    m = sp.csr_matrix((np.ones(indices.size), np.asarray(indices, dtype=np.int64), indptr),
                      shape=(indptr.size - 1, n_items))
    m.sum_duplicates()
    m.sort_indices()
    return m


def _maybe_die(ctx: BatchContext) -> None:
    if ctx.fault_marker and not Path(ctx.fault_marker).exists():
        Path(ctx.fault_marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)


def per_user_values(ctx: BatchContext, lists, truth, train):
    """Per-user metrics in :data:`USER_METRICS` order, list lengths and |T_u|."""
    n_rel = np.diff(truth.indptr)
    ranking = metrics_from_hits(hit_matrix(lists, truth), n_rel, ctx.k)
    length = list_lengths(lists)
    cols = [ranking, user_novelty(lists, ctx.popularity, ctx.n_users)[:, None],
            user_arp(lists, ctx.popularity)[:, None],
            user_aplt(lists, ctx.tail, ctx.k)[:, None]]
    if ctx.categories is not None and train is not None:
        codes, n_cat = ctx.categories
        cols.append(user_miscalibration(lists, train, codes, n_cat,
                                        alpha=ctx.calibration_alpha,
                                        weights=ctx.weights)[:, None])
    else:
        cols.append(np.full((lists.shape[0], 1), np.nan))
    return np.hstack(cols), length, n_rel


def batch_partial(ctx: BatchContext, users, keys, lists, truth, train, codes) -> Partial:
    """Fold one batch of users into a :class:`Partial`.

    Parameters
    ----------
    ctx : BatchContext
    users : numpy.ndarray of int, shape (n,)
        Dense user indices (for the completeness check and per-user rows).
    keys : numpy.ndarray of uint64, shape (n,)
        Hash keys of the users' ids (:func:`~fairrec_core.engine.poisson.user_keys`).
    lists : numpy.ndarray of int, shape (n, k)
        Top-K lists, ``-1`` = padding.
    truth, train : scipy.sparse.csr_matrix, shape (n, n_items)
        Held-out positives; training history (None without calibration).
    codes : numpy.ndarray of int, shape (n, n_user_groupings)

    Returns
    -------
    Partial
    """
    _maybe_die(ctx)
    values, length, n_rel = per_user_values(ctx, lists, truth, train)
    m = len(USER_METRICS)
    w = np.ones_like(values)
    w[:, USER_METRICS.index("novelty")] = length  # novelty pools over recommended pairs
    num, den = _num_den(values, w)
    both = np.hstack([num, den])
    ev = (den > 0).astype(np.float64)
    group = {}
    for j, (name, n_groups) in enumerate(ctx.user_groupings.items()):
        c = codes[:, j]
        group[name] = tuple(np.stack([np.bincount(c, weights=x[:, i], minlength=n_groups)
                                      for i in range(m)], axis=1) for x in (num, den, ev))
    item_mats = []
    for icodes, g in ctx.item_groupings.values():
        item_mats += [user_group_exposure(lists, icodes, g, ctx.weights),
                      item_group_merit(truth, icodes, g)]
    # One draw of the weights serves every grouping (and the overall totals).
    boot_both, boot_groups, item_sums = poisson_cell_sums(
        both, codes, list(ctx.user_groupings.values()), item_mats, keys, n_boot=ctx.n_boot,
        seed=ctx.seed)
    boot_user = dict(zip(ctx.user_groupings, boot_groups))
    boot_items = {name: (item_sums[2 * j], item_sums[2 * j + 1])
                  for j, name in enumerate(ctx.item_groupings)}
    valid = lists[lists >= 0]
    per_user = []
    if ctx.keep_per_user:
        per_user = [(np.asarray(users, np.int64), values, n_rel.astype(np.int64),
                     length.astype(np.int64))]
    return Partial(
        n_users=int(len(users)), user_sum=int(np.sum(users, dtype=np.int64)),
        num=num.sum(axis=0), den=den.sum(axis=0), count=ev.sum(axis=0).astype(np.int64),
        group=group, boot_overall=boot_both, boot_groups=boot_user,
        exposure=exposure_from_lists(lists, ctx.n_items, ctx.weights),
        rec_count=np.bincount(valid, minlength=ctx.n_items).astype(np.int64),
        merit=np.bincount(truth.indices, minlength=ctx.n_items).astype(np.int64),
        boot_items=boot_items, n_evaluable=int((n_rel > 0).sum()),
        n_with_list=int((length > 0).sum()),
        n_unseen=int((ctx.popularity[valid] == 0).sum()), per_user=per_user)


def merge_all(partials) -> Partial:
    """Merge an iterable of partials (at least one)."""
    total = None
    for p in partials:
        total = p if total is None else total.merge(p)
    if total is None:
        raise ValueError("nothing to merge")
    return total


__all__ = ["BatchContext", "Partial", "batch_partial", "csr_rows", "merge_all",
           "per_user_values"]
