"""Group fairness: user-side (consumer) and provider-side (DESIGN.md section 4).

The name callers have always imported; the code lives in three parts:
:mod:`~fairrec_core.metrics.grouping` (who is in which group: labels, codes,
intersections, activity and popularity groups),
:mod:`~fairrec_core.metrics.group_compare` (user side: per-group means,
Fairlearn or numpy comparisons, UGF) and :mod:`~fairrec_core.metrics.provider`
(provider side: exposure, catalogue and merit shares, IGF).
"""

from __future__ import annotations

from .group_compare import (
    ENGINES,
    GroupComparison,
    _num_den,
    compare_groups,
    group_comparison,
    group_means,
    group_sums,
    metric_frame,
    ugf,
)
from .grouping import (
    INTERSECTION_SEP,
    UNKNOWN,
    Grouping,
    activity_grouping,
    intersect,
    make_grouping,
    popularity_grouping,
)
from .provider import (
    PROVIDER_COLUMNS,
    ProviderShares,
    igf,
    item_group_merit,
    item_group_shares,
    provider_shares,
    provider_shares_validated,
    shares_table,
)

__all__ = [
    "UNKNOWN", "INTERSECTION_SEP", "Grouping", "make_grouping", "intersect",
    "activity_grouping", "popularity_grouping",
    "ENGINES", "_num_den", "group_sums", "group_means", "metric_frame", "GroupComparison",
    "compare_groups", "group_comparison", "ugf",
    "PROVIDER_COLUMNS", "ProviderShares", "item_group_merit", "shares_table",
    "item_group_shares", "provider_shares", "provider_shares_validated", "igf",
]
