"""The What-if page's engine: re-rank every user live, and the cached λ sweep.

:func:`build_whatif` does everything that does not depend on λ once (the
model's candidates, the re-ranker's preparation, the metrics adapter, the
21-point sweep and the "before" numbers) and returns a :class:`WhatIf` that
the session keeps (``pipeline_session.WHATIF``). :func:`whatif_view` is what
the slider calls: one ``Reranker.run`` on the prepared state and one
``TradeoffMetrics.evaluate``, plus per-group before/after values, so that a
λ change re-ranks all users in milliseconds.

No streamlit here; the page only collects input and renders.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import MutableMapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairrec_core.errors import ConfigError
from fairrec_core.viz import pipeline_session as ps

#: Re-ranking methods the page offers: (label, what it does).
METHODS = {
    "provider": ("Provider exposure (smooth xQuAD)",
                 "Spreads each list over the provider groups in proportion to the user's "
                 "own history (Abdollahpouri et al. 2019). Good first choice for "
                 "under-exposed sellers or long-tail items."),
    "two_sided": ("Two-sided (CPFair)",
                  "Trades relevance against both the exposure gap between item groups and "
                  "the quality gap between active and inactive users; exact per user "
                  "(Naghiaei et al. 2022)."),
    "fair_topk": ("FA*IR fair top-k",
                  "Guarantees a minimum share of the protected item group in every prefix "
                  "of every list; λ is the target share (Zehlike et al. 2017)."),
    "calibrated": ("Calibrated (Steck)",
                   "Makes each list's category mix match the user's history (Steck 2018); "
                   "fairness measured as miscalibration."),
}
POPULARITY = "popularity"
DEFAULT_CANDIDATES = 100

__all__ = ["METHODS", "WhatIf", "WhatIfConfig", "WhatIfView", "apply_to_audit", "build_whatif",
           "default_config", "example_lists", "find_lambda", "item_grouping_choices",
           "target_choices", "whatif_view"]


@dataclass(frozen=True)
class WhatIfConfig:
    """What the What-if page re-ranks for.

    Attributes
    ----------
    method : str
        Key of :data:`METHODS`.
    item_grouping : str
        Provider grouping (``seller_size``, ``popularity``, ...); the
        calibrated method always uses ``category``.
    protected : tuple of str
        The group(s) to help; empty = the group the model's lists
        under-expose most (lowest exposure share / catalogue share).
    user_grouping : str or None
        User attribute whose NDCG per group is shown before and after
        (the activity grouping is always measured too).
    n_candidates : int
        Candidates per user the re-ranker chooses from.
    """

    method: str = "provider"
    item_grouping: str = POPULARITY
    protected: tuple[str, ...] = ()
    user_grouping: str | None = None
    n_candidates: int = DEFAULT_CANDIDATES


@dataclass
class WhatIf:
    """Everything λ-independent, computed once per configuration (the sweep cache)."""

    config: WhatIfConfig
    model_version: int
    k: int
    candidates: object
    reranker: object
    prepared: object
    metrics: object
    sweep: object
    fairness_column: str
    protected: tuple[str, ...]
    protected_inferred: bool
    item_grouping: object
    user_grouping: object | None
    base_ids: np.ndarray
    base_row: dict
    base_user_ndcg: np.ndarray | None
    example_user: int
    seconds: float
    notes: list = field(default_factory=list)
    user_labels: list = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """The sweep table: one row per λ, ``pareto`` flags."""
        return self.sweep.table


@dataclass
class WhatIfView:
    """The lists and numbers at one λ."""

    lam: float
    result: object
    row: dict
    item_shares: pd.DataFrame
    user_ndcg: pd.DataFrame | None
    changed_users: int
    seconds: float


# ---------------------------------------------------------------------- choices
def item_grouping_choices(dataset) -> list[str]:
    """Item groupings a re-ranker can work for: attributes with 2+ groups, and popularity."""
    return ps.item_grouping_options(dataset) + [POPULARITY]


def method_choices(dataset) -> list[str]:
    """Methods available for this data (calibration needs item categories)."""
    return [m for m in METHODS if m != "calibrated" or "category" in dataset.items]


def default_config(dataset) -> WhatIfConfig:
    """Provider exposure for seller size when the data has it, else head/tail popularity."""
    from fairrec_core.evaluation import default_user_groupings

    items = item_grouping_choices(dataset)
    grouping = "seller_size" if "seller_size" in items else POPULARITY
    users = default_user_groupings(dataset)
    return WhatIfConfig(item_grouping=grouping, user_grouping=users[0] if users else None)


def item_labels(dataset, split, name: str) -> np.ndarray:
    """Labels of an item grouping; ``popularity`` (head/tail) from the training data."""
    from fairrec_core.evaluation import NEW_ITEMS, new_item_labels
    from fairrec_core.metrics import head_items, item_popularity

    if name == POPULARITY:
        head = head_items(item_popularity(split.train_matrix()))
        return np.where(head, "head", "tail").astype(object)
    if name == NEW_ITEMS and NEW_ITEMS not in dataset.items:
        return new_item_labels(dataset)
    if name not in dataset.items:
        raise ConfigError(f"There is no item attribute '{name}'.")
    return dataset.items[name].to_numpy()


def group_labels(dataset, split, name: str) -> list[str]:
    """The groups of an item grouping, in the metrics engine's order."""
    from fairrec_core.metrics import make_grouping

    return list(make_grouping(item_labels(dataset, split, name), name=name).labels)


# ---------------------------------------------------------------------- build
def _candidates(model, k: int, c: int):
    from fairrec_core.rerank import Candidates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if model.name == "imported":
            c = int(model.items_.shape[1])
            ids, scores = model.candidates(None, max(c, 1))
            source = "scores" if model.has_scores_ else "ranks"
        else:
            c = int(min(max(c, k), model.n_items_))
            ids, scores = model.candidates(None, c)
            source = "scores"
    scores = np.where(ids >= 0, scores, np.nan)
    clean = Candidates.from_arrays(ids, scores, duplicates="keep_best", non_finite="drop")
    # Lists that came with ranks only keep that fact in the re-ranker's provenance.
    return clean if source == "scores" else Candidates(clean.ids, clean.scores, source=source)


def _infer_protected(labels: np.ndarray, base_ids: np.ndarray, truth, k: int,
                     name: str) -> str:
    from fairrec_core.metrics import provider_shares

    table = provider_shares(base_ids, truth, labels, k=k, name=name).table
    ratio = table["es_cs_ratio"].fillna(np.inf).to_numpy()
    return str(table["group"].iloc[int(np.argmin(ratio))])


def build_whatif(state: MutableMapping, config: WhatIfConfig) -> WhatIf:
    """Prepare the re-ranker on the current model's candidates and sweep λ.

    Parameters
    ----------
    state : mutable mapping
        Holds the Dataset, Split, model and lists (see
        :mod:`~fairrec_core.viz.pipeline_session`).
    config : WhatIfConfig

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
    from fairrec_core.metrics import activity_grouping, make_grouping, user_activity
    from fairrec_core.rerank import (TradeoffMetrics, fairness_objective, make_reranker,
                                     pareto_mask, sweep)

    t0 = time.perf_counter()
    dataset, split = state.get("dataset"), state.get(ps.SPLIT)
    model, info = state.get(ps.MODEL), state.get(ps.MODEL_INFO)
    if dataset is None or model is None or info is None or split is None:
        raise ConfigError("There is no model yet: train one (or use the production lists) on "
                          "the Train page first.")
    if config.method not in METHODS:
        raise ConfigError(f"Unknown re-ranking method '{config.method}'.")
    k = info.k
    train, truth = split.train_matrix(), split.test_matrix()
    cands = _candidates(model, k, int(config.n_candidates))
    base_ids = cands.top_k(k)
    notes: list[str] = []

    cats = dataset.items["category"] if "category" in dataset.items else None
    if config.method == "calibrated":
        if cats is None:
            raise ConfigError("The calibrated method needs item categories; the items file "
                              "has no category column.")
        grouping_name = "category"
    else:
        grouping_name = config.item_grouping
    labels = item_labels(dataset, split, grouping_name)
    item_grouping = make_grouping(labels, name=grouping_name)
    if item_grouping.n_groups < 2:
        raise ConfigError(f"All items are in one group of '{grouping_name}': choose another "
                          "grouping to re-rank for.")
    protected = tuple(str(p) for p in config.protected)
    inferred = not protected
    if inferred:
        protected = (_infer_protected(labels, base_ids, truth, k, grouping_name),)
    missing = [p for p in protected if p not in item_grouping.labels]
    if missing:
        raise ConfigError(f"'{missing[0]}' is not a group of '{grouping_name}' (its groups: "
                          f"{', '.join(item_grouping.labels)}).")
    series = pd.Series(labels, name=grouping_name)
    if config.method == "provider":
        reranker = make_reranker("provider", item_groups=series, history=train,
                                 protected=list(protected))
    elif config.method == "two_sided":
        activity = activity_grouping(user_activity(train))
        reranker = make_reranker("two_sided", item_groups=series,
                                 protected_items=list(protected), user_groups=activity)
    elif config.method == "fair_topk":
        reranker = make_reranker("fair_topk", item_groups=series, protected=list(protected))
    else:
        reranker = make_reranker("calibrated", item_groups=cats, history=train)

    user_groups = {}
    ugrouping = None
    if config.user_grouping and config.user_grouping != "activity":
        if config.user_grouping not in dataset.users:
            raise ConfigError(f"There is no user attribute '{config.user_grouping}'.")
        user_groups[config.user_grouping] = dataset.users[config.user_grouping]
    tm = TradeoffMetrics(truth, item_groups=series, protected_items=list(protected),
                         user_groups=user_groups, train=train, categories=cats, k=k)
    if config.user_grouping:
        ugrouping = tm.user_groups.get(config.user_grouping)
    fair_col = "miscalibration" if config.method == "calibrated" else tm.fairness_column
    result = sweep(cands, reranker, tm, k=k)
    table = result.table
    if fair_col in table:
        obj = np.column_stack([table["ndcg"].to_numpy(),
                               fairness_objective(table[fair_col].to_numpy(), fair_col)])
        table["pareto"] = pareto_mask(obj)
    prepared = reranker.prepare(cands, k=k)
    base_row = {"lam": 0.0, **tm.evaluate(base_ids)}
    base_user = _user_ndcg(tm, base_ids, ugrouping) if ugrouping is not None else None
    # The example user: the one whose list a middle λ changes most (ties: lowest index),
    # so that the before/after comparison shows something from the start.
    mid = reranker.run(prepared, 0.5).ids
    changed = (mid != base_ids).sum(axis=1)
    example = int(np.argmax(changed)) if changed.any() else 0
    short = cands.summary(k).get("users_with_fewer_than_k", 0)
    if short:
        notes.append(f"{short} users have fewer than {k} candidates; their lists stay short.")
    wi = WhatIf(config=config, model_version=info.version, k=k, candidates=cands,
                reranker=reranker, prepared=prepared, metrics=tm, sweep=result,
                fairness_column=fair_col, protected=protected, protected_inferred=inferred,
                item_grouping=item_grouping, user_grouping=ugrouping, base_ids=base_ids,
                base_row=base_row, base_user_ndcg=base_user, example_user=example,
                seconds=time.perf_counter() - t0, notes=notes,
                user_labels=[str(u) for u in dataset.user_ids])
    state[ps.WHATIF] = wi
    ps._made(state, ps.WHATIF)
    return wi


def _user_ndcg(tm, ids: np.ndarray, grouping) -> np.ndarray:
    """Mean NDCG@K per user group of ``grouping`` (NaN for groups without evaluable users)."""
    from fairrec_core.metrics import group_means
    from fairrec_core.metrics.ranking import RANKING_METRICS, hit_matrix, metrics_from_hits

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


def describe_change(wi: WhatIf, example: pd.DataFrame) -> str:
    """One sentence about an example list: new items and the protected groups' slots."""
    new = int((example["change"] == "new").sum())
    prot = set(wi.protected)
    before = int(example["before group"].isin(prot).sum())
    after = int(example["after group"].isin(prot).sum())
    if wi.config.method == "calibrated":
        return f"{new} of {len(example)} items are new in this user's list."
    return (f"{new} of {len(example)} items are new in this user's list; items of "
            f"{', '.join(sorted(prot))} hold {before} slot(s) before and {after} after.")


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


def default_target_value(wi: WhatIf, column: str) -> float:
    """A sensible first target: 0.8 for ratios (four-fifths rule), else 80% of the base."""
    if "ratio" in column:
        return 0.8
    base = float(wi.base_row.get(column, np.nan))
    if not np.isfinite(base):
        return 0.0
    return round(base * (0.8 if column.startswith(("ndcg_difference", "miscalibration"))
                         else 1.2), 4)


def find_lambda(wi: WhatIf, column: str, op: str, value: float):
    """:func:`fairrec_core.rerank.smallest_lambda` on the cached candidates."""
    from fairrec_core.rerank import Target, smallest_lambda

    return smallest_lambda(wi.candidates, wi.reranker, wi.metrics,
                           target=Target(column, op, float(value)), k=wi.k, tol=1e-3)


def apply_to_audit(state: MutableMapping, wi: WhatIf, lam: float):
    """Audit the lists re-ranked at ``lam`` from now on (Fairness and Report pages)."""
    res = wi.reranker.run(wi.prepared, float(lam))
    label = f"re-ranked: {METHODS[wi.config.method][0]}, λ = {float(lam):.2f}"
    provenance = {"source": "rerank", "model_version": wi.model_version,
                  "item_grouping": wi.item_grouping.name, "protected": list(wi.protected),
                  "protected_inferred": wi.protected_inferred, **res.provenance()}
    return ps.apply_lists(state, res.ids, label=label, provenance=provenance)
