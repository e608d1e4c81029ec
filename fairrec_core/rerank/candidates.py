"""Candidate lists: validated ids and scores per user, their base order and relevance.

Candidate arrays have shape (n_users, C); ``-1`` in ``ids`` is padding and may
sit anywhere in a row (a user with fewer than C candidates). Item ids are dense
item indices (``Dataset.item_index``), user rows are dense user indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .checks import RerankError, _first_user, check_k
from .normalise import base_order, minmax_sorted

#: How candidate scores were obtained; recorded in every result's provenance.
SCORE_SOURCES = ("scores", "ranks")


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
    """Ids as int64 and scores as float64, after checking dimensions, shapes and types."""
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
    """Read-only ids and scores (NaN at padding), or a RerankError saying how to repair them."""
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


