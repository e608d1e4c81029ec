"""The report's data section of a Ray audit of part files, from the parts' mergeable
counts (:func:`fairrec_core.engine.parts.prepare_part`): the numbers
:func:`fairrec_core.data.summarize` and :meth:`~fairrec_core.data.split.Split.summary`
give for the local engine, and the loader's sufficiency warnings.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.config import AuditConfig
from fairrec_core.i18n import t


def data_section(summaries: list, fairness, items, groupings: tuple, threshold: float,
                 config: AuditConfig) -> dict:
    """The report's data section from the parts' mergeable counts (the numbers
    :func:`fairrec_core.data.summarize` and :meth:`Split.summary` give locally)."""
    from fairrec_core.data.summary import _group_sizes
    from fairrec_core.data.timestamps import format_seconds
    from fairrec_core.i18n import phrase

    user_columns, item_groups = groupings
    hist = _sum_hist([s["per_user_hist"] for s in summaries])
    per_item = np.sum([s["per_item"] for s in summaries], axis=0)
    n_users, n_items = int(hist.sum()), int(per_item.size)
    sizes = np.arange(hist.size)
    active = hist[1:].sum()
    n_inter = sum(s["interactions"] for s in summaries)
    top = max(1, int(round(0.2 * n_items)))
    firsts = [s["first"] for s in summaries if s["first"] is not None]
    counts = {
        "users": n_users, "items": n_items, "interactions": int(n_inter),
        "positives": int(sum(s["positives"] for s in summaries)),
        "users_with_interactions": int(active),
        "items_with_interactions": int((per_item > 0).sum()),
        "density": n_inter / max(n_users * n_items, 1),
        "per_user_median": _hist_median(hist[1:], sizes[1:]),
        "per_user_mean": float(n_inter / active) if active else 0.0,
        "per_user_min": int(sizes[1:][hist[1:] > 0].min()) if active else 0,
        "per_user_max": int(sizes[hist > 0].max(initial=0)),
        "per_item_median": float(np.median(per_item)) if n_items else 0.0,
        "per_item_mean": float(per_item.mean()) if n_items else 0.0,
        "per_item_max": int(per_item.max(initial=0)),
        "top20_item_share": float(np.sort(per_item)[::-1][:top].sum() / max(n_inter, 1)),
        "rating_threshold": threshold,
        "recommendation_k": max(s["list_length"] for s in summaries),
        "users_with_recommendations": int(sum(s["users_with_recommendations"]
                                              for s in summaries))}
    if firsts:
        counts["first_timestamp"] = format_seconds(min(firsts), date_only=True)
        counts["last_timestamp"] = format_seconds(
            max(s["last"] for s in summaries if s["last"] is not None), date_only=True)
    counts["warnings"] = len(sufficiency(hist, config))
    n_eval = int(sum(s["evaluable_users"] for s in summaries))
    sc = config.split
    split = {"method": "temporal", "params": {"test_n": sc.test_n, "valid_n": sc.valid_n},
             "train_rows": int(sum(s["train_rows"] for s in summaries)),
             "valid_rows": int(sum(s["valid_rows"] for s in summaries)),
             "test_rows": int(sum(s["test_rows"] for s in summaries)),
             "evaluable_users": n_eval, "not_evaluable_users": n_users - n_eval,
             "filtered": {"min_user": 0, "min_item": 0, "rows_removed": 0},
             "description": phrase("split.temporal", test_n=sc.test_n, valid_n=sc.valid_n,
                                            filtered="")}
    frame = items.select([c for c in item_groups if c in items.column_names]).to_pandas()
    return {"summary": counts, "sufficiency": sufficiency(hist, config),
            # The users file's groupings, as the loader counts them (not the computed ones).
            "user_groups": _user_group_sizes(fairness.user_labels, user_columns),
            "item_groups": _group_sizes(frame.fillna("unknown"), "items").to_dict("records"),
            "split": split}


def sufficiency(hist: np.ndarray, config: AuditConfig) -> list[dict]:
    """The loader's warnings about users with too few or no interactions, from the
    merged histogram of interactions per user (counts only: no example ids)."""
    from fairrec_core.data.validation import Issue

    lang, least = config.report.lang, config.data.min_user_interactions
    few, silent = int(hist[1:least].sum()), int(hist[0]) if hist.size else 0
    out = []
    if few:
        out.append(Issue.warning("interactions", None, "too_few_interactions",
                                 t("engine.too_few", lang, n=few, least=least), count=few))
    if silent:
        out.append(Issue.warning("users", None, "users_without_interactions",
                                 t("engine.silent", lang, n=silent), count=silent))
    return [i.to_dict() for i in out]


def _user_group_sizes(labels, columns) -> list[dict]:
    """Users per group of each column, ordered as :func:`fairrec_core.data.summary`'s
    ``_group_sizes`` orders them (largest first, then label; a column of more than
    ``MAX_GROUPS_SHOWN`` groups left out), counted on the shared label objects instead
    of one new string per user and column."""
    from fairrec_core.data.summary import MAX_GROUPS_SHOWN

    rows = []
    for c in columns:
        counts = labels[c].value_counts(sort=False, dropna=False)
        if len(counts) > MAX_GROUPS_SHOWN:
            continue
        pairs = sorted(((str(g), int(n)) for g, n in counts.items()),
                       key=lambda p: (-p[1], p[0]))
        rows += [{"attribute": c, "group": g, "users": n} for g, n in pairs]
    return rows


def _sum_hist(hists: list) -> np.ndarray:
    out = np.zeros(max((h.size for h in hists), default=1), dtype=np.int64)
    for h in hists:
        out[:h.size] += h
    return out


def _hist_median(counts: np.ndarray, values: np.ndarray) -> float:
    """``numpy.median`` of the sample where ``values[j]`` occurs ``counts[j]`` times."""
    n = int(counts.sum())
    if n == 0:
        return 0.0
    cum = np.cumsum(counts)
    lo = values[np.searchsorted(cum, (n - 1) // 2, side="right")]
    hi = values[np.searchsorted(cum, n // 2, side="right")]
    return float((lo + hi) / 2)
