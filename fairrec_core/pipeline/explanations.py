"""Sample users per group for the report's explanations section.

For every audited user grouping and every group, a few evaluable users are
drawn (seeded: the same config picks the same users) and their top items
listed with whether each was a held-out positive. These lists are real
audit data. The *explanations* of why each item was recommended come from
the explanation module (``fairrec_core.explain``, DESIGN.md §6) when it is
installed and the audited lists come from a model; until then each sample
says so instead of showing anything made up.

Contract expected from the explanation module::

    fairrec_core.explain.explain_recommendations(
        model, dataset, split, users, items, *, seed) -> list[dict]

with ``users`` and ``items`` equal-length arrays of dense ids (one pair per
explained recommendation) and one dict per pair holding ``method`` (str),
``summary`` (one plain sentence), ``attributions`` (list of ``{"feature":
str, "weight": float}``) and ``limits`` (str, the method's faithfulness
limits in plain words).
"""

from __future__ import annotations

import importlib
import logging

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t
from fairrec_core.metrics.groups import INTERSECTION_SEP, UNKNOWN

_log = logging.getLogger("fairrec.pipeline")

EXPLAINER = ("fairrec_core.explain", "explain_recommendations")


def collect(config, dataset, split, model, card: dict, lists: np.ndarray, fairness) -> dict:
    """Sampled users per group, their lists, and explanations when available.

    Returns
    -------
    dict
        ``available`` (bool), ``note`` (why not, or how they were made),
        ``method``, ``items_per_user``, ``samples``: one entry per sampled
        user with ``grouping, group, user, ndcg, items`` (``rank, item,
        title, provider, hit, explanation``).
    """
    ec = config.explain
    labels = fairness.user_labels
    groupings = ec.groupings
    if groupings is None:
        groupings = [c for c in labels.columns if INTERSECTION_SEP not in c]
    unknown = [g for g in groupings if g not in labels.columns]
    if unknown:
        raise ConfigError(f"[explain].groupings names {unknown}, which the audit did not "
                          f"compare; audited: {', '.join(labels.columns)}.")
    truth = split.test_matrix()
    evaluable = fairness.per_user["evaluable"].to_numpy(bool)
    has_list = (lists >= 0).any(axis=1)
    ndcg = fairness.per_user["ndcg"].to_numpy()
    items = dataset.items
    titles = items.get("title")
    provider = items.get("provider")

    samples = []
    for g in groupings:
        lab = labels[g].astype(str).to_numpy()
        groups = sorted(set(lab), key=lambda x: (x == UNKNOWN, x))
        for group in groups:
            pool = np.flatnonzero((lab == group) & evaluable & has_list)
            n = min(ec.users_per_group, pool.size)
            if n == 0:
                continue
            rng = sample_seed(config.seed, "explain", g, group)
            for u in np.sort(rng.choice(pool, n, replace=False)):
                row = truth.indices[truth.indptr[u]:truth.indptr[u + 1]]
                entries = []
                for r, i in enumerate(lists[u, :ec.items_per_user]):
                    if i < 0:
                        continue
                    entries.append({
                        "rank": r + 1, "item": str(dataset.item_ids[i]),
                        "title": _text(titles, i), "provider": _text(provider, i),
                        "hit": bool(np.isin(i, row)), "explanation": None,
                        "_ids": (int(u), int(i))})
                samples.append({"grouping": g, "group": group,
                                "user": str(dataset.user_ids[u]),
                                "ndcg": float(ndcg[u]), "items": entries})
    available, note, method = _explain(config, dataset, split, model, card, samples)
    for s in samples:
        for e in s["items"]:
            e.pop("_ids", None)
    return {"available": available, "note": note, "method": method,
            "users_per_group": ec.users_per_group, "items_per_user": ec.items_per_user,
            "samples": samples}


def _text(col: pd.Series | None, i: int):
    if col is None:
        return None
    v = col.iloc[i]
    return None if pd.isna(v) else str(v)


def _explain(config, dataset, split, model, card, samples):
    """Fill each item's ``explanation``; return (available, note, method).

    Notes and explanations are written in the report's language (``[report].lang``).
    """
    lang = config.report.lang
    if card.get("source") == "imported" or card.get("name") == "imported":
        return False, t("explain.report.imported", lang), None
    module, name = EXPLAINER
    try:
        explain = getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        explain = None
    if explain is None:
        return False, t("explain.report.missing", lang), None
    chosen = [e for s in samples for e in s["items"][:config.explain.explained_items]]
    pairs = [e["_ids"] for e in chosen]
    if not pairs:
        return False, t("explain.report.nothing", lang), None
    users, items = (np.array(x, dtype=np.int64) for x in zip(*pairs))
    try:
        out = explain(model, dataset, split, users, items, seed=config.seed, lang=lang)
    except Exception as exc:  # an explainer failing must not sink the whole audit
        _log.exception("explanation sampling failed")
        return False, t("explain.report.failed", lang, error=exc), None
    methods = set()
    for e, expl in zip(chosen, out):
        e["explanation"] = expl
        if expl:
            methods.add(str(expl.get("method", "")))
    n = config.explain.explained_items
    which = t("explain.report.top_one", lang) if n == 1 else t("explain.report.top_n", lang, n=n)
    return True, t("explain.report.done", lang, which=which), ", ".join(sorted(methods))


def sample_seed(seed: int, *keys: str) -> np.random.Generator:
    """A generator seeded by ``seed`` and text keys (stable across runs, unlike ``hash``)."""
    import zlib

    return np.random.default_rng([int(seed)] + [zlib.crc32(k.encode()) for k in keys])
