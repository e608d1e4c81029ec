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
(a Dataset and Split), :class:`RayOptions`, :class:`EngineError`, and the
Poisson bootstrap :func:`poisson_sums` / :func:`user_keys`.
"""

from .evaluate import BLOCK_USERS, RUNNERS, evaluate_dataset, evaluate_partitioned
from .poisson import poisson_sums, poisson_weights, user_keys
from .runners import EngineError, RayOptions

__all__ = ["BLOCK_USERS", "RUNNERS", "EngineError", "RayOptions", "evaluate_dataset",
           "evaluate_partitioned", "poisson_sums", "poisson_weights", "user_keys"]
