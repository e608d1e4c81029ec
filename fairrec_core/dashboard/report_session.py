"""The Report page's logic, free of streamlit: what can be audited, the session's
AuditConfig, building the AuditResult with the same pipeline as ``fairrec audit``.

Session keys read: those of :mod:`~fairrec_core.dashboard.data_session` (the
Dataset, the mapping and reading options) and of
:mod:`~fairrec_core.dashboard.pipeline_session` (split, model, lists and the
session's config sections). Session key written: :data:`RESULT`, a
``(fingerprint, AuditResult)`` pair dropped as soon as its inputs change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import MutableMapping

from fairrec_core.config import SECTIONS, AuditConfig
from fairrec_core.config_sections import ModelConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.i18n import t
from fairrec_core.text_escape import markdown_text

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


def empty_state_message(state: MutableMapping, lang: str = "en") -> str:
    """What to do first, in plain words (in ``lang``), when nothing can be audited."""
    if state.get(ds.DATASET) is None:
        return t("reportpage.no_data", lang)
    return t("reportpage.no_model", lang)


def session_config(state: MutableMapping, *, title: str | None = None,
                   sections=None, lang: str | None = None) -> AuditConfig:
    """The AuditConfig that reproduces the session's audit with ``fairrec audit``.

    A dump of the session's config sections
    (:func:`~fairrec_core.dashboard.pipeline_session.settings`: split, model,
    metrics, thresholds, re-ranker, seed, as the Train, Fairness and What-if
    pages set them) plus the data section. File paths are the uploaded
    files' names: the downloaded TOML works when it is placed next to those
    files. Without a model in the session, the imported recommendations are
    audited. ``title``, ``sections`` and ``lang`` (the report's language) fill
    the report section.
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
    cfg = ps.settings(state)
    if available_source(state) != "session":
        cfg = dataclasses.replace(cfg, model=ModelConfig(name="imported"))
    out = cfg.to_dict()
    out["data"] = data
    if title:
        out["report"] = {**out.get("report", {}), "title": title}
    if sections is not None:
        out["report"] = {**out.get("report", {}), "sections": list(sections)}
    if lang is not None:
        out["report"] = {**out.get("report", {}), "lang": lang}
    return AuditConfig.from_dict(out)


def fingerprint(state: MutableMapping, config: AuditConfig) -> str:
    """Changes whenever the data, the model, the lists or the config change."""
    lists = state.get(ps.LISTS)
    info = state.get(ps.MODEL_INFO)
    key = {"data": state.get(ds.VERSION), "model": getattr(info, "version", None),
           "lists": getattr(lists, "version", None),
           # Thresholds and the report's title and sections change how a result is
           # judged and shown, not the result: they do not make it stale.
           "config": {k: v for k, v in config.to_dict().items()
                      if k not in ("thresholds", "report")}}
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
    from fairrec_core.dashboard import counterfactual_session as cs
    from fairrec_core.dashboard import training_session as ts
    from fairrec_core.report.fairtrain_section import attach_fairtrain

    dataset = state[ds.DATASET]
    # The Counterfactual page's probe, when current, is reported as it was run
    # rather than trained and probed again.
    probe, stale = cs.current(state)
    done: dict = {"counterfactual": probe.outcome} if probe is not None and not stale else {}
    if available_source(state) == "session":
        lists = state[ps.LISTS]
        result = run_audit(config, progress=progress, dataset=dataset,
                           split=state.get(ps.SPLIT), model=state[ps.MODEL], lists=lists.ids,
                           lists_provenance=lists.provenance, **done)
    else:
        result = run_audit(config, progress=progress, dataset=dataset, **done)
    grid = ts.current_grid(state)
    if grid is not None:  # the Train page's λ_train grid, beside the re-ranking curve
        session = available_source(state) == "session"  # its models re-ranked too
        attach_fairtrain(result, grid, dataset=dataset if session else None,
                         split=state.get(ps.SPLIT), model=state.get(ps.MODEL))
    state[RESULT] = (fingerprint(state, config), result)
    return result


def judged(result, thresholds):
    """``result`` re-judged with the page's thresholds (no metric is recomputed)."""
    if thresholds == result.config.thresholds:
        return result
    return result.with_thresholds(thresholds)


def with_title(result, title: str):
    """``result`` with another report title (the title is part of the config)."""
    return with_report(result, title=title)


def with_report(result, **changes):
    """``result`` with other report settings, e.g. ``title`` or ``lang`` (no recomputation)."""
    report = dataclasses.replace(result.config.report, **changes)
    return dataclasses.replace(result, config=dataclasses.replace(result.config, report=report))


def md_escape(text) -> str:
    """Text made literal for ``st.markdown`` (no links, images, HTML or LaTeX from data).

    :func:`fairrec_core.text_escape.markdown_text` under the name the Report page uses.
    """
    return markdown_text(text)


__all__ = ["RESULT", "SECTIONS", "available_source", "build_result", "current_result",
           "empty_state_message", "fingerprint", "judged", "md_escape", "session_config",
           "with_report", "with_title"]
