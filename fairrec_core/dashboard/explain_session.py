"""The Explain page's logic, free of streamlit: pick a user, read the list, explain it.

Explanations are computed only when the user asks and kept in
``state[pipeline_session.EXPLAIN]`` for the current model (a new model
drops them, see :func:`~fairrec_core.dashboard.pipeline_session.use_model`):

``{"model_version": int, "results": {key: Explanation or error text},
"text_explainer": TextExplainer or None}``

with ``key = (kind, user, item, method)`` for history and word attribution
and ``("drivers", lists version, grouping, groups)`` for disparity drivers.
"""

from __future__ import annotations

import json
import time
from collections.abc import MutableMapping

import numpy as np
import pandas as pd

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t

TEXT_METHODS = {"lime": "LIME", "shap": "SHAP"}
RANDOM = "rest"   # disparity drivers: compare a group with every other user

__all__ = ["TEXT_METHODS", "drivers", "explain", "export_json", "group_users",
           "sample_user", "user_facts", "user_groupings", "user_list"]


def _objects(state: MutableMapping):
    dataset, model = state.get(ds.DATASET), state.get(ps.MODEL)
    info, split, lists = state.get(ps.MODEL_INFO), state.get(ps.SPLIT), state.get(ps.LISTS)
    if dataset is None or model is None or info is None or lists is None:
        raise ConfigError("There is no model yet: train one on the Train page first.")
    return dataset, model, info, split, lists


def _cache(state: MutableMapping) -> dict:
    info = state.get(ps.MODEL_INFO)
    cache = state.get(ps.EXPLAIN)
    if cache is None or info is None or cache.get("model_version") != info.version:
        cache = {"model_version": None if info is None else info.version, "results": {},
                 "text_explainer": None}
        state[ps.EXPLAIN] = cache
    return cache


# ---------------------------------------------------------------------- users
def user_groupings(state: MutableMapping) -> dict[str, np.ndarray]:
    """``{grouping: label per user}``: the audit's groupings (activity and
    intersections included) when an audit exists, else the user attributes."""
    run = state.get(ps.FAIRNESS)
    if run is not None:
        labels = run.result.user_labels
        return {c: labels[c].astype(str).to_numpy() for c in labels.columns}
    dataset = state.get(ds.DATASET)
    if dataset is None:
        return {}
    return {c: dataset.users[c].astype(str).to_numpy() for c in dataset.users.columns}


def group_users(state: MutableMapping, grouping: str, group: str,
                lang: str = "en") -> np.ndarray:
    """Dense ids of the users of one group who have a non-empty list."""
    labels = user_groupings(state).get(grouping)
    if labels is None:
        raise ConfigError(t("session.no_grouping", lang, grouping=grouping))
    lists = state.get(ps.LISTS)
    has_list = (lists.ids >= 0).any(axis=1) if lists is not None else True
    return np.flatnonzero((labels == str(group)) & has_list)


def sample_user(state: MutableMapping, grouping: str, group: str, *, draw: int = 0,
                seed: int = 0, lang: str = "en") -> int:
    """A user drawn at random (seeded by ``seed`` and ``draw``) from one group.

    Users with held-out positives are preferred, so that the list can be
    compared with what the user went on to like.

    Raises
    ------
    ConfigError
        The group has no user with a list.
    """
    users = group_users(state, grouping, group, lang)
    if users.size == 0:
        raise ConfigError(t("session.no_user_in_group", lang, grouping=grouping, group=group))
    split = state.get(ps.SPLIT)
    if split is not None:
        evaluable = np.intersect1d(users, split.evaluable_users())
        users = evaluable if evaluable.size else users
    rng = np.random.default_rng([int(seed), int(draw)])
    return int(rng.choice(users))


def user_facts(state: MutableMapping, user: int) -> dict:
    """What the page says about a user: id, history length, attributes, groups."""
    dataset, model, _, split, _ = _objects(state)
    seen = model.seen_
    groups = {g: str(labels[user]) for g, labels in user_groupings(state).items()}
    held_out = 0
    if split is not None:
        test = split.test_matrix()
        held_out = int(test.indptr[user + 1] - test.indptr[user])
    return {"user": str(dataset.user_ids[user]), "history": int(seen.indptr[user + 1]
                                                                 - seen.indptr[user]),
            "held_out": held_out, "groups": groups}


def user_list(state: MutableMapping, user: int) -> pd.DataFrame:
    """The user's audited top-K list with titles, groups and held-out hits.

    Returns
    -------
    pandas.DataFrame
        ``rank, item, title, category, provider`` (where the data has them)
        and ``liked later`` (the item is among the user's held-out positives).
    """
    dataset, _, _, split, lists = _objects(state)
    row = lists.ids[int(user)]
    row = row[row >= 0]
    out = pd.DataFrame({"rank": np.arange(1, row.size + 1),
                        "item": [str(dataset.item_ids[i]) for i in row],
                        "title": ps.item_titles(dataset, row)})
    for col in ("category", "provider", "seller_size"):
        if col in dataset.items:
            out[col] = dataset.items[col].to_numpy()[row].astype(str)
    if split is not None:
        test = split.test_matrix()
        liked = set(test.indices[test.indptr[user]:test.indptr[user + 1]].tolist())
        out["liked later"] = [int(i) in liked for i in row]
    return out


# ---------------------------------------------------------------------- explanations
def explain(state: MutableMapping, kind: str, user: int, item: int, *,
            method: str = "lime", lang: str = "en"):
    """History (``kind="history"``) or word (``kind="text"``) attribution, cached.

    ``lang`` is the language of its sentences; each language is cached apart
    (the text explainer's per-item attributions serve both).

    Returns
    -------
    Explanation

    Raises
    ------
    ExplanationError
        The explanation does not apply (a model without a text tower, a user
        without history, an item without text); the message says why. The
        refusal is cached too, so asking again costs nothing.
    """
    from fairrec_core.explain import TextExplainer, explain_history

    dataset, model, _, _, _ = _objects(state)
    cache = _cache(state)

    def compute():
        if kind == "history":
            return explain_history(model, dataset, int(user), int(item), lang=lang)
        if kind == "text":
            if cache["text_explainer"] is None:
                cache["text_explainer"] = TextExplainer(model, dataset, lang=lang)
            return cache["text_explainer"].explain(int(user), int(item), method=method,
                                                   lang=lang)
        raise ConfigError(f"Unknown explanation kind '{kind}'.")

    return _cached(cache, (kind, int(user), int(item), method if kind == "text" else None,
                           lang), compute)


def _cached(cache, key, compute):
    """``compute()`` once per key; a refusal (ExplanationError) is cached as its message."""
    from fairrec_core.explain import ExplanationError

    hit = cache["results"].get(key)
    if hit is None:
        try:
            hit = compute()
        except ExplanationError as exc:
            hit = str(exc)
        cache["results"][key] = hit
    if isinstance(hit, str):
        raise ExplanationError(hit)
    return hit


def drivers(state: MutableMapping, grouping: str, groups: tuple[str, str] | None = None,
            lang: str = "en"):
    """Disparity drivers of the NDCG gap across ``grouping`` for the audited lists, cached.

    Parameters
    ----------
    grouping : str
        A user attribute.
    groups : (str, str), optional
        ``(A, B)``, B may be ``"rest"``; default: the worst against the best group.
    lang : {"en", "zh"}, default "en"
        Language of the sentences and feature names (cached per language).
    """
    from fairrec_core.explain import disparity_drivers
    from fairrec_core.metrics import ranking_metrics

    dataset, _, _, split, lists = _objects(state)

    def compute():
        run = state.get(ps.FAIRNESS)
        if run is not None and run.lists_version == lists.version:
            ndcg = run.result.per_user["ndcg"]
        else:
            ndcg = ranking_metrics(lists.ids, split.test_matrix(), k=lists.k).per_user["ndcg"]
        return disparity_drivers(dataset, ndcg, split=split, grouping=grouping,
                                 groups=tuple(groups) if groups else None, k=lists.k,
                                 lang=lang)

    key = ("drivers", lists.version, grouping, tuple(groups) if groups else None, lang)
    return _cached(_cache(state), key, compute)


def export_json(state: MutableMapping, explanations: list) -> bytes:
    """The shown explanations as one JSON document (for the download button).

    Parameters
    ----------
    explanations : list of Explanation
        Those currently on the page.

    Returns
    -------
    bytes
        UTF-8 JSON: ``format``, ``created``, the model and lists provenance,
        and every explanation's :meth:`~fairrec_core.explain.Explanation.to_dict`.
    """
    info, lists = state.get(ps.MODEL_INFO), state.get(ps.LISTS)
    doc = {"format": "fairrec-explanations", "version": 1,
           "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "model": None if info is None else {"name": info.name, "label": info.label,
                                               "source": info.source, "params": info.params},
           "lists": None if lists is None else {"label": lists.label, "k": lists.k,
                                                "provenance": lists.provenance},
           "explanations": [e.to_dict() for e in explanations]}
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str).encode("utf-8")
