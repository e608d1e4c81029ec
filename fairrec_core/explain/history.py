"""History attribution: which of a user's past items made the model recommend an item.

The players of the game are the user's ``H`` most recent history items (the
older ones stay in place throughout); a coalition keeps some of them; its
value is the model's score of the explained item for the user with only
that history. Shapley values of this game are computed with shap's exact
explainer for small ``H`` and its permutation explainer otherwise. Both are
*efficient*: the values add up to f(full history) - f(no recent history)
exactly, whatever the number of permutations.

"The score with this history" is the model's own answer to
:meth:`~fairrec_core.models.interface.ExplanationInterface.history_scorer`
(the models' public explanation interface); what it means depends on the
model's ``history_dependence``:

* ``"pooled"`` (text two-tower) -- the user tower pools (averages) the
  history items, so leaving items out of that average is the model's own
  answer;
* ``"folded"`` (BPR-MF) -- the user vector is a free parameter learned during
  training; the model answers by an *amortised fold-in* (a ridge map, fitted
  across all users, from the average of a user's history item factors to
  their learned vector, the unexplained part kept). With the full history
  the score equals the model's score exactly; with items removed it is an
  estimate whose fit on held-out users is reported;
* ``"none"`` (popularity) or no model (imported lists) -- there is nothing
  to attribute, and the explainer says so.
"""

from __future__ import annotations

import time

import numpy as np

from fairrec_core.explain._common import (
    check_fitted,
    check_model_matches,
    item_label,
    ordered_history,
    resolve_id,
)
from fairrec_core.explain.result import Explanation, ExplanationError, history_summary

#: Histories up to this length are explained exactly (2^H coalitions).
EXACT_UP_TO = 10
#: Antithetic permutations (each evaluated forwards and backwards) beyond EXACT_UP_TO.
DEFAULT_PERMUTATIONS = 100

CAVEAT_POOLED = (
    "Each value is the item's Shapley value in a game whose players are {players}: how "
    "much, averaged over every order of adding them, keeping that item raised (+) or "
    "lowered (-) the model's score for the recommended item. The model's user tower "
    "averages your history items, so the scores with items removed are the model's "
    "own.{older} The values add up exactly to the score with your history minus the score "
    "without these items{approx}. They describe this score, not the whole ranking: other "
    "items' scores change too when your history changes.")
CAVEAT_FOLDED = (
    "Each value is the item's Shapley value in a game whose players are {players}, added "
    "in every order. {model} stores each user as a learned vector and "
    "cannot itself say what it would score without an item, so fairrec estimates it by an "
    "amortised fold-in: a linear map, fitted across all users, from the average of a "
    "user's history item factors to their learned vector (for users it was not fitted on, "
    "the scores it implies explain R\u00b2 = {r2:.2f} of the variance of the model's "
    "own); the part of your vector the map does not explain stays fixed. With your full "
    "history the score is exactly the model's; with items removed it is this estimate, "
    "not the model's own answer.{older} The values add up exactly to the score with your "
    "history minus the score without these items{approx}.")
#: How the models are named in the caveat (the registry names are terse).
MODEL_NAMES = {"bpr": "BPR matrix factorisation", "two-tower": "The text two-tower model"}


class HistoryValue:
    """The model's score of one item for one user as a function of which history items are kept.

    Parameters
    ----------
    model : Recommender
        A fitted model whose scores depend on the history
        (``history_dependence`` ``"pooled"`` or ``"folded"``: the text
        two-tower, BPR-MF).
    dataset : Dataset
        The data the model was fitted on (ids, timestamps, titles).
    user, item : int or str
        Dense ids (integers) or original ids (text).
    max_history : int, default 20
        At most this many of the most recent history items are players; the
        older ones are always kept.

    Attributes
    ----------
    user, item : int
        Dense ids.
    players : numpy.ndarray of int64
        The recent history items, most recent first.
    fixed : numpy.ndarray of int64
        Older history items, always kept.
    kind : str
        The model's registry name (``"bpr"``, ``"two-tower"``).
    dependence : {"pooled", "folded"}
        The model's ``history_dependence``.
    by_time : bool
        Whether the history order came from timestamps.
    full, empty : float
        The value with every player kept / with none.
    foldin_r2 : float or None
        For an estimated game (``"folded"``): R² of the estimate's scores on
        held-out users (the model's ``history_r2()``).
    """

    def __init__(self, model, dataset, user, item, *, max_history: int = 20):
        self.dependence = _check_model(model)
        self.kind = model.name
        check_model_matches(model, dataset)
        if int(max_history) != max_history or max_history < 1:
            raise ExplanationError("max_history must be a positive whole number.")
        self.user = resolve_id(user, dataset.user_ids, "user", model.n_users_)
        self.item = resolve_id(item, dataset.item_ids, "item", model.n_items_)
        hist, self.by_time = ordered_history(model, dataset, self.user)
        if hist.size == 0:
            raise ExplanationError(_no_history_message(self.dependence, dataset, self.user))
        h = min(int(max_history), hist.size)
        self.players = hist[:h]
        self.fixed = hist[h:]
        self.foldin_r2 = model.history_r2()
        # The older items are always kept: columns of ones after the players'.
        self._scorer = model.history_scorer(hist, [self.item], user=self.user)
        both = self(np.array([[True] * h, [False] * h]))
        self.full, self.empty = float(both[0]), float(both[1])

    def __len__(self) -> int:
        return int(self.players.size)

    def __call__(self, masks) -> np.ndarray:
        """Scores for a batch of coalitions.

        Parameters
        ----------
        masks : array-like of bool or 0/1, shape (n, H)
            Row ``r`` keeps player ``j`` when ``masks[r, j]`` is true.

        Returns
        -------
        numpy.ndarray of float64, shape (n,)
        """
        z = np.asarray(masks, dtype=np.float64)
        if z.ndim == 1:
            z = z[None, :]
        if z.shape[1] != self.players.size:
            raise ValueError(f"expected {self.players.size} columns, got {z.shape[1]}")
        keep = np.hstack([z, np.ones((z.shape[0], self.fixed.size))])
        return self._scorer(keep)[:, 0]


def explain_history(model, dataset, user, item, *, max_history: int = 20,
                    permutations: int = DEFAULT_PERMUTATIONS, exact_up_to: int = EXACT_UP_TO,
                    seed: int = 0) -> Explanation:
    """Shapley values of a user's recent history items for the score of one item.

    Parameters
    ----------
    model : BPR or TextTwoTower
        A fitted model. Popularity and imported lists are refused with a
        message: their scores do not depend on the history.
    dataset : Dataset
        The data the model was fitted on.
    user, item : int or str
        Dense ids (integers) or original ids (text).
    max_history : int, default 20
        Players: at most this many most recent history items; older items
        stay in every coalition.
    permutations : int, default 100
        Antithetic permutations of shap's permutation explainer (used when
        the history has more than ``exact_up_to`` players). Every permutation
        is exactly efficient; more permutations lower the sampling noise (on
        the sample data, 100 give values within about 6% of the largest
        exact value, in about 10 ms; see benchmarks/RESULTS.md).
    exact_up_to : int, default 10
        Up to this many players, shap's exact explainer evaluates all 2^H
        coalitions.
    seed : int, default 0

    Returns
    -------
    Explanation
        ``kind="history"``; ``features`` are item titles with ids, ``values``
        the Shapley values (score units), ``base_value`` the score without the
        players, ``output_value`` the score with the full history.
        ``details`` holds ``item_ids`` (original ids of the players),
        ``dense_items``, ``fixed_items`` (count) and ``efficiency_gap``.

    Raises
    ------
    ExplanationError
        Model it does not apply to, unknown ids, a user without history.
    """
    import shap

    t0 = time.perf_counter()
    value = HistoryValue(model, dataset, user, item, max_history=max_history)
    h = len(value)
    x = np.ones((1, h))
    masker = shap.maskers.Independent(np.zeros((1, h)), max_samples=1)
    # shap's permutation explainer shuffles with numpy's global RNG and reseeds it in its
    # constructor (from the OS when seed is None): give it the seed, then restore the
    # caller's RNG state.
    state = np.random.get_state()
    try:
        if h <= exact_up_to:
            method = "SHAP (exact)"
            explainer = shap.explainers.Exact(value, masker)
            res = explainer(x)
            evals = 2 ** h
        else:
            method = "SHAP (permutation)"
            max_evals = int(permutations) * (2 * h + 1)
            explainer = shap.explainers.Permutation(value, masker, seed=int(seed))
            res = explainer(x, max_evals=max_evals, silent=True)
            evals = max_evals
    finally:
        np.random.set_state(state)
    values = np.asarray(res.values, dtype=np.float64).reshape(-1)
    base = float(np.asarray(res.base_values).reshape(-1)[0])
    gap = float(values.sum() - (value.full - value.empty))
    runtime = time.perf_counter() - t0

    labels = [item_label(dataset, int(j)) for j in value.players]
    older = (f" Your {value.fixed.size} older history items stay in place throughout."
             if value.fixed.size else "")
    if h == 1:
        players = "your one history item (a game of one: it gets the whole difference)"
    elif value.fixed.size:
        players = f"your {h} most recent history items"
    else:
        players = f"your {h} history items"
    approx = "" if method == "SHAP (exact)" else (
        f"; the split between items is estimated from {int(permutations)} random orders "
        "(each evaluated forwards and backwards), so small values can change sign between seeds")
    if value.dependence == "pooled":
        caveat = CAVEAT_POOLED.format(players=players, older=older, approx=approx)
    else:
        name = MODEL_NAMES.get(value.kind, f"The {value.kind} model")
        caveat = CAVEAT_FOLDED.format(players=players, model=name, r2=value.foldin_r2,
                                      older=older, approx=approx)
    if not value.by_time:
        caveat += (" The data has no timestamps, so 'most recent' means last in the "
                   "interactions file.")
    params = {"max_history": int(max_history), "players": h, "fixed_items": int(value.fixed.size),
              "explainer": method, "coalitions_evaluated": int(evals), "seed": int(seed),
              "model": value.kind}
    if method == "SHAP (permutation)":
        params["permutations"] = int(permutations)
    if value.dependence == "folded":
        params["history_score"] = "amortised fold-in"
        params["foldin_r2_heldout_scores"] = value.foldin_r2
    else:
        params["history_score"] = "user tower with the kept items pooled"
    subject = {"user": str(dataset.user_ids[value.user]), "user_index": value.user,
               "item": str(dataset.item_ids[value.item]), "item_index": value.item,
               "item_label": item_label(dataset, value.item)}
    details = {"item_ids": [str(dataset.item_ids[j]) for j in value.players],
               "dense_items": value.players, "fixed_items": int(value.fixed.size),
               "efficiency_gap": gap, "empty_score": value.empty}
    notes = []
    if value.fixed.size:
        notes.append(f"Only the {h} most recent of {h + value.fixed.size} history items are "
                     "attributed; the older ones are kept in every comparison.")
    return Explanation(kind="history", method=method, features=labels, values=values,
                       base_value=base, output_value=value.full,
                       target=f"model score of {subject['item_label']} for user "
                              f"{subject['user']}",
                       parameters=params, runtime_s=runtime, caveat=caveat,
                       summary=history_summary(labels, values, output=value.full, base=base),
                       subject=subject, details=details,
                       notes=notes)


def _check_model(model) -> str:
    """The model's ``history_dependence`` when history attribution applies to it."""
    label = getattr(model, "name", "") or type(model).__name__
    dependence = getattr(model, "history_dependence", None)
    if dependence is None:
        raise ExplanationError(
            f"History attribution does not apply to the {label} model (recommendation lists "
            "served by another system): fairrec only has the lists, not the model that made "
            "them, so there is no score to take apart. Train a model in fairrec to ask why.")
    if dependence == "none":
        raise ExplanationError(
            f"History attribution does not apply to the {label} model: its scores do not "
            "depend on the user's history (it recommends the same items to everyone), so no "
            "history item changes them.")
    if dependence not in ("pooled", "folded"):
        raise ExplanationError(
            f"History attribution cannot ask the {label} model what it would score with a "
            "different history.")
    check_fitted(model)
    return dependence


def _no_history_message(dependence: str, dataset, user: int) -> str:
    why = ("its score comes from the user's own vector and the item alone"
           if dependence == "pooled" else
           "the model then knows nothing about the user beyond what training gave their "
           "vector")
    return (f"User {dataset.user_ids[user]} has no history in the model's training data, so "
            f"no history item can explain the recommendation ({why}).")
