"""Display names of the group labels and grouping names fairrec derives itself.

fairrec makes some groups on its own: users ``active`` / ``inactive`` (activity),
items ``head`` / ``tail`` (popularity) and ``new`` / ``established`` (item age),
``unknown`` for a missing label, ``protected`` / ``other`` in fair training, and
intersections of any of them (``"F × inactive"``). Those labels and the grouping
names (``activity``, ``popularity``, ``item_age``) are machine keys: report.json,
CSV and config keep them exactly. A person reads them through :func:`group_label`
and :func:`grouping_label`, in English unchanged and in Chinese translated.
Everything else (``F``, ``55+``, ``华东``: the user's own data) passes through as is.
"""

from __future__ import annotations

from fairrec_core.i18n import Phrase, has, normalise_lang, phrase, t

__all__ = ["DERIVED_LABELS", "SEP", "bracket_label", "fairness_axis_label", "group_label",
           "group_words", "grouping_label", "grouping_words", "method_label"]

#: Separator of intersection labels and names; the same string as
#: ``fairrec_core.metrics.grouping.INTERSECTION_SEP`` (a test holds them equal: importing
#: the metrics package here would load pandas for every catalogue lookup).
SEP = " × "
#: The labels fairrec makes, each with a ``group.<label>`` catalogue entry.
DERIVED_LABELS = ("active", "inactive", "head", "tail", "new", "established", "unknown",
                  "protected", "other")


def _part(label: str, lang: str) -> str:
    return t(f"group.{label}", lang) if label in DERIVED_LABELS else label


def group_label(label: object, lang: str = "en") -> str:
    """A group label as a reader sees it.

    Parameters
    ----------
    label : object
        A group label (``"inactive"``, ``"F × unknown"``, ``"华东"``); not a string
        (a number bin, ``None``) is shown as ``str(label)``.
    lang : {"en", "zh"}

    Returns
    -------
    str
        In English the label itself. In Chinese each derived part translated
        (``"F × inactive"`` -> ``"F × 低活跃"``), other parts unchanged.
    """
    text = str(label)
    if normalise_lang(lang) == "en":
        return text
    return SEP.join(_part(p, lang) for p in text.split(SEP))


def _name_part(name: str, lang: str) -> str:
    key = f"attr.{name}"
    return t(key, lang) if has(key) else name


def grouping_label(name: object, lang: str = "en") -> str:
    """A grouping's name as a reader sees it.

    Parameters
    ----------
    name : object
        A grouping name (``"activity"``, ``"gender × activity"``, ``"类目"``).
    lang : {"en", "zh"}

    Returns
    -------
    str
        In English the name itself. In Chinese the names fairrec makes and the common
        attribute names (``attr.<name>`` entries) translated, each part of an
        intersection on its own; a data column's own name unchanged.
    """
    text = str(name)
    if normalise_lang(lang) == "en":
        return text
    return SEP.join(_name_part(p, lang) for p in text.split(SEP))


def bracket_label(base: str, inner: str, lang: str = "en") -> str:
    """What a sweep column holds in brackets, as a reader sees it.

    ``ndcg_ratio[activity]`` and ``ndcg_difference[gender]`` name a user grouping;
    ``es_cs_ratio[tail]``, ``es_rs_ratio[...]`` and ``exposure_share[...]`` an item group.

    Parameters
    ----------
    base : str
        The column's name before the brackets (``"ndcg_ratio"``).
    inner : str
        What the brackets hold.
    lang : {"en", "zh"}
    """
    return grouping_label(inner, lang) if base.startswith("ndcg_") else group_label(inner, lang)


_METHODS = {"SHAP (exact)": "shap_exact", "SHAP (permutation)": "shap_permutation",
            "SHAP (text masker)": "shap_text", "LIME": "lime"}


def method_label(method: str, lang: str = "en") -> str:
    """An explanation method's name (``"SHAP (permutation)"``) as a reader sees it.

    The English name is what parameters and tests read; other names pass through.
    """
    key = _METHODS.get(method)
    return t(f"labels.method.{key}", lang) if key else method


# ---------------------------------------------------------------------- said later
# Sentences made deep in the library (re-ranker summaries) are Phrases, said in the
# reader's language only when shown; their labels travel as Phrases too. English of
# each is the key itself, so the English sentence is unchanged.
def _cross(parts: list) -> str | Phrase:
    out = parts[0]
    for p in parts[1:]:
        out = phrase("labels.cross", a=out, b=p)
    return out


def _label_word(label: str) -> str | Phrase:
    return phrase(f"group.{label}") if label in DERIVED_LABELS else label


def _name_word(name: str) -> str | Phrase:
    for key in (f"grouping.{name}", f"attr.{name}"):
        if has(key) and t(key, "en") == name:
            return phrase(key)
    return name


def group_words(labels) -> str | Phrase:
    """Group label(s) as a :class:`~fairrec_core.i18n.Phrase` value: English now, any language
    when said (:func:`~fairrec_core.i18n.say`); several are listed (``"tail, new"``).

    Parameters
    ----------
    labels : str or iterable of str
    """
    items = [labels] if isinstance(labels, str) else [str(x) for x in labels]
    words = [_cross([_label_word(p) for p in x.split(SEP)]) for x in items]
    if not words:
        return ""
    out = words[0]
    for w in words[1:]:
        out = phrase("labels.and", a=out, b=w)
    return out


def grouping_words(name) -> str | Phrase:
    """A grouping name as a Phrase value (see :func:`group_words`); data names stay as they are."""
    return _cross([_name_word(p) for p in str(name).split(SEP)])


def fairness_axis_label(column: str, lang: str = "en") -> str:
    """``ndcg_ratio[gender]`` -> "NDCG ratio across gender (worst / best group)".

    The fairness axis of a λ_train grid (Train page, What-if overlay, report).
    """
    base, _, group = column.partition("[")
    group = bracket_label(base, group.rstrip("]"), lang)
    if base == "es_cs_ratio":
        return t("train.fair.es_cs", lang, group=group)
    return t("train.fair.ndcg_ratio", lang, grouping=group)
