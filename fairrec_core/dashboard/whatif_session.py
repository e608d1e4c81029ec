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

# The page's choices and the target search live in their own modules; re-exported
# here, where the page and the tests have always found them.
from fairrec_core.dashboard.whatif_choices import (
    METHODS,
    USES_PROTECTED,
    default_rerank,
    default_user_grouping,
    group_labels,
    item_grouping_choices,
    lam_label,
    method_choices,
    method_help,
    method_label,
    weight_symbol,
)
from fairrec_core.dashboard.whatif_targets import (
    default_target_value,
    describe_search,
    find_lambda,
    target_choices,
)
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label
from fairrec_core.pipeline import rerank_stage as rr

if TYPE_CHECKING:  # the re-rankers load lazily, when the page first needs them
    from fairrec_core.metrics.groups import Grouping
    from fairrec_core.rerank import Candidates, Reranker, RerankResult, TradeoffMetrics
    from fairrec_core.rerank.base import State

__all__ = ["METHODS", "USES_PROTECTED", "WhatIf", "WhatIfView", "apply_to_audit",
           "build_whatif", "default_rerank", "default_target_value", "default_user_grouping",
           "describe_change", "describe_search", "example_lists", "find_lambda",
           "group_labels", "item_grouping_choices", "lam_label", "method_choices",
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
    #: Every slider step's metrics row, filled by ``whatif_live.live_rows``.
    live_rows: list = field(default_factory=list)
    #: The slider's last λ. Kept here because the session store saves the session at
    #: full runs only, and the slider reruns just its fragment; the saved session holds
    #: this very object, so a reload finds the λ the user last chose.
    lam: float = 0.0


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
    dataset, split, model, info = _inputs(state, config, lang)
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
    example = _example_user(reranker, prepared, base_ids)
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
    _describe(state, config, settings, c)
    ps._made(state, ps.WHATIF)
    return wi


def _inputs(state: MutableMapping, config: RerankConfig, lang: str) -> tuple:
    """``(dataset, split, model, model info)`` of the session, or a plain ConfigError."""
    dataset, split = state.get("dataset"), state.get(ps.SPLIT)
    model, info = state.get(ps.MODEL), state.get(ps.MODEL_INFO)
    if dataset is None or model is None or info is None or split is None:
        raise ConfigError(t("whatif.err_no_model", lang))
    if config.method not in METHODS:
        raise ConfigError(t("whatif.err_method", lang, method=config.method))
    return dataset, split, model, info


def _describe(state: MutableMapping, config: RerankConfig, settings, c: int) -> None:
    lists = state.get(ps.LISTS)
    if lists is None or not lists.reranked:
        # The audited lists are the model's own: the session now describes this
        # re-ranker at λ = 0 (an applied re-ranking keeps describing its lists).
        ps.update_settings(state, rerank=dataclasses.replace(config, lam=0.0),
                           model=dataclasses.replace(settings.model, candidates=c))


def _example_user(reranker, prepared, base_ids: np.ndarray) -> int:
    """The user whose list a middle λ changes most (ties: lowest index), so that the
    before/after comparison shows something from the start."""
    changed = (reranker.run(prepared, 0.5).ids != base_ids).sum(axis=1)
    return int(np.argmax(changed)) if changed.any() else 0


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
             groups=", ".join(group_label(g, lang) for g in sorted(prot)), before=before,
             after=after)


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
