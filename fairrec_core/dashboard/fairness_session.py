"""The Fairness page's controller: grouping choices, the audit of the current lists, applied
re-ranked lists.

Session state lives in the mapping the caller passes (``st.session_state``);
the keys and the invalidation rules are in :mod:`~fairrec_core.dashboard.pipeline_session`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import MutableMapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from fairrec_core.config_sections import MetricsConfig, RerankConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard.pipeline_session import (
    FAIRNESS,
    LISTS,
    MODEL,
    MODEL_INFO,
    SPLIT,
    FairnessRun,
    ModelInfo,
    TopKLists,
    _made,
    drop,
    next_version,
    settings,
    update_settings,
)
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t
from fairrec_core.metrics import Thresholds


def session_dataset(state: MutableMapping):
    dataset = state.get(ds.DATASET)
    if dataset is None:
        raise ConfigError("No data is loaded: load it on the Data page first.")
    return dataset


# ---------------------------------------------------------------------- audit
#: Item columns that are never groupings (free text, numbers, dates).
_NOT_GROUPINGS = {"title", "description", "price", "created_at"}


def item_grouping_options(dataset) -> list[str]:
    """Every item grouping the Fairness page offers.

    The core's defaults (:func:`~fairrec_core.pipeline.evaluation.item_grouping_columns`:
    category, provider, attributes with few values, new vs established)
    followed by other categorical attributes with many groups, such as a brand
    column next to the seller (fewer distinct values than half the items, so
    an id-like column is not offered).
    """
    from fairrec_core.pipeline.evaluation import item_grouping_columns

    out = list(item_grouping_columns(dataset))
    items = dataset.items
    for col in items.columns:
        if col in out or col in _NOT_GROUPINGS:
            continue
        values = items[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if 2 <= values.nunique() <= max(2, dataset.n_items // 2):
            out.append(col)
    return out


def fairness_choices(state: MutableMapping) -> dict:
    """The Fairness page's widget values from the session's settings (defaults spelled out).

    Keys: ``users, items, intersect`` and the keywords of
    :func:`fairness_settings` (``n_boot``, ``min_group_size``, ``exposure``,
    ``ratio_fail``, ``ratio_warn``, ``provider_basis``).
    """
    cfg = settings(state)
    mc, th = cfg.metrics, cfg.thresholds
    from fairrec_core.pipeline.evaluation import resolved_groupings

    users, items = resolved_groupings(session_dataset(state), mc)
    return {"users": users, "items": items,
            "intersect": list(mc.intersections[0]) if mc.intersections else [],
            "n_boot": mc.n_boot, "min_group_size": mc.min_group_size, "exposure": mc.exposure,
            "ratio_fail": th.ratio_fail, "ratio_warn": th.ratio_warn,
            "provider_basis": th.provider_basis}


def fairness_settings(state: MutableMapping, *, users: Sequence[str], items: Sequence[str],
                      intersect: Sequence[str] = (), n_boot: int = 1000,
                      min_group_size: int = 30, exposure: str = "log",
                      ratio_fail: float = 0.8, ratio_warn: float = 0.9,
                      provider_basis: str = "merit",
                      lang: str = "en") -> tuple[MetricsConfig, Thresholds]:
    """The metrics section and thresholds from the Fairness page's choices.

    Parameters
    ----------
    state : mutable mapping
        Holds the Dataset and the session's settings (their other metrics
        options are kept).
    users, items : sequence of str
        User attributes and item groupings to audit (``activity`` and
        ``popularity`` are always added by the metrics engine).
    intersect : sequence of str
        Two or more user groupings (``activity`` allowed) whose intersection
        is audited as well; the attributes it names are audited on their own
        too, because the engine builds an intersection from audited groupings.
    n_boot, min_group_size, exposure
        :class:`MetricsConfig` options.
    ratio_fail, ratio_warn, provider_basis
        Thresholds; the two ratios apply to the user and the provider checks.
    lang : {"en", "zh"}
        Language of the error messages.

    Raises
    ------
    ConfigError
        One grouping chosen for an intersection, thresholds out of order, or
        fewer than one bootstrap resample.
    """
    from fairrec_core.pipeline.evaluation import user_grouping_columns

    dataset = session_dataset(state)
    valid = set(user_grouping_columns(dataset)) | set(dataset.users.columns)
    users = [u for u in users if u in valid]
    combo = list(dict.fromkeys(intersect))
    if len(combo) == 1:
        raise ConfigError(t("fair.err.intersect", lang))
    for name in combo:
        if name != "activity" and name not in users:
            users.append(name)
    if not 0 < ratio_fail <= ratio_warn <= 1:
        raise ConfigError(t("fair.err.thresholds", lang))
    if n_boot < 1:
        raise ConfigError(t("fair.err.n_boot", lang))
    current = settings(state)
    metrics = replace(current.metrics, user_groupings=users, item_groupings=list(items),
                      intersections=[combo] if combo else [], n_boot=int(n_boot),
                      min_group_size=int(min_group_size), exposure=exposure)
    metrics._check("[metrics]")
    thresholds = replace(current.thresholds, ratio_fail=float(ratio_fail),
                         ratio_warn=float(ratio_warn), provider_ratio_fail=float(ratio_fail),
                         provider_ratio_warn=float(ratio_warn), provider_basis=provider_basis)
    return metrics, thresholds


def compute_fairness(state: MutableMapping, metrics: MetricsConfig | None = None,
                     thresholds: Thresholds | None = None) -> FairnessRun:
    """Audit the current lists as ``metrics`` says and store the result.

    The same :func:`fairrec_core.pipeline.evaluation.evaluate` as ``fairrec audit``;
    ``metrics`` and ``thresholds`` (default: the session's) become the
    session's settings, with K set to the lists' length.

    Raises
    ------
    ConfigError
        No model or lists yet, or an option that does not fit the data.
    """
    from fairrec_core.pipeline.evaluation import evaluate

    dataset = session_dataset(state)
    split, lists = state.get(SPLIT), state.get(LISTS)
    if split is None or lists is None:
        raise ConfigError("There are no lists to audit yet: train a model or use the "
                          "production lists on the Train page.")
    current = settings(state)
    metrics = replace(metrics or current.metrics, k=int(lists.k))
    thresholds = thresholds or current.thresholds
    for combo in metrics.intersections:
        if len(combo) < 2:
            raise ConfigError("An intersection needs at least two groupings.")
    t0 = time.perf_counter()
    result = evaluate(dataset, split, lists.ids, metrics, thresholds=thresholds,
                      seed=current.seed)
    run = FairnessRun(result=result, metrics=metrics, thresholds=thresholds,
                      lists_version=lists.version, seconds=time.perf_counter() - t0)
    state[FAIRNESS] = run
    rerank = current.rerank
    if (lists.reranked and rerank.protected is None and lists.provenance.get("protected")
            and (metrics, thresholds) != (current.metrics, current.thresholds)):
        # The audited lists were re-ranked for an inferred group; other metrics options
        # could infer another one from the exported config, so it is named from now on.
        rerank = replace(rerank, protected=[str(p) for p in lists.provenance["protected"]])
    update_settings(state, metrics=metrics, thresholds=thresholds, rerank=rerank)
    _made(state, FAIRNESS)
    return run


def apply_lists(state: MutableMapping, ids: np.ndarray, *, label: str,
                provenance: dict, rerank: RerankConfig | None = None) -> TopKLists:
    """Audit other lists from now on (re-ranked ones, from the What-if page).

    The audit of the previous lists is dropped with a reason; the model and
    the trade-off curve stay (they do not depend on which lists are audited).
    ``rerank``, the re-ranker that made ``ids`` at its λ, becomes the
    session's rerank section (what the exported ``audit.toml`` re-makes).
    """
    info: ModelInfo | None = state.get(MODEL_INFO)
    if info is None:
        raise ConfigError("There is no model yet: train one on the Train page.")
    ids = np.asarray(ids, dtype=np.int64)
    lists = TopKLists(ids=ids, k=int(ids.shape[1]), version=next_version(state),
                      model_version=info.version, label=label, provenance=dict(provenance))
    state[LISTS] = lists
    if rerank is not None:
        update_settings(state, rerank=rerank)
    _made(state, LISTS)
    drop(state, (FAIRNESS,), f"The audited lists changed ({label}), so the previous audit "
                             "was discarded. Compute it again.")
    return lists


def restore_model_lists(state: MutableMapping) -> TopKLists:
    """Go back to auditing the model's own lists."""
    model, info = state.get(MODEL), state.get(MODEL_INFO)
    if model is None or info is None:
        raise ConfigError("There is no model yet: train one on the Train page.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ids, _ = model.recommend(None, info.k)
    return apply_lists(state, ids, label=f"{info.label}, top {info.k}",
                       provenance={"source": "model", "model": info.name,
                                   "model_source": info.source, "k": info.k},
                       rerank=replace(settings(state).rerank, lam=0.0))


def metric_text(name: str, k: int | None = 10, lang: str = "en") -> tuple[str, str]:
    """A metric's display name and tooltip in ``lang``.

    English comes from :mod:`fairrec_core.metrics.definitions` (one wording for
    dashboard, report and CLI); Chinese names from the report catalogue
    (``report.metric.*``), Chinese tooltips from ``fair.help.*``.

    Returns
    -------
    (label, help)
    """
    from fairrec_core.i18n import has, normalise_lang, t
    from fairrec_core.metrics.definitions import metric_help, metric_label
    from fairrec_core.report.text import metric_name

    if normalise_lang(lang) == "en":
        return metric_label(name, k), metric_help(name, k)
    if has(f"fair.name.{name}"):
        label = t(f"fair.name.{name}", lang)
    elif has(f"report.metric.{name}"):
        label = metric_name(name, 10 if k is None else k, lang)
    else:
        label = metric_label(name, k, lang)
    key = f"fair.help.{name}"
    return label, (t(key, lang) if has(key) else metric_help(name, k, lang))
