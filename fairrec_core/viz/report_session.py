"""The Report page's logic, free of streamlit: what can be audited, the session's
AuditConfig, building the AuditResult with the same pipeline as ``fairrec audit``.

Session keys read: those of :mod:`~fairrec_core.viz.data_session` (the
Dataset, the mapping and reading options) and of
:mod:`~fairrec_core.viz.pipeline_session` (split, model, lists, audit
options, What-if configuration). Session key written: :data:`RESULT`, a
``(fingerprint, AuditResult)`` pair dropped as soon as its inputs change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import MutableMapping

from fairrec_core.config import AuditConfig, SECTIONS
from fairrec_core.viz import data_session as ds
from fairrec_core.viz import pipeline_session as ps

RESULT = "report_result"
#: What the page can audit.
SOURCES = ("session", "imported", "none")


def available_source(state: MutableMapping) -> str:
    """``session`` (a model and lists exist), ``imported`` (only uploaded
    recommendations), or ``none`` (nothing to audit yet)."""
    dataset = state.get(ds.DATASET)
    if dataset is None:
        return "none"
    if state.get(ps.MODEL) is not None and state.get(ps.LISTS) is not None:
        return "session"
    if dataset.recommendations is not None:
        return "imported"
    return "none"


def empty_state_message(state: MutableMapping) -> str:
    """What to do first, in plain words, when nothing can be audited."""
    if state.get(ds.DATASET) is None:
        return "Load data on the Data page first."
    return ("Train a model on the Train page (or upload the production recommendations on "
            "the Data page to audit them as they are); then come back here.")


def session_config(state: MutableMapping, *, title: str | None = None) -> AuditConfig:
    """The AuditConfig that reproduces the session's audit with ``fairrec audit``.

    File paths are the uploaded files' names: the downloaded TOML works when
    it is placed next to those files.
    """
    dataset = state[ds.DATASET]
    options = ds.options_from_widgets(state)
    mapping = (state.get(ds.MAPPING) or {}).get("mapping") or {}
    data = {kind: src["name"] for kind, src in dataset.sources.items()}
    encodings = {v for v in options.encoding.values() if v}
    delimiters = {v for v in options.delimiter.values() if v}
    data.update({"mapping": {k: {r: c for r, c in v.items() if c} for k, v in mapping.items()},
                 "drop_unknown_ids": options.drop_unknown_ids})
    if options.rating_threshold is not None:
        data["rating_threshold"] = options.rating_threshold
    if len(encodings) == 1:
        data["encoding"] = encodings.pop()
    if len(delimiters) == 1:
        data["delimiter"] = {"\t": "tab"}.get(d := delimiters.pop(), d)
    cfg: dict = {"data": data}
    info = state.get(ps.MODEL_INFO)
    lists = state.get(ps.LISTS)
    if available_source(state) == "session" and info is not None:
        split = info.split or {}
        params = split.get("params", {})
        cfg["split"] = {"method": split.get("method", "auto"),
                        **{k: params[k] for k in ("test_n", "valid_n", "by_user")
                           if k in params}}
        if "ratios" in params:
            cfg["split"]["ratios"] = list(params["ratios"])
        cfg["model"] = {"name": info.name, "params": _toml_safe(info.params)}
        cfg["metrics"] = {"k": int(lists.k)}
        cfg["seed"] = int(params.get("seed", info.params.get("seed", 0)) or 0)
    else:
        cfg["model"] = {"name": "imported"}
    run = state.get(ps.FAIRNESS)
    if run is not None:
        o = run.options
        cfg.setdefault("metrics", {}).update(
            user_groupings=list(o.user_groupings), item_groupings=list(o.item_groupings),
            intersections=[list(c) for c in o.intersections], n_boot=int(o.n_boot),
            min_group_size=int(o.min_group_size), exposure=o.exposure)
        cfg["thresholds"] = {"ratio_fail": o.ratio_fail, "ratio_warn": o.ratio_warn,
                             "provider_ratio_fail": o.ratio_fail,
                             "provider_ratio_warn": o.ratio_warn,
                             "provider_basis": o.provider_basis}
        cfg["seed"] = int(o.seed)
    cfg["rerank"] = _rerank_section(state)
    if title:
        cfg["report"] = {"title": title}
    return AuditConfig.from_dict(cfg)


def _rerank_section(state: MutableMapping) -> dict:
    whatif = state.get(ps.WHATIF)
    lists = state.get(ps.LISTS)
    out: dict = {}
    if whatif is not None:
        out = {"method": whatif.config.method, "item_grouping": whatif.item_grouping.name,
               "protected": [str(p) for p in whatif.protected]}
    if lists is not None and lists.reranked:
        p = lists.provenance
        out.update(method=p.get("method", out.get("method")), lam=float(p.get("lam", 0.0)))
        if p.get("item_grouping"):
            out["item_grouping"] = p["item_grouping"]
        if p.get("protected"):
            out["protected"] = [str(x) for x in p["protected"]]
    return out


def _toml_safe(params: dict) -> dict:
    # TOML has no null: options left at None are simply not written.
    return {k: v for k, v in params.items() if v is not None}


def fingerprint(state: MutableMapping, config: AuditConfig) -> str:
    """Changes whenever the data, the model, the lists or the config change."""
    lists = state.get(ps.LISTS)
    info = state.get(ps.MODEL_INFO)
    key = {"data": state.get(ds.VERSION), "model": getattr(info, "version", None),
           "lists": getattr(lists, "version", None),
           "config": {k: v for k, v in config.to_dict().items() if k != "thresholds"}}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def current_result(state: MutableMapping, config: AuditConfig):
    """The stored AuditResult if it was built from the current inputs, else None."""
    entry = state.get(RESULT)
    if entry is None:
        return None
    if entry[0] != fingerprint(state, config):
        state.pop(RESULT, None)  # stale: never show a report of other inputs
        return None
    return entry[1]


def build_result(state: MutableMapping, config: AuditConfig, *, progress=None):
    """Run the audit pipeline on the session's objects and store the result.

    The same :func:`fairrec_core.audit.run_audit` as ``fairrec audit``:
    with a model in the session, its split, model and (possibly re-ranked)
    lists are audited; otherwise the imported recommendations.
    """
    from fairrec_core.audit import run_audit

    dataset = state[ds.DATASET]
    if available_source(state) == "session":
        lists = state[ps.LISTS]
        result = run_audit(config, progress=progress, dataset=dataset,
                           split=state.get(ps.SPLIT), model=state[ps.MODEL], lists=lists.ids,
                           lists_provenance=lists.provenance)
    else:
        result = run_audit(config, progress=progress, dataset=dataset)
    state[RESULT] = (fingerprint(state, config), result)
    return result


def judged(result, thresholds):
    """``result`` re-judged with the page's thresholds (no metric is recomputed)."""
    if thresholds == result.config.thresholds:
        return result
    return result.with_thresholds(thresholds)


def with_title(result, title: str):
    """``result`` with another report title (the title is part of the config)."""
    report = dataclasses.replace(result.config.report, title=title)
    return dataclasses.replace(result, config=dataclasses.replace(result.config, report=report))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text) -> str:
    """Text made literal for ``st.markdown`` (no links, images, HTML or LaTeX from data)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


__all__ = ["RESULT", "SECTIONS", "available_source", "build_result", "current_result",
           "empty_state_message", "fingerprint", "judged", "md_escape", "session_config",
           "with_title"]
