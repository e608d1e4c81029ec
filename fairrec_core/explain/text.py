"""Item-text attribution: which words of an item's title and description raised its score.

Two methods, both over the words of the text the text two-tower model reads
(``title. description``):

* **LIME** (``lime.lime_text.LimeTextExplainer``): removes random subsets of
  the distinct words, scores each perturbed text, and fits a weighted linear
  model; a word's weight is its coefficient.
* **SHAP with a text masker** (``shap.maskers.Text`` with shap's partition
  explainer): Owen values over the word positions along a hierarchy of
  neighbouring words; removed words are dropped from the text.

The target is the model's score of the (perturbed) text for the user. For the
dot-product two-tower this score is linear in the item tower's output:

    s(u, text) = <p_u, e_i> + c_i + [p_u, 1] . g(text),   g(text) = W t(text)

where ``t`` is the encoder's sentence vector and ``W`` the shared projection
(vector part and bias column). LIME's weighted ridge regression and SHAP's
values are linear in the explained output, so fairrec explains the ``dim + 1``
outputs of ``g`` once per item -- the expensive part, as every perturbed text
goes through the transformer -- and caches them. The attribution for any user
is then a product with ``[p_u, 1]``: identical to explaining that user's score
directly, and fast.
"""

from __future__ import annotations

import re
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fairrec_core.errors import CapabilityError
from fairrec_core.explain._common import (
    check_fitted,
    check_model_matches,
    item_label,
    resolve_id,
)
from fairrec_core.explain.result import Explanation, ExplanationError

METHODS = ("lime", "shap")
#: LIME's word split (its default): runs of non-word characters separate words.
WORD_SPLIT = r"\W+"

CAVEAT_LIME = (
    "LIME removed random sets of words from the item's text {n} times, scored each shortened "
    "text for you with the model, and fitted a weighted straight-line model to those "
    "scores; a word's weight is how much that line says its presence adds. The line is a "
    "local approximation (it reproduces the model's scores with R\u00b2 = {r2:.2f} here), "
    "words interact inside the transformer, and other random draws give somewhat different "
    "weights, so read the largest weights, not small differences. Removing a word removes "
    "every occurrence of it.")
CAVEAT_SHAP = (
    "SHAP split the difference between the item's score for you with its full text and "
    "with no text at all among its words; the values add up exactly to that difference. It "
    "works down a hierarchy of neighbouring words, halving groups of words{context} "
    "({evals} scored variants of the text). {depth} Removing a word can change what the "
    "transformer makes of its neighbours, so a word's value includes such interactions.")
CONTEXTS = {
    1: " and judging each half by what removing it from the otherwise complete text does",
    0: " and judging each half by what adding it to an otherwise empty text does",
    None: " and judging each half both by removing it from the rest of the text and by adding "
          "it to nothing (Owen values)",
}


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
    notes : list of str
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


class TextExplainer:
    """Item-text attribution for a fitted text two-tower model, with a per-item cache.

    Parameters
    ----------
    model : TextTwoTower
        A fitted text two-tower model. Models without a text tower (BPR-MF,
        popularity, imported lists) are refused with a message.
    dataset : Dataset
        The data the model was fitted on (item texts, ids).
    num_samples : int, default 150
        LIME: perturbed texts per item. LIME's own default, 5,000, takes
        about half a minute per item with a transformer on two CPU cores;
        150 keeps an uncached question near a second (see
        benchmarks/RESULTS.md for the measured faithfulness).
    max_evals : int, default 500
        SHAP: budget of scored texts per item (shap's default).
    fixed_context : {1, None, 0}, default 1
        SHAP: ``1`` evaluates each split of a word group once, with the rest
        of the text present -- about two scored texts per word, so every
        text is split down to single words. ``None`` evaluates every split
        in both contexts (rest present and absent: Owen values proper),
        about ``words^2`` texts: within ``max_evals`` only texts of up to
        about 22 words are split down to single words, longer ones leave
        the deepest groups unsplit (their credit is shared evenly). ``0``:
        one context, the rest absent.
    max_words : int, default 60
        Words attributed at most; a longer text is cut (with a note).
    batch_size : int, default 128
        Texts per forward pass of the encoder.
    cache_size : int, default 256
        The cache holds at most twice this many item attributions (LIME and
        SHAP entries count separately; least recently used dropped first; a
        LIME entry holds about 100 kB).
    seed : int, default 0
        Seeds LIME's perturbations (per item) and shap's tie-breaking.

    Attributes
    ----------
    cache : collections.OrderedDict
        ``(method, item) -> ItemTextAttribution``. Valid while the model's
        weights do not change; call :meth:`clear` after refitting.
    """

    def __init__(self, model, dataset, *, num_samples: int = 150, max_evals: int = 500,
                 fixed_context=1, max_words: int = 60, batch_size: int = 128,
                 cache_size: int = 256, seed: int = 0):
        _check_model(model)
        check_model_matches(model, dataset)
        for name, v, low in (("num_samples", num_samples, 10), ("max_evals", max_evals, 10),
                             ("max_words", max_words, 1), ("batch_size", batch_size, 1),
                             ("cache_size", cache_size, 1)):
            if isinstance(v, bool) or int(v) != v or v < low:
                raise ExplanationError(f"{name} must be a whole number of at least {low}.")
        self.model = model
        self.dataset = dataset
        if fixed_context not in (None, 0, 1):
            raise ExplanationError("fixed_context must be None, 0 or 1.")
        self.fixed_context = fixed_context
        self.num_samples = int(num_samples)
        self.max_evals = int(max_evals)
        self.max_words = int(max_words)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.cache_size = int(cache_size)
        self.cache: OrderedDict = OrderedDict()
        self._texts = dataset.item_text.fillna("").astype(str).str.strip()

    def clear(self) -> None:
        """Forget cached item attributions (needed after the model is refitted)."""
        self.cache.clear()

    # ------------------------------------------------------------------ public
    def explain(self, user, item, *, method: str = "lime") -> Explanation:
        """Which words of ``item``'s text raised or lowered its score for ``user``.

        Parameters
        ----------
        user, item : int or str
            Dense ids (integers) or original ids (text).
        method : {"lime", "shap"}

        Returns
        -------
        Explanation
            ``kind="text"``; ``features`` are words (LIME: distinct words; SHAP:
            word positions), ``values`` their attributions in score units.
            ``details`` holds ``tokens`` and ``token_values`` (the text in
            display pieces, each with its value) for the highlighted-text
            figure, ``cached`` (whether the item's attributions came from the
            cache) and, for LIME, ``local_r2`` and ``local_prediction``.

        Raises
        ------
        ExplanationError
            Unknown ids, an item without text, an unknown method.
        """
        t0 = time.perf_counter()
        if method not in METHODS:
            raise ExplanationError(f"Unknown text-attribution method '{method}'; use "
                                   f"{' or '.join(METHODS)}.")
        u = resolve_id(user, self.dataset.user_ids, "user", self.model.n_users_)
        i = resolve_id(item, self.dataset.item_ids, "item", self.model.n_items_)
        key = (method, i)
        att = self.cache.get(key)
        cached = att is not None
        if att is None:
            att = self.item_attribution(i, method=method)
            self.cache[key] = att
            if len(self.cache) > 2 * self.cache_size:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return self._for_user(att, u, cached, t0)

    def item_attribution(self, item: int, *, method: str = "lime") -> ItemTextAttribution:
        """Attributions of ``item``'s words to every item-tower output (not cached here)."""
        text, notes = self._prepare(item)
        if method == "lime":
            return self._lime(item, text, notes)
        return self._shap(item, text, notes)

    def tower_outputs(self, texts) -> np.ndarray:
        """``g(text) = W t(text)`` for each text: the model's ``text_tower``.

        Returns
        -------
        numpy.ndarray of float64, shape (len(texts), dim + 1)
            Columns ``0..dim-1`` add to the item vector, column ``dim`` to its bias.
        """
        return self.model.text_tower(texts, batch_size=self.batch_size)

    def encode(self, texts) -> np.ndarray:
        """Sentence vectors of ``texts`` with the model's own encoder (its ``embed_texts``)."""
        return self.model.embed_texts(texts, batch_size=self.batch_size)

    # ------------------------------------------------------------------ pieces
    def _prepare(self, item: int):
        """The text to explain, cut to what the encoder reads and to ``max_words``."""
        text = str(self._texts.iloc[item])
        has = getattr(self.model, "has_text_", None)
        if not text or (has is not None and not bool(has[item])):
            raise ExplanationError(
                f"Item {self.dataset.item_ids[item]} has no title or description, so there "
                "are no words to attribute: the text two-tower model places it by its id "
                "embedding alone.")
        notes: list = []
        text = self._read_part(text, notes)
        words = list(re.finditer(r"\w+", text))
        if len(words) > self.max_words:
            cut = words[self.max_words - 1].end()
            notes.append(f"Only the first {self.max_words} of {len(words)} words are "
                         "attributed; the explained score is that of the shortened text, "
                         "which can differ from the score of the full text.")
            text = text[:cut]
        if not _words(text):
            raise ExplanationError(
                f"Item {self.dataset.item_ids[item]}'s text has no words to attribute "
                "(only punctuation or symbols).")
        return text, notes

    def _read_part(self, text: str, notes: list) -> str:
        """``text`` cut where the model's tokenizer stops reading (``max_length`` tokens)."""
        try:
            tokenizer = self.model.tokenizer
        except CapabilityError:
            notes.append("This model's encoder does not expose its tokenizer, so fairrec "
                         "cannot tell whether it reads the whole text; every word is "
                         "attributed.")
            return text
        enc = tokenizer(text, truncation=True, max_length=self.model.max_length,
                        return_offsets_mapping=True)
        ends = [e for s, e in enc["offset_mapping"] if e > s]
        if ends and ends[-1] < len(text.rstrip()):
            cut = ends[-1]
            dropped = len(_words(text[cut:]))
            notes.append(f"The text is long: the model reads only its first "
                         f"{self.model.max_length} tokens, so the last {dropped} word(s) "
                         "were never read by the model and are not attributed.")
            text = text[:cut]
        return text

    def _lime(self, item, text, notes) -> ItemTextAttribution:
        from lime.lime_text import IndexedString, LimeTextExplainer
        from sklearn.linear_model import Ridge

        t0 = time.perf_counter()
        rec = _RecordingRidge(alpha=1.0)  # LIME's default regressor, recording its inputs
        outputs: dict[str, Any] = {}

        def classify(texts):
            outputs["y"] = self.tower_outputs(texts)
            outputs["n"] = len(set(texts))
            return outputs["y"]

        explainer = LimeTextExplainer(split_expression=WORD_SPLIT, bow=True,
                                      feature_selection="none",
                                      random_state=self._item_seed(item))
        istr = IndexedString(text, bow=True, split_expression=WORD_SPLIT)
        m = istr.num_words()
        explainer.explain_instance(text, classify, labels=(0,), num_features=m,
                                   num_samples=self.num_samples, model_regressor=rec)
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

    def _shap(self, item, text, notes) -> ItemTextAttribution:
        import shap

        t0 = time.perf_counter()
        masker = shap.maskers.Text(WORD_SPLIT, mask_token=" ", collapse_mask_token=True)
        known: dict = {}
        wanted: list = []

        def record(texts):
            texts = [str(t) for t in np.asarray(texts).reshape(-1)]
            wanted.extend(texts)
            return np.zeros((len(texts), self._n_outputs()))

        def f(texts):
            texts = [str(t) for t in np.asarray(texts).reshape(-1)]
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            if missing:  # only when shap asks for texts the dry run did not
                known.update(zip(missing, self.tower_outputs(missing)))
            return np.stack([known[t] for t in texts])

        # Which texts shap's partition explainer scores does not depend on the scores
        # when every group is split (always with one fixed context): a dry run collects
        # them, so the transformer sees them in a few large batches rather than one
        # small batch per level of the word hierarchy.
        self._run_partition(shap, record, masker, text, item)
        uniq = list(dict.fromkeys(wanted))
        known.update(zip(uniq, self.tower_outputs(uniq)))
        res = self._run_partition(shap, f, masker, text, item)
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
        needed = (_full_evals(masker.clustering(text), len(segments))
                  if self.fixed_context is None else 2 * len(segments))
        return ItemTextAttribution(
            item=item, method="shap", text=text, features=features, phi=phi, base=base,
            full=full, tokens=tokens, token_feature=token_feature,
            evaluations=len(known), seconds=time.perf_counter() - t0,
            notes=notes, extra={"full_expansion_evals": needed})

    def _run_partition(self, shap, f, masker, text, item):
        explainer = shap.explainers.Partition(f, masker)
        state = np.random.get_state()
        np.random.seed(self._item_seed(item))  # shap breaks ties with numpy's global RNG
        try:
            return explainer([text], max_evals=self.max_evals, batch_size=10_000,
                             fixed_context=self.fixed_context, silent=True)
        finally:
            np.random.set_state(state)

    def _n_outputs(self) -> int:
        return int(self.model.text_tower_size)

    def _item_seed(self, item: int) -> int:
        return zlib.crc32(f"{self.seed}:{item}".encode()) & 0x7FFFFFFF

    def _for_user(self, att: ItemTextAttribution, u: int, cached: bool, t0: float):
        """Combine an item's tower attributions with the user's vector."""
        i = att.item
        # score = const + w . text_tower(text): the model's own decomposition.
        w, const = self.model.text_score_weights(u, i)
        values = att.phi @ w
        base = const + float(att.base @ w)
        score = const + float(att.full @ w)
        model_score = float(self.model.score([u], [i])[0, 0])
        label = item_label(self.dataset, i)
        subject = {"user": str(self.dataset.user_ids[u]), "user_index": u,
                   "item": str(self.dataset.item_ids[i]), "item_index": i,
                   "item_label": label}
        token_values = [float(values[f]) if f >= 0 else 0.0 for f in att.token_feature]
        details = {"tokens": list(att.tokens), "token_values": token_values,
                   "text": att.text, "cached": cached, "model_score": model_score,
                   "item_seconds": att.seconds}
        params = {"method": att.method, "model": self.model.name,
                  "encoder_max_length": int(self.model.max_length),
                  "max_words": self.max_words, "seed": self.seed,
                  "texts_scored": att.evaluations}
        if att.method == "lime":
            y = att.extra["outputs"] @ w + const
            pred = att.extra["data"] @ values + base
            r2 = _weighted_r2(y, pred, att.extra["weights"])
            details["local_r2"] = r2
            details["local_prediction"] = float(base + values.sum())
            params.update(num_samples=self.num_samples, kernel_width=25.0,
                          regressor="ridge (alpha 1)", word_split=WORD_SPLIT)
            caveat = CAVEAT_LIME.format(n=self.num_samples, r2=r2)
            method = "LIME"
        else:
            full_needed = att.extra.get("full_expansion_evals", 0)
            depth = ("Every word group was split down to single words." if
                     full_needed < self.max_evals else
                     f"This text needed {full_needed} variants to split every group down to "
                     f"single words and the budget was {self.max_evals}, so some groups of "
                     "neighbouring words share their credit evenly.")
            params.update(max_evals=self.max_evals, masker="shap.maskers.Text (words removed)",
                          explainer="shap.explainers.Partition")
            params["fixed_context"] = self.fixed_context
            caveat = CAVEAT_SHAP.format(evals=att.evaluations, depth=depth,
                                        context=CONTEXTS[self.fixed_context])
            method = "SHAP (text masker)"
        summary = _summary(att.features, values, label)
        return Explanation(kind="text", method=method, features=att.features, values=values,
                           base_value=base, output_value=score,
                           target=f"model score of {label} for user {subject['user']}",
                           parameters=params, runtime_s=time.perf_counter() - t0,
                           caveat=caveat, summary=summary, subject=subject, details=details,
                           notes=list(att.notes))


def explain_item_text(model, dataset, user, item, *, method: str = "lime",
                      explainer: TextExplainer | None = None, **options) -> Explanation:
    """Which words of an item's text raised or lowered its score for a user.

    A convenience wrapper: builds a :class:`TextExplainer` (``options`` are
    its parameters) unless one is given -- pass the same explainer again to
    reuse its per-item cache.

    Parameters
    ----------
    model : TextTwoTower
    dataset : Dataset
    user, item : int or str
        Dense ids (integers) or original ids (text).
    method : {"lime", "shap"}
    explainer : TextExplainer, optional

    Returns
    -------
    Explanation
    """
    if explainer is None:
        explainer = TextExplainer(model, dataset, **options)
    elif explainer.model is not model:
        raise ExplanationError("The text explainer given was built for another model.")
    return explainer.explain(user, item, method=method)


class _RecordingRidge:
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


def _words(text: str) -> list:
    return re.findall(r"\w+", text)


def _weighted_r2(y, pred, w) -> float:
    w = np.asarray(w, dtype=np.float64)
    ym = np.average(y, weights=w)
    den = float(np.sum(w * (y - ym) ** 2))
    return float(1 - np.sum(w * (y - pred) ** 2) / den) if den > 0 else float("nan")


def _full_evals(clustering, m: int) -> int:
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


def _summary(features, values, label) -> str:
    order = np.argsort(-values)
    up = [features[j] for j in order if values[j] > 0][:3]
    down = [features[j] for j in order[::-1] if values[j] < 0][:2]
    parts = []
    if up:
        parts.append("the words " + ", ".join(f"'{w}'" for w in up) + " raised its score")
    if down:
        parts.append(", ".join(f"'{w}'" for w in down) + " lowered it")
    if not parts:
        return f"No word of {label}'s text changed its score for you."
    return f"For {label}, " + "; ".join(parts) + "."


def _check_model(model) -> None:
    if getattr(model, "reads_text", False):
        check_fitted(model)
        return
    label = getattr(model, "name", "") or type(model).__name__
    if getattr(model, "history_dependence", None) is None and not getattr(
            model, "has_vectors", False):
        what = (f"the {label} lists come without a model, so nothing can be asked about how "
                "they treat text")
    else:
        what = (f"the {label} model has no text tower: it never reads titles or "
                "descriptions, so no word can have changed its scores")
    raise ExplanationError(f"Item-text attribution needs a model that reads item text: {what}. "
                           "Train the text two-tower model to see which words matter.")
