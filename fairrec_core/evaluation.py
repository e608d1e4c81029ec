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


NEW_ITEMS = "item_age"


def item_grouping_columns(dataset: Dataset) -> list[str]:
    """Item groupings available: category, provider, low-cardinality attributes,
    and ``item_age`` (new vs established) when items have a creation date."""
    cols = list(item_groupings(dataset.items).columns)
    if "created_at" in dataset.items and dataset.items["created_at"].notna().any():
        cols.append(NEW_ITEMS)
    return cols


def new_item_labels(dataset: Dataset, *, days: int = 60) -> np.ndarray:
    """``new`` for items created within ``days`` of the last interaction, else
    ``established``; ``unknown`` without a date."""
    created = dataset.items["created_at"]
    end = (dataset.interactions["timestamp"].max() if dataset.has_timestamps
           else created.max().timestamp())
    cutoff = np.datetime64(int(end - days * 86400), "s")
    when = created.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    labels = np.where(when >= cutoff, "new", "established").astype(object)
    labels[created.isna().to_numpy()] = "unknown"
    return labels


def _item_labels(dataset: Dataset, name: str, new_item_days: int) -> np.ndarray:
    if name == NEW_ITEMS and NEW_ITEMS not in dataset.items:
        return new_item_labels(dataset, days=new_item_days)
    return dataset.items[name].to_numpy()


def evaluate_top_k(dataset: Dataset, split: Split, top_k: np.ndarray, *,
                   user_groupings: Sequence[str] | None = None,
                   item_groupings_: Sequence[str] | None = None,
                   intersections: Sequence[Sequence[str]] = (), k: int = 10,
                   new_item_days: int = 60, **options) -> FairnessResult:
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
    new_item_days : int
        Items created within this many days of the last interaction are "new"
        in the ``item_age`` grouping.
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
        if name not in dataset.items and name != NEW_ITEMS:
            raise ConfigError(f"There is no item attribute '{name}'; the items file has: "
                              f"{', '.join(dataset.items.columns) or 'no attributes'}.")
    categories = dataset.items["category"].to_numpy() if "category" in dataset.items else None
    return evaluate_lists(
        top_k, split.test_matrix(), split.train_matrix(),
        user_groups={c: dataset.users[c].to_numpy() for c in users},
        item_groups={c: _item_labels(dataset, c, new_item_days) for c in items},
        intersections=[tuple(i) for i in intersections], k=k,
        item_categories=categories, **options)
