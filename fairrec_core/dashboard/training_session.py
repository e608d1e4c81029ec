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
from dataclasses import dataclass, field, replace

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
from fairrec_core.i18n import phrase, t
from fairrec_core.models import checkpoint_archive
from fairrec_core.models.registry import MODEL_LABELS, model_label


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
    return "cpu", phrase("device.cpu", threads=threads)


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
          stage: Callable[[str], None] | None = None, lang: str = "en") -> ModelInfo:
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
    lang : str, default "en"
        Language of those sentences (:mod:`fairrec_core.i18n`).

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
    say(t("train.stage.split", lang))
    split = make_split(dataset, config)
    model = build_model(config.model, seed=config.seed)
    name = config.model.name
    say(t("train.stage.train", lang, model=model_label(name, lang)))
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
    say(t("train.stage.audit", lang))
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


def accuracy_rows(result, k: int, metrics: Sequence[str] = ACCURACY_METRICS,
                  lang: str = "en") -> list[dict]:
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
        rows.append({"name": name, "label": metric_label(name, k, lang), "value": value,
                     "text": text, "interval": interval,
                     "help": metric_help(name, k, lang) + (f" {interval}." if interval else "")})
    return rows


# ---------------------------------------------------------------------- fairness in training
@dataclass
class FairTrainGrid:
    """A λ_train grid trained on the session's data (``state[pipeline_session.FAIRTRAIN]``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per λ_train (:func:`fairrec_core.fairtrain.train_grid`): ``lam``,
        ``ndcg``, ``ndcg_ratio[g]`` (and ``es_cs_ratio[p]`` for item-exposure),
        ``pareto``, ``seconds``, ... -- the re-ranking sweep's column names.
    fairness_column : str
        The fairness axis the term targets (a column of ``table``).
    fairness : dict
        The term (``FairnessConfig`` as a dict; its weight is the grid's last λ).
    model : str
    data_version : int
    """

    table: object
    fairness_column: str
    fairness: dict
    model: str
    data_version: int
    k: int = 10
    #: λ_train (> 0) -> that model's candidates (top C ids and scores per user), for the
    #: What-if page's combined training + re-ranking curves (``pipeline.combined_stage``).
    candidates: dict = field(default_factory=dict)


def fairness_choice(term: str, attribute: str, weight, protected: str | None = None):
    """The page's choices as a checked ``FairnessConfig``, or None for "no term"."""
    from fairrec_core.fairtrain.spec import as_fairness_config

    if not term or term == "none":
        return None
    return as_fairness_config({"term": term, "attribute": attribute, "weight": weight,
                               "protected": protected or None}, where="fairness term")


def parse_lambdas(text: str) -> list[float]:
    """``"0, 0.1, 0.3"`` -> ``[0.0, 0.1, 0.3]``; plain errors for anything else."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ConfigError(f"The λ_train grid must be numbers separated by commas, like "
                          f"0, 0.1, 0.3, 1; got '{text}'.") from None
    if not 2 <= len(values) <= 12:
        raise ConfigError("The λ_train grid needs between 2 and 12 values.")
    if any(not np.isfinite(v) or v < 0 for v in values):
        raise ConfigError("Every λ_train of the grid must be a number, 0 or more.")
    return sorted(set(values))


def train_fair_grid(state: MutableMapping, config: AuditConfig, fairness, lambdas, *,
                    progress: Callable[[int, int, float], object] | None = None,
                    callbacks: Sequence[Callable] = ()) -> FairTrainGrid:
    """Train ``config.model`` once per λ_train with ``fairness``; keep the table in ``state``.

    The split is the one the Train button would make (same settings, same
    seed), so the grid's λ = 0 row is the plain model of that split.
    """
    from fairrec_core.dashboard.pipeline_session import FAIRTRAIN
    from fairrec_core.fairtrain import train_grid
    from fairrec_core.fairtrain.grid import fairness_column
    from fairrec_core.pipeline.combined_stage import keep_candidates

    dataset = session_dataset(state)
    if fairness is None:
        raise ConfigError("Choose a fairness term first: a λ_train grid varies its weight.")
    split = make_split(dataset, config)
    params = {k: v for k, v in config.model.params.items() if k != "fairness"}
    params.setdefault("seed", config.seed)
    grouping = fairness.attribute if fairness.term != "item-exposure" else None
    if grouping is None or grouping not in dataset.users:
        grouping = _ratio_grouping(dataset)
    kept: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = train_grid(dataset, split, fairness, lambdas=lambdas, model_params=params,
                           k=config.metrics.k, ratio_grouping=grouping,
                           model=config.model.name, progress=progress, callbacks=callbacks,
                           on_fit=keep_candidates(kept, config.metrics.k,
                                                  config.model.candidates))
    grid = FairTrainGrid(table=table, fairness_column=fairness_column(table),
                         fairness=jsonable(vars(fairness)), model=config.model.name,
                         data_version=int(state.get(ds.VERSION, 0)), k=config.metrics.k,
                         candidates=kept)
    state[FAIRTRAIN] = grid
    return grid


def current_grid(state: MutableMapping) -> FairTrainGrid | None:
    """The session's λ_train grid if it was trained on the data now loaded, else None."""
    from fairrec_core.dashboard.pipeline_session import FAIRTRAIN

    grid = state.get(FAIRTRAIN)
    if grid is not None and grid.data_version != int(state.get(ds.VERSION, 0)):
        state.pop(FAIRTRAIN, None)
        return None
    return grid


def _ratio_grouping(dataset) -> str:
    """The user attribute of the NDCG ratio when the term acts on items: gender if present."""
    cols = list(dataset.users.columns)
    if "gender" in cols:
        return "gender"
    for c in cols:
        if dataset.users[c].nunique(dropna=True) >= 2:
            return c
    raise ConfigError("The NDCG ratio needs a user attribute with at least two values; "
                      "the users file has none.")
