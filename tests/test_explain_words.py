"""Word units for explanations: English words as before, Chinese titles cut into words."""

from __future__ import annotations

import re

import pytest

from fairrec_core.explain.words import (
    ShapWordTokenizer,
    has_han,
    lime_splitter,
    word_spans,
    words,
)


def test_english_words_match_the_previous_non_word_split():
    text = "Lumina Wireless Noise-Cancelling Headphones, Black (30-hour battery)"
    assert words(text) == [w for w in re.split(r"\W+", text) if w]


def test_chinese_title_is_cut_into_dictionary_words_not_characters_or_one_string():
    text = "明光无线降噪头戴耳机 黑色"
    got = words(text)
    assert "".join(got) == text.replace(" ", "")
    assert text not in got and len(got) >= 4
    assert any(len(w) >= 2 for w in got)  # not single characters
    for expected in ("无线", "降噪", "耳机", "黑色"):
        assert expected in got, got


def test_mixed_latin_digits_and_han_keep_offsets_into_the_original():
    text = "Lumina无线蓝牙5.3耳机，USB-C接口"
    spans = word_spans(text)
    assert [text[b:e] for b, e in spans] == words(text)
    assert all(0 <= b < e <= len(text) for b, e in spans)
    assert all(e1 <= b2 for (_, e1), (b2, _) in zip(spans, spans[1:]))
    assert "Lumina" in words(text) and "耳机" in words(text) and "USB" in words(text)
    assert "，" not in "".join(words(text))


def test_lime_reads_chinese_words_through_the_splitter():
    from lime.lime_text import IndexedString

    text = "北岳便携快充充电宝 白色"
    istr = IndexedString(text, bow=True, split_expression=lime_splitter)
    assert istr.num_words() >= 4
    vocab = {istr.word(i) for i in range(istr.num_words())}
    assert vocab == set(words(text)) and "白色" in vocab
    # Removing one word keeps every other word intact.
    removed = istr.inverse_removing([0])
    assert istr.word(0) not in removed and "白色" in removed


def test_shap_text_masker_masks_whole_chinese_words():
    import numpy as np
    import shap

    text = "北岳便携快充充电宝 白色"
    masker = shap.maskers.Text(ShapWordTokenizer(), mask_token=" ", collapse_mask_token=True)
    n = len(words(text))
    assert masker.shape(text) == (1, n)
    keep = np.ones(n, dtype=bool)
    keep[-1] = False  # drop the last word (白色)
    masked = masker(keep, text)[0][0]
    assert "白色" not in masked and "北岳" in masked and "快充" in masked


@pytest.mark.parametrize("text, expected", [("abc", False), ("黑色", True), ("", False)])
def test_han_detection(text, expected):
    assert has_han(text) is expected
