"""Report blocks comparing fairness during training with re-ranking (issue 15.2).

When a λ_train grid was trained -- ``[model.fairness] grid = [...]`` in the
audit (see :func:`fairrec_core.pipeline.stages.fairtrain_grid`), or the
dashboard's Train page (:func:`attach_fairtrain`) -- ``report.json`` holds it
as ``model.fairtrain`` and the trade-off section shows both curves on the same
axes: NDCG@K against the fairness measure the term targets, with the Pareto
front over both. The chart is :func:`fairrec_core.viz.model_charts.fairtrain_spec`,
the same definition the dashboard draws, for the HTML and the PDF alike.
"""

from __future__ import annotations

import pandas as pd

from fairrec_core.report import text as T
from fairrec_core.report.blocks import Heading, Para, Table
from fairrec_core.report.charts import spec_chart

TERM_NAMES = {"user-loss": "loss parity across user groups",
              "item-exposure": "soft exposure parity of a protected item group",
              "adversary": "attribute removal by an adversary (gradient reversal)"}


def attach_fairtrain(result, grid) -> None:
    """Put a dashboard λ_train grid (``training_session.FairTrainGrid``) into ``result``."""
    from fairrec_core.pipeline.stages import fairtrain_record

    result.model["fairtrain"] = fairtrain_record(grid.table, grid.fairness_column,
                                                 grid.fairness, grid.model, grid.k)


def axis_label(column: str) -> str:
    """``ndcg_ratio[gender]`` -> ``NDCG ratio across gender``; ``es_cs_ratio[small]`` -> ES/CS."""
    base, _, group = column.partition("[")
    group = group.rstrip("]")
    return f"ES/CS of {group}" if base == "es_cs_ratio" else f"NDCG ratio across {group}"


def fairtrain_blocks(result) -> list:
    """Heading, sentence, chart and table of the λ_train grid; nothing when none was run."""
    ft = (result.model or {}).get("fairtrain")
    if not ft or not ft.get("table"):
        return []
    from fairrec_core.viz.model_charts import fairtrain_spec

    grid = pd.DataFrame(ft["table"])
    column = ft["fairness_column"]
    rerank = _rerank_table(result, column)
    label = axis_label(column)
    acc = T.metric_name("ndcg", ft["k"])
    f = ft["fairness"]
    blocks = [Heading("Fairness during training compared with re-ranking"),
              Para(f"The {ft['model']} model was trained once per λ_train with the "
                   f"{TERM_NAMES.get(f['term'], f['term'])} term on '{f['attribute']}' "
                   f"(λ_train = 0 is the plain model). Each point is a model measured on "
                   f"the test set: {acc} against {label}. "
                   + ("The re-ranking sweep is drawn on the same axes; circled points are "
                      "Pareto-optimal over both." if rerank is not None else
                      "The re-ranking sweep does not report this fairness measure, so only "
                      "the training curve is drawn; circled points are Pareto-optimal."))]
    blocks.append(spec_chart("fairtrain", lambda: fairtrain_spec(
        grid, column, rerank=rerank, fairness_label=label, accuracy_label=acc)))
    blocks.append(Table(["λ_train", acc, label, "Pareto"],
                        [[f"{r['lam']:g}", T.num(r["ndcg"], 4), T.num(r.get(column)),
                          "yes" if r.get("pareto") else ""] for r in ft["table"]],
                        caption="Fairness during training: the λ_train grid"))
    return blocks


def _rerank_table(result, column: str):
    table = (result.tradeoff or {}).get("table")
    if isinstance(table, pd.DataFrame) and column in table and not table.empty:
        return table
    return None
