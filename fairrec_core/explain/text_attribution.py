"""Attributions of one item's words to the text two-tower's item-tower outputs (LIME, SHAP).

The expensive part of a word explanation, computed once per item and cached by
:class:`~fairrec_core.explain.text.TextExplainer`: every perturbed text goes
through the transformer. Both methods work on the *words* of the text
(:mod:`fairrec_core.explain.words`: non-word characters separate words, and
Chinese runs are segmented into dictionary words), and explain all ``dim + 1``
outputs of ``g(text) = W t(text)`` at once; any user's attribution is then a
product with ``[p_u, 1]`` (see :mod:`fairrec_core.explain.text`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fairrec_core.explain.words import ShapWordTokenizer, lime_splitter

__all__ = ["ItemTextAttribution", "RecordingRidge", "full_evals", "lime_attribution",
           "shap_attribution", "weighted_r2"]


@dataclass
class ItemTextAttribution:
    """Attributions of one item's text to the item tower's outputs (cached per item).

    Attributes
    ----------
    item : int
    method : {"lime", "shap"}
    text : str
        The explained text (after any truncation).
    features : list of str
        LIME: distinct words; SHAP: word positions (the word as written).
    phi : numpy.ndarray, shape (len(features), dim + 1)
        Attribution of each feature to each tower output.
    base : numpy.ndarray, shape (dim + 1,)
        SHAP: the outputs for the empty text; LIME: the local model's intercepts.
    full : numpy.ndarray, shape (dim + 1,)
        The outputs for the explained text.
    tokens : list of str
        The explained text cut into display pieces (words and separators).
    token_feature : list of int
        For each piece, the index of its feature, or -1 (separators).
    evaluations : int
        Texts scored by the transformer.
    seconds : float
    notes : list
        Sentences, or ``(catalogue key, values)`` worded when shown
        (:func:`fairrec_core.explain.wording.notes_text`).
    extra : dict
        LIME: ``data`` (perturbation masks), ``weights`` (kernel weights) and
        ``outputs`` (tower outputs per perturbation), to measure the local
        fit for each user. SHAP: ``full_expansion_evals`` (texts needed to
        split every word group down to single words).
    """

    item: int
    method: str
    text: str
    features: list
    phi: np.ndarray
    base: np.ndarray
    full: np.ndarray
    tokens: list
    token_feature: list
    evaluations: int
    seconds: float
    notes: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def lime_attribution(explainer, item: int, text: str, notes: list) -> ItemTextAttribution:
    """LIME over the words of ``text``: one weighted ridge regression per tower output.

    ``explainer`` is the :class:`~fairrec_core.explain.text.TextExplainer`
    (its ``tower_outputs``, ``num_samples`` and per-item seed).
    """
    from lime.lime_text import IndexedString, LimeTextExplainer
    from sklearn.linear_model import Ridge

    t0 = time.perf_counter()
    rec = RecordingRidge(alpha=1.0)  # LIME's default regressor, recording its inputs
    outputs: dict[str, Any] = {}

    def classify(texts):
        outputs["y"] = explainer.tower_outputs(texts)
        outputs["n"] = len(set(texts))
        return outputs["y"]

    lime = LimeTextExplainer(split_expression=lime_splitter, bow=True,
                             feature_selection="none", random_state=explainer.item_seed(item))
    istr = IndexedString(text, bow=True, split_expression=lime_splitter)
    m = istr.num_words()
    lime.explain_instance(text, classify, labels=(0,), num_features=m,
                          num_samples=explainer.num_samples, model_regressor=rec)
    y = outputs["y"]
    # LIME fits one weighted ridge regression per output on the same neighbourhood;
    # scikit-learn's multi-target Ridge solves exactly those regressions at once.
    multi = Ridge(alpha=1.0, fit_intercept=True).fit(rec.data, y, sample_weight=rec.weights)
    phi = np.asarray(multi.coef_, dtype=np.float64).T
    base = np.asarray(multi.intercept_, dtype=np.float64)
    features = [istr.word(j) for j in range(m)]
    tokens = list(istr.as_list)
    word_of = {}
    for j in range(m):
        for pos in istr.positions[j]:
            word_of[int(pos)] = j
    token_feature = [word_of.get(p, -1) for p in range(len(tokens))]
    return ItemTextAttribution(
        item=item, method="lime", text=text, features=features, phi=phi, base=base,
        full=y[0], tokens=tokens, token_feature=token_feature,
        evaluations=int(outputs["n"]), seconds=time.perf_counter() - t0,
        notes=notes, extra={"data": rec.data, "weights": rec.weights, "outputs": y})


def shap_attribution(explainer, item: int, text: str, notes: list) -> ItemTextAttribution:
    """Owen values (shap's partition explainer, text masker) over the words of ``text``."""
    import shap

    t0 = time.perf_counter()
    masker = shap.maskers.Text(ShapWordTokenizer(), mask_token=" ", collapse_mask_token=True)
    known: dict = {}
    wanted: list = []

    def record(texts):
        texts = [str(t) for t in np.asarray(texts).reshape(-1)]
        wanted.extend(texts)
        return np.zeros((len(texts), int(explainer.model.text_tower_size)))

    def f(texts):
        texts = [str(t) for t in np.asarray(texts).reshape(-1)]
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:  # only when shap asks for texts the dry run did not
            known.update(zip(missing, explainer.tower_outputs(missing)))
        return np.stack([known[t] for t in texts])

    # Which texts shap's partition explainer scores does not depend on the scores
    # when every group is split (always with one fixed context): a dry run collects
    # them, so the transformer sees them in a few large batches rather than one
    # small batch per level of the word hierarchy.
    _run_partition(explainer, shap, record, masker, text, item)
    uniq = list(dict.fromkeys(wanted))
    known.update(zip(uniq, explainer.tower_outputs(uniq)))
    res = _run_partition(explainer, shap, f, masker, text, item)
    phi = np.asarray(res.values[0], dtype=np.float64)
    base = np.asarray(res.base_values[0], dtype=np.float64).reshape(-1)
    segments = [str(s) for s in res.data[0]]
    features, tokens, token_feature = [], [], []
    for j, seg in enumerate(segments):
        word = re.sub(r"\W+$", "", seg)
        tail = seg[len(word):]
        features.append(word or seg)
        tokens.append(word or seg)
        token_feature.append(j)
        if word and tail:
            tokens.append(tail)
            token_feature.append(-1)
    full = f([text])[0]
    needed = (full_evals(masker.clustering(text), len(segments))
              if explainer.fixed_context is None else 2 * len(segments))
    return ItemTextAttribution(
        item=item, method="shap", text=text, features=features, phi=phi, base=base,
        full=full, tokens=tokens, token_feature=token_feature,
        evaluations=len(known), seconds=time.perf_counter() - t0,
        notes=notes, extra={"full_expansion_evals": needed})


def _run_partition(explainer, shap, f, masker, text, item):
    partition = shap.explainers.Partition(f, masker)
    state = np.random.get_state()
    np.random.seed(explainer.item_seed(item))  # shap breaks ties with numpy's global RNG
    try:
        return partition([text], max_evals=explainer.max_evals, batch_size=10_000,
                         fixed_context=explainer.fixed_context, silent=True)
    finally:
        np.random.set_state(state)


class RecordingRidge:
    """Ridge regression that keeps the neighbourhood LIME fitted it on.

    LIME passes the perturbation masks and kernel weights to its regressor's
    ``fit`` (the documented ``model_regressor`` hook); keeping them lets
    fairrec fit every tower output on the same neighbourhood and measure the
    local fit for any user without running the transformer again.
    """

    def __init__(self, alpha: float = 1.0):
        from sklearn.linear_model import Ridge

        self._ridge = Ridge(alpha=alpha, fit_intercept=True)
        self.data: np.ndarray | None = None
        self.weights: np.ndarray | None = None

    def fit(self, X, y, sample_weight=None):
        self.data = np.asarray(X, dtype=np.float64)
        self.weights = np.asarray(sample_weight, dtype=np.float64)
        self._ridge.fit(X, y, sample_weight=sample_weight)
        self.coef_ = self._ridge.coef_
        self.intercept_ = self._ridge.intercept_
        return self

    def score(self, X, y, sample_weight=None):
        return self._ridge.score(X, y, sample_weight=sample_weight)

    def predict(self, X):
        return self._ridge.predict(X)


def weighted_r2(y, pred, w) -> float:
    w = np.asarray(w, dtype=np.float64)
    ym = np.average(y, weights=w)
    den = float(np.sum(w * (y - ym) ** 2))
    return float(1 - np.sum(w * (y - pred) ** 2) / den) if den > 0 else float("nan")


def full_evals(clustering, m: int) -> int:
    """Texts shap's partition explainer scores to split every word group down to one word.

    With no fixed context each split is evaluated in two contexts, so a node
    at depth ``d`` is visited ``2^d`` times and costs two evaluations per visit.
    """
    if m <= 1:
        return 2
    visits = {2 * m - 2: 1}
    total = 2
    for k in range(m - 2, -1, -1):
        v = visits.get(m + k, 0)
        total += 2 * v
        for child in (int(clustering[k, 0]), int(clustering[k, 1])):
            visits[child] = 2 * v
    return total
