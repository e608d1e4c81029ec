"""The What-if page's engine: re-rank every user live, and the cached λ sweep.

:func:`build_whatif` does everything that does not depend on λ once (the
model's candidates, the re-ranker's preparation, the metrics adapter, the
21-point sweep and the "before" numbers) and returns a :class:`WhatIf` that
the session keeps (``pipeline_session.WHATIF``). It is driven by a
:class:`~fairrec_core.config_sections.RerankConfig` and builds through
:mod:`fairrec_core.pipeline.rerank_stage`, the builders of ``fairrec audit``, so
the lists applied here are the lists the exported ``audit.toml`` makes. :func:`whatif_view` is what
the slider calls: one ``Reranker.run`` on the prepared state and one
``TradeoffMetrics.evaluate``, plus per-group before/after values, so that a
λ change re-ranks all users in milliseconds.

No streamlit here; the page only collects input and renders.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fairrec_core.config_sections import RerankConfig
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t
from fairrec_core.pipeline import rerank_stage as rr
from fairrec_core.pipeline.evaluation import POPULARITY

if TYPE_CHECKING:  # the re-rankers load lazily, when the page first needs them
    from fairrec_core.metrics.groups import Grouping
    from fairrec_core.rerank import Candidates, Reranker, RerankResult, TradeoffMetrics
    from fairrec_core.rerank.base import State

#: Re-ranking methods the page offers, the config's default first: (label, what it does),
#: in English; :func:`method_label` and :func:`method_help` give them in either language.
METHODS = {m: (t(f"whatif.method.{m}", "en"), t(f"whatif.method.{m}.help", "en"))
           for m in ("two_sided", "provider", "fair_topk", "calibrated")}
#: Methods whose objective acts for a chosen protected group (the page offers the
#: picker for these only; the provider method spreads exposure over every group).
USES_PROTECTED = rr.USES_PROTECTED

__all__ = ["METHODS", "USES_PROTECTED", "WhatIf", "WhatIfView", "apply_to_audit",
           "build_whatif", "default_rerank", "default_target_value", "describe_search",
           "example_lists", "find_lambda", "item_grouping_choices", "lam_label",
           "method_help", "method_label", "target_choices", "weight_symbol", "whatif_view"]


@dataclass
class WhatIf:
    """Everything λ-independent, computed once per configuration (the sweep cache).

    ``config`` is the :class:`RerankConfig` it was built from (its ``lam``
    unused), ``request`` the page's full choice ``(config, user grouping,
    candidates)``, so the page can tell when its widgets moved on.
    """

    config: RerankConfig
    request: tuple
    model_version: int
    k: int
    candidates: Candidates
    reranker: Reranker
    prepared: State
    metrics: TradeoffMetrics
    table: pd.DataFrame
    fairness_column: str | None
    protected: tuple[str, ...]
    protected_inferred: bool
    item_grouping: Grouping
    user_grouping: Grouping | None
    base_ids: np.ndarray
    base_row: dict
    base_user_ndcg: np.ndarray | None
    example_user: int
    seconds: float
    notes: list = field(default_factory=list)
    user_labels: list = field(default_factory=list)


@dataclass
class WhatIfView:
    """The lists and numbers at one λ."""

    lam: float
    result: RerankResult
    row: dict
    item_shares: pd.DataFrame
    user_ndcg: pd.DataFrame | None
    changed_users: int
    seconds: float


# ---------------------------------------------------------------------- choices
def item_grouping_choices(dataset) -> list[str]:
    """Item groupings a re-ranker can work for: attributes with 2+ groups, and popularity."""
    return fs.item_grouping_options(dataset) + [POPULARITY]


def method_choices(dataset) -> list[str]:
    """Methods available for this data (calibration needs item categories)."""
    return [m for m in METHODS if m != "calibrated" or "category" in dataset.items]


def default_rerank(dataset) -> RerankConfig:
    """The config's default method, for seller size when the data has it, else popularity."""
    items = item_grouping_choices(dataset)
    return RerankConfig(item_grouping="seller_size" if "seller_size" in items else POPULARITY)


def default_user_grouping(dataset) -> str:
    """The user grouping whose NDCG the page shows first: the first likely sensitive one."""
    from fairrec_core.pipeline.evaluation import default_user_groupings

    users = default_user_groupings(dataset)
    return users[0] if users else "activity"


def method_label(method: str, lang: str = "en") -> str:
    """The method's display name, e.g. "Provider exposure (smooth xQuAD)"."""
    return t(f"whatif.method.{method}", lang)


def method_help(method: str, lang: str = "en") -> str:
    """What the method does, in one or two sentences."""
    return t(f"whatif.method.{method}.help", lang)


def weight_symbol(method: str) -> str:
    """The slider's symbol: FA*IR's target proportion ``p``, else the weight ``λ``."""
    return "p" if method == "fair_topk" else "λ"


def lam_label(method: str, lang: str = "en") -> str:
    """What the slider sets: FA*IR's target proportion p, or the fairness weight λ."""
    return t("whatif.p_label" if method == "fair_topk" else "whatif.lam_label", lang)


def group_labels(dataset, split, name: str, *, head_share: float = 0.2) -> list[str]:
    """The groups of an item grouping, in the metrics engine's order."""
    from fairrec_core.metrics import make_grouping
    from fairrec_core.pipeline.evaluation import item_labels

    labels = item_labels(dataset, split.train_matrix(), name, head_share=head_share)
    return list(make_grouping(labels, name=name).labels)


# ---------------------------------------------------------------------- build
def build_whatif(state: MutableMapping, config: RerankConfig, *,
                 user_grouping: str | None = None, candidates: int | None = None,
                 lang: str = "en") -> WhatIf:
    """Prepare the re-ranker on the current model's candidates and sweep λ.

    Parameters
    ----------
    state : mutable mapping
        Holds the Dataset, Split, model and lists (see
        :mod:`~fairrec_core.dashboard.pipeline_session`) and the session's
        settings (metrics options and thresholds decide the inferred
        protected group, as in ``fairrec audit``).
    config : RerankConfig
        Method, item grouping and protected group(s) (None = inferred).
    user_grouping : str, optional
        User attribute whose NDCG per group is shown before and after
        (the activity grouping is always measured too).
    candidates : int, optional
        Candidates per user (C); default the session's ``[model].candidates``.
    lang : {"en", "zh"}
        Language of the error messages and notes.

    Returns
    -------
    WhatIf
        Also stored in ``state[pipeline_session.WHATIF]``.

    Raises
    ------
    ConfigError, RerankError
        No model yet, a grouping with fewer than two groups, an unknown
        protected group, or a method that does not fit the data.
    """
    from fairrec_core.metrics import make_grouping

    t0 = time.perf_counter()
    dataset, split = state.get("dataset"), state.get(ps.SPLIT)
    model, info = state.get(ps.MODEL), state.get(ps.MODEL_INFO)
    if dataset is None or model is None or info is None or split is None:
        raise ConfigError(t("whatif.err_no_model", lang))
    if config.method not in METHODS:
        raise ConfigError(t("whatif.err_method", lang, method=config.method))
    settings = ps.settings(state)
    k = info.k
    metrics = dataclasses.replace(settings.metrics, k=k)
    c = int(settings.model.candidates if candidates is None else candidates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # recorded on the model (warnings_)
        cands = rr.model_candidates(model, k, c)
    shown = [user_grouping] if user_grouping and user_grouping != "activity" else []
    for name in shown:
        if name not in dataset.users:
            raise ConfigError(t("whatif.err_user_attr", lang, name=name))
    setup = rr.build_reranker(config, metrics, settings.thresholds, dataset, split, cands,
                              user_groupings=shown)
    if setup is None:
        raise ConfigError(t("whatif.err_no_grouping", lang))
    item_grouping = make_grouping(setup.labels, name=setup.item_grouping)
    if item_grouping.n_groups < 2:
        raise ConfigError(t("whatif.err_one_group", lang, grouping=setup.item_grouping))
    tm, reranker = setup.metrics, setup.reranker
    lams = sorted({round(float(x), 10) for x in np.linspace(0, 1, config.n_lambdas)})
    table = rr.tradeoff_table(setup, cands, lams)
    base_ids = cands.top_k(k)
    prepared = reranker.prepare(cands, k=k)
    base_row = {"lam": 0.0, **tm.evaluate(base_ids)}
    ugrouping = tm.user_groups.get(user_grouping) if user_grouping else None
    base_user = _user_ndcg(tm, base_ids, ugrouping) if ugrouping is not None else None
    # The example user: the one whose list a middle λ changes most (ties: lowest index),
    # so that the before/after comparison shows something from the start.
    mid = reranker.run(prepared, 0.5).ids
    changed = (mid != base_ids).sum(axis=1)
    example = int(np.argmax(changed)) if changed.any() else 0
    notes: list[str] = []
    short = cands.summary(k).get("users_with_fewer_than_k", 0)
    if short:
        notes.append(t("whatif.note_short", lang, n=short, k=k))
    wi = WhatIf(config=config, request=(config, user_grouping, c), model_version=info.version,
                k=k, candidates=cands, reranker=reranker, prepared=prepared, metrics=tm,
                table=table, fairness_column=setup.fairness_column,
                protected=tuple(setup.protected or ()),
                protected_inferred=setup.protected_inferred, item_grouping=item_grouping,
                user_grouping=ugrouping, base_ids=base_ids, base_row=base_row,
                base_user_ndcg=base_user, example_user=example,
                seconds=time.perf_counter() - t0, notes=notes,
                user_labels=[str(u) for u in dataset.user_ids])
    state[ps.WHATIF] = wi
    lists = state.get(ps.LISTS)
    if lists is None or not lists.reranked:
        # The audited lists are the model's own: the session now describes this
        # re-ranker at λ = 0 (an applied re-ranking keeps describing its lists).
        ps.update_settings(state, rerank=dataclasses.replace(config, lam=0.0),
                           model=dataclasses.replace(settings.model, candidates=c))
    ps._made(state, ps.WHATIF)
    return wi


def _user_ndcg(tm, ids: np.ndarray, grouping) -> np.ndarray:
    """Mean NDCG@K per user group of ``grouping`` (NaN for groups without evaluable users)."""
    from fairrec_core.metrics import group_means
    from fairrec_core.metrics.ranking import (
        RANKING_METRICS,
        hit_matrix,
        metrics_from_hits,
    )

    values = metrics_from_hits(hit_matrix(ids, tm.truth), tm.n_relevant, tm.k)
    means, _ = group_means(values[:, RANKING_METRICS.index("ndcg")], grouping)
    return means[:, 0]


# ---------------------------------------------------------------------- live
def whatif_view(wi: WhatIf, lam: float) -> WhatIfView:
    """Re-rank every user at ``lam`` and measure the lists (the slider's work)."""
    t0 = time.perf_counter()
    res = wi.reranker.run(wi.prepared, float(lam))
    row = {"lam": float(lam), **wi.metrics.evaluate(res.ids)}
    shares = []
    for lab in wi.item_grouping.labels:
        key = f"exposure_share[{lab}]"
        if key in row:
            shares.append((lab, wi.base_row[key], row[key]))
    item_shares = pd.DataFrame(shares, columns=["group", "before", "after"])
    item_shares["delta"] = item_shares["after"] - item_shares["before"]
    user_ndcg = None
    if wi.user_grouping is not None:
        after = _user_ndcg(wi.metrics, res.ids, wi.user_grouping)
        user_ndcg = pd.DataFrame({"group": list(wi.user_grouping.labels),
                                  "before": wi.base_user_ndcg, "after": after})
        user_ndcg["delta"] = user_ndcg["after"] - user_ndcg["before"]
    changed = int((res.ids != wi.base_ids).any(axis=1).sum())
    return WhatIfView(lam=float(lam), result=res, row=row, item_shares=item_shares,
                      user_ndcg=user_ndcg, changed_users=changed,
                      seconds=time.perf_counter() - t0)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def example_lists(wi: WhatIf, view: WhatIfView, user: int, dataset, *,
                  width: int = 40) -> pd.DataFrame:
    """One user's list before and after re-ranking, with titles and groups.

    Titles longer than ``width`` characters are shortened with an ellipsis.

    Returns
    -------
    pandas.DataFrame
        ``rank, before, before group, after, after group, change``; change is
        ``new`` for an item not in the list before, ``↑n`` / ``↓n`` for a move.
    """
    before = wi.base_ids[int(user)]
    after = view.result.ids[int(user)]
    codes = wi.item_grouping.codes
    labels = wi.item_grouping.labels

    def group(i):
        return labels[codes[i]] if i >= 0 else ""

    pos_before = {int(i): r for r, i in enumerate(before) if i >= 0}
    change = []
    for r, i in enumerate(after):
        if i < 0:
            change.append("")
        elif int(i) not in pos_before:
            change.append("new")
        elif pos_before[int(i)] > r:
            change.append(f"↑{pos_before[int(i)] - r}")
        elif pos_before[int(i)] < r:
            change.append(f"↓{r - pos_before[int(i)]}")
        else:
            change.append("")
    return pd.DataFrame({
        "rank": np.arange(1, len(after) + 1),
        "before": [_short(t, width) for t in ps.item_titles(dataset, before)],
        "before group": [group(int(i)) for i in before],
        "after": [_short(t, width) for t in ps.item_titles(dataset, after)],
        "after group": [group(int(i)) for i in after],
        "change": change})


def describe_change(wi: WhatIf, example: pd.DataFrame, lang: str = "en") -> str:
    """One sentence about an example list: new items and the protected groups' slots."""
    new = int((example["change"] == "new").sum())
    prot = set(wi.protected)
    before = int(example["before group"].isin(prot).sum())
    after = int(example["after group"].isin(prot).sum())
    if wi.config.method == "calibrated":
        return t("whatif.change_new", lang, new=new, n=len(example))
    return t("whatif.change_slots", lang, new=new, n=len(example),
             groups=", ".join(sorted(prot)), before=before, after=after)


# ---------------------------------------------------------------------- targets
def target_choices(wi: WhatIf) -> dict[str, str]:
    """``{column: default comparison}`` of the sweep columns a target can name."""
    out = {}
    for col in wi.table.columns:
        if col in ("lam", "pareto", "seconds"):
            continue
        lower = col.startswith(("ndcg_difference", "miscalibration"))
        out[col] = "<=" if lower else ">="
    # The fairness column first: it is what the user most likely wants to reach.
    if wi.fairness_column in out:
        out = {wi.fairness_column: out[wi.fairness_column],
               **{k: v for k, v in out.items() if k != wi.fairness_column}}
    return out


def default_target_value(wi: WhatIf, column: str, op: str | None = None) -> float:
    """A first target the search can reach, derived from the sweep.

    The search (:func:`find_lambda`) answers only when the lists at λ = 1
    meet the target, so the default never asks for more than the sweep's
    λ = 1 value: for ratios the four-fifths rule's 0.8 when λ = 1 reaches it,
    else the λ = 1 value rounded towards the base; for other metrics halfway
    from the base (λ = 0) to the λ = 1 value. A metric that λ does not move the
    wanted way gets its base value (met at λ = 0).
    """
    op = op or target_choices(wi).get(column, ">=")
    base = float(wi.base_row.get(column, np.nan))
    table = wi.table.sort_values("lam")
    end = float(table[column].iloc[-1]) if column in table and len(table) else np.nan
    if not np.isfinite(base):
        return 0.0
    up = op in (">=", ">")
    # Rounded to 4 decimals on the side that keeps the target met (down for "≥").
    rnd = (lambda v: np.floor(v * 1e4) / 1e4) if up else (lambda v: np.ceil(v * 1e4) / 1e4)
    if not np.isfinite(end) or (end <= base if up else end >= base):
        return float(rnd(base))
    if "ratio" in column and up:
        return 0.8 if end >= 0.8 else float(np.floor(end * 100) / 100 if
                                            np.floor(end * 100) / 100 > base else rnd(end))
    return float(rnd(base + (end - base) / 2))


def describe_search(wi: WhatIf, found, lang: str = "en", *, slider: float | None = None) -> str:
    """The search's outcome in readable names ("ES/CS (tail)", not ``es_cs_ratio[tail]``)."""
    from fairrec_core.metrics.definitions import metric_label

    w = weight_symbol(wi.config.method)
    name = metric_label(found.target.metric, wi.k)
    target = f"{name} {found.target.op.replace('>=', '≥').replace('<=', '≤')} " \
             f"{found.target.value:g}"
    if not found.found:
        return t("whatif.not_found", lang, w=w, target=target,
                 value=f"{found.evaluations[-1][1]:.4g}")
    return t("whatif.found", lang, w=w, target=target, lam=f"{found.lam:.4g}", metric=name,
             value=f"{found.row[found.target.metric]:.4g}", n=len(found.evaluations),
             slider=f"{found.lam if slider is None else slider:.2f}")


def find_lambda(wi: WhatIf, column: str, op: str, value: float):
    """:func:`fairrec_core.rerank.smallest_lambda` on the cached candidates."""
    from fairrec_core.rerank import Target, smallest_lambda

    return smallest_lambda(wi.candidates, wi.reranker, wi.metrics,
                           target=Target(column, op, float(value)), k=wi.k, tol=1e-3)


def apply_to_audit(state: MutableMapping, wi: WhatIf, lam: float):
    """Audit the lists re-ranked at ``lam`` from now on (Fairness and Report pages).

    The session's rerank section becomes this re-ranker at ``lam`` (and its
    candidates count the model section's), so the exported ``audit.toml``
    makes these very lists.
    """
    settings = ps.settings(state)
    ps.update_settings(state, model=dataclasses.replace(settings.model,
                                                        candidates=wi.request[2]))
    res = wi.reranker.run(wi.prepared, float(lam))
    weight = "p" if wi.config.method == "fair_topk" else "λ"  # FA*IR: the target proportion
    label = f"re-ranked: {METHODS[wi.config.method][0]}, {weight} = {float(lam):.2f}"
    provenance = {"source": "rerank", "model_version": wi.model_version,
                  "item_grouping": wi.item_grouping.name, "protected": list(wi.protected),
                  "protected_inferred": wi.protected_inferred, **res.provenance()}
    return fs.apply_lists(state, res.ids, label=label, provenance=provenance,
                          rerank=dataclasses.replace(wi.config, lam=float(lam)))
