"""The dashboard's pipeline state after the data: split, model, lists, audit.

Like :mod:`fairrec_core.viz.data_session`, this module is free of streamlit:
the dashboard passes ``st.session_state``, tests pass a ``dict``. It owns the
objects the Train, Fairness, What-if, Explain and Report pages share, and
the rule that keeps them honest: every derived object records the versions
of what it was made from, and :func:`sync` drops whatever no longer matches,
leaving a reason the pages show in its place. Nothing is recomputed behind
the user's back; a page recomputes only when the user asks (a button).

Session keys
------------
``dataset``, ``data_version``
    From :mod:`~fairrec_core.viz.data_session` (``ds.DATASET``, ``ds.VERSION``).
``pipeline_split`` (:data:`SPLIT`)
    The :class:`~fairrec_core.data.Split` the current model was trained and
    is evaluated with.
``pipeline_model`` (:data:`MODEL`)
    The fitted :class:`~fairrec_core.models.Recommender`.
``pipeline_model_info`` (:data:`MODEL_INFO`)
    :class:`ModelInfo`: name, source (trained, checkpoint, imported),
    parameters, K, training history, device, the ``data_version`` it
    belongs to and its own ``version``.
``pipeline_lists`` (:data:`LISTS`)
    :class:`TopKLists`: the top-K lists currently audited (the model's own,
    or re-ranked ones applied on the What-if page), with provenance.
``pipeline_fairness`` (:data:`FAIRNESS`)
    :class:`FairnessRun`: the :class:`~fairrec_core.metrics.FairnessResult`
    of those lists, the metrics section and thresholds used and the lists
    version.
``pipeline_config`` (:data:`CONFIG`)
    The session's :class:`~fairrec_core.config.AuditConfig` sections
    (split, model, metrics, thresholds, rerank, seed), written by the page
    actions that use them: Train (split, model, K, seed), Fairness (metrics,
    thresholds), What-if (rerank, candidates). The Report page's
    ``audit.toml`` is this object plus the data section; see
    :func:`settings`.
``pipeline_whatif`` (:data:`WHATIF`)
    :class:`~fairrec_core.viz.whatif_session.WhatIf`: candidates, the
    prepared re-ranker and the cached λ sweep (``.table``).
``pipeline_explain`` (:data:`EXPLAIN`)
    Explanations cached for the current model (a dict the Explain page owns).
``pipeline_dropped`` (:data:`DROPPED`)
    ``{key: reason}`` for objects dropped because an input changed; cleared
    when the object is made again.

Versions come from one counter per session (:data:`COUNTER`), so a version
is never reused within a session.
"""

from __future__ import annotations

import functools
import os
import re
import time
import warnings
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from fairrec_core._json import jsonable
from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import MetricsConfig, ModelConfig, RerankConfig
from fairrec_core.errors import ConfigError, FairrecError
from fairrec_core.metrics import Thresholds
from fairrec_core.models.registry import MODEL_LABELS
from fairrec_core.models import checkpoint_archive
from fairrec_core.viz import data_session as ds

SPLIT = "pipeline_split"
MODEL = "pipeline_model"
MODEL_INFO = "pipeline_model_info"
LISTS = "pipeline_lists"
FAIRNESS = "pipeline_fairness"
WHATIF = "pipeline_whatif"
EXPLAIN = "pipeline_explain"
CHECKPOINT = "pipeline_checkpoint"   # (model version, zip bytes), made on demand
DROPPED = "pipeline_dropped"
COUNTER = "pipeline_counter"
CONFIG = "pipeline_config"

#: Keys holding objects that depend on the model (dropped with it).
MODEL_DEPENDANTS = (LISTS, FAIRNESS, WHATIF, EXPLAIN, CHECKPOINT)

FINETUNE_LABELS = {"frozen": "Frozen encoder (CPU-friendly)",
                   "top": "Fine-tune the top layers (GPU recommended)",
                   "all": "Fine-tune the whole encoder (GPU recommended)"}

__all__ = ["CONFIG", "FairnessRun", "MODEL_LABELS", "ModelInfo", "TopKLists", "accuracy_rows",
           "apply_lists", "compute_fairness", "device_summary", "drop", "dropped_reason",
           "fairness_choices", "fairness_settings", "guarded", "item_grouping_options",
           "item_titles", "load_checkpoint_into", "make_split", "md", "next_version",
           "restore_model_lists", "settings", "sync", "train",
           "train_settings", "update_settings", "use_model"]


# ---------------------------------------------------------------------- objects
@dataclass
class ModelInfo:
    """What the current model is and where it came from.

    Attributes
    ----------
    name : str
        Registry name (``bpr``, ``popularity``, ``two-tower``, ``imported``).
    label : str
        Display name.
    source : {"trained", "checkpoint", "imported"}
    params : dict
        Constructor parameters.
    k : int
        Length of the audited lists.
    data_version, version : int
        The data it belongs to, and its own version.
    training : dict or None
        Epochs run, best epoch and metric, early stopping, device, seconds,
        per-epoch history.
    split : dict
        ``Split.summary()``.
    warnings : list of str
        Problems met while fitting or loading that did not stop it.
    seconds : float
        Wall time of fitting (or loading) plus ranking.
    """

    name: str
    label: str
    source: str
    params: dict
    k: int
    data_version: int
    version: int
    training: dict | None = None
    split: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TopKLists:
    """The lists being audited.

    Attributes
    ----------
    ids : numpy.ndarray of int64, shape (n_users, k)
        Dense item ids in rank order, ``-1`` padding.
    k : int
    version : int
    model_version : int
    label : str
        E.g. ``"BPR matrix factorisation, top 10"`` or ``"re-ranked: provider, λ = 0.3"``.
    provenance : dict
        ``{"source": "model" | "rerank", "model": name, ...}``; for re-ranked
        lists the re-ranker's :meth:`~fairrec_core.rerank.RerankResult.provenance`.
    """

    ids: np.ndarray
    k: int
    version: int
    model_version: int
    label: str
    provenance: dict = field(default_factory=dict)

    @property
    def reranked(self) -> bool:
        return self.provenance.get("source") == "rerank"


@dataclass
class FairnessRun:
    """A :class:`~fairrec_core.metrics.FairnessResult` and what it was computed from."""

    result: object
    metrics: MetricsConfig
    thresholds: Thresholds
    lists_version: int
    seconds: float


# ---------------------------------------------------------------------- settings
def settings(state: MutableMapping) -> AuditConfig:
    """The session's config sections (defaults until a page action sets them).

    Its ``data`` section is not kept here: the Data page owns the files, and
    :func:`fairrec_core.viz.report_session.session_config` adds it.
    """
    cfg = state.get(CONFIG)
    return cfg if cfg is not None else AuditConfig()


def update_settings(state: MutableMapping, **changes) -> AuditConfig:
    """Replace sections (``model=...``, ``rerank=...``, ``seed=...``) of :func:`settings`."""
    cfg = replace(settings(state), **changes)
    state[CONFIG] = cfg
    return cfg


def train_settings(state: MutableMapping, *, model: str, k: int, seed: int = 0,
                   split: str = "auto", test_n: int = 2, valid_n: int = 1,
                   ratios: Sequence[float] = (0.8, 0.1, 0.1), **params) -> AuditConfig:
    """The session's settings with the Train page's choices: split, model, K and seed.

    Parameters
    ----------
    state : mutable mapping
    model : str
        Registry name.
    k : int
        List length audited (``[metrics].k``).
    seed : int
        The audit's seed (split, model, bootstrap).
    split, test_n, valid_n, ratios
        ``[split]``: method, temporal sizes, random proportions (any scale;
        stored as fractions).
    **params
        Model options (``epochs``, ``dim``, ``device``, ...); None values are
        left out, so the model's default applies (TOML has no null).

    Raises
    ------
    ConfigError
        A setting out of range, named like the config key it fills.
    """
    r = [float(x) for x in ratios]
    total = sum(r)
    current = settings(state)
    cfg = replace(
        current, seed=int(seed),
        split=replace(current.split, method=split, test_n=int(test_n), valid_n=int(valid_n),
                      ratios=[x / total for x in r] if total > 0 else r),
        model=ModelConfig(name=model, candidates=current.model.candidates,
                          params={k: v for k, v in params.items() if v is not None}),
        metrics=replace(current.metrics, k=int(k)))
    for name in ("split", "model", "metrics"):
        getattr(cfg, name)._check(f"[{name}]")
    return cfg


# ---------------------------------------------------------------------- versions
def next_version(state: MutableMapping) -> int:
    """A new version number, unique within the session."""
    state[COUNTER] = int(state.get(COUNTER, 0)) + 1
    return state[COUNTER]


def drop(state: MutableMapping, keys: Sequence[str], reason: str | None) -> list[str]:
    """Remove ``keys`` from ``state``; record ``reason`` for those that existed.

    Returns
    -------
    list of str
        The keys that held something.
    """
    gone = [k for k in keys if state.get(k) is not None]
    for k in keys:
        state.pop(k, None)
    if reason:
        dropped = dict(state.get(DROPPED) or {})
        dropped.update({k: reason for k in gone})
        state[DROPPED] = dropped
    return gone


def dropped_reason(state: MutableMapping, key: str) -> str | None:
    """Why ``key`` was dropped, if it was and has not been made again."""
    return (state.get(DROPPED) or {}).get(key)


def _made(state: MutableMapping, *keys: str) -> None:
    dropped = dict(state.get(DROPPED) or {})
    for k in keys:
        dropped.pop(k, None)
    state[DROPPED] = dropped


def sync(state: MutableMapping) -> None:
    """Drop everything that no longer matches its inputs (run on every page load).

    The model belongs to one ``data_version``: when the data is rebuilt (new
    files, options or mapping) the model and everything computed from it go.
    Lists belong to a model version, an audit to a lists version, the What-if
    cache to a model version and a lists K.
    """
    info: ModelInfo | None = state.get(MODEL_INFO)
    if info is not None and (state.get(ds.DATASET) is None
                             or info.data_version != state.get(ds.VERSION)):
        drop(state, (MODEL, MODEL_INFO, SPLIT) + MODEL_DEPENDANTS,
             "The data changed after the model was trained, so the model and everything "
             "computed from it were discarded. Train again on the Train page.")
        return
    if info is None:
        drop(state, MODEL_DEPENDANTS, None)
        return
    lists: TopKLists | None = state.get(LISTS)
    if lists is not None and lists.model_version != info.version:
        drop(state, (LISTS, FAIRNESS), "The model changed.")
    run: FairnessRun | None = state.get(FAIRNESS)
    lists = state.get(LISTS)
    if run is not None and (lists is None or run.lists_version != lists.version):
        drop(state, (FAIRNESS,), "The audited lists changed, so the audit was discarded. "
                                 "Compute it again.")
    whatif = state.get(WHATIF)
    if whatif is not None and whatif.model_version != info.version:
        drop(state, (WHATIF,), "The model changed, so the trade-off curve was discarded. "
                               "Build it again.")


# ---------------------------------------------------------------------- device
@functools.lru_cache(maxsize=8)
def device_summary(device: str = "auto") -> tuple[str, str]:
    """``(kind, sentence)`` about where training runs: kind is ``"gpu"`` or ``"cpu"``.

    Raises nothing: a device that is not there is described as such.
    """
    from fairrec_core.training import resolve_device

    try:
        dev = resolve_device(device)
    except ConfigError as exc:
        return "missing", str(exc)
    if dev.type == "cuda":
        import torch

        name = torch.cuda.get_device_name(dev)
        return "gpu", f"GPU: {name} (CUDA)"
    if dev.type == "mps":
        return "gpu", "GPU: Apple Metal (MPS)"
    threads = os.cpu_count() or 1
    return "cpu", (f"CPU ({threads} cores); no CUDA GPU was found, so training runs on the "
                   "CPU")


# ---------------------------------------------------------------------- training
def make_split(dataset, config: AuditConfig):
    """The train / validation / test split ``config.split`` describes (the CLI's builder)."""
    from fairrec_core._audit_steps import build_split

    return build_split(dataset, config.split, seed=config.seed)


def _list_length(model, k: int) -> int:
    if k < 1:
        raise ConfigError("The list length K must be at least 1.")
    if k > model.n_items_:
        raise ConfigError(f"The list length K = {k} is larger than the catalogue "
                          f"({model.n_items_} items).")
    return int(k)


def train(state: MutableMapping, config: AuditConfig, *,
          callbacks: Sequence[Callable] = (),
          stage: Callable[[str], None] | None = None) -> ModelInfo:
    """Split, fit, rank and audit: the Train button.

    Parameters
    ----------
    state : mutable mapping
        Must hold a Dataset (``ds.DATASET``).
    config : AuditConfig
        Its ``split``, ``model``, ``seed`` and ``metrics.k`` say what to
        train; ``metrics`` and ``thresholds`` how to audit the lists. The
        same builders as ``fairrec audit`` make the split and the model.
        Kept as the session's settings once the model is in place.
    callbacks : sequence of callable
        Receive :class:`~fairrec_core.training.ProgressEvent` objects.
    stage : callable, optional
        Called with a short sentence as each stage starts (for a status line).

    Returns
    -------
    ModelInfo

    Notes
    -----
    The session's current model stays in place until the new one is fully
    fitted, so a failed or interrupted training loses nothing.
    """
    from fairrec_core._audit_steps import build_model

    dataset = _dataset(state)
    say = stage or (lambda _text: None)
    say("Splitting the data into train, validation and test")
    split = make_split(dataset, config)
    model = build_model(config.model, seed=config.seed)
    say("Training " + MODEL_LABELS.get(config.model.name, config.model.name))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # Model warnings are recorded on the model (warnings_) and shown by the page.
        warnings.simplefilter("ignore", UserWarning)
        model.fit(dataset, split, callbacks=list(callbacks))
    source = "imported" if config.model.name == "imported" else "trained"
    info = use_model(state, model, split, k=config.metrics.k, source=source,
                     seconds=time.perf_counter() - t0)
    # The new model's own lists are audited: no re-ranking until What-if applies one.
    update_settings(state, split=config.split, model=config.model, seed=config.seed,
                    metrics=config.metrics, thresholds=config.thresholds,
                    rerank=replace(config.rerank, lam=0.0))
    say("Auditing the lists on the test set (accuracy, fairness, bootstrap intervals)")
    compute_fairness(state, config.metrics, config.thresholds)
    return info


def use_model(state: MutableMapping, model, split, *, k: int, source: str,
              seconds: float = 0.0) -> ModelInfo:
    """Make ``model`` the session's model: rank every user and replace the lists.

    Everything computed from the previous model (lists, audit, trade-off
    curve, explanations, checkpoint archive) is dropped.
    """
    _dataset(state)
    k = _list_length(model, int(k))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ids, _ = model.recommend(None, k)
    version = next_version(state)
    training = getattr(model, "training_", None)
    info = ModelInfo(
        name=model.name, label=MODEL_LABELS.get(model.name, model.name), source=source,
        params=jsonable(model.get_params()), k=k, data_version=int(state.get(ds.VERSION, 0)),
        version=version, training=None if training is None else training.to_dict(),
        split=split.summary(), warnings=[w.message for w in getattr(model, "warnings_", [])],
        seconds=seconds + time.perf_counter() - t0)
    drop(state, MODEL_DEPENDANTS, "A new model replaced the one this was computed for.")
    # The model section describes the session's model (Train and checkpoint loading
    # then put the page's own choices in), its lists are not re-ranked yet.
    current = settings(state)
    update_settings(state, model=replace(current.model, name=model.name, params={
        key: v for key, v in info.params.items() if v is not None}),  # TOML has no null
        metrics=replace(current.metrics, k=k), rerank=replace(current.rerank, lam=0.0))
    state[SPLIT] = split
    state[MODEL] = model
    state[MODEL_INFO] = info
    state[LISTS] = TopKLists(ids=np.asarray(ids, dtype=np.int64), k=k,
                             version=next_version(state), model_version=version,
                             label=f"{info.label}, top {k}",
                             provenance={"source": "model", "model": model.name,
                                         "model_source": source, "k": k})
    _made(state, MODEL, MODEL_INFO, SPLIT, LISTS)
    return info


def _dataset(state: MutableMapping):
    dataset = state.get(ds.DATASET)
    if dataset is None:
        raise ConfigError("No data is loaded: load it on the Data page first.")
    return dataset


# ---------------------------------------------------------------------- audit
#: Item columns that are never groupings (free text, numbers, dates).
_NOT_GROUPINGS = {"title", "description", "price", "created_at"}


def item_grouping_options(dataset) -> list[str]:
    """Every item grouping the Fairness page offers.

    The core's defaults (:func:`~fairrec_core.evaluation.item_grouping_columns`:
    category, provider, attributes with few values, new vs established)
    followed by other categorical attributes with many groups, such as a brand
    column next to the seller (fewer distinct values than half the items, so
    an id-like column is not offered).
    """
    from fairrec_core.evaluation import item_grouping_columns

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
    from fairrec_core.evaluation import resolved_groupings

    users, items = resolved_groupings(_dataset(state), mc)
    return {"users": users, "items": items,
            "intersect": list(mc.intersections[0]) if mc.intersections else [],
            "n_boot": mc.n_boot, "min_group_size": mc.min_group_size, "exposure": mc.exposure,
            "ratio_fail": th.ratio_fail, "ratio_warn": th.ratio_warn,
            "provider_basis": th.provider_basis}


def fairness_settings(state: MutableMapping, *, users: Sequence[str], items: Sequence[str],
                      intersect: Sequence[str] = (), n_boot: int = 1000,
                      min_group_size: int = 30, exposure: str = "log",
                      ratio_fail: float = 0.8, ratio_warn: float = 0.9,
                      provider_basis: str = "merit") -> tuple[MetricsConfig, Thresholds]:
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

    Raises
    ------
    ConfigError
        One grouping chosen for an intersection, thresholds out of order, or
        fewer than one bootstrap resample.
    """
    from fairrec_core.evaluation import user_grouping_columns

    dataset = _dataset(state)
    valid = set(user_grouping_columns(dataset)) | set(dataset.users.columns)
    users = [u for u in users if u in valid]
    combo = list(dict.fromkeys(intersect))
    if len(combo) == 1:
        raise ConfigError("Choose at least two groupings to intersect (for example gender and "
                          "age), or none.")
    for name in combo:
        if name != "activity" and name not in users:
            users.append(name)
    if not 0 < ratio_fail <= ratio_warn <= 1:
        raise ConfigError("The thresholds must satisfy 0 < fail ≤ warn ≤ 1 (default: fail "
                          "below 0.8, warn below 0.9).")
    if n_boot < 1:
        raise ConfigError("The number of bootstrap resamples must be at least 1 (1,000 is "
                          "the default; fewer gives rougher intervals).")
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

    The same :func:`fairrec_core.evaluation.evaluate` as ``fairrec audit``;
    ``metrics`` and ``thresholds`` (default: the session's) become the
    session's settings, with K set to the lists' length.

    Raises
    ------
    ConfigError
        No model or lists yet, or an option that does not fit the data.
    """
    from fairrec_core.evaluation import evaluate

    dataset = _dataset(state)
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


ACCURACY_METRICS = ("ndcg", "recall", "precision", "hr", "mrr", "coverage")


def accuracy_rows(result, k: int, metrics: Sequence[str] = ACCURACY_METRICS) -> list[dict]:
    """Headline numbers of an audit for ``st.metric``: label, value, interval, tooltip.

    Parameters
    ----------
    result : FairnessResult
    k : int
    metrics : sequence of str
        Names in ``result.overall``.

    Returns
    -------
    list of dict
        ``name, label, value (float), text, interval (str), help``.
    """
    from fairrec_core.metrics.definitions import metric_help, metric_info, metric_label

    overall = result.overall.set_index("metric")
    rows = []
    for name in metrics:
        if name not in overall.index:
            continue
        r = overall.loc[name]
        value = float(r["value"])
        info = metric_info(name)
        pct = info is not None and info.percent
        if not np.isfinite(value):
            text = "n/a"
        else:
            text = (f"{value:.1%}" if pct else f"{value:.4f}" if abs(value) < 10
                    else f"{value:,.1f}")
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        interval = ""
        if np.isfinite(lo) and np.isfinite(hi):
            interval = (f"95% CI {lo:.1%}–{hi:.1%}" if pct else f"95% CI {lo:.4f}–{hi:.4f}")
        rows.append({"name": name, "label": metric_label(name, k), "value": value,
                     "text": text, "interval": interval,
                     "help": metric_help(name, k) + (f" {interval}." if interval else "")})
    return rows


# ---------------------------------------------------------------------- checkpoints
def load_checkpoint_into(state: MutableMapping, data: bytes,
                         config: AuditConfig) -> ModelInfo:
    """Load a checkpoint archive as the session's model and audit its lists.

    The checkpoint does not record its split, so the data is split with
    ``config.split`` and ``config.seed`` (the same settings as at training
    time give the same test set); its K is ``config.metrics.k``. The session's
    model section becomes the checkpoint's model and parameters.
    """
    dataset = _dataset(state)
    t0 = time.perf_counter()
    model = checkpoint_archive.load_checkpoint_zip(data, dataset)
    split = make_split(dataset, config)
    info = use_model(state, model, split, k=config.metrics.k, source="checkpoint",
                     seconds=time.perf_counter() - t0)
    params = {k: v for k, v in info.params.items() if v is not None}  # TOML has no null
    update_settings(state, split=config.split, seed=config.seed, metrics=config.metrics,
                    thresholds=config.thresholds, rerank=replace(config.rerank, lam=0.0),
                    model=ModelConfig(name=info.name, params=params,
                                      candidates=config.model.candidates))
    compute_fairness(state, config.metrics, config.thresholds)
    return info


# ---------------------------------------------------------------------- helpers
def guarded(state: MutableMapping, error_key: str, fn: Callable, *args, **kwargs):
    """Run a widget callback; a failure becomes ``state[error_key]`` (a message), never a
    traceback.

    Streamlit runs callbacks before the page script, outside the page's own
    error handling, and shows an uncaught exception with its traceback.
    """
    try:
        return fn(*args, **kwargs)
    except FairrecError as exc:
        state[error_key] = str(exc)
    except Exception as exc:  # a callback's exception would reach the user as a traceback
        state[error_key] = (f"Something went wrong ({type(exc).__name__}: {exc}). Check the "
                            "settings and try again; if it persists, retrain the model.")
    return None


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|~#!{}])")
# What GitHub-flavoured markdown turns into a link without any markup: "scheme://",
# "www." and e-mail addresses. An escaped ":", "." or "@" shows the same but links nothing.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=www)(\.)|(@)")


def md(text) -> str:
    """Text made literal for Streamlit markdown (titles, group names, ids from user data).

    Markdown and HTML characters are escaped, and so are the ``:``, ``.`` and
    ``@`` that would make a bare URL or e-mail address a live link.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0), text)


def item_titles(dataset, items: np.ndarray) -> list[str]:
    """Titles of dense item ids (the original id where there is no title; '' for -1)."""
    items = np.asarray(items, dtype=np.int64)
    ids = dataset.item_ids
    titles = dataset.items["title"] if "title" in dataset.items else None
    out = []
    for i in items:
        if i < 0:
            out.append("")
            continue
        t = None if titles is None else titles.iat[int(i)]
        out.append(str(t) if isinstance(t, str) and t.strip() else str(ids[int(i)]))
    return out
