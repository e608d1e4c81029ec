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
from fairrec_core.explain.result import Explanation, ExplanationError
from fairrec_core.explain.wording import history_caveat, history_summary
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import method_label

#: Histories up to this length are explained exactly (2^H coalitions).
EXACT_UP_TO = 10
#: Antithetic permutations (each evaluated forwards and backwards) beyond EXACT_UP_TO.
DEFAULT_PERMUTATIONS = 100

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
    lang : {"en", "zh"}, default "en"
        Language of the refusal messages.

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

    def __init__(self, model, dataset, user, item, *, max_history: int = 20,
                 lang: str = "en"):
        self.dependence = _check_model(model, lang)
        self.kind = model.name
        check_model_matches(model, dataset)
        if int(max_history) != max_history or max_history < 1:
            raise ExplanationError("max_history must be a positive whole number.")
        self.user = resolve_id(user, dataset.user_ids, "user", model.n_users_)
        self.item = resolve_id(item, dataset.item_ids, "item", model.n_items_)
        hist, self.by_time = ordered_history(model, dataset, self.user)
        if hist.size == 0:
            raise ExplanationError(_no_history_message(self.dependence, dataset, self.user,
                                                            lang))
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
                    seed: int = 0, lang: str = "en") -> Explanation:
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
    lang : {"en", "zh"}, default "en"
        Language of the summary, caveat, notes and refusals.

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
    t0 = time.perf_counter()
    value = HistoryValue(model, dataset, user, item, max_history=max_history, lang=lang)
    h = len(value)
    method, values, base, evals = _shapley(value, exact_up_to=exact_up_to,
                                           permutations=permutations, seed=seed)
    gap = float(values.sum() - (value.full - value.empty))
    runtime = time.perf_counter() - t0

    labels = [item_label(dataset, int(j)) for j in value.players]
    caveat = history_caveat(dependence=value.dependence, kind=value.kind, h=h,
                            fixed=int(value.fixed.size), exact=method == "SHAP (exact)",
                            permutations=int(permutations), foldin_r2=value.foldin_r2,
                            by_time=value.by_time, lang=lang)
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
        notes.append(t("explain.hist.note_recent", lang, h=h, total=h + value.fixed.size))
    return Explanation(kind="history", method=method_label(method, lang), features=labels,
                       values=values,
                       base_value=base, output_value=value.full,
                       target=t("explain.hist.target", lang, item=subject["item_label"],
                                user=subject["user"]),
                       parameters=params, runtime_s=runtime, caveat=caveat,
                       summary=history_summary(labels, values, output=value.full, base=base,
                                               lang=lang),
                       subject=subject, details=details,
                       notes=notes)


def _shapley(value: HistoryValue, *, exact_up_to: int, permutations: int, seed: int):
    """``(method, values, base, coalitions evaluated)``: exact up to ``exact_up_to`` players."""
    import shap

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
            res = shap.explainers.Exact(value, masker)(x)
            evals = 2 ** h
        else:
            method = "SHAP (permutation)"
            evals = int(permutations) * (2 * h + 1)
            explainer = shap.explainers.Permutation(value, masker, seed=int(seed))
            res = explainer(x, max_evals=evals, silent=True)
    finally:
        np.random.set_state(state)
    values = np.asarray(res.values, dtype=np.float64).reshape(-1)
    base = float(np.asarray(res.base_values).reshape(-1)[0])
    return method, values, base, evals


def _check_model(model, lang: str = "en") -> str:
    """The model's ``history_dependence`` when history attribution applies to it."""
    label = getattr(model, "name", "") or type(model).__name__
    dependence = getattr(model, "history_dependence", None)
    if dependence is None:
        raise ExplanationError(t("explain.hist.no_model", lang, label=label))
    if dependence == "none":
        raise ExplanationError(t("explain.hist.no_dependence", lang, label=label))
    if dependence not in ("pooled", "folded"):
        raise ExplanationError(t("explain.hist.cannot_ask", lang, label=label))
    check_fitted(model)
    return dependence


def _no_history_message(dependence: str, dataset, user: int, lang: str = "en") -> str:
    why = t("explain.hist.why_pooled" if dependence == "pooled" else "explain.hist.why_folded",
            lang)
    return t("explain.hist.no_history", lang, user=dataset.user_ids[user], why=why)
