"""Bridge from the data layer to the metrics engine.

The metrics engine works on plain arrays; this module turns a Dataset, its
Split and a set of top-K lists into the arrays and groupings it needs, so the
dashboard, the CLI and the report all evaluate lists the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fairrec_core.config_sections import MetricsConfig
from fairrec_core.data.dataset import Dataset
from fairrec_core.data.schema import likely_sensitive
from fairrec_core.data.split import Split
from fairrec_core.data.summary import MAX_GROUPS_SHOWN, item_groupings
from fairrec_core.errors import ConfigError
from fairrec_core.metrics import FairnessResult, Thresholds, evaluate_lists


def user_grouping_columns(dataset: Dataset) -> list[str]:
    """User attributes usable as groupings (at most ``MAX_GROUPS_SHOWN`` groups)."""
    return [c for c in dataset.users.columns
            if 2 <= dataset.users[c].nunique() <= MAX_GROUPS_SHOWN]


def default_user_groupings(dataset: Dataset) -> list[str]:
    """The groupings audited unless the user chooses: the likely sensitive ones."""
    cols = user_grouping_columns(dataset)
    return likely_sensitive(cols) or cols


NEW_ITEMS = "item_age"
#: The computed head / tail grouping (DESIGN.md §4), always audited.
POPULARITY = "popularity"


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


def item_labels(dataset: Dataset, train, name: str, *, head_share: float = 0.2,
                new_item_days: int = 60) -> np.ndarray:
    """Labels of one item grouping, one per item (the only place they are made).

    Parameters
    ----------
    dataset : Dataset
    train : scipy.sparse matrix, shape (n_users, n_items)
        Training interactions; the computed ``popularity`` grouping (head /
        tail) is read from it.
    name : str
        An item attribute, ``popularity`` or ``item_age`` (new vs established).
    head_share, new_item_days
        As in :class:`~fairrec_core.config_sections.MetricsConfig`.

    Raises
    ------
    ConfigError
        ``name`` is none of those.
    """
    from fairrec_core.metrics import head_items, item_popularity

    if name == POPULARITY and POPULARITY not in dataset.items:
        head = head_items(item_popularity(train), head_share=head_share)
        return np.where(head, "head", "tail").astype(object)
    if name == NEW_ITEMS and NEW_ITEMS not in dataset.items:
        return new_item_labels(dataset, days=new_item_days)
    if name not in dataset.items:
        raise ConfigError(f"There is no item attribute '{name}'; the items file has: "
                          f"{', '.join(dataset.items.columns) or 'no attributes'}.")
    return dataset.items[name].to_numpy()


def evaluate(dataset: Dataset, split: Split, top_k: np.ndarray, metrics: MetricsConfig, *,
             thresholds: Thresholds | None = None, seed: int = 0) -> FairnessResult:
    """Evaluate ``top_k`` as a :class:`MetricsConfig` says: the metrics stage of every surface.

    The CLI audit, the dashboard's Fairness page and the Python API all come
    here, so the options reach :func:`fairrec_core.metrics.evaluate_lists`
    in one place.

    Parameters
    ----------
    dataset, split
        The data and how it was split; truth = test positives, history = train.
    top_k : ndarray of int, shape (n_users, L)
        Dense item ids in rank order, -1 padded.
    metrics : MetricsConfig
        K, groupings (None = the defaults: the likely sensitive user
        attributes and every item grouping column), intersections, exposure
        model, bootstrap and group-size settings.
    thresholds : Thresholds, optional
        Check thresholds (default: the four-fifths rule).
    seed : int
        Seeds the bootstrap.

    Raises
    ------
    ConfigError
        A grouping names an attribute the data does not have.
    """
    return evaluate_lists(top_k, split.test_matrix(), split.train_matrix(),
                          **metrics_options(dataset, split, metrics), seed=int(seed),
                          thresholds=thresholds)


def resolved_groupings(dataset: Dataset,
                       metrics: MetricsConfig) -> tuple[list[str], list[str]]:
    """The user and item groupings ``metrics`` audits, its None defaults spelled out."""
    users = (default_user_groupings(dataset) if metrics.user_groupings is None
             else list(metrics.user_groupings))
    items = (item_grouping_columns(dataset) if metrics.item_groupings is None
             else list(metrics.item_groupings))
    return users, items


def metrics_options(dataset: Dataset, split: Split, metrics: MetricsConfig) -> dict:
    """The keyword options of :func:`fairrec_core.metrics.evaluate_lists` that ``metrics``
    means on this data: groupings resolved to labels, and every numeric option.

    Shared by every engine that evaluates lists (this module, the partitioned
    engine), so a :class:`MetricsConfig` is read in one place.

    Raises
    ------
    ConfigError
        A grouping names an attribute the data does not have.
    """
    mc = metrics
    users, items = resolved_groupings(dataset, mc)
    for name in users:
        if name not in dataset.users:
            raise ConfigError(f"There is no user attribute '{name}'; the users file has: "
                              f"{', '.join(dataset.users.columns) or 'no attributes'}.")
    for name in items:
        if name not in dataset.items and name != NEW_ITEMS:
            raise ConfigError(f"There is no item attribute '{name}'; the items file has: "
                              f"{', '.join(dataset.items.columns) or 'no attributes'}.")
    train = split.train_matrix()
    categories = dataset.items["category"].to_numpy() if "category" in dataset.items else None
    return dict(
        user_groups={c: dataset.users[c].to_numpy() for c in users},
        item_groups={c: item_labels(dataset, train, c, head_share=mc.head_share,
                                    new_item_days=mc.new_item_days) for c in items},
        intersections=[tuple(i) for i in mc.intersections], k=mc.k,
        item_categories=categories, exposure=mc.exposure, head_share=mc.head_share,
        active_share=mc.active_share, n_boot=mc.n_boot, min_group_size=mc.min_group_size,
        ci_level=mc.ci_level)


def evaluate_top_k(dataset: Dataset, split: Split, top_k: np.ndarray, *,
                   user_groupings: Sequence[str] | None = None,
                   item_groupings_: Sequence[str] | None = None,
                   intersections: Sequence[Sequence[str]] = (), k: int = 10,
                   thresholds: Thresholds | None = None, seed: int = 0,
                   **options) -> FairnessResult:
    """:func:`evaluate` with the :class:`MetricsConfig` given as keywords (for notebooks).

    Parameters
    ----------
    dataset, split, top_k
        See :func:`evaluate`.
    user_groupings, item_groupings_ : sequence of str, optional
        Attribute names; None = the defaults.
    intersections : sequence of sequences of str
    k : int
    thresholds : Thresholds, optional
    seed : int
    **options
        Other :class:`MetricsConfig` fields (``n_boot``, ``exposure``,
        ``min_group_size``, ``ci_level``, ``head_share``, ``active_share``,
        ``new_item_days``); an unknown name raises ``TypeError``.
    """
    mc = MetricsConfig(k=k, user_groupings=None if user_groupings is None
                       else list(user_groupings),
                       item_groupings=None if item_groupings_ is None else list(item_groupings_),
                       intersections=[list(c) for c in intersections], **options)
    mc._check("metrics")
    return evaluate(dataset, split, top_k, mc, thresholds=thresholds, seed=seed)
