"""Item and user groupings as re-rankers use them: codes per candidate, named groups, runs.

Also the one rule that infers the protected group of a binary item grouping
when none is named (:func:`infer_disadvantaged`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.errors import FairrecError
from fairrec_core.metrics.groups import Grouping, make_grouping

from .candidates import Prepared
from .checks import RerankError


def as_grouping(groups, *, name: str, what: str) -> Grouping:
    """A :class:`~fairrec_core.metrics.groups.Grouping` from labels or a Grouping.

    Missing labels (NaN/None) become the group ``"unknown"`` (the metrics
    engine's convention), which is a group like any other.
    """
    if isinstance(groups, Grouping):
        return groups
    if isinstance(groups, pd.Series) and groups.name is not None:
        name = str(groups.name)    # e.g. dataset.items["seller_size"] keeps its column name
    try:
        return make_grouping(groups, name=name)
    except FairrecError as exc:
        raise RerankError(f"The {what} grouping cannot be used: {exc}") from exc


def item_codes(grouping: Grouping, prep: Prepared) -> np.ndarray:
    """Group code of every candidate (base order); ``n_groups`` at padding.

    Raises
    ------
    RerankError
        A candidate item lies beyond the grouping (it has no label at all).
    """
    n_items = grouping.codes.size
    beyond = prep.ids >= n_items
    if beyond.any():
        examples = np.unique(prep.ids[beyond])[:5]
        raise RerankError(
            f"{int(beyond.sum())} candidates name items that the item grouping "
            f"'{grouping.name}' does not cover (it labels items 0..{n_items - 1}; e.g. items "
            f"{', '.join(map(str, examples))}). Give every catalogue item a label; a missing "
            f"label (NaN) becomes the group 'unknown'.")
    # One gather: padding (-1) picks the appended last entry, the sentinel.
    lookup = np.append(grouping.codes, grouping.n_groups)
    return lookup[prep.ids]


def user_codes(grouping: Grouping, n_users: int) -> np.ndarray:
    """Group code of every candidate row (user); the grouping must cover them all."""
    if grouping.codes.size != n_users:
        raise RerankError(
            f"The user grouping '{grouping.name}' labels {grouping.codes.size} users but the "
            f"candidates have {n_users} rows; both must use the same dense user index.")
    return grouping.codes


def resolve_labels(grouping: Grouping, labels, *, what: str) -> tuple[int, ...]:
    """Codes of the named labels; unknown names raise with the valid choices."""
    if isinstance(labels, (str, int, np.integer)):
        labels = [labels]
    labels = [str(x) for x in labels]
    if not labels:
        raise RerankError(f"Name at least one {what} group.")
    known = list(grouping.labels)
    missing = [x for x in labels if x not in known]
    if missing:
        raise RerankError(
            f"{what.capitalize()} group {', '.join(repr(m) for m in missing)} is not a label of "
            f"'{grouping.name}' (its labels: {', '.join(known)}).")
    return tuple(sorted(known.index(x) for x in labels))


def label_names(grouping: Grouping, codes) -> list[str]:
    """The labels of the given group codes, in that order."""
    return [grouping.labels[c] for c in codes]


def grouped_order(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate columns grouped by item group, base order kept within a group.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape (n_users, C)
        Group code per candidate in base order; ``n_groups`` marks padding.

    Returns
    -------
    order : numpy.ndarray of int64, shape (n_users, C)
        Columns sorted by group (stable, so each group's run is in base order).
    start, size : numpy.ndarray of int64, shape (n_users, n_groups)
        Where each group's run starts in ``order`` and how long it is.

    Notes
    -----
    Greedy objectives whose fairness term depends on an item only through
    its group pick, within each group, the most relevant item left: the head
    of that group's run. Comparing the ``n_groups`` heads per step instead of
    all C candidates is what makes the greedy methods cheap.
    """
    n, c = codes.shape
    # Sorting the values code·C + column (unique in a row) is several times
    # faster than a stable argsort of the codes, and gives the same order.
    span = (n_groups + 1) * c
    dtype = np.int16 if span < 2**15 else np.int32 if span < 2**31 else np.int64
    # numpy's stubs cannot multiply an array by a scalar of a dtype chosen at run time.
    key = codes.astype(dtype) * dtype(c) + np.arange(c, dtype=dtype)  # type: ignore[operator]
    key.sort(axis=1)
    order = (key % dtype(c)).astype(np.int64)
    key = (np.arange(n, dtype=np.int64)[:, None] * (n_groups + 1) + codes).ravel()
    size = np.bincount(key, minlength=n * (n_groups + 1)).reshape(n, n_groups + 1)
    start = np.cumsum(size, axis=1) - size
    return order, start[:, :n_groups], size[:, :n_groups]



def infer_disadvantaged(grouping: Grouping, codes: np.ndarray, prep: Prepared, k: int) -> int:
    """The group of a binary item grouping that the base top-K under-exposes most.

    Exposure is counted per list slot; the group with the lower ratio of
    exposure share to catalogue share (ES/CS) is returned.

    Raises
    ------
    RerankError
        The grouping does not have exactly two groups (then the caller must
        name the protected group).
    """
    if grouping.n_groups != 2:
        raise RerankError(
            f"The item grouping '{grouping.name}' has {grouping.n_groups} groups "
            f"({', '.join(grouping.labels)}); name the protected (disadvantaged) one(s).")
    kk = min(k, codes.shape[1])
    in_base = np.arange(kk)[None, :] < np.minimum(prep.n_valid, k)[:, None]
    exp = np.bincount(codes[:, :kk][in_base], minlength=grouping.n_groups + 1)[:2]
    sizes = grouping.sizes.astype(np.float64)
    ratio = (exp / max(exp.sum(), 1)) / (sizes / sizes.sum())
    return int(np.argmin(ratio))
