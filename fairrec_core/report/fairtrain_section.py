"""Report blocks comparing fairness during training with re-ranking (issue 15.2).

When a λ_train grid was trained -- ``[model.fairness] grid = [...]`` in the
audit (see :func:`fairrec_core.pipeline.stages.fairtrain_grid`), or the
dashboard's Train page (:func:`attach_fairtrain`) -- ``report.json`` holds it
as ``model.fairtrain`` and the trade-off section shows both curves on the same
axes: NDCG@K against the fairness measure the term targets, with the Pareto
front over both. The interactive chart is
:func:`fairrec_core.viz.model_charts.fairtrain_figure`, the same definition
the dashboard draws; the PDF's PNG draws the same points
(:func:`~fairrec_core.viz.model_charts.fairtrain_points`).
"""

from __future__ import annotations

import pandas as pd

from fairrec_core.report import text as T
from fairrec_core.report.blocks import Chart, Heading, Para, Table

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
    blocks.append(Chart("fairtrain", lambda: _figure(grid, column, rerank, label, acc),
                        lambda: fairtrain_png(grid, column, rerank, label, acc)))
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


def _figure(grid, column, rerank, label, acc):
    from fairrec_core.viz.audit_charts import safe
    from fairrec_core.viz.model_charts import fairtrain_figure

    return fairtrain_figure(grid, column, rerank=rerank, fairness_label=safe(label),
                            accuracy_label=acc)


def fairtrain_png(grid, column, rerank, label, acc) -> bytes | None:
    """The static (PDF) form: the same points as the interactive chart."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fairrec_core.viz.model_charts import (
        FRONT_COLOR,
        RERANK_COLOR,
        TRAIN_COLOR,
        fairtrain_points,
    )

    pts = fairtrain_points(grid, column, rerank)
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=150)
    tr = pts["train"]
    ax.plot(tr["x"], tr["y"], "-o", color=TRAIN_COLOR, markersize=4,
            label="fairness in training (λ_train grid)")
    for x, y, lam in zip(tr["x"], tr["y"], tr["lam"]):
        ax.annotate(f"λ={lam:g}", (x, y), textcoords="offset points", xytext=(3, 4), fontsize=7)
    if pts["rerank"] is not None:
        rr = pts["rerank"]
        ax.plot(rr["x"], rr["y"], ":o", color=RERANK_COLOR, markersize=2,
                label="re-ranking (λ sweep)")
    fr = pts["front"]
    ax.scatter(fr["x"], fr["y"], s=70, facecolors="none", edgecolors=FRONT_COLOR,
               label="Pareto front (both)", zorder=3)
    ax.set_xlabel(label, fontsize=9)
    ax.set_ylabel(acc, fontsize=9)
    ax.set_title("Trade-off: fairness in training vs. re-ranking", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
