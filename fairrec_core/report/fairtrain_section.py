"""Report blocks comparing fairness during training with re-ranking (issue 15.2).

When a λ_train grid was trained -- ``[model.fairness] grid = [...]`` in the
audit (see :func:`fairrec_core.pipeline.stages.fairtrain_grid`), or the
dashboard's Train page (:func:`attach_fairtrain`) -- ``report.json`` holds it
as ``model.fairtrain`` and the trade-off section shows both curves on the same
axes: NDCG@K against the fairness measure the term targets, with the Pareto
front over both. The chart is :func:`fairrec_core.viz.model_charts.fairtrain_spec`,
the same definition the dashboard draws, for the HTML and the PDF alike.
When ``fairrec audit`` also re-ranked every λ_train > 0 model with its re-ranker
(``model.fairtrain["combined"]``, :mod:`fairrec_core.pipeline.combined_stage`),
the chart adds those curves, the front runs over all three sets, and a sentence
and a table say where the front's points come from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.i18n import has, say, t
from fairrec_core.report import text as T
from fairrec_core.report.blocks import Heading, Para, Table
from fairrec_core.report.charts import spec_chart


def attach_fairtrain(result, grid, *, dataset=None, split=None, model=None) -> None:
    """Put a dashboard λ_train grid (``training_session.FairTrainGrid``) into ``result``.

    With the session's ``dataset``, ``split`` and ``model`` (whose candidates the
    audit's re-ranker starts from), the grid's kept candidates are re-ranked too:
    ``fairtrain["combined"]``, as ``fairrec audit`` writes it.
    """
    from fairrec_core.pipeline.stages import fairtrain_record

    record = fairtrain_record(grid.table, grid.fairness_column, grid.fairness, grid.model,
                              grid.k)
    result.model["fairtrain"] = record
    if model is None or dataset is None or split is None or not grid.candidates:
        return
    from fairrec_core.pipeline.combined_stage import audit_combined
    from fairrec_core.pipeline.rerank_stage import model_candidates
    from fairrec_core.pipeline.stages import BaseLists

    config = result.config
    if config.rerank.method == "none" or grid.k != config.metrics.k:
        return
    cands = model_candidates(model, config.metrics.k, config.model.candidates)
    base = BaseLists(ids=np.empty(0), candidates=cands)
    audit_combined(config, dataset, split, base, result.tradeoff or {}, record,
                   grid.candidates)


def fairtrain_blocks(result) -> list:
    """Heading, sentence, chart and table of the λ_train grid; nothing when none was run."""
    ft = (result.model or {}).get("fairtrain")
    if not ft or not ft.get("table"):
        return []
    from fairrec_core.i18n.labels import fairness_axis_label, grouping_label
    from fairrec_core.models.registry import model_label
    from fairrec_core.viz.model_charts import fairtrain_spec

    lang = T.lang_of(result)
    grid = pd.DataFrame(ft["table"])
    column = ft["fairness_column"]
    rerank = _rerank_table(result, column)
    label = fairness_axis_label(column, lang)
    acc = T.metric_name("ndcg", ft["k"], lang)
    f = ft["fairness"]
    term = (t(f"fairtrain.report.term.{f['term']}", lang)
            if has(f"fairtrain.report.term.{f['term']}") else f["term"])
    blocks = [Heading(t("fairtrain.report.heading", lang)),
              Para(t("fairtrain.report.para", lang, model=model_label(ft["model"], lang),
                     term=term, attribute=grouping_label(f["attribute"], lang), acc=acc,
                     label=label) + " "
                   + t("fairtrain.report.with_rerank" if rerank is not None
                       else "fairtrain.report.without_rerank", lang))]
    combined = _combined_table(ft, column) if rerank is not None else None
    names = {k: t(f"train.fair.legend.{k}", lang) for k in ("train", "rerank", "front", "title")}
    if combined is not None:
        names.update(combined=t("combined.report_curve", lang),
                     front=t("combined.report_front", lang))
    blocks.append(spec_chart("fairtrain", lambda: fairtrain_spec(
        grid, column, rerank=rerank, fairness_label=label, accuracy_label=acc,
        combined=combined, labels=names, lang=lang)))
    yes = t("train.fair.yes", lang)
    blocks.append(Table([t("train.fair.col.lam", lang), acc, label,
                         t("train.fair.col.pareto", lang)],
                        [[f"{r['lam']:g}", T.num(r["ndcg"], 4), T.num(r.get(column)),
                          yes if r.get("pareto") else ""] for r in ft["table"]],
                        caption=t("fairtrain.report.table_caption", lang)))
    if combined is not None:
        blocks += _combined_blocks(result, grid, rerank, combined, column, acc, label, lang)
    elif ft.get("combined_note"):
        blocks.append(Para(say(ft["combined_note"], lang)))
    return blocks


def _combined_table(ft: dict, column: str):
    rows = ft.get("combined")
    table = pd.DataFrame(rows) if rows else None
    return table if table is not None and column in table else None


def _combined_blocks(result, grid, rerank, combined, column: str, acc: str, label: str,
                     lang: str) -> list:
    """The sentence on the front's sources and each λ_train at the operating λ."""
    from fairrec_core.pipeline.combined_stage import best_at, front_sources

    n = front_sources(column, rerank=rerank, train=grid, combined=combined)
    lam = float(((result.tradeoff or {}).get("operating_point") or {}).get("lam", 0.0))
    rows = best_at(combined, lam)
    yes = t("combined.yes", lang)
    return [Para(t("combined.report_para", lang, total=sum(n.values()), both=n["combined"],
                   rerank=n["rerank"], train=n["train"])),
            Table([t("combined.col_lam_train", lang), "λ", acc, label,
                   t("combined.col_pareto", lang)],
                  [[f"{r['lam_train']:g}", f"{r['lam']:g}", T.num(r["ndcg"], 4),
                    T.num(r[column]), yes if r["pareto"] else ""] for _, r in rows.iterrows()],
                  caption=t("combined.report_table_caption", lang,
                            lam=f"{rows['lam'].iloc[0]:g}" if len(rows) else f"{lam:g}"))]


def _rerank_table(result, column: str):
    table = (result.tradeoff or {}).get("table")
    if isinstance(table, pd.DataFrame) and column in table and not table.empty:
        return table
    return None
