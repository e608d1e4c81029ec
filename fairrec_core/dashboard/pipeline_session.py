"""The dashboard's pipeline state after the data: split, model, lists, audit.

Like :mod:`fairrec_core.dashboard.data_session`, this module is free of streamlit:
the dashboard passes ``st.session_state``, tests pass a ``dict``. It owns the
objects the Train, Fairness, What-if, Explain and Report pages share, and
the rule that keeps them honest: every derived object records the versions
of what it was made from, and :func:`sync` drops whatever no longer matches,
leaving a reason the pages show in its place. Nothing is recomputed behind
the user's back; a page recomputes only when the user asks (a button).

Session keys
------------
``dataset``, ``data_version``
    From :mod:`~fairrec_core.dashboard.data_session` (``ds.DATASET``, ``ds.VERSION``).
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
    :class:`~fairrec_core.dashboard.whatif_session.WhatIf`: candidates, the
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

import logging
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from fairrec_core.config import AuditConfig
from fairrec_core.config_sections import MetricsConfig, ModelConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import has, t
from fairrec_core.metrics import Thresholds
from fairrec_core.models.registry import MODEL_LABELS, model_label

_log = logging.getLogger("fairrec.dashboard")

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
#: The Train page's λ_train grid (training_session.FairTrainGrid); the What-if page overlays it.
FAIRTRAIN = "pipeline_fairtrain"

#: Keys holding objects that depend on the model (dropped with it).
MODEL_DEPENDANTS = (LISTS, FAIRNESS, WHATIF, EXPLAIN, CHECKPOINT)

FINETUNE_LABELS = {"frozen": "Frozen encoder (CPU-friendly)",
                   "top": "Fine-tune the top layers (GPU recommended)",
                   "all": "Fine-tune the whole encoder (GPU recommended)"}

__all__ = ["CONFIG", "FairnessRun", "MODEL_LABELS", "ModelInfo", "TopKLists", "drop",
           "dropped_reason", "guarded", "item_titles", "md", "next_version", "settings", "sync",
           "train_settings", "update_settings"]


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

    def display(self, lang: str = "en") -> tuple[str, str]:
        """``(model name, source)`` as the reader sees them in ``lang``."""
        key = f"source.{self.source}"
        return model_label(self.name, lang), t(key, lang) if has(key) else self.source


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

    def display(self, lang: str = "en") -> str:
        """The lists' name in ``lang`` (``label`` is the English one that exports keep)."""
        p = self.provenance
        if p.get("source") == "model" and p.get("model"):
            return t("lists.model", lang, model=model_label(p["model"], lang), k=self.k)
        method = f"whatif.method.{p.get('method')}"
        if p.get("source") == "rerank" and has(method) and p.get("lam") is not None:
            return t("lists.reranked", lang, method=t(method, lang),
                     weight="p" if p["method"] == "fair_topk" else "λ",
                     lam=f"{float(p['lam']):.2f}")
        return self.label


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
    :func:`fairrec_core.dashboard.report_session.session_config` adds it.
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
        _log.exception("dashboard action %s failed", getattr(fn, "__name__", fn))
        state[error_key] = (f"Something went wrong ({type(exc).__name__}: {exc}). Check the "
                            "settings and try again; if it persists, retrain the model.")
    return None


def md(text) -> str:
    """Text made literal for Streamlit markdown (titles, group names, ids from user data).

    :func:`fairrec_core.text_escape.markdown_text`: markdown and HTML characters
    are escaped, and so are the ``:``, ``.`` and ``@`` that would make a bare URL
    or e-mail address a live link.
    """
    from fairrec_core.text_escape import markdown_text

    return markdown_text(text)


def item_titles(dataset, items: np.ndarray) -> list[str]:
    """Titles of dense item ids (the original id where there is no title; '' for -1)."""
    items = np.asarray(items, dtype=np.int64)
    ids = dataset.item_ids
    titles = dataset.items.get("title")
    out = []
    for i in items:
        if i < 0:
            out.append("")
            continue
        t = None if titles is None else titles.iat[int(i)]
        out.append(str(t) if isinstance(t, str) and t.strip() else str(ids[int(i)]))
    return out
