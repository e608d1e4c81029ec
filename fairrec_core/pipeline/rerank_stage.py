"""The re-ranking stage, built once from a :class:`~fairrec_core.config_sections.RerankConfig`.

Every surface re-ranks through this module: ``fairrec audit`` (via
:func:`rerank_and_sweep`), the dashboard's What-if page
(:mod:`fairrec_core.dashboard.whatif_session` calls :func:`model_candidates`,
:func:`build_reranker` and :func:`tradeoff_table`) and the Python API
(:func:`fairrec_core.audit.run_audit`). So the candidates, the rule that
infers the protected group (:func:`rerank_target`), the user grouping of the
two-sided method and the λ sweep are the same wherever the lists are made,
and an ``audit.toml`` exported by the dashboard reproduces its lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import MetricsConfig, RerankConfig
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import has, phrase

if TYPE_CHECKING:  # the re-rankers load lazily, when a stage first needs them
    from fairrec_core.rerank import Reranker, TradeoffMetrics

#: Item groupings with more groups than this are not chosen automatically for
#: re-ranking (a grouping by seller may have thousands of groups).
MAX_AUTO_GROUPS = 10
#: Methods whose objective acts for ``[rerank].protected`` (the others only
#: measure its exposure; the dashboard offers the picker for these alone).
USES_PROTECTED = ("two_sided", "fair_topk")


@dataclass
class RerankSetup:
    """A configured re-ranker and the adapter that measures its lists.

    Attributes
    ----------
    reranker : Reranker
    metrics : TradeoffMetrics
        Accuracy and fairness of one set of lists (a sweep row).
    item_grouping : str
        The item grouping re-ranked for (``category`` for calibration).
    labels : numpy.ndarray
        Its label per item.
    protected : list of str or None
        The protected group(s); None for calibration.
    protected_inferred : bool
        True when :func:`rerank_target` chose it (not the config).
    fairness_column : str or None
        The sweep column traded against accuracy; None when the metrics
        measure no fairness column for this grouping.
    """

    reranker: Reranker
    metrics: TradeoffMetrics
    item_grouping: str
    labels: np.ndarray
    protected: list | None
    protected_inferred: bool
    fairness_column: str | None


def model_candidates(model, k: int, c: int):
    """Each user's ``c`` best unseen items with scores: what every re-ranker starts from.

    Imported production lists give all their columns. Exported lists may
    repeat an item or lack a score: repaired as documented in
    :meth:`~fairrec_core.rerank.Candidates.from_arrays`.
    """
    from fairrec_core.rerank import Candidates

    imported = getattr(model, "name", "") == "imported"
    c = int(model.items_.shape[1]) if imported else int(min(max(c, k), model.n_items_))
    ids, scores = model.candidates(None, max(c, 1))
    source = "ranks" if imported and not model.has_scores_ else "scores"
    clean = Candidates.from_arrays(ids, np.where(ids >= 0, scores, np.nan),
                                   duplicates="keep_best", non_finite="drop")
    return clean if source == "scores" else Candidates(clean.ids, clean.scores, source=source)


def rerank_target(rerank: RerankConfig, metrics: MetricsConfig, thresholds, dataset, train,
                  truth, base_ids) -> tuple[str | None, np.ndarray | None, list | None, bool]:
    """``(grouping, labels, protected groups, inferred?)`` a re-ranker works for.

    The one rule for the protected group: the group whose exposure ratio on
    the base lists is lowest -- the ratio the provider check judges (ES/RS
    under the merit basis, among groups with at least ``min_group_size``
    held-out positives; ES/CS under the catalogue basis, or when no group
    is large enough). Without a configured grouping the candidates are the
    audited item groupings (at most :data:`MAX_AUTO_GROUPS` groups) and
    head/tail popularity, and the one holding the lowest ratio wins.

    Raises
    ------
    ConfigError
        The configured grouping has fewer than two groups, or a configured
        protected group is not one of its groups.
    """
    from fairrec_core.metrics import provider_shares
    from fairrec_core.pipeline.evaluation import (
        POPULARITY,
        item_labels,
        resolved_groupings,
    )

    if rerank.method == "calibrated":
        cats = dataset.items.get("category", pd.Series(dtype=object)).to_numpy()
        return "category", cats, None, False
    if rerank.item_grouping:
        names = [rerank.item_grouping]
    else:
        names = resolved_groupings(dataset, metrics)[1]
        names.append(POPULARITY)  # always audited (head/tail), so always a candidate
    merit = thresholds.provider_basis == "merit"
    best = None
    for name in names:
        labels = item_labels(dataset, train, name, head_share=metrics.head_share,
                             new_item_days=metrics.new_item_days)
        table = provider_shares(base_ids, truth, labels, k=metrics.k,
                                exposure=metrics.exposure, name=name).table
        if len(table) < 2 or (not rerank.item_grouping and len(table) > MAX_AUTO_GROUPS):
            continue
        ratio = table["es_rs_ratio" if merit else "es_cs_ratio"]
        if merit:
            ratio = ratio.where(table["n_relevant"] >= metrics.min_group_size)
        if not ratio.notna().any():
            ratio = table["es_cs_ratio"]
        j = int(ratio.fillna(np.inf).to_numpy().argmin())
        if best is None or ratio.iloc[j] < best[0]:
            best = (float(ratio.iloc[j]), name, labels, str(table["group"].iloc[j]))
    if best is None:
        if rerank.item_grouping:
            raise ConfigError(f"[rerank].item_grouping = '{rerank.item_grouping}' has fewer "
                              "than two groups: choose another grouping to re-rank for.")
        return None, None, None, False
    _, name, labels, worst = best
    if rerank.protected:
        known = {str(x) for x in pd.unique(pd.Series(labels).fillna("unknown"))}
        missing = [p for p in rerank.protected if p not in known]
        if missing:
            raise ConfigError(f"[rerank].protected names {missing}, not a group of '{name}' "
                              f"({', '.join(sorted(known))}).")
        return name, labels, list(rerank.protected), False
    return name, labels, [worst], True


def build_reranker(rerank: RerankConfig, metrics: MetricsConfig, thresholds, dataset, split,
                   candidates, *, user_groupings=None) -> RerankSetup | None:
    """The re-ranker ``rerank`` describes, and its metrics adapter; None if nothing to act on.

    Parameters
    ----------
    rerank : RerankConfig
        Method, item grouping, protected group(s) and ``options``.
    metrics : MetricsConfig
        K, exposure model, head share, activity share, minimum group size.
    thresholds : Thresholds
        Its ``provider_basis`` decides the inferred protected group.
    dataset, split
    candidates : Candidates
        From :func:`model_candidates`; the inference reads the exposure of
        their base top-K (what every method returns at λ = 0).
    user_groupings : sequence of str, optional
        User attributes whose NDCG gap the sweep reports (activity always).

    Returns
    -------
    RerankSetup or None
        None when no item grouping has two groups (nothing to re-rank for).

    Notes
    -----
    The two-sided method always works on both sides (CPFair): the item
    grouping and the activity grouping of users (the most active
    ``metrics.active_share`` vs the rest, "inactive" disadvantaged).
    """
    from fairrec_core.metrics import activity_grouping, user_activity
    from fairrec_core.rerank import TradeoffMetrics, make_reranker

    train, truth = split.train_matrix(), split.test_matrix()
    if rerank.method == "calibrated" and "category" not in dataset.items:
        raise ConfigError("[rerank].method = \"calibrated\" needs item categories; the "
                          "items file has no category column.")
    name, labels, protected, inferred = rerank_target(rerank, metrics, thresholds, dataset,
                                                      train, truth, candidates.top_k(metrics.k))
    if name is None or labels is None:
        return None
    groups = pd.Series(labels, name=name)
    if rerank.method == "calibrated":
        options = {"item_groups": dataset.items["category"], "history": train}
    elif rerank.method == "provider":
        options = {"item_groups": groups, "history": train, "protected": protected}
    elif rerank.method == "two_sided":
        activity = activity_grouping(user_activity(train), top_share=metrics.active_share)
        options = {"item_groups": groups, "protected": protected, "user_groups": activity}
    else:
        options = {"item_groups": groups, "protected": protected}
    try:
        reranker = make_reranker(rerank.method, **{**options, **rerank.options})
    except TypeError as exc:
        raise ConfigError(f"[rerank].options: {exc}") from None
    cats = dataset.items.get("category")
    tm = TradeoffMetrics(truth, item_groups=groups, protected=protected,
                         user_groups={g: dataset.users[g] for g in user_groupings or ()},
                         train=train, categories=cats, k=metrics.k, exposure=metrics.exposure,
                         head_share=metrics.head_share, min_group_size=metrics.min_group_size)
    fair_col = "miscalibration" if rerank.method == "calibrated" else tm.fairness_column
    return RerankSetup(reranker=reranker, metrics=tm, item_grouping=name, labels=labels,
                       protected=protected, protected_inferred=inferred,
                       fairness_column=fair_col)


def tradeoff_table(setup: RerankSetup, candidates, lams) -> pd.DataFrame:
    """The λ sweep: one row of accuracy and fairness per λ, Pareto-optimal rows flagged."""
    from fairrec_core.rerank import fairness_objective, pareto_mask, sweep

    table = sweep(candidates, setup.reranker, setup.metrics, lams=list(lams)).table
    col = setup.fairness_column
    if col is not None and col in table:
        obj = np.column_stack([table["ndcg"].to_numpy(),
                               fairness_objective(table[col].to_numpy(), col)])
        table["pareto"] = pareto_mask(obj)
    return table


def lists_digest(lists) -> str:
    """SHA-256 of top-K lists (int64 item ids, row-major): two runs audited the same
    lists exactly when their digests agree."""
    return hashlib.sha256(np.ascontiguousarray(lists, dtype=np.int64).tobytes()).hexdigest()


def given_lists(config: AuditConfig, lists, provenance: dict, rerank: dict):
    """Audit lists made elsewhere (the dashboard session), keeping how they were made.

    ``rerank`` (the config's own re-ranking) is replaced: the given lists decide.
    """
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
    from fairrec_core.rerank import smallest_lambda

    rc, k = config.rerank, config.metrics.k
    if rc.method == "none":
        note = phrase("rerank.stage.none")
        return base.ids, {"applied": False, "method": "none", "lam": 0.0, "note": note}, {
            "available": False, "note": note}
    setup = build_reranker(rc, config.metrics, config.thresholds, dataset, split,
                           base.candidates, user_groupings=_user_groupings(config, dataset))
    if setup is None:
        note = phrase("rerank.stage.no_grouping")
        return base.ids, {"applied": False, "method": rc.method, "lam": 0.0, "note": note}, {
            "available": False, "note": note}
    reranker, protected = setup.reranker, setup.protected
    lam, search = rc.lam, None
    if rc.target:
        found = smallest_lambda(base.candidates, reranker, setup.metrics, target=rc.target,
                                k=k)
        search = {"target": str(found.target), "found": found.found, "lam": found.lam,
                  "description": found.describe(),
                  "evaluations": [list(e) for e in found.evaluations]}
        if found.lam is not None:  # found.found
            lam = float(found.lam)
    applied = reranker.rerank(base.candidates, lam=lam, k=k)
    lists = base.ids if lam == 0 else applied.ids
    rerank = {"applied": lam > 0, "method": rc.method, "lam": lam,
              "description": applied.describe(), "provenance": applied.provenance(),
              "item_grouping": setup.item_grouping, "protected": protected,
              "protected_inferred": setup.protected_inferred, "search": search}
    tradeoff = {"available": False, "note": phrase("rerank.stage.no_sweep")}
    if rc.sweep:
        grid = sorted({round(float(x), 10) for x in np.linspace(0, 1, rc.n_lambdas)} | {lam})
        table = tradeoff_table(setup, base.candidates, grid).drop(columns="seconds")
        table["operating_point"] = np.isclose(table["lam"], lam)
        row = table[table["operating_point"]].iloc[0].to_dict()
        title = (phrase(f"rerank.title.{rc.method}") if has(f"rerank.title.{rc.method}")
                 else reranker.title)
        tradeoff = {"available": True, "method": rc.method, "title": title,
                    "item_grouping": setup.item_grouping, "protected": protected,
                    "protected_role": ("acting for" if rc.method in USES_PROTECTED
                                       else "measured for"),
                    "accuracy_column": "ndcg", "fairness_column": setup.fairness_column,
                    "operating_point": row, "table": table,
                    "note": phrase("tradeoff.note", n=base.candidates.n_candidates)}
    return lists, rerank, tradeoff


def _user_groupings(config: AuditConfig, dataset) -> list[str]:
    from fairrec_core.pipeline.evaluation import resolved_groupings

    return resolved_groupings(dataset, config.metrics)[0]
