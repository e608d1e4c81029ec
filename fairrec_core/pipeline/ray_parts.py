"""The audit of imported lists with ``--engine ray``: read, validate and split on Ray.

:func:`fairrec_core.audit.run_audit` calls :func:`run` for ``[engine] name =
"ray"`` with ``[model] name = "imported"``: the inputs are bucketed by user
(:func:`~fairrec_core.engine.repartition.partition_by_user`, skipped for
``[engine] partitioned = true``), every part is read, validated and split in a
Ray task and folded by :func:`~fairrec_core.engine.parts.evaluate_parts`, so the
driver never builds the full :class:`~fairrec_core.data.Dataset`. The report's
data section comes from mergeable per-part counts.

Options that need every user's rows on one node are refused by :func:`refuse`
before any work; report sections that need them (sample explanations, the λ
sweep) are left out and named in the report's warnings.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from fairrec_core.config import AuditConfig
from fairrec_core.errors import ConfigError
from fairrec_core.i18n import t
from fairrec_core.pipeline import ray_inputs as inp
from fairrec_core.pipeline.ray_inputs import KINDS


def applies(config: AuditConfig) -> bool:
    """Whether the audit of ``config`` runs on part files (Ray engine, imported lists)."""
    return config.engine.name == "ray" and config.model.name == "imported" \
        and not config.model.checkpoint


def refuse(config: AuditConfig) -> None:
    """Raise :class:`ConfigError` naming the first option the Ray path cannot honour.

    Called before anything is read, so a refused audit writes nothing.
    """
    lang = config.report.lang
    rc, sc, dc = config.rerank, config.split, config.data
    if rc.method != "none" and (rc.lam > 0 or rc.target):
        option = "--target ([rerank].target)" if rc.target else "--lam ([rerank].lam)"
        raise ConfigError(t("engine.refuse.rerank", lang, option=option))
    if config.counterfactual.enabled:
        raise ConfigError(t("engine.refuse.counterfactual", lang))
    for bad, option in ((sc.method not in ("auto", "temporal"), f"--split {sc.method}"),
                        (not sc.by_user, "[split].by_user = false"),
                        (sc.min_user > 0, "[split].min_user"),
                        (sc.min_item > 0, "[split].min_item")):
        if bad:
            raise ConfigError(t("engine.refuse.split", lang, option=option))
    for bad, option in ((bool(dc.mapping), "--map ([data].mapping)"),
                        (dc.drop_unknown_ids, "--drop-unknown-ids"),
                        (bool(dc.encoding), "--encoding"), (bool(dc.delimiter), "--delimiter")):
        if bad:
            raise ConfigError(t("engine.refuse.data", lang, option=option))
    if "item_age" in (config.metrics.item_groupings or []):
        raise ConfigError(t("engine.refuse.item_age", lang))
    missing = [kind for kind in KINDS if config.path(kind) is None]
    if missing:
        raise ConfigError(t("engine.refuse.inputs", lang, kind=missing[0]))
    items = config.path("items")
    if items is None or not (Path(items).is_dir() or Path(items).suffix.lower() in (
            ".parquet", ".csv")):
        raise ConfigError(t("engine.refuse.items", lang))


def evaluate(config: AuditConfig, st) -> tuple:
    """Bucket (unless partitioned), read, validate, split and fold on Ray.

    Returns
    -------
    fairness : FairnessResult
    data : dict
        The report's data section.
    engine : dict
        Where each step ran, for the report.
    """
    from fairrec_core.engine import RayOptions
    from fairrec_core.engine.part_io import layout
    from fairrec_core.engine.parts import evaluate_parts
    from fairrec_core.engine.repartition import partition_by_user
    from fairrec_core.pipeline.ray_summary import data_section

    ec, mc = config.engine, config.metrics
    options = RayOptions(address=ec.ray_address, num_cpus=ec.num_cpus,
                         max_retries=ec.max_retries)
    inputs = inp.inputs(config)
    renames = inp.renames(inputs)
    if ec.partitioned:  # from the footers, before any work (CSV parts need the option)
        inp.threshold(config, inputs, renames.get("interactions", {}))
    bucketed: dict = {}
    with tempfile.TemporaryDirectory(prefix="fairrec-parts-") as scratch:
        if inputs["items"].is_dir():  # the catalogue is small: one file for every task
            inputs["items"] = inp.one_file(inputs["items"], Path(scratch) / "catalogue.parquet")
        if ec.partitioned:
            folders = layout(inputs)
            st.run("load", lambda: None)
        else:  # a few hundred thousand users a part; at least one per local CPU
            n_parts = max(ec.num_cpus, inp.count_users(inputs["users"]) // 200_000 + 1)
            user_columns = {kind: next((c for c, r in renames.get(kind, {}).items()
                                        if r == "user_id"), "user_id") for kind in KINDS}
            folders = layout(st.run("load", partition_by_user, inputs, scratch,
                                    n_parts=n_parts, runner="ray", ray=options,
                                    user_columns=user_columns, stats=bucketed))
        threshold = inp.threshold(config, inputs, renames.get("interactions", {}), bucketed)
        cat = inp.catalogue(config, inputs, folders, renames, Path(scratch), bucketed)
        for stage in ("validate", "split", "model", "recommend", "rerank"):
            st.run(stage, lambda: None)  # all inside the metrics stage's Ray tasks
        summaries: list = []
        fairness = st.run(
            "metrics", evaluate_parts, cat.folders, user_groupings=cat.users,
            item_groupings=cat.item_groups, category=cat.category, bins=cat.bins, k=mc.k,
            relevance=threshold, runner="ray", ray=options, test_n=config.split.test_n,
            valid_n=config.split.valid_n, summaries=summaries, renames=cat.renames,
            n_boot=mc.n_boot, seed=int(config.seed), min_group_size=mc.min_group_size,
            thresholds=config.thresholds, ci_level=mc.ci_level, exposure=mc.exposure,
            head_share=mc.head_share, active_share=mc.active_share,
            intersections=[tuple(i) for i in mc.intersections])
    data = data_section(summaries, fairness, cat.items, (cat.users, cat.item_groups),
                        threshold, config)
    where = ec.ray_address or t("engine.local_ray", config.report.lang)
    engine = {"name": "ray", "where": where, "parts": len(summaries),
              "bucketed": not ec.partitioned, "read_validate_split": "ray tasks"}
    return fairness, data, engine


def model_card(config: AuditConfig, fairness) -> dict:
    """The imported lists' model card, as :func:`~fairrec_core.pipeline.stages.prepare_model`
    writes it, from the counts (no model object is built)."""
    from fairrec_core.models.registry import available_models

    return {"name": "imported", "description": available_models().get("imported", ""),
            "source": "imported", "checkpoint": None, "params": {},
            "n_users": int(fairness.counts["n_users"]),
            "n_items": int(fairness.counts["n_items"]), "training": None, "warnings": []}


def left_out(config: AuditConfig, engine: dict) -> tuple[list, dict, dict]:
    """The report's engine notes (as warnings), and the λ sweep and explanations records
    saying they were left out."""
    from fairrec_core.data.validation import Issue
    from fairrec_core.pipeline.rerank_stage import rerank_and_sweep

    lang = config.report.lang
    sections = []
    if config.rerank.method != "none":
        sections.append("engine.section.tradeoff")
    if config.explain.users_per_group > 0:
        sections.append("engine.section.explanations")
    note = t("engine.left_out", lang,
             sections=t("engine.section_sep", lang).join(t(s, lang) for s in sections))
    ran = t("engine.ran", lang, where=engine["where"], parts=engine["parts"],
            bucketed=t("engine.bucketed", lang) if engine["bucketed"] else "")
    issues = [Issue.warning("engine", None, "ray_engine", ran).to_dict()]
    if sections:
        issues.append(Issue.warning("engine", None, "left_out_by_engine", note).to_dict())
    tradeoff = {"available": False, "note": note}
    if config.rerank.method == "none":  # the local engine's own record: nothing was left out
        from fairrec_core.pipeline.stages import BaseLists

        tradeoff = rerank_and_sweep(config, None, None, None, BaseLists(ids=np.empty(0)))[2]
    return issues, tradeoff, {"available": False, "note": note if sections else "",
                              "method": None, "samples": []}


def run(config: AuditConfig, st) -> dict:
    """The audit of imported lists on Ray (module docstring): the fields of its
    :class:`~fairrec_core.report.result.AuditResult` but the environment and timings."""
    refuse(config)
    fairness, data, engine = evaluate(config, st)
    st.run("explain", lambda: None)
    st.run("counterfactual", lambda: None)
    issues, tradeoff, explanations = left_out(config, engine)
    issues += data.pop("sufficiency")
    if config.rerank.method == "none":  # the local engine's own record
        from fairrec_core.pipeline.rerank_stage import rerank_and_sweep
        from fairrec_core.pipeline.stages import BaseLists

        rerank = rerank_and_sweep(config, None, None, None, BaseLists(ids=np.empty(0)))[1]
    else:  # [rerank].lam = 0 (refuse() stops any other): the lists are audited as they are
        rerank = {"applied": False, "method": config.rerank.method, "lam": 0.0,
                  "note": tradeoff["note"]}
    data["engine"] = engine
    sources = {kind: inp.source(path) for kind, path in inp.inputs(config).items()}
    return {"config": config, "fairness": fairness, "data": data, "sources": sources,
            "warnings": issues, "model": model_card(config, fairness), "rerank": rerank,
            "tradeoff": tradeoff, "explanations": explanations}


