"""The Train page's controller: split, train or load a model, accuracy rows.

Session state lives in the mapping the caller passes (``st.session_state``);
the keys and the invalidation rules are in :mod:`~fairrec_core.dashboard.pipeline_session`.
"""

from __future__ import annotations

import functools
import os
import time
import warnings
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import replace

import numpy as np

from fairrec_core._json import jsonable
from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import ModelConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard.fairness_session import compute_fairness, session_dataset
from fairrec_core.dashboard.pipeline_session import (
    LISTS,
    MODEL,
    MODEL_DEPENDANTS,
    MODEL_INFO,
    SPLIT,
    ModelInfo,
    TopKLists,
    _made,
    drop,
    next_version,
    settings,
    update_settings,
)
from fairrec_core.errors import ConfigError
from fairrec_core.models import checkpoint_archive
from fairrec_core.models.registry import MODEL_LABELS


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
    from fairrec_core.pipeline.stages import build_split

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
    from fairrec_core.pipeline.stages import build_model

    dataset = session_dataset(state)
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
    session_dataset(state)
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


# ---------------------------------------------------------------------- checkpoints
def load_checkpoint_into(state: MutableMapping, data: bytes,
                         config: AuditConfig) -> ModelInfo:
    """Load a checkpoint archive as the session's model and audit its lists.

    The checkpoint does not record its split, so the data is split with
    ``config.split`` and ``config.seed`` (the same settings as at training
    time give the same test set); its K is ``config.metrics.k``. The session's
    model section becomes the checkpoint's model and parameters.
    """
    dataset = session_dataset(state)
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
