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

This module holds the explainer, its per-item cache and the per-user
combination; the per-item LIME and SHAP runs are in
:mod:`~fairrec_core.explain.text_attribution`, the sentences in
:mod:`~fairrec_core.explain.wording`.
"""

from __future__ import annotations

import time
import zlib
from collections import OrderedDict

import numpy as np

from fairrec_core.errors import CapabilityError
from fairrec_core.explain._common import (
    check_fitted,
    check_model_matches,
    item_label,
    resolve_id,
)
from fairrec_core.explain.result import Explanation, ExplanationError
from fairrec_core.explain.text_attribution import (
    ItemTextAttribution,
    lime_attribution,
    shap_attribution,
    weighted_r2,
)
from fairrec_core.explain.wording import note, notes_text, text_caveat, text_summary
from fairrec_core.explain.words import word_spans, words
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import method_label

__all__ = ["METHODS", "WORD_SPLIT", "ItemTextAttribution", "TextExplainer",
           "explain_item_text"]

METHODS = ("lime", "shap")
#: How words are found (recorded in the parameters): non-word characters separate
#: words, Chinese runs are segmented by jieba (:mod:`fairrec_core.explain.words`).
WORD_SPLIT = "\\W+ and jieba (Chinese)"


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
    lang : {"en", "zh"}, default "en"
        Language of the refusal when the model reads no text (each
        :meth:`explain` call takes its own language).

    Attributes
    ----------
    cache : collections.OrderedDict
        ``(method, item) -> ItemTextAttribution``. Valid while the model's
        weights do not change; call :meth:`clear` after refitting.
    """

    def __init__(self, model, dataset, *, num_samples: int = 150, max_evals: int = 500,
                 fixed_context=1, max_words: int = 60, batch_size: int = 128,
                 cache_size: int = 256, seed: int = 0, lang: str = "en"):
        _check_model(model, lang)
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
    def explain(self, user, item, *, method: str = "lime", lang: str = "en") -> Explanation:
        """Which words of ``item``'s text raised or lowered its score for ``user``.

        Parameters
        ----------
        user, item : int or str
            Dense ids (integers) or original ids (text).
        method : {"lime", "shap"}
        lang : {"en", "zh"}, default "en"
            Language of the summary, caveat, notes and refusals (the cached
            attributions serve both).

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
            raise ExplanationError(t("explain.text.unknown_method", lang, method=method,
                                     choices=t("explain.text.or", lang).join(METHODS)))
        u = resolve_id(user, self.dataset.user_ids, "user", self.model.n_users_)
        i = resolve_id(item, self.dataset.item_ids, "item", self.model.n_items_)
        key = (method, i)
        att = self.cache.get(key)
        cached = att is not None
        if att is None:
            att = self.item_attribution(i, method=method, lang=lang)
            self.cache[key] = att
            if len(self.cache) > 2 * self.cache_size:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return self._for_user(att, u, cached, t0, lang)

    def item_attribution(self, item: int, *, method: str = "lime",
                         lang: str = "en") -> ItemTextAttribution:
        """Attributions of ``item``'s words to every item-tower output (not cached here).

        ``lang`` words the refusals (an item without words); the notes are kept
        as catalogue keys, so the attribution serves either language.
        """
        text, notes = self._prepare(item, lang)
        if method == "lime":
            return lime_attribution(self, item, text, notes)
        return shap_attribution(self, item, text, notes)

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
    def _prepare(self, item: int, lang: str = "en"):
        """The text to explain, cut to what the encoder reads and to ``max_words``."""
        text = str(self._texts.iloc[item])
        has = getattr(self.model, "has_text_", None)
        if not text or (has is not None and not bool(has[item])):
            raise ExplanationError(t("explain.text.no_text", lang,
                                     item=self.dataset.item_ids[item]))
        notes: list = []
        text = self._read_part(text, notes)
        spans = word_spans(text)
        if len(spans) > self.max_words:
            notes.append(note("explain.text.note_max_words", max_words=self.max_words,
                              n=len(spans)))
            text = text[:spans[self.max_words - 1][1]]
        if not spans:
            raise ExplanationError(t("explain.text.no_words", lang,
                                     item=self.dataset.item_ids[item]))
        return text, notes

    def _read_part(self, text: str, notes: list) -> str:
        """``text`` cut where the model's tokenizer stops reading (``max_length`` tokens)."""
        try:
            tokenizer = self.model.tokenizer
        except CapabilityError:
            notes.append(note("explain.text.note_no_tokenizer"))
            return text
        enc = tokenizer(text, truncation=True, max_length=self.model.max_length,
                        return_offsets_mapping=True)
        ends = [e for s, e in enc["offset_mapping"] if e > s]
        if ends and ends[-1] < len(text.rstrip()):
            cut = ends[-1]
            notes.append(note("explain.text.note_long", tokens=self.model.max_length,
                              dropped=len(words(text[cut:]))))
            text = text[:cut]
        return text

    def item_seed(self, item: int) -> int:
        """The seed of ``item``'s perturbations (stable across runs and sessions)."""
        return zlib.crc32(f"{self.seed}:{item}".encode()) & 0x7FFFFFFF

    def _for_user(self, att: ItemTextAttribution, u: int, cached: bool, t0: float,
                  lang: str = "en") -> Explanation:
        """Combine an item's tower attributions with the user's vector."""
        i = att.item
        # score = const + w . text_tower(text): the model's own decomposition.
        w, const = self.model.text_score_weights(u, i)
        values = att.phi @ w
        base = const + float(att.base @ w)
        label = item_label(self.dataset, i)
        subject = {"user": str(self.dataset.user_ids[u]), "user_index": u,
                   "item": str(self.dataset.item_ids[i]), "item_index": i,
                   "item_label": label}
        details = {"tokens": list(att.tokens),
                   "token_values": [float(values[f]) if f >= 0 else 0.0
                                    for f in att.token_feature],
                   "text": att.text, "cached": cached,
                   "model_score": float(self.model.score([u], [i])[0, 0]),
                   "item_seconds": att.seconds}
        params = {"method": att.method, "model": self.model.name,
                  "encoder_max_length": int(self.model.max_length),
                  "max_words": self.max_words, "seed": self.seed,
                  "texts_scored": att.evaluations}
        if att.method == "lime":
            y = att.extra["outputs"] @ w + const
            r2 = weighted_r2(y, att.extra["data"] @ values + base, att.extra["weights"])
            details["local_r2"] = r2
            details["local_prediction"] = float(base + values.sum())
            params.update(num_samples=self.num_samples, kernel_width=25.0,
                          regressor="ridge (alpha 1)", word_split=WORD_SPLIT)
            caveat = text_caveat("lime", n=self.num_samples, r2=r2, lang=lang)
            method = "LIME"
        else:
            params.update(max_evals=self.max_evals, masker="shap.maskers.Text (words removed)",
                          explainer="shap.explainers.Partition")
            params["fixed_context"] = self.fixed_context
            caveat = text_caveat("shap", evals=att.evaluations,
                                 needed=att.extra.get("full_expansion_evals", 0),
                                 budget=self.max_evals, fixed_context=self.fixed_context,
                                 lang=lang)
            method = "SHAP (text masker)"
        return Explanation(kind="text", method=method_label(method, lang), features=att.features,
                           values=values,
                           base_value=base, output_value=const + float(att.full @ w),
                           target=t("explain.text.target", lang, item=label,
                                    user=subject["user"]),
                           parameters=params, runtime_s=time.perf_counter() - t0,
                           caveat=caveat, summary=text_summary(att.features, values, label, lang),
                           subject=subject, details=details, notes=notes_text(att.notes, lang))


def explain_item_text(model, dataset, user, item, *, method: str = "lime",
                      explainer: TextExplainer | None = None, lang: str = "en",
                      **options) -> Explanation:
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
    lang : {"en", "zh"}, default "en"
        Language of the sentences (see :meth:`TextExplainer.explain`).

    Returns
    -------
    Explanation
    """
    if explainer is None:
        explainer = TextExplainer(model, dataset, lang=lang, **options)
    elif explainer.model is not model:
        raise ExplanationError("The text explainer given was built for another model.")
    return explainer.explain(user, item, method=method, lang=lang)


def _check_model(model, lang: str = "en") -> None:
    if getattr(model, "reads_text", False):
        check_fitted(model)
        return
    label = getattr(model, "name", "") or type(model).__name__
    if getattr(model, "history_dependence", None) is None and not getattr(
            model, "has_vectors", False):
        what = t("explain.text.no_model_lists", lang, label=label)
    else:
        what = t("explain.text.no_tower", lang, label=label)
    raise ExplanationError(t("explain.text.needs_text", lang, what=what))
