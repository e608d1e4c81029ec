"""Metrics engine: accuracy, exposure and two-sided fairness of top-K lists.

Works on plain arrays, independent of the data layer:

* ``top_k``: int array (n_users, K) of dense item indices, ``-1`` = padding;
* ``truth``: scipy csr (n_users × n_items), nonzero = held-out positive;
* ``train``: scipy csr (n_users × n_items) of training interactions;
* groupings: one label per user (or item); missing labels form the group
  ``"unknown"``.

Definitions follow DESIGN.md section 4. The usual entry point is
:func:`evaluate_lists`; the building blocks are public for notebooks and the
re-ranking sweeps.
"""

from ._validate import MetricsInputError
from .beyond import (
                     aplt,
                     arp,
                     coverage,
                     gini,
                     head_items,
                     item_popularity,
                     miscalibration,
                     novelty,
                     user_activity,
)
from .bootstrap import bootstrap_group_means, bootstrap_shares, percentile_interval
from .checks import Check, Thresholds, run_checks
from .exposure import EXPOSURE_MODELS, item_exposure, position_weights
from .groups import (
                     GroupComparison,
                     Grouping,
                     ProviderShares,
                     activity_grouping,
                     compare_groups,
                     group_means,
                     igf,
                     intersect,
                     item_group_shares,
                     make_grouping,
                     metric_frame,
                     provider_shares,
                     ugf,
)
from .ranking import (
                     RANKING_METRICS,
                     RankingResult,
                     iter_ranking_metrics,
                     ranking_metrics,
)
from .result import USER_METRICS, FairnessResult, evaluate_lists

__all__ = [
    "EXPOSURE_MODELS", "RANKING_METRICS", "USER_METRICS",
    "Check", "FairnessResult", "GroupComparison", "Grouping", "MetricsInputError",
    "ProviderShares", "RankingResult", "Thresholds",
    "activity_grouping", "aplt", "arp", "bootstrap_group_means", "bootstrap_shares",
    "compare_groups", "coverage", "evaluate_lists", "gini", "group_means", "head_items", "igf",
    "intersect", "item_exposure", "item_group_shares", "item_popularity", "iter_ranking_metrics",
    "make_grouping",
    "metric_frame", "miscalibration", "novelty", "percentile_interval", "position_weights",
    "provider_shares", "ranking_metrics", "run_checks", "ugf", "user_activity",
]
