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

This module holds the result type and the base class; the pieces every method
uses live beside it and are re-exported here, where callers import them:
``checks`` (errors, λ and K), ``candidates`` (candidate lists, base order,
relevance) and ``grouping`` (group codes, named groups, the inferred protected
group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from fairrec_core._json import jsonable
from fairrec_core.i18n import Joined, has, phrase

from .candidates import SCORE_SOURCES, Candidates, Prepared
from .checks import RerankError, RerankWarning, check_k, check_lam
from .grouping import (
    as_grouping,
    grouped_order,
    infer_disadvantaged,
    item_codes,
    label_names,
    resolve_labels,
    user_codes,
)

__all__ = [
    "RerankError", "RerankWarning", "SCORE_SOURCES", "check_lam", "check_k",
    "Prepared", "Candidates",
    "as_grouping", "item_codes", "user_codes", "resolve_labels", "label_names",
    "grouped_order", "infer_disadvantaged",
    "RerankResult", "State", "Reranker",
]

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

    def describe(self) -> Joined:
        """One paragraph saying what was applied, for the report (English now, any language
        later: :func:`fairrec_core.i18n.say`)."""
        p = self.params
        key = f"rerank.title.{self.method}"
        title = phrase(key) if has(key) else p.get("title", self.method)
        cands = p.get("candidates", {})
        applied = phrase("rerank.described", method=self.method, title=title,
                         reference=p.get("reference", ""), lam=f"{self.lam:g}", k=self.k,
                         n=cands.get("n_candidates", "?"), source=cands.get("source", "scores"))
        return Joined([applied, p.get("summary"), *self.notes])


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
            state.notes.append(phrase("rerank.padded", n=short, k=k))
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
