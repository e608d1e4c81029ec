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

__all__ = ["LANGS", "DEFAULT_LANG", "Joined", "Phrase", "t", "normalise_lang", "has", "phrase",
           "say", "say_all"]

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


class Phrase(str):
    """A sentence made where the language is not known yet: English text, and its key.

    It *is* the English sentence (a ``str``: compared, joined and stored like
    one), and remembers its catalogue key and values so a page or a report can
    say it in the reader's language with :func:`say`. Results keep these for
    notes computed deep in the library (metrics, the audit engine).
    """

    key: str
    values: dict

    def __new__(cls, key: str, **values: object) -> Phrase:
        obj = super().__new__(cls, t(key, DEFAULT_LANG, **values))
        obj.key, obj.values = key, values
        return obj

    def __reduce__(self):  # pickles (the dashboard's session store) keep the key
        return (_rebuild, (self.key, self.values))


def _rebuild(key: str, values: dict) -> Phrase:
    return Phrase(key, **values)


class Joined(str):
    """Sentences (Phrases or plain text) said one after another, in any language later.

    It *is* the English text, the parts joined by spaces; :func:`say` says each
    part in the reader's language (Chinese sentences are joined without spaces).
    """

    parts: tuple

    def __new__(cls, parts) -> Joined:
        parts = tuple(p for p in parts if p)
        obj = super().__new__(cls, " ".join(str(p) for p in parts))
        obj.parts = parts
        return obj

    def __reduce__(self):
        return (Joined, (self.parts,))


def phrase(key: str, /, **values: object) -> Phrase:
    """The sentence ``key`` as a :class:`Phrase` (English now, any language later)."""
    return Phrase(key, **values)


def say(text: object, lang: str = DEFAULT_LANG) -> str:
    """``text`` in ``lang`` when it is a :class:`Phrase` (its Phrase values too); else as is."""
    if isinstance(text, Phrase):
        return t(text.key, lang, **{k: say(v, lang) if isinstance(v, (Phrase, Joined)) else v
                                    for k, v in text.values.items()})
    if isinstance(text, Joined):
        return ("" if normalise_lang(lang) == "zh" else " ").join(say(p, lang)
                                                                 for p in text.parts)
    return str(text)


def say_all(doc, lang: str = DEFAULT_LANG):
    """A copy of ``doc`` (dicts, lists, tuples) with every :class:`Phrase` said in ``lang``.

    For documents written out whole (report.json): notes and descriptions made
    deep in the library arrive as Phrases and leave in the report's language.
    """
    if isinstance(doc, (Phrase, Joined)):
        return say(doc, lang)
    if isinstance(doc, dict):
        return {k: say_all(v, lang) for k, v in doc.items()}
    if isinstance(doc, (list, tuple)):
        return type(doc)(say_all(v, lang) for v in doc)
    return doc
