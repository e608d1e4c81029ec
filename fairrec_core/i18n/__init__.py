"""Interface and report language: English and Simplified Chinese.

Every user-visible sentence lives in one checked catalogue (``catalogue/``
modules, each a ``MESSAGES`` dict of ``key -> (English, Chinese)``), looked up
with :func:`t`. A test fails when an entry lacks either language or when the two
disagree on their ``{placeholders}``, and another when a page shows a literal
string that does not come from the catalogue.

Machine-readable names stay English in every language: CSV headers, JSON keys,
metric ids (``ndcg@10``), statuses in report.json.
"""

from __future__ import annotations

from fairrec_core.i18n.catalogue import MESSAGES

__all__ = ["LANGS", "DEFAULT_LANG", "t", "normalise_lang", "has"]

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"
_INDEX = {"en": 0, "zh": 1}


def normalise_lang(value: object) -> str:
    """Map what a URL, a flag or a config says to ``"en"`` or ``"zh"``.

    ``zh``, ``zh-CN``, ``zh_cn``, ``zh-Hans``, ``cn`` and ``中文`` mean Chinese;
    anything else (including nothing) means English.
    """
    text = str(value or "").strip().lower().replace("_", "-")
    if text in ("zh", "cn", "中文", "chinese") or text.startswith("zh-"):
        return "zh"
    return DEFAULT_LANG


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in MESSAGES


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The sentence ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key : str
        Catalogue key, e.g. ``"data.title"``.
    lang : {"en", "zh"}
        Anything :func:`normalise_lang` accepts.
    **values
        Values for the sentence's ``{placeholders}``.

    Raises
    ------
    KeyError
        For a key the catalogue does not hold: a missing translation is a bug
        that tests catch, never a silent fallback.
    """
    entry = MESSAGES[key]
    text = entry[_INDEX[normalise_lang(lang)]]
    return text.format(**values) if values else text
