"""Words of an item text, in any language, for word-level explanations.

LIME and SHAP attribute a score to the *words* of a title. Splitting on
non-word characters (LIME's default ``\\W+``) finds English words but leaves a
Chinese title as one "word", since Chinese writes no spaces. Here runs of Han
characters are segmented into words with ``jieba`` (its bundled dictionary,
offline, precise mode) and everything else splits on non-word characters as
before, so "Lumina无线降噪头戴耳机 黑色" gives Lumina / 无线 / 降噪 / 头戴 / 耳机 / 黑色.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["word_spans", "words", "lime_splitter", "ShapWordTokenizer", "has_han"]

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[^\W{_HAN}]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Chinese (Han) character."""
    return bool(_HAN_RUN.search(text or ""))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    # jieba announces its dictionary build on stderr at INFO; keep the CLI quiet.
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def word_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets of each word of ``text``, in order.

    Punctuation and white space belong to no word. Han runs are cut into
    words by jieba; other runs of word characters are one word each.
    """
    spans: list[tuple[int, int]] = []
    for m in _RUN.finditer(text or ""):
        start, run = m.start(), m.group(0)
        if _HAN_RUN.fullmatch(run):
            spans.extend((start + b, start + e) for _, b, e in _jieba().tokenize(run, HMM=True))
        else:
            spans.append((start, m.end()))
    return spans


def words(text: str) -> list[str]:
    """The words of ``text`` (see :func:`word_spans`)."""
    return [text[b:e] for b, e in word_spans(text)]


def lime_splitter(text: str) -> list[str]:
    """A ``split_expression`` for ``lime.lime_text``: the words of ``text``."""
    return words(text)


class ShapWordTokenizer:
    """The minimal tokenizer interface ``shap.maskers.Text`` needs, over :func:`word_spans`.

    Returns words as ``input_ids`` with their ``offset_mapping`` in the
    original string, like shap's own regex tokenizer does, so masking removes
    whole words and keeps the text between them.
    """

    def __call__(self, s: str, return_offsets_mapping: bool = True) -> dict:
        # As with shap's own regex tokenizer: "" has no token, a non-empty text
        # without words (shap tokenizes its mask token " ") one empty token.
        spans = word_spans(s) or ([(0, 0)] if s else [])
        out: dict = {"input_ids": [s[b:e] for b, e in spans]}
        if return_offsets_mapping:
            out["offset_mapping"] = spans
        return out
