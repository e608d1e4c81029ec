"""What every re-ranker shares: candidate lists, results with provenance, checks.

A re-ranker reads, for every user, C candidate items with scores (from any
model, or imported from a production system with scores or only ranks), item
and user groupings, a weight λ in [0, 1] and a cut-off K, and returns K items
per user. DESIGN.md §5 fixes the contract:

* λ = 0 reproduces the base top-K exactly (ids and scores);
* scores are normalised per user (min-max) before they are mixed with a
  fairness term, so λ means the same for every user and every model;
* every method is deterministic: ties are broken by the base order (higher
  original score first, then the earlier candidate column);
* everything runs on all users at once with array operations.

Conventions
-----------
Candidate arrays have shape (n_users, C); ``-1`` in ``ids`` is padding and may
sit anywhere in a row (a user with fewer than C candidates). Item ids are dense
item indices (``Dataset.item_index``), user rows are dense user indices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np
import pandas as pd

from fairrec_core._json import jsonable
from fairrec_core.errors import FairrecError
from fairrec_core.metrics.groups import Grouping, make_grouping

from .normalise import base_order, minmax_sorted


class RerankError(FairrecError, ValueError):
    """Candidates, groupings or options cannot be used for re-ranking."""


class RerankWarning(UserWarning):
    """A re-ranking ran, but could not do all that was asked (see the message)."""


#: How candidate scores were obtained; recorded in every result's provenance.
SCORE_SOURCES = ("scores", "ranks")


# --------------------------------------------------------------------------- checks


def check_lam(lam) -> float:
    """Return λ as a float in [0, 1] or raise :class:`RerankError`."""
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise RerankError(f"The fairness weight λ must be a number between 0 and 1, got {lam!r}.")
    lam = float(lam)
    if math.isnan(lam) or not 0.0 <= lam <= 1.0:
        raise RerankError(f"The fairness weight λ must lie between 0 and 1 (inclusive), got {lam}.")
    return lam


def check_k(k) -> int:
    """Return K as a positive int or raise :class:`RerankError`."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RerankError(f"K (the list length) must be a positive whole number, got {k!r}.")
    return int(k)


def _first_user(mask_rows: np.ndarray) -> int:
    return int(np.flatnonzero(mask_rows)[0])


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Prepared:
    """Candidates in base order with normalised relevance (λ-independent work).

    Attributes
    ----------
    ids : numpy.ndarray of int64, shape (n_users, C)
        Candidate ids sorted by descending score (ties: earlier column first),
        padding last.
    raw : numpy.ndarray of float64
        The original scores in that order, NaN at padding.
    rel : numpy.ndarray of float64
        Per-user min-max normalised scores in [0, 1], 0 at padding (use
        ``valid``).
    valid : numpy.ndarray of bool
    n_valid : numpy.ndarray of int64, shape (n_users,)
    """

    ids: np.ndarray
    raw: np.ndarray
    rel: np.ndarray
    valid: np.ndarray
    n_valid: np.ndarray

    @cached_property
    def blocked(self) -> np.ndarray:
        """0 where valid, -inf at padding: added to an objective, it keeps
        padding from ever being chosen."""
        out = np.where(self.valid, 0.0, -np.inf)
        out.flags.writeable = False
        return out

    def top_k(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Base top-K ids and scores, padded with -1 / NaN."""
        c = self.ids.shape[1]
        if k <= c:
            return self.ids[:, :k].copy(), self.raw[:, :k].copy()
        n = self.ids.shape[0]
        ids = np.hstack([self.ids, np.full((n, k - c), -1, dtype=np.int64)])
        raw = np.hstack([self.raw, np.full((n, k - c), np.nan)])
        return ids, raw


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidate items and their scores for every user.

    Construct directly when the arrays are clean (any problem raises), or
    through :meth:`from_arrays`, :meth:`from_ranks` and
    :meth:`from_recommendations`, which can repair common problems of exported
    lists in a documented way.

    Parameters
    ----------
    ids : array-like of int, shape (n_users, C)
        Dense item indices; ``-1`` marks padding (fewer than C candidates) and
        may appear anywhere in a row.
    scores : array-like of float, shape (n_users, C)
        Higher is better. Values at padding are ignored (stored as NaN).
    source : {"scores", "ranks"}
        Whether the scores are model scores or were derived from ranks
        (recorded in provenance).

    Raises
    ------
    RerankError
        Not two-dimensional, shapes differ, ids not whole numbers or below -1,
        a non-finite (NaN or infinite) score on a real candidate, or the same
        item twice in one user's candidates.

    Notes
    -----
    Rows are users, in the dense user index; the array must cover every user
    that a user grouping covers (rows may be all padding).
    """

    ids: np.ndarray
    scores: np.ndarray
    source: str = "scores"

    def __post_init__(self):
        ids, scores = _validated(self.ids, self.scores)
        if self.source not in SCORE_SOURCES:
            raise RerankError(f"source must be one of {SCORE_SOURCES}, got {self.source!r}.")
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "scores", scores)

    # ------------------------------------------------------------------ builders

    @classmethod
    def from_arrays(cls, ids, scores, *, duplicates: str = "error",
                    non_finite: str = "error") -> Candidates:
        """Candidates from ids and scores, optionally repairing them.

        Parameters
        ----------
        ids, scores : array-like, shape (n_users, C)
        duplicates : {"error", "keep_best"}
            What to do when a user's row names the same item twice:
            ``error`` raises; ``keep_best`` keeps the occurrence with the
            highest score (ties: the earlier column) and turns the others into
            padding.
        non_finite : {"error", "drop"}
            What to do with NaN or infinite scores of real candidates:
            ``error`` raises; ``drop`` turns those candidates into padding.

        Returns
        -------
        Candidates
        """
        ids, scores = _as_arrays(ids, scores)
        ids = ids.copy()
        if non_finite not in ("error", "drop"):
            raise RerankError(f"non_finite must be 'error' or 'drop', got {non_finite!r}.")
        if duplicates not in ("error", "keep_best"):
            raise RerankError(f"duplicates must be 'error' or 'keep_best', got {duplicates!r}.")
        if non_finite == "drop":
            ids[(ids >= 0) & ~np.isfinite(scores)] = -1
        if duplicates == "keep_best":
            ids[_duplicate_mask(ids, scores)] = -1
        return cls(ids, scores)

    @classmethod
    def from_ranks(cls, ids, ranks=None, *, duplicates: str = "error") -> Candidates:
        """Candidates from lists that carry only ranks (1 = best).

        The score of a candidate becomes ``-rank``, so after the per-user
        min-max normalisation relevance falls linearly from 1 (rank 1) to 0
        (the last rank). Equal ranks are ties, broken by column order.

        Parameters
        ----------
        ids : array-like of int, shape (n_users, C)
            ``-1`` = padding.
        ranks : array-like of float, shape (n_users, C), optional
            Rank of each candidate; NaN allowed at padding. Omitted: the
            column order is the rank order.
        duplicates : {"error", "keep_best"}
            See :meth:`from_arrays` (the best is the lowest rank).
        """
        ids = np.asarray(ids)
        if ranks is None:
            if ids.ndim != 2:
                raise RerankError("Candidate ids must be a 2-D array (users x candidates).")
            ranks = np.broadcast_to(np.arange(1, ids.shape[1] + 1, dtype=np.float64), ids.shape)
        ranks = np.asarray(ranks, dtype=np.float64)
        if ranks.shape == ids.shape and ids.ndim == 2:
            bad = (ids >= 0) & ~np.isfinite(ranks)
            if bad.any():
                raise RerankError(
                    f"{int(bad.sum())} real candidates have no rank (NaN); first at user "
                    f"{_first_user(bad.any(axis=1))}.")
        scores = -ranks
        ids, scores = _as_arrays(ids, scores)
        ids = ids.copy()
        if duplicates not in ("error", "keep_best"):
            raise RerankError(f"duplicates must be 'error' or 'keep_best', got {duplicates!r}.")
        if duplicates == "keep_best":
            ids[_duplicate_mask(ids, scores)] = -1
        return cls(ids, scores, source="ranks")

    @classmethod
    def from_recommendations(cls, recommendations, *, duplicates: str = "error") -> Candidates:
        """Candidates from imported production lists (:class:`fairrec_core.data.Recommendations`).

        Uses the production scores when the file had them, the ranks otherwise.
        """
        items = np.asarray(recommendations.items).astype(np.int64)
        if getattr(recommendations, "scores", None) is not None:
            return cls.from_arrays(items, recommendations.scores, duplicates=duplicates)
        return cls.from_ranks(items, duplicates=duplicates)

    # ------------------------------------------------------------------ views

    @property
    def n_users(self) -> int:
        return int(self.ids.shape[0])

    @property
    def n_candidates(self) -> int:
        """C, the number of candidate columns."""
        return int(self.ids.shape[1])

    @cached_property
    def prepared(self) -> Prepared:
        """Base order and normalised relevance, computed once per Candidates."""
        valid = self.ids >= 0
        order = base_order(self.scores, valid)
        if order is None:
            ids, raw, valid_b = self.ids, self.scores, valid
        else:
            ids = np.take_along_axis(self.ids, order, axis=1)
            raw = np.take_along_axis(self.scores, order, axis=1)
            valid_b = ids >= 0
        n_valid = valid_b.sum(axis=1).astype(np.int64)
        rel = minmax_sorted(raw, n_valid)
        for a in (ids, raw, rel, valid_b):
            a.flags.writeable = False
        return Prepared(ids=ids, raw=raw, rel=rel, valid=valid_b, n_valid=n_valid)

    def top_k(self, k: int = 10) -> np.ndarray:
        """The base top-K item ids (what every method returns at λ = 0)."""
        return self.prepared.top_k(check_k(k))[0]

    def summary(self, k: int | None = None) -> dict:
        """Counts for provenance: users, C, users with fewer than K candidates."""
        n_valid = self.prepared.n_valid
        out = {"n_users": self.n_users, "n_candidates": self.n_candidates,
               "source": self.source, "users_without_candidates": int((n_valid == 0).sum())}
        if k is not None:
            out["users_with_fewer_than_k"] = int((n_valid < k).sum())
        return out


def _as_arrays(ids, scores) -> tuple[np.ndarray, np.ndarray]:
    ids = np.asarray(ids)
    scores = np.asarray(scores)
    if ids.ndim != 2:
        raise RerankError(
            f"Candidate ids must be a 2-D array (users x candidates), got {ids.ndim} dimension(s).")
    if scores.shape != ids.shape:
        raise RerankError(
            f"Candidate scores have shape {scores.shape} but the ids have {ids.shape}; "
            "give one score per candidate.")
    if ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer):
        raise RerankError(
            f"Candidate ids must be whole-number item indices (-1 for padding), got {ids.dtype}.")
    if not (np.issubdtype(scores.dtype, np.floating) or np.issubdtype(scores.dtype, np.integer)) \
            or scores.dtype == bool:
        raise RerankError(f"Candidate scores must be numbers, got values of type {scores.dtype}.")
    return ids.astype(np.int64, copy=False), scores.astype(np.float64, copy=False)


def _duplicate_mask(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """True for every occurrence of an item in a row except its best-scored one."""
    n, c = ids.shape
    rows = np.repeat(np.arange(n), c)
    cols = np.tile(np.arange(c), n)
    flat_ids = ids.ravel()
    s = np.where(np.isfinite(scores), scores, -np.inf).ravel()
    # Sorted by user, item, best score first, earlier column first: the first
    # of each (user, item) run is the occurrence to keep.
    o = np.lexsort((cols, -s, flat_ids, rows))
    same = np.zeros(o.size, dtype=bool)
    same[1:] = (rows[o][1:] == rows[o][:-1]) & (flat_ids[o][1:] == flat_ids[o][:-1])
    same &= flat_ids[o] >= 0
    out = np.zeros(o.size, dtype=bool)
    out[o[same]] = True
    return out.reshape(n, c)


def _validated(ids, scores) -> tuple[np.ndarray, np.ndarray]:
    ids, scores = _as_arrays(ids, scores)
    if (ids < -1).any():
        n_bad = int((ids < -1).sum())
        raise RerankError(
            f"{n_bad} candidate ids are negative; item indices start at 0 and -1 marks padding.")
    valid = ids >= 0
    bad = valid & ~np.isfinite(scores)
    if bad.any():
        rows = bad.any(axis=1)
        raise RerankError(
            f"{int(bad.sum())} real candidates of {int(rows.sum())} users have a missing or "
            f"infinite score (NaN/inf), first at user {_first_user(rows)}. Fix the scores, or "
            "build with Candidates.from_arrays(..., non_finite='drop') to leave those "
            "candidates out.")
    # Sorting 32-bit ids is about twice as fast; ids above 2**31 keep 64 bits.
    small = ids.max(initial=0) < 2**31
    srt = np.sort(ids.astype(np.int32) if small else ids, axis=1)
    dup_rows = ((srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] >= 0)).any(axis=1)
    if dup_rows.any():
        u = _first_user(dup_rows)
        row = srt[u]
        item = int(row[1:][(row[1:] == row[:-1]) & (row[1:] >= 0)][0])
        raise RerankError(
            f"{int(dup_rows.sum())} users have the same item more than once among their "
            f"candidates (first: user {u}, item {item}). Remove the repeats, or build with "
            "Candidates.from_arrays(..., duplicates='keep_best') to keep each item's best score.")
    ids = ids.copy()
    scores = np.where(valid, scores, np.nan)
    ids.flags.writeable = False
    scores.flags.writeable = False
    return ids, scores


# --------------------------------------------------------------------------- groupings


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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class RerankResult:
    """Re-ranked top-K lists and exactly how they were made.

    Attributes
    ----------
    ids : numpy.ndarray of int64, shape (n_users, K)
        Item ids in the new order; ``-1`` pads users with fewer than K
        candidates.
    scores : numpy.ndarray of float64, shape (n_users, K)
        The original (model or imported) score of each chosen item, NaN at
        padding: re-ranking changes the order, never a model's score.
    adjusted : numpy.ndarray of float64, shape (n_users, K)
        The value the method placed each item by (adjusted score or greedy
        marginal objective), for inspection.
    method : str
        Registry name of the method.
    lam : float
        The fairness weight λ.
    k : int
    params : dict
        Every option that shaped the result, JSON-serialisable: groupings and
        their protected / advantaged groups (and whether they were inferred),
        weights, tables, normalisation, tie-breaking, the paper.
    notes : tuple of str
        Plain sentences about anything the method could not do (e.g. users
        without protected candidates).
    """

    ids: np.ndarray
    scores: np.ndarray
    adjusted: np.ndarray
    method: str
    lam: float
    k: int
    params: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def provenance(self) -> dict:
        """Method, λ, K, parameters and notes as one JSON-serialisable dict."""
        return {"method": self.method, "lam": self.lam, "k": self.k,
                "params": jsonable(self.params), "notes": list(self.notes)}

    def describe(self) -> str:
        """One paragraph saying what was applied, for the report."""
        p = self.params
        text = (f"Re-ranked with '{self.method}' ({p.get('title', self.method)}; "
                f"{p.get('reference', '')}) at λ = {self.lam:g}, K = {self.k}, from "
                f"{p.get('candidates', {}).get('n_candidates', '?')} candidates per user "
                f"({p.get('candidates', {}).get('source', 'scores')}, normalised per user by "
                "min-max).")
        if p.get("summary"):
            text += " " + p["summary"]
        if self.notes:
            text += " " + " ".join(self.notes)
        return text


# --------------------------------------------------------------------------- methods


@dataclass
class State:
    """λ-independent work of one re-ranker on one set of candidates."""

    candidates: Candidates
    k: int
    data: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


class Reranker:
    """Base class: configure once, re-rank any candidates at any λ.

    Subclasses set ``name``, ``title`` and ``reference`` and implement
    :meth:`prepare` (everything that does not depend on λ) and :meth:`run`.
    A λ sweep prepares once and runs many times.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    reference: ClassVar[str] = ""

    def rerank(self, candidates: Candidates, *, lam: float, k: int = 10) -> RerankResult:
        """Re-rank every user's candidates.

        Parameters
        ----------
        candidates : Candidates
        lam : float
            Fairness weight in [0, 1]; 0 returns the base top-K exactly.
        k : int, default 10

        Returns
        -------
        RerankResult
        """
        lam = check_lam(lam)
        state = self.prepare(candidates, k=k)
        return self.run(state, lam)

    def prepare(self, candidates: Candidates, *, k: int = 10) -> State:
        """Validate groupings against the candidates and precompute; see subclasses."""
        if not isinstance(candidates, Candidates):
            raise RerankError("candidates must be a fairrec_core.rerank.Candidates "
                              "(build one with Candidates(ids, scores)).")
        k = check_k(k)
        state = State(candidates=candidates, k=k)
        state.params.update({"title": self.title, "reference": self.reference,
                             "candidates": candidates.summary(k),
                             "normalisation": "per-user min-max of the scores over real "
                                              "candidates (a user with equal scores gets 1)",
                             "tie_breaking": "base order: higher original score, then the "
                                             "earlier candidate column"})
        short = state.params["candidates"]["users_with_fewer_than_k"]
        if short:
            state.notes.append(f"{short} users have fewer than {k} candidates; their lists are "
                               "padded with -1.")
        self._prepare(state)
        return state

    def _prepare(self, state: State) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, state: State, lam: float) -> RerankResult:
        """Re-rank prepared candidates at one λ."""
        lam = check_lam(lam)
        cols, adjusted, extra = self._run(state, lam)
        prep = state.candidates.prepared
        rows = np.arange(cols.shape[0])[:, None]
        ok = cols >= 0
        safe = np.where(ok, cols, 0)
        ids = np.where(ok, prep.ids[rows, safe], -1)
        scores = np.where(ok, prep.raw[rows, safe], np.nan)
        adjusted = np.where(ok, adjusted, np.nan)
        params = dict(state.params)
        params.update(extra.get("params", {}))
        notes = list(state.notes) + list(extra.get("notes", []))
        return RerankResult(ids=ids, scores=scores, adjusted=adjusted, method=self.name, lam=lam,
                            k=state.k, params=params, notes=tuple(notes))

    def _run(self, state: State, lam: float):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_params(self) -> dict:
        """The configuration (JSON-serialisable parts), for provenance and configs."""
        return {}



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
