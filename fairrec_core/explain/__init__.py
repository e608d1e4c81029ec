"""Explanations (DESIGN.md §6): why a user got an item, which words mattered, what drives a gap.

* :func:`explain_history` -- SHAP values of the user's recent history items
  for the model's score of one item (BPR-MF, text two-tower);
* :class:`TextExplainer` / :func:`explain_item_text` -- LIME and SHAP (text
  masker) over the words of an item's title and description, for the text
  two-tower model, with a per-item cache;
* :func:`disparity_drivers` -- SHAP on a small gradient-boosted model of
  per-user NDCG: which user features drive the gap between two groups.

Each returns an :class:`Explanation` with its method, parameters, runtime and
a plain-language caveat; questions it cannot answer raise
:class:`ExplanationError` with a message to show instead of a chart. The
figures live in :mod:`fairrec_core.viz.explain_charts`. shap, lime and torch
are imported only when an explanation is computed.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.explain.drivers import disparity_drivers
from fairrec_core.explain.features import user_features
from fairrec_core.explain.history import HistoryValue, explain_history
from fairrec_core.explain.result import Explanation, ExplanationError
from fairrec_core.explain.text import (
    ItemTextAttribution,
    TextExplainer,
    explain_item_text,
)
from fairrec_core.i18n import t

__all__ = ["Explanation", "ExplanationError", "HistoryValue", "ItemTextAttribution",
           "TextExplainer", "disparity_drivers", "explain_history",
           "explain_item_text", "explain_recommendations", "user_features"]


def explain_recommendations(model, dataset, split, users, items, *, seed: int = 0,
                            max_history: int = 20, n: int = 5,
                            lang: str = "en") -> list[dict]:
    """Short history attributions of many (user, item) pairs, for the report.

    Parameters
    ----------
    model : Recommender
    dataset : Dataset
    split : Split or None
        Unused: the history is what the model itself holds (``model.seen_``);
        accepted because the report passes it.
    users, items : array-like of int
        Dense ids, one pair per explained recommendation.
    seed : int
    max_history : int, default 20
    n : int, default 5
        Attributions kept per pair (the strongest).
    lang : {"en", "zh"}, default "en"
        Language of the summaries and limits (the report's language).

    Returns
    -------
    list of dict
        One per pair: ``method``, ``summary``, ``attributions`` (``feature``,
        ``weight``), ``limits``. A pair that cannot be explained (a user
        without history, a model it does not apply to) gets the reason as
        its ``summary`` and no attributions.
    """
    users = np.asarray(users, dtype=np.int64).reshape(-1)
    items = np.asarray(items, dtype=np.int64).reshape(-1)
    if users.size != items.size:
        raise ExplanationError("users and items must pair up: give one item per user.")
    out = []
    for u, i in zip(users.tolist(), items.tolist()):
        try:
            e = explain_history(model, dataset, u, i, max_history=max_history, seed=seed,
                                lang=lang)
        except ExplanationError as exc:
            out.append({"method": t("explain.report.method", lang), "summary": str(exc),
                        "attributions": [], "limits": ""})
            continue
        out.append(e.to_report(n))
    return out
