"""Bridge from the data layer to the metrics engine.

The metrics engine works on plain arrays; this module turns a Dataset, its
Split and a set of top-K lists into the arrays and groupings it needs, so the
dashboard, the CLI and the report all evaluate lists the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fairrec_core.data.dataset import Dataset
from fairrec_core.data.schema import likely_sensitive
from fairrec_core.data.split import Split
from fairrec_core.data.summary import MAX_GROUPS_SHOWN, item_groupings
from fairrec_core.errors import ConfigError
from fairrec_core.metrics import FairnessResult, evaluate_lists


def user_grouping_columns(dataset: Dataset) -> list[str]:
    """User attributes usable as groupings (at most ``MAX_GROUPS_SHOWN`` groups)."""
    return [c for c in dataset.users.columns
            if 2 <= dataset.users[c].nunique() <= MAX_GROUPS_SHOWN]


def default_user_groupings(dataset: Dataset) -> list[str]:
    """The groupings audited unless the user chooses: the likely sensitive ones."""
    cols = user_grouping_columns(dataset)
    return likely_sensitive(cols) or cols


def item_grouping_columns(dataset: Dataset) -> list[str]:
    """Item attributes usable as provider groupings (category, provider, ...)."""
    return list(item_groupings(dataset.items).columns)


def evaluate_top_k(dataset: Dataset, split: Split, top_k: np.ndarray, *,
                   user_groupings: Sequence[str] | None = None,
                   item_groupings_: Sequence[str] | None = None,
                   intersections: Sequence[Sequence[str]] = (), k: int = 10,
                   **options) -> FairnessResult:
    """Evaluate ``top_k`` (n_users x L dense item ids, -1 padded) on ``split``.

    Parameters
    ----------
    dataset, split
        The data and how it was split; truth = test positives, history = train.
    top_k : ndarray of int
        Lists in rank order.
    user_groupings, item_groupings_ : sequence of str, optional
        Attribute names; defaults: the likely sensitive user attributes, and
        every item grouping column.
    intersections : sequence of sequences of str
        User groupings to intersect, e.g. ``[("gender", "age")]``.
    k : int
    **options
        Passed to :func:`fairrec_core.metrics.evaluate_lists` (``n_boot``,
        ``seed``, ``exposure``, ``thresholds``, ``min_group_size``, ...).
    """
    users = default_user_groupings(dataset) if user_groupings is None else list(user_groupings)
    items = item_grouping_columns(dataset) if item_groupings_ is None else list(item_groupings_)
    for name in users:
        if name not in dataset.users:
            raise ConfigError(f"There is no user attribute '{name}'; the users file has: "
                              f"{', '.join(dataset.users.columns) or 'no attributes'}.")
    for name in items:
        if name not in dataset.items:
            raise ConfigError(f"There is no item attribute '{name}'; the items file has: "
                              f"{', '.join(dataset.items.columns) or 'no attributes'}.")
    categories = dataset.items["category"].to_numpy() if "category" in dataset.items else None
    return evaluate_lists(
        top_k, split.test_matrix(), split.train_matrix(),
        user_groups={c: dataset.users[c].to_numpy() for c in users},
        item_groups={c: dataset.items[c].to_numpy() for c in items},
        intersections=[tuple(i) for i in intersections], k=k,
        item_categories=categories, **options)
