"""The re-ranking stage of the audit: the operating point and the λ sweep.

Split from :mod:`fairrec_core._audit_steps` to keep each module short.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.config import AuditConfig
from fairrec_core.errors import ConfigError

#: Item groupings with more groups than this are not chosen automatically for
#: re-ranking (a grouping by seller may have thousands of groups).
MAX_AUTO_GROUPS = 10


def given_lists(config: AuditConfig, lists, provenance: dict, rerank: dict):
    # ``rerank`` (the config's own re-ranking) is replaced: the given lists decide.
    """Audit lists made elsewhere (the dashboard session), keeping how they were made."""
    ids = np.asarray(lists, dtype=np.int64)
    if ids.ndim != 2 or ids.shape[1] != config.metrics.k:
        raise ConfigError(f"The given lists have shape {ids.shape}; expected one row per "
                          f"user and K = {config.metrics.k} columns.")
    reranked = provenance.get("source") == "rerank"
    out = {"applied": reranked, "method": provenance.get("method", "none") if reranked
           else "none", "lam": float(provenance.get("lam", 0.0)) if reranked else 0.0,
           "item_grouping": provenance.get("item_grouping"),
           "protected": provenance.get("protected"),
           "protected_inferred": bool(provenance.get("protected_inferred", False)),
           "description": (f"The audited lists were re-ranked in the dashboard with "
                           f"'{provenance.get('method')}' at λ = {provenance.get('lam', 0):g}."
                           if reranked else "The audited lists are the model's own."),
           "search": None, "note": "Lists taken from the dashboard session."}
    if reranked:
        out["provenance"] = {k: v for k, v in provenance.items() if k != "source"}
    return ids, out


def rerank_and_sweep(config: AuditConfig, dataset, split, model, base):
    """Apply the configured re-ranker at its λ and sweep λ for the trade-off curve."""
    from fairrec_core.rerank import (TradeoffMetrics, fairness_objective, make_reranker,
                                     pareto_mask, smallest_lambda, sweep)

    rc, k = config.rerank, config.metrics.k
    if rc.method == "none":
        note = "No re-ranker was configured ([rerank].method = \"none\")."
        return base.ids, {"applied": False, "method": "none", "lam": 0.0, "note": note}, {
            "available": False, "note": note}
    train, truth = split.train_matrix(), split.test_matrix()
    grouping, labels, protected, inferred = _rerank_target(config, dataset, base.ids, train,
                                                           truth)
    if grouping is None:
        note = ("No item grouping with at least two groups is available to re-rank for; "
                "the lists are audited as they are.")
        return base.ids, {"applied": False, "method": rc.method, "lam": 0.0, "note": note}, {
            "available": False, "note": note}
    item_groups = pd.Series(labels, name=grouping)
    cats = dataset.items["category"] if "category" in dataset.items else None
    options = dict(rc.options)
    if rc.method == "provider":
        options = {"item_groups": item_groups, "history": train, "protected": protected,
                   **options}
    elif rc.method == "two_sided":
        options = {"item_groups": item_groups, "protected_items": protected, **options}
    elif rc.method == "fair_topk":
        options = {"item_groups": item_groups, "protected": protected, **options}
    else:  # calibrated: the categories are its groups
        if cats is None:
            raise ConfigError("[rerank].method = \"calibrated\" needs item categories; the "
                              "items file has no category column.")
        options = {"item_groups": cats, "history": train, **options}
    try:
        reranker = make_reranker(rc.method, **options)
    except TypeError as exc:
        raise ConfigError(f"[rerank].options: {exc}") from None
    ugroups = {g: dataset.users[g] for g in _user_groupings(config, dataset)}
    tm = TradeoffMetrics(truth, item_groups=item_groups, protected_items=protected,
                         user_groups=ugroups, train=train, categories=cats, k=k,
                         exposure=config.metrics.exposure, head_share=config.metrics.head_share,
                         min_group_size=config.metrics.min_group_size)
    fair_col = "miscalibration" if rc.method == "calibrated" else tm.fairness_column
    lam, search = rc.lam, None
    if rc.target:
        found = smallest_lambda(base.candidates, reranker, tm, target=rc.target, k=k)
        search = {"target": str(found.target), "found": found.found, "lam": found.lam,
                  "description": found.describe(),
                  "evaluations": [list(e) for e in found.evaluations]}
        if found.found:
            lam = float(found.lam)
    applied = reranker.rerank(base.candidates, lam=lam, k=k)
    lists = base.ids if lam == 0 else applied.ids
    rerank = {"applied": lam > 0, "method": rc.method, "lam": lam,
              "description": applied.describe(), "provenance": applied.provenance(),
              "item_grouping": grouping, "protected": protected,
              "protected_inferred": inferred, "search": search}
    tradeoff = {"available": False, "note": "The λ sweep was switched off ([rerank].sweep)."}
    if rc.sweep:
        grid = sorted({round(float(x), 10) for x in np.linspace(0, 1, rc.n_lambdas)} | {lam})
        table = sweep(base.candidates, reranker, tm, lams=grid).table.drop(columns="seconds")
        if fair_col in table:
            obj = np.column_stack([table["ndcg"], fairness_objective(table[fair_col],
                                                                      fair_col)])
            table["pareto"] = pareto_mask(obj)
        table["operating_point"] = np.isclose(table["lam"], lam)
        row = table[table["operating_point"]].iloc[0].to_dict()
        tradeoff = {"available": True, "method": rc.method, "title": reranker.title,
                    "item_grouping": grouping, "protected": protected,
                    "accuracy_column": "ndcg", "fairness_column": fair_col,
                    "operating_point": row, "table": table,
                    "note": (f"Each point re-ranks the same {base.candidates.n_candidates} "
                             f"candidates per user at one λ; λ = 0 is the audited model's "
                             "own ranking.")}
    return lists, rerank, tradeoff


def item_labels(config: AuditConfig, dataset, name: str, train) -> np.ndarray:
    """Labels of an item grouping, including the computed ``popularity`` and ``item_age``."""
    from fairrec_core.evaluation import NEW_ITEMS, new_item_labels
    from fairrec_core.metrics import head_items, item_popularity

    if name == "popularity":
        head = head_items(item_popularity(train), head_share=config.metrics.head_share)
        return np.where(head, "head", "tail").astype(object)
    if name == NEW_ITEMS and NEW_ITEMS not in dataset.items:
        return new_item_labels(dataset, days=config.metrics.new_item_days)
    if name not in dataset.items:
        raise ConfigError(f"[rerank].item_grouping = '{name}' is not an item attribute; the "
                          f"items file has: {', '.join(dataset.items.columns) or 'none'}.")
    return dataset.items[name].to_numpy()


def _rerank_target(config: AuditConfig, dataset, lists, train, truth):
    """(grouping, labels, protected groups, inferred?) the re-ranker works for.

    Without a configured grouping, the one whose most under-exposed group has
    the lowest exposure ratio on the base lists is chosen (the ratio the
    provider check judges: ES/RS under the merit basis, ES/CS otherwise),
    among the audited item groupings and the head/tail popularity grouping.
    """
    from fairrec_core.evaluation import item_grouping_columns
    from fairrec_core.metrics import provider_shares

    rc, mc, th = config.rerank, config.metrics, config.thresholds
    if rc.method == "calibrated":
        return "category", dataset.items.get("category", pd.Series(dtype=object)).to_numpy(), \
            None, False
    if rc.item_grouping:
        names = [rc.item_grouping]
    else:
        names = list(mc.item_groupings if mc.item_groupings is not None else
                     item_grouping_columns(dataset))
        names.append("popularity")  # always audited (head/tail), so always a candidate
    best = None
    for name in names:
        labels = item_labels(config, dataset, name, train)
        table = provider_shares(lists, truth, labels, k=mc.k, exposure=mc.exposure,
                                name=name).table
        if len(table) < 2 or (not rc.item_grouping and len(table) > MAX_AUTO_GROUPS):
            continue
        ratio = table["es_rs_ratio" if th.provider_basis == "merit" else "es_cs_ratio"]
        if th.provider_basis == "merit":
            ratio = ratio.where(table["n_relevant"] >= mc.min_group_size)
        if not ratio.notna().any():
            ratio = table["es_cs_ratio"]
        j = int(ratio.fillna(np.inf).to_numpy().argmin())
        if best is None or ratio.iloc[j] < best[0]:
            best = (float(ratio.iloc[j]), name, labels, str(table["group"].iloc[j]))
    if best is None:
        if rc.item_grouping:
            raise ConfigError(f"[rerank].item_grouping = '{rc.item_grouping}' has fewer than "
                              "two groups.")
        return None, None, None, False
    _, name, labels, worst = best
    if rc.protected:
        known = {str(x) for x in pd.unique(pd.Series(labels).fillna("unknown"))}
        missing = [p for p in rc.protected if p not in known]
        if missing:
            raise ConfigError(f"[rerank].protected names {missing}, not a group of '{name}' "
                              f"({', '.join(sorted(known))}).")
        return name, labels, list(rc.protected), False
    return name, labels, [worst], True


def _user_groupings(config: AuditConfig, dataset) -> list[str]:
    from fairrec_core.evaluation import default_user_groupings

    g = config.metrics.user_groupings
    return list(default_user_groupings(dataset) if g is None else g)
