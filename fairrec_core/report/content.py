"""The report's content as format-neutral blocks, built once from an AuditResult.

HTML, PDF and the dashboard's preview all render the same list of
:class:`Section` objects, so they cannot drift apart: a table or a sentence
added here appears in every format. Blocks hold *plain text* (never markup);
each renderer escapes it for its own medium.
"""

from __future__ import annotations

from collections.abc import Sequence

from fairrec_core.config import SECTIONS
from fairrec_core.i18n import has, t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.models.registry import model_label
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
    from fairrec_core.report import counterfactual_section as CF
    from fairrec_core.report import fairtrain_section as FT
    from fairrec_core.report import findings as P
    from fairrec_core.report import supplements as X

    builders = {"scorecard": scorecard, "data": P.data_section, "model": P.model_section,
                "accuracy": P.accuracy_section, "user_fairness": P.user_section,
                "provider_exposure": P.provider_section,
                "tradeoff": lambda r: X.tradeoff_section(r) + FT.fairtrain_blocks(r),
                "explanations": X.explanations_section,
                "counterfactual": CF.counterfactual_section, "methodology": X.methodology_section,
                "reproducibility": X.reproducibility_section}
    lang = T.lang_of(result)
    return [Section(key, T.section_title(key, lang), builders[key](result))
            for key in SECTIONS if key in wanted]


def check_title(row, k: int, lang: str = "en") -> str:
    """``User gap · gender · NDCG@10`` or ``Provider exposure · seller_size · ES/RS``."""
    grouping = grouping_label(row["grouping"], lang)
    if row["kind"] == "user_gap":
        return t("report.check.user", lang, grouping=grouping,
                 metric=T.metric_name(row["metric"], k, lang))
    basis = {"es_rs_ratio": "ES/RS", "es_cs_ratio": "ES/CS"}.get(row["metric"], row["metric"])
    return t("report.check.provider", lang, grouping=grouping, basis=basis)


def scorecard(result) -> list:
    """Verdict banner and one row per check (page 1 of the PDF)."""
    from fairrec_core.report.check_text import localised_checks

    lang = T.lang_of(result)
    checks = localised_checks(result)
    v = result.verdict
    blocks: list = [Verdict(v["status"], T.verdict_sentence(v, lang))]
    order = {s: i for i, s in enumerate(("fail", "warn", "inconclusive", "pass",
                                         "insufficient_data"))}
    rows = []
    for _, r in checks.sort_values("status", key=lambda s: s.map(order), kind="stable"
                                   ).iterrows():
        rows.append([T.status_label(r["status"], lang), check_title(r, result.k, lang),
                     T.num(r["value"]), T.interval(r["ci_low"], r["ci_high"]),
                     f"<\u00a0{r['threshold_fail']:g}", f"<\u00a0{r['threshold_warn']:g}",
                     r["message"]])
    headers = [t("report.col.status", lang), t("report.score.check", lang),
               t("report.score.ratio", lang), t("report.col.interval", lang),
               t("report.score.fail", lang), t("report.score.warn", lang),
               t("report.score.finding", lang)]
    blocks.append(Table(headers, rows, status_col=0, widths=[1.0, 2.7, 0.8, 1.6, 0.8, 0.8, 5.1]))
    counts = result.fairness.counts
    blocks.append(Para(t("report.score.audited", lang, model=_model_phrase(result.model, lang),
                         k=result.k, n_eval=f"{counts['n_evaluable']:,}",
                         n_users=f"{counts['n_users']:,}",
                         rerank=_rerank_phrase(result.rerank, lang)), "note"))
    return blocks


def _model_phrase(model: dict, lang: str = "en") -> str:
    key = f"report.source.{model['source']}"
    src = t(key, lang) if has(key) else model["source"]
    # English keeps the registry id as it always read; other languages get the display name.
    name = model["name"] if lang == "en" else model_label(model["name"], lang)
    return t("report.model_phrase", lang, name=name, source=src)


def _rerank_phrase(rerank: dict, lang: str = "en") -> str:
    if not rerank.get("applied"):
        return t("report.rerank.none", lang)
    return t("report.rerank.applied", lang, method=rerank["method"], lam=f"{rerank['lam']:g}",
             grouping=grouping_label(rerank.get("item_grouping"), lang),
             protected=T.join([group_label(g, lang) for g in rerank.get("protected") or []],
                              lang))
