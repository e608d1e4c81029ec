"""The catalogue is complete in both languages and its sentences format alike."""

from __future__ import annotations

import string

import pytest

from fairrec_core.i18n import MESSAGES, normalise_lang, t

HAN = set(chr(c) for c in range(0x4E00, 0xA000))


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_entry_has_both_languages_with_the_same_placeholders(key):
    en, zh = MESSAGES[key]
    assert en.strip() and zh.strip(), f"{key}: an empty translation"
    assert _fields(en) == _fields(zh), f"{key}: placeholders differ: {_fields(en)} vs {_fields(zh)}"
    assert not (set(en) & HAN), f"{key}: Chinese characters in the English text"


def test_chinese_texts_are_chinese():
    # Entries that are only names or numbers may be equal; prose must be translated.
    untranslated = [k for k, (en, zh) in MESSAGES.items() if en == zh and len(en.split()) > 2]
    assert not untranslated, untranslated


def test_lookup_formats_and_refuses_unknown_keys():
    assert t("status.fail", "zh") == "不通过"
    assert t("status.fail", "en") == "fail"
    with pytest.raises(KeyError):
        t("no.such.key", "en")


@pytest.mark.parametrize("value, expected", [
    ("zh", "zh"), ("zh-CN", "zh"), ("zh_cn", "zh"), ("zh-Hans", "zh"), ("中文", "zh"),
    ("en", "en"), ("EN-us", "en"), (None, "en"), ("", "en"), ("fr", "en"),
])
def test_language_names_are_normalised(value, expected):
    assert normalise_lang(value) == expected
