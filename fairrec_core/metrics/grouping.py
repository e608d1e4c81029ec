"""Groupings of users or items: labels, codes, intersections, activity and popularity groups.

A :class:`Grouping` is what every group-fairness figure is computed over
(see :mod:`fairrec_core.metrics.group_compare` for the user side and
:mod:`fairrec_core.metrics.provider` for the provider side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ._validate import MetricsInputError

#: Label given to users or items whose group is missing.
UNKNOWN = "unknown"
#: Separator of intersection labels and names: "F × 55+", "gender × age_band".
INTERSECTION_SEP = " × "


@dataclass(frozen=True)
class Grouping:
    """Group membership of every user (or item).

    Attributes
    ----------
    name : str
        E.g. ``"gender"`` or ``"gender × age_band"``.
    codes : numpy.ndarray of int64, shape (n,)
        Index into :attr:`labels` for each unit.
    labels : tuple of str
        Group labels, sorted, ``"unknown"`` last.
    feature_frame : pandas.DataFrame or None
        The string label(s) per unit as given; None when they are built from
        :attr:`components` on first use (:attr:`features`).
    n_missing : int
        Units whose label (any component) was missing.
    components : tuple of (str, numpy.ndarray, tuple of str)
        Per component grouping: its name, codes and labels. The per-unit
        strings of :attr:`features` come from these only when asked for, so a
        grouping of 10^7 users costs its codes, not 10^7 Python strings.
    """

    name: str
    codes: np.ndarray
    labels: tuple[str, ...]
    feature_frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    n_missing: int = 0
    components: tuple = field(default=(), repr=False, compare=False)

    @cached_property
    def features(self) -> pd.DataFrame:
        """The string label(s) per unit, one column per component grouping;
        passed to Fairlearn as ``sensitive_features``."""
        if self.feature_frame is not None:
            return self.feature_frame
        parts = self.components or ((self.name, self.codes, self.labels),)
        return pd.concat([pd.DataFrame({col: np.asarray(labs, dtype=object)[codes].astype(str)})
                          for col, codes, labs in parts], axis=1)

    @property
    def n_groups(self) -> int:
        """Number of distinct groups present."""
        return len(self.labels)

    @property
    def values(self) -> np.ndarray:
        """The label of every unit, as an object array of str."""
        return np.asarray(self.labels, dtype=object)[self.codes]

    @property
    def sizes(self) -> np.ndarray:
        """Units per group."""
        return np.bincount(self.codes, minlength=self.n_groups)

    @property
    def note(self) -> str | None:
        """A plain sentence about missing labels, or None."""
        if not self.n_missing:
            return None
        return (f"{self.name}: {self.n_missing} without a label, reported as the group "
                f"'{UNKNOWN}'.")


def _label_strings(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Labels as strings (missing ones as ``UNKNOWN``) and the missing mask."""
    missing = values.isna().to_numpy()
    vals = values
    if pd.api.types.is_float_dtype(vals.dtype):
        present = vals[~missing]
        if len(present) and np.all(np.mod(present.to_numpy(), 1) == 0):
            # Integer codes that became floats because of a NaN: "3", not "3.0".
            vals = vals.astype("Int64")
    strs = vals.astype(str).to_numpy(dtype=object)
    strs[missing] = UNKNOWN
    return strs, missing


def _label_key(label: str):
    """Sort key of a label: numbers by value before text, ``UNKNOWN`` last."""
    try:
        number = float(label)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return (label == UNKNOWN, 0, number, label)
    return (label == UNKNOWN, 1, 0.0, label)


def _codes_for(strs: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Dense codes of string labels, numbered in sorted-label order, and the labels."""
    codes, uniques = pd.factorize(strs)  # hashing: linear in the number of units
    uniques = [str(u) for u in uniques]
    # Sorted labels (numbers by value), "unknown" last, so real groups read
    # first in every table.
    order = sorted(uniques, key=_label_key)
    remap = np.empty(len(uniques), dtype=np.int64)
    position = {lab: i for i, lab in enumerate(uniques)}
    remap[[position[lab] for lab in order]] = np.arange(len(order))
    return remap[codes] if len(codes) else codes.astype(np.int64), tuple(order)


def make_grouping(labels, *, name: str, n: int | None = None) -> Grouping:
    """Build a :class:`Grouping` from one label per unit.

    Parameters
    ----------
    labels : Grouping, pandas.Series or array-like, shape (n,)
        Labels per dense index 0..n-1. A Series whose index is not
        ``0..n-1`` is aligned on its (integer) index; units it lacks are
        missing. Missing labels (NaN/None) become the group ``"unknown"``.
    name : str
        Name of the grouping (used in tables and sentences).
    n : int, optional
        Expected number of units.

    Returns
    -------
    Grouping
    """
    if isinstance(labels, Grouping):
        if n is not None and labels.codes.size != n:
            raise MetricsInputError(
                f"Grouping '{labels.name}' covers {labels.codes.size} entries, expected {n}.")
        return labels
    if isinstance(labels, pd.Series):
        series = labels
        size = n if n is not None else len(series)
        if not series.index.equals(pd.RangeIndex(size)):
            idx = series.index
            if not (pd.api.types.is_integer_dtype(idx.dtype) and idx.is_unique
                    and (len(idx) == 0 or (idx.min() >= 0 and idx.max() < size))):
                raise MetricsInputError(
                    f"Labels of '{name}' must be indexed by the dense index 0..{size - 1}; "
                    "map raw ids to dense indices first.")
            series = series.reindex(pd.RangeIndex(size))
    else:
        arr = np.asarray(labels, dtype=object)
        if arr.ndim != 1:
            raise MetricsInputError(f"Labels of '{name}' must be one-dimensional.")
        # Recover a numeric dtype so integer codes print as "3", not "3.0".
        series = pd.Series(arr).infer_objects()
    if n is not None and len(series) != n:
        raise MetricsInputError(f"'{name}' has {len(series)} labels, expected {n}.")
    strs, missing = _label_strings(series.reset_index(drop=True))
    codes, labs = _codes_for(strs)
    return Grouping(name=name, codes=codes, labels=labs, n_missing=int(missing.sum()),
                    components=((name, codes, labs),))


def grouping_from_codes(codes, values, *, name: str) -> Grouping:
    """The :class:`Grouping` of ``values[codes]`` without per-unit strings.

    The same grouping (codes, label order, missing count) as
    ``make_grouping(np.asarray(values, dtype=object)[codes], name=name)``, with
    code ``-1`` for a missing label, but the labels are worked out on the
    distinct values only: the partitioned engine's millions of users hold
    a few labels each.

    Parameters
    ----------
    codes : array-like of int, shape (n,)
        Index into ``values`` per unit, ``-1`` = missing.
    values : array-like, shape (m,)
        Label values (repeats allowed, e.g. several ages in one band).
    name : str

    Returns
    -------
    Grouping
    """
    codes = np.asarray(codes, dtype=np.int64)
    values = np.asarray(values, dtype=object)
    if codes.ndim != 1 or values.ndim != 1:
        raise MetricsInputError(f"Codes and values of '{name}' must be one-dimensional.")
    if codes.size and (codes.min() < -1 or codes.max() >= values.size):
        raise MetricsInputError(f"Codes of '{name}' must lie in -1..{values.size - 1}.")
    count = np.bincount(codes + 1, minlength=values.size + 1)
    used = np.flatnonzero(count[1:])
    # The distinct values present (and one missing entry when some unit has
    # none) go through the same string rules as every unit would.
    present = list(values[used]) + ([None] if count[0] else [])
    strs, miss = _label_strings(pd.Series(np.asarray(present, dtype=object)).infer_objects())
    entry_codes, labs = _codes_for(strs)
    remap = np.zeros(values.size + 1, dtype=np.int64)  # slot 0: missing
    remap[used + 1] = entry_codes[:used.size]
    if count[0]:
        remap[0] = entry_codes[-1]
    unit_codes = remap[codes + 1]
    n_missing = int(count[0]) + int(count[used + 1][miss[:used.size]].sum())
    return Grouping(name=name, codes=unit_codes, labels=labs, n_missing=n_missing,
                    components=((name, unit_codes, labs),))


def intersect(*groupings: Grouping, name: str | None = None) -> Grouping:
    """Intersection of several groupings, labelled like ``"F × 55+"``.

    Only combinations that occur are groups. A unit missing any component is
    labelled with ``"unknown"`` in that position (e.g. ``"F × unknown"``).
    """
    if len(groupings) < 2:
        raise MetricsInputError("An intersection needs at least two groupings.")
    sizes = {g.codes.size for g in groupings}
    if len(sizes) != 1:
        raise MetricsInputError("Intersected groupings must cover the same units.")
    name = name or INTERSECTION_SEP.join(g.name for g in groupings)
    # Codes of the combinations that occur, then one label string per
    # combination (not per unit): (code of the first k, code of the next).
    combo = np.asarray(groupings[0].codes, dtype=np.int64)
    keys: list[tuple[int, ...]] = [(c,) for c in range(groupings[0].n_groups)]
    for g in groupings[1:]:
        combo, seen = pd.factorize(combo * g.n_groups + np.asarray(g.codes, dtype=np.int64))
        keys = [keys[v // g.n_groups] + (v % g.n_groups,) for v in seen.tolist()]
    strs = np.asarray([INTERSECTION_SEP.join(g.labels[c] for g, c in zip(groupings, key))
                       for key in keys], dtype=object)
    entry_codes, labels = _codes_for(strs)
    codes = entry_codes[combo]
    has_unknown = np.asarray([any(g.labels[c] == UNKNOWN for g, c in zip(groupings, key))
                              for key in keys], dtype=bool)
    n_missing = int(np.bincount(combo, minlength=len(keys))[has_unknown].sum())
    if all(g.components for g in groupings):
        return Grouping(name=name, codes=codes, labels=labels, n_missing=n_missing,
                        components=tuple(c for g in groupings for c in g.components))
    features = pd.concat([g.features.reset_index(drop=True) for g in groupings], axis=1)
    return Grouping(name=name, codes=codes, labels=labels, feature_frame=features,
                    n_missing=n_missing)


def _top_share_mask(counts: np.ndarray, share: float) -> np.ndarray:
    """True for the top ``share`` of units by count (units with count 0 never)."""
    n = counts.size
    n_top = math.ceil(round(share * n, 9))
    # Stable order: ties at the cut go to the lower index, so the split is
    # exactly `share` of units and reproducible.
    order = np.lexsort((np.arange(n), -counts))
    mask = np.zeros(n, dtype=bool)
    mask[order[:n_top]] = True
    return mask & (counts > 0)


def activity_grouping(activity, *, top_share: float = 0.05, name: str = "activity") -> Grouping:
    """Split users into ``"active"`` (the most active ``top_share``) and ``"inactive"``.

    Parameters
    ----------
    activity : array-like of int, shape (n_users,)
        Training interactions per user (see
        :func:`~fairrec_core.metrics.beyond.user_activity`).
    top_share : float, default 0.05
        ``ceil(top_share * n_users)`` users are active; ties at the boundary go
        to the lower user index; users without interactions are never active.
    name : str

    Returns
    -------
    Grouping
    """
    if not 0.0 < top_share < 1.0:
        raise MetricsInputError(f"top_share must lie strictly between 0 and 1, got {top_share}.")
    active = _top_share_mask(np.asarray(activity), top_share)
    return grouping_from_codes(np.where(active, 0, 1).astype(np.int8),
                               ["active", "inactive"], name=name)


def popularity_grouping(head_mask, *, name: str = "popularity") -> Grouping:
    """Items labelled ``"head"`` or ``"tail"`` from a head mask."""
    return make_grouping(np.where(np.asarray(head_mask, dtype=bool), "head", "tail"), name=name)
