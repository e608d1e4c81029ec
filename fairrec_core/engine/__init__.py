"""Audit engines for top-K lists at platform scale (DESIGN.md §10.5).

The local engine is :func:`fairrec_core.metrics.evaluate_lists`: every user
in one process, multinomial bootstrap. This package folds users in blocks
instead: per-user metrics are computed batch by batch with the metrics
engine's own functions and immediately reduced to mergeable totals (group
sums and counts, item exposure and recommendation counts, provider merit),
and bootstrap intervals come from a Poisson bootstrap whose weights are a
seeded hash of the user id, so nothing per user is gathered and the result
does not depend on the partitioning. The blocks are folded either as Ray
Data batches (local Ray by default, a cluster by address) or, to compare,
in this process.

Public API: :func:`evaluate_partitioned` (arrays), :func:`evaluate_dataset`
(a Dataset and Split), :class:`RayOptions`, :class:`EngineError`,
:func:`check_reachable`, and the Poisson bootstrap :func:`poisson_sums` /
:func:`user_keys`. Imported on demand (they need Ray or pyarrow at call
time): :func:`fairrec_core.engine.parts.evaluate_parts` (read, validate and
split user-partitioned part files in Ray tasks too;
:func:`fairrec_core.engine.repartition.partition_by_user` buckets any other
export by user first) and
:func:`fairrec_core.engine.scoring.recommend_ray` (score a trained model
for every user on Ray actors, GPU actors where the cluster has GPUs).
"""

from .evaluate import BLOCK_USERS, RUNNERS, evaluate_dataset, evaluate_partitioned
from .poisson import poisson_sums, poisson_weights, user_keys
from .runners import EngineError, RayOptions, check_reachable

__all__ = ["BLOCK_USERS", "RUNNERS", "EngineError", "RayOptions", "check_reachable",
           "evaluate_dataset", "evaluate_partitioned", "poisson_sums", "poisson_weights",
           "user_keys"]
