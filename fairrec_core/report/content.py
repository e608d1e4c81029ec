"""The report's content as format-neutral blocks, built once from an AuditResult.

HTML, PDF and the dashboard's preview all render the same list of
:class:`Section` objects, so they cannot drift apart: a table or a sentence
added here appears in every format. Blocks hold *plain text* (never markup);
each renderer escapes it for its own medium.
"""

from __future__ import annotations

from collections.abc import Sequence

from fairrec_core.config import SECTIONS
from fairrec_core.report import text as T
from fairrec_core.report.blocks import Para, Section, Table, Verdict


def build_sections(result, sections: Sequence[str] | None = None) -> list[Section]:
    """The report's sections in :data:`~fairrec_core.config.SECTIONS` order.

    Parameters
    ----------
    result : AuditResult
    sections : sequence of str, optional
        Keys to include; default: the config's ``[report].sections``.
    """
    wanted = list(result.config.report.sections if sections is None else sections)
    from fairrec_core.report import findings as P
    from fairrec_core.report import supplements as X

    builders = {"scorecard": scorecard, "data": P.data_section, "model": P.model_section,
                "accuracy": P.accuracy_section, "user_fairness": P.user_section,
                "provider_exposure": P.provider_section, "tradeoff": X.tradeoff_section,
                "explanations": X.explanations_section, "methodology": X.methodology_section,
                "reproducibility": X.reproducibility_section}
    return [Section(key, T.SECTION_TITLES[key], builders[key](result))
            for key in SECTIONS if key in wanted]


def check_title(row, k: int) -> str:
    """``User gap · gender · NDCG@10`` or ``Provider exposure · seller_size · ES/RS``."""
    if row["kind"] == "user_gap":
        return f"User gap · {row['grouping']} · {T.metric_name(row['metric'], k)}"
    basis = {"es_rs_ratio": "ES/RS", "es_cs_ratio": "ES/CS"}.get(row["metric"], row["metric"])
    return f"Provider exposure · {row['grouping']} · {basis}"


def scorecard(result) -> list:
    """Verdict banner and one row per check (page 1 of the PDF)."""
    checks = result.fairness.checks
    v = result.verdict
    blocks: list = [Verdict(v["status"], T.verdict_sentence(v))]
    order = {s: i for i, s in enumerate(("fail", "warn", "inconclusive", "pass",
                                         "insufficient_data"))}
    rows = []
    for _, r in checks.sort_values("status", key=lambda s: s.map(order), kind="stable"
                                   ).iterrows():
        rows.append([T.STATUS_LABELS[r["status"]], check_title(r, result.k), T.num(r["value"]),
                     T.interval(r["ci_low"], r["ci_high"]),
                     f"<\u00a0{r['threshold_fail']:g}", f"<\u00a0{r['threshold_warn']:g}",
                     r["message"]])
    blocks.append(Table(["Status", "Check", "Ratio", "Interval", "Fail", "Warn", "Finding"],
                        rows, status_col=0, widths=[1.0, 2.7, 0.8, 1.6, 0.8, 0.8, 5.1]))
    model = result.model
    blocks.append(Para(
        f"Audited: {_model_phrase(model)}; K = {result.k}; "
        f"{result.fairness.counts['n_evaluable']:,} of {result.fairness.counts['n_users']:,} "
        f"users evaluable. {_rerank_phrase(result.rerank)}", "note"))
    return blocks


def _model_phrase(model: dict) -> str:
    src = {"imported": "the imported production lists", "trained": "a model trained here",
           "checkpoint": "a model loaded from a checkpoint",
           "session": "the dashboard session's model"}.get(model["source"], model["source"])
    return f"{model['name']} ({src})"


def _rerank_phrase(rerank: dict) -> str:
    if not rerank.get("applied"):
        return "No re-ranking was applied to the audited lists."
    return (f"The audited lists were re-ranked with '{rerank['method']}' at "
            f"λ = {rerank['lam']:g} for {rerank.get('item_grouping')} "
            f"({', '.join(map(str, rerank.get('protected') or []))}).")
