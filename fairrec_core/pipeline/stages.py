"""The stages of :func:`fairrec_core.audit.run_audit`, one function each (the
re-ranking stage is in :mod:`fairrec_core.pipeline.rerank_stage`).

The builders (:func:`build_split`, :func:`build_model`) take their config
section and are what the dashboard calls too, so a stage is wired once.

Kept apart from :mod:`fairrec_core.audit` so that the pipeline's shape stays
readable there; every function here takes the config and the objects the
previous stages made, and returns what the next stage needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import ModelConfig, SplitConfig
from fairrec_core.errors import ConfigError
from fairrec_core.fairtrain.spec import FAIR_TRAINABLE  # re-exported: its former home


# ---------------------------------------------------------------------- data
def read_inputs(config: AuditConfig) -> dict:
    from fairrec_core.data import read_files

    files = {kind: config.path(kind) for kind in
             ("interactions", "users", "items", "recommendations")}
    delimiter = {"tab": "\t", "\\t": "\t"}.get(config.data.delimiter or "",
                                                config.data.delimiter)
    return read_files(files, encoding=config.data.encoding, delimiter=delimiter,
                      max_bytes=int(config.data.max_mb * 2**20))


def build(config: AuditConfig, tables: dict):
    from fairrec_core.data import build_dataset

    d = config.data
    outcome = build_dataset(tables, mapping=d.mapping or None,
                            rating_threshold=d.rating_threshold,
                            on_unknown_ids="drop" if d.drop_unknown_ids else "error",
                            min_user_interactions=d.min_user_interactions)
    outcome.report.raise_if_errors()
    check_fit(config, outcome.dataset)
    return outcome.dataset


def check_fit(config: AuditConfig, dataset) -> None:
    """Raise :class:`ConfigError` when the config names attributes the data lacks.

    Checked right after loading, so a typo stops the audit before any training.
    """
    from fairrec_core.pipeline.evaluation import NEW_ITEMS

    mc = config.metrics
    users = list(dataset.users.columns)
    for name in mc.user_groupings or []:
        if name not in users:
            raise ConfigError(f"[metrics].user_groupings: there is no user attribute '{name}'; "
                              f"the users file has: {', '.join(users) or 'no attributes'}.")
    items = list(dataset.items.columns)
    for name in mc.item_groupings or []:
        if name not in items and name != NEW_ITEMS:
            raise ConfigError(f"[metrics].item_groupings: there is no item attribute '{name}'; "
                              f"the items file has: {', '.join(items) or 'no attributes'}.")
    known = set(users if mc.user_groupings is None else mc.user_groupings) | {"activity"}
    for combo in mc.intersections:
        missing = [c for c in combo if c not in known]
        if missing:
            raise ConfigError(f"[metrics].intersections: {' × '.join(combo)} names "
                              f"{', '.join(missing)}, not among the compared user groupings.")
    rg = config.rerank.item_grouping
    if rg and rg not in items and rg not in (NEW_ITEMS, "popularity"):
        raise ConfigError(f"[rerank].item_grouping: there is no item attribute '{rg}'; the "
                          f"items file has: {', '.join(items) or 'no attributes'}.")


def make_split(config: AuditConfig, dataset):
    return build_split(dataset, config.split, seed=config.seed)


def build_split(dataset, split: SplitConfig, *, seed: int = 0):
    """The train / validation / test split a :class:`SplitConfig` describes (every surface)."""
    from fairrec_core.data import split_dataset

    return split_dataset(dataset, method=split.method, test_n=split.test_n,
                         valid_n=split.valid_n, ratios=tuple(split.ratios), seed=int(seed),
                         by_user=split.by_user, min_user=split.min_user,
                         min_item=split.min_item)


def build_model(model: ModelConfig, *, seed: int = 0):
    """The unfitted recommender a :class:`ModelConfig` describes (every surface).

    The audit's seed seeds the model unless ``model.params`` sets its own.
    """
    from fairrec_core.models import make_model

    params = dict(model.params)
    if model.fairness is not None:
        # [model.fairness] is the model's training objective: only models trained with
        # a pairwise loss take one, and a silent no-op would mislead the audit.
        if model.name not in FAIR_TRAINABLE:
            raise ConfigError(f"[model.fairness] adds a fairness term to a model's training "
                              f"loss; the {model.name} model is not trained with one. Use "
                              f"name = {' or '.join(repr(m) for m in FAIR_TRAINABLE)}, "
                              "or remove [model.fairness].")
        params["fairness"] = model.fairness
    built = make_model(model.name, **params)
    if "seed" in built.get_params() and "seed" not in model.params:
        built.seed = int(seed)  # one seed for the whole audit unless set per model
    return built


# ---------------------------------------------------------------------- model
def prepare_model(config: AuditConfig, dataset, split, model, info,
                  fairtrain_candidates: dict | None = None):
    """Train, load or wrap the model; return it with its model card.

    ``fairtrain_candidates``, when given, receives each λ_train > 0 model's
    candidates of a ``[model.fairness].grid`` (see :func:`fairtrain_grid`).
    """
    from fairrec_core.models import load_checkpoint
    from fairrec_core.models.registry import available_models

    m = config.model
    if model is not None:
        source, checkpoint = "session", None
    elif m.checkpoint:
        source = "checkpoint"
        checkpoint = config.base_dir / m.checkpoint if config.base_dir else m.checkpoint
        model = load_checkpoint(checkpoint, dataset)
    else:
        source, checkpoint = ("imported" if m.name == "imported" else "trained"), None
        model = build_model(m, seed=config.seed)
        model.fit(dataset, split, callbacks=[_epoch_reporter(info)])
    name = getattr(model, "name", type(model).__name__)
    training = getattr(model, "training_", None)
    card = {"name": name, "description": available_models().get(name, ""),
            "source": source, "checkpoint": None if checkpoint is None else str(checkpoint),
            "params": model.get_params(), "n_users": int(model.n_users_),
            "n_items": int(model.n_items_), "training": None}
    fairness = getattr(model, "fairness_", None)
    if fairness is not None:  # the term as bound to this data: groups, protected group
        card["fairness"] = fairness.to_dict()
    if source == "trained" and m.fairness is not None and m.fairness.grid:
        card["fairtrain"] = fairtrain_grid(config, dataset, split, model, info,
                                           candidates=fairtrain_candidates)
    if training is not None:
        # Seconds are left out: they differ between runs and the card must not.
        card["training"] = {
            "epochs_run": training.epochs_run, "best_epoch": training.best_epoch,
            "best_metric": training.best_metric, "stopped_early": training.stopped_early,
            "device": training.device,
            "history": [{k: v for k, v in row.items() if k != "seconds"}
                        for row in training.history]}
    return model, card


def fairtrain_grid(config: AuditConfig, dataset, split, model, info, *,
                   candidates: dict | None = None) -> dict:
    """Train ``[model.fairness].grid`` (one model per λ_train) for the report's comparison.

    Returns the record the report reads (``model.fairtrain`` in report.json;
    :mod:`fairrec_core.report.fairtrain_section`). ``candidates``, when given,
    is filled with each λ_train > 0 model's top ``[model].candidates`` (kept out
    of the record; :mod:`fairrec_core.pipeline.combined_stage` re-ranks them).
    """
    from fairrec_core.fairtrain import train_grid
    from fairrec_core.fairtrain.grid import fairness_column
    from fairrec_core.pipeline.combined_stage import keep_candidates

    m = config.model
    fair = m.fairness
    if fair is None or not fair.grid:
        raise ConfigError("[model.fairness].grid names no λ_train values to train.")
    params = {k: v for k, v in model.get_params().items() if k != "fairness"}
    info(f"training the λ_train grid {', '.join(f'{x:g}' for x in fair.grid)}")
    hook = (None if candidates is None or config.rerank.method == "none" else
            keep_candidates(candidates, config.metrics.k, m.candidates))
    table = train_grid(dataset, split, fair, lambdas=fair.grid, model_params=params,
                       k=config.metrics.k, model=m.name, on_fit=hook)
    return fairtrain_record(table, fairness_column(table), fair, m.name, config.metrics.k)


def fairtrain_record(table, column: str, fairness, model: str, k: int) -> dict:
    """A λ_train grid as the JSON-safe record the report reads (CLI and dashboard alike)."""
    import dataclasses

    from fairrec_core._json import jsonable

    keep = ["lam", "ndcg", column, "ndcg_difference", "fairness_term", "pareto"]
    rows = table[[c for c in keep if c in table]].to_dict("records")
    cfg = dict(fairness) if isinstance(fairness, dict) else dataclasses.asdict(fairness)
    return jsonable({"model": model, "fairness": cfg, "fairness_column": column, "k": int(k),
                     "table": rows})


def _epoch_reporter(info):
    def callback(ev):
        if ev.kind == "epoch":
            text = f"epoch {ev.epoch}/{ev.epochs}"
            if ev.loss is not None:
                text += f", loss {ev.loss:.4f}"
            if ev.metric is not None:
                text += f", validation {ev.metric_name} {ev.metric:.4f}"
            info(text)
    return callback


# ---------------------------------------------------------------------- lists
@dataclass
class BaseLists:
    ids: np.ndarray
    candidates: object = None


def recommend(config: AuditConfig, model) -> BaseLists:
    """The model's top-K for every user, and its candidates when a re-ranker needs them."""
    from fairrec_core.pipeline.rerank_stage import model_candidates

    k = config.metrics.k
    if k > model.n_items_:
        raise ConfigError(f"[metrics].k = {k} is larger than the catalogue "
                          f"({model.n_items_} items).")
    if config.engine.name == "ray" and getattr(model, "name", "") != "imported":
        # Every user scored on Ray actors (GPU actors where the cluster has GPUs); the
        # same lists as model.recommend (engine/scoring.py slices users the same way).
        from fairrec_core.engine import RayOptions
        from fairrec_core.engine.scoring import recommend_ray

        e = config.engine
        ids, _ = recommend_ray(model, k, ray_options=RayOptions(
            address=e.ray_address, num_cpus=e.num_cpus, max_retries=e.max_retries))
    else:
        ids, _ = model.recommend(None, k)
    cands = None
    if config.rerank.method != "none":
        cands = model_candidates(model, k, config.model.candidates)
    return BaseLists(ids=ids, candidates=cands)


# ---------------------------------------------------------------------- metrics
def evaluate(config: AuditConfig, dataset, split, lists):
    if config.engine.name == "ray":  # same tables, folded from user blocks on Ray
        from fairrec_core.engine import evaluate_dataset

        return evaluate_dataset(dataset, split, lists, config.metrics,
                                thresholds=config.thresholds, seed=config.seed,
                                engine=config.engine)
    from fairrec_core.pipeline import evaluation

    return evaluation.evaluate(dataset, split, lists, config.metrics,
                               thresholds=config.thresholds, seed=config.seed)


def sample_explanations(config, dataset, split, model, card, lists, fairness):
    from fairrec_core.pipeline.explanations import collect

    return collect(config, dataset, split, model, card, lists, fairness)
