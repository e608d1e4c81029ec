"""The partitioned audit of top-K lists: the same tables as ``evaluate_lists``.

:func:`evaluate_partitioned` takes the metrics engine's inputs, codes every
grouping once, cuts users into blocks and folds the blocks in this process
(``runner="local"``) or as Ray Data batches (``runner="ray"``); the merged
totals become a :class:`~fairrec_core.metrics.FairnessResult` with the
local engine's columns. Point values equal the local engine's (up to
floating-point summation order); intervals come from the Poisson bootstrap
(:mod:`fairrec_core.engine.poisson`), identical between the two runners.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fairrec_core.metrics._validate import (
    MetricsInputError,
    as_binary_csr,
    as_top_k,
    check_k,
)
from fairrec_core.metrics.beyond import head_items
from fairrec_core.metrics.checks import Thresholds
from fairrec_core.metrics.exposure import position_weights
from fairrec_core.metrics.groups import make_grouping
from fairrec_core.metrics.result import FairnessResult, _item_groupings, _user_groupings

from .assemble import assemble
from .blocks import make_blocks
from .partials import BatchContext
from .poisson import user_keys as hash_user_ids
from .runners import RayOptions, check_complete, run_local, run_ray

RUNNERS = ("local", "ray")
#: Users per block; a block is one Ray Data batch (a few MB of lists and sums).
BLOCK_USERS = 50_000


def evaluate_partitioned(top_k, truth, train, *, user_ids=None,
                         user_groups: Mapping | None = None,
                         item_groups: Mapping | None = None,
                         intersections: Sequence[Sequence[str]] = (), k: int = 10,
                         item_categories=None, exposure: str = "log",
                         geometric_p: float = 0.8, head_share: float = 0.2,
                         active_share: float = 0.05, calibration_alpha: float = 0.01,
                         n_boot: int = 1000, seed: int = 0, min_group_size: int = 30,
                         thresholds: Thresholds | None = None, ci_level: float = 0.95,
                         runner: str = "ray", ray: RayOptions | None = None,
                         block_users: int = BLOCK_USERS, keep_per_user: bool = True,
                         fault_marker: str | None = None) -> FairnessResult:
    """Accuracy and two-sided fairness of top-K lists, folded from user blocks.

    Parameters
    ----------
    top_k, truth, train, user_groups, item_groups, intersections, k, item_categories,
    exposure, geometric_p, head_share, active_share, calibration_alpha, n_boot, seed,
    min_group_size, thresholds, ci_level
        As for :func:`fairrec_core.metrics.evaluate_lists`.
    user_ids : array-like, shape (n_users,), optional
        The users' ids as the platform knows them; their hash draws each
        user's bootstrap weights. Default: the dense indices.
    runner : {"ray", "local"}
        Fold the blocks as Ray Data batches, or in this process.
    ray : RayOptions, optional
        Cluster address, local CPUs and retries.
    block_users : int
        Users per block (one Ray Data batch each).
    keep_per_user : bool, default True
        Also gather the per-user metric rows (the report samples users from
        them). The totals and intervals never need them.
    fault_marker : str, optional
        Testing hook, see :class:`~fairrec_core.engine.partials.BatchContext`.

    Returns
    -------
    FairnessResult
        ``params["engine"]`` names the runner; ``params["ci_method"]`` the
        Poisson bootstrap.

    Raises
    ------
    MetricsInputError
        Malformed inputs, as for ``evaluate_lists``.
    EngineError
        Ray could not run the batches.
    """
    if runner not in RUNNERS:
        raise MetricsInputError(f"Unknown runner {runner!r}; choose ray or local.")
    k = check_k(k)
    if min_group_size < 1:
        raise MetricsInputError(f"min_group_size must be at least 1, got {min_group_size}.")
    lists, truth, train, ids = _checked_inputs(top_k, truth, train, user_ids, k)
    n_items = truth.shape[1]
    plan = plan_audit(n_items=n_items, popularity=np.bincount(train.indices, minlength=n_items),
                      activity=np.diff(train.indptr), user_groups=user_groups,
                      item_groups=item_groups, intersections=intersections, k=k,
                      item_categories=item_categories, exposure=exposure,
                      geometric_p=geometric_p, head_share=head_share,
                      active_share=active_share, calibration_alpha=calibration_alpha,
                      n_boot=n_boot, seed=seed, min_group_size=min_group_size,
                      thresholds=thresholds, ci_level=ci_level, keep_per_user=keep_per_user,
                      fault_marker=fault_marker)
    codes = np.stack([g.codes for g in plan.ugroups.values()], axis=1)
    blocks = make_blocks(hash_user_ids(ids), lists, truth,
                         train if plan.ctx.categories is not None else None, codes,
                         block_users=block_users)
    run = run_ray(blocks, plan.ctx, ray) if runner == "ray" else run_local(blocks, plan.ctx)
    return plan.finish(run, engine=runner)


@dataclass
class AuditPlan:
    """What the blocks need (``ctx``) and what assembles their totals."""

    ctx: BatchContext
    ugroups: dict
    igroups: dict
    popularity: np.ndarray
    head: np.ndarray
    options: dict
    category_note: str | None

    def finish(self, total, *, engine: str, categorical_labels: bool = False
               ) -> FairnessResult:
        """Check the totals cover every user once and build the result tables
        (``categorical_labels``: see :func:`~fairrec_core.engine.assemble.assemble`)."""
        check_complete(total, self.ctx.n_users)
        return assemble(total, ugroups=self.ugroups, igroups=self.igroups,
                        popularity=self.popularity, head=self.head, options=self.options,
                        has_categories=self.ctx.categories is not None,
                        category_note=self.category_note, engine=engine,
                        categorical_labels=categorical_labels)


def plan_audit(*, n_items: int, popularity, activity, user_groups, item_groups,
               intersections, k, item_categories, exposure, geometric_p, head_share,
               active_share, calibration_alpha, n_boot, seed, min_group_size, thresholds,
               ci_level, keep_per_user, fault_marker) -> AuditPlan:
    """Groupings, head items and the broadcast context, from mergeable training counts.

    Parameters
    ----------
    popularity : numpy.ndarray, shape (n_items,)
        Training users per item.
    activity : numpy.ndarray, shape (n_users,)
        Training interactions per user (the activity grouping).
    Others
        As for :func:`evaluate_partitioned`.
    """
    n_users = int(len(activity))
    head = head_items(popularity, head_share=head_share)
    ugroups = _user_groupings(user_groups, intersections, activity, n_users, active_share)
    igroups = _item_groupings(item_groups, head, n_items)
    categories, category_note = None, None
    if item_categories is not None:
        cats = make_grouping(item_categories, name="category", n=n_items)
        categories, category_note = (cats.codes, cats.n_groups), cats.note
    ctx = BatchContext(
        k=k, weights=position_weights(k, exposure, p=geometric_p), popularity=popularity,
        tail=~head, n_users=n_users,
        user_groupings={name: g.n_groups for name, g in ugroups.items()},
        item_groupings={name: (g.codes, g.n_groups) for name, g in igroups.items()},
        categories=categories, calibration_alpha=calibration_alpha, n_boot=n_boot,
        seed=seed, keep_per_user=keep_per_user, fault_marker=fault_marker)
    options = {"k": k, "exposure": exposure, "geometric_p": geometric_p,
               "head_share": head_share, "active_share": active_share,
               "calibration_alpha": calibration_alpha, "n_boot": n_boot, "seed": seed,
               "min_group_size": min_group_size, "ci_level": ci_level,
               "thresholds": thresholds or Thresholds(), "intersections": intersections}
    return AuditPlan(ctx, ugroups, igroups, popularity, head, options, category_note)


def _checked_inputs(top_k, truth, train, user_ids, k: int):
    """The lists, CSR matrices and user ids, checked to cover the same users and items.

    Raises
    ------
    MetricsInputError
        Malformed matrices or lists, or sizes that disagree.
    """
    truth = as_binary_csr(truth, shape=None, what="Held-out positives")
    train = as_binary_csr(train, shape=truth.shape, what="Training interactions")
    n_users, n_items = truth.shape
    lists = as_top_k(top_k, n_items=n_items, k=k)
    if lists.shape[0] != n_users:
        raise MetricsInputError(
            f"Top-K lists cover {lists.shape[0]} users but the interaction matrices cover "
            f"{n_users}; all must use the same dense user index.")
    ids = np.arange(n_users) if user_ids is None else np.asarray(user_ids, dtype=object)
    if len(ids) != n_users:
        raise MetricsInputError(f"{len(ids)} user ids given for {n_users} users.")
    return lists, truth, train, ids


def evaluate_dataset(dataset, split, top_k, metrics, *, thresholds: Thresholds | None = None,
                     seed: int = 0, engine=None, fault_marker: str | None = None
                     ) -> FairnessResult:
    """The metrics stage on the partitioned engine (``fairrec audit --engine ray``).

    The options come from :func:`fairrec_core.pipeline.evaluation.metrics_options`,
    as for the local engine; the users' own ids seed their bootstrap weights.

    Parameters
    ----------
    dataset, split, top_k
        As for :func:`fairrec_core.pipeline.evaluation.evaluate`.
    metrics : MetricsConfig
    thresholds : Thresholds, optional
    seed : int
    engine : EngineConfig, optional
        Runner, Ray address, local CPUs, retries and block size; default Ray.
    fault_marker : str, optional
        Testing hook (a worker kills itself once).

    Raises
    ------
    ConfigError
        A grouping names an attribute the data does not have.
    EngineError
        Ray could not run the batches.
    """
    # Here, not at the top: the engine sits below the pipeline; only this dataset-level
    # entry reads a MetricsConfig, through the same function as the local engine.
    from fairrec_core.pipeline.evaluation import metrics_options

    runner, ray, block = "ray", RayOptions(), BLOCK_USERS
    if engine is not None:
        runner, block = engine.name, engine.block_users
        ray = RayOptions(address=engine.ray_address, num_cpus=engine.num_cpus,
                         max_retries=engine.max_retries)
    return evaluate_partitioned(
        top_k, split.test_matrix(), split.train_matrix(), user_ids=dataset.user_ids,
        **metrics_options(dataset, split, metrics), seed=int(seed), thresholds=thresholds,
        runner=runner, ray=ray, block_users=block, fault_marker=fault_marker)
