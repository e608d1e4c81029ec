"""Section builders of the report, continued: trade-off, explanations, methodology,
reproducibility (see :mod:`fairrec_core.report.content`)."""

from __future__ import annotations

from fairrec_core.i18n import has, say, t
from fairrec_core.i18n.labels import bracket_label, group_label, grouping_label
from fairrec_core.report import text as T
from fairrec_core.report.blocks import Definitions, Heading, Para, Pre, Table

# ---------------------------------------------------------------------- trade-off
_FLABELS = ("es_cs_ratio", "es_rs_ratio", "exposure_share", "ndcg_ratio", "ndcg_difference")


def fairness_label(column: str, lang: str = "en") -> str:
    """``es_cs_ratio[small]`` -> ``ES/CS of small``."""
    if "[" in column:
        base, group = column.split("[", 1)
        group = bracket_label(base, group.rstrip("]"), lang)
        if base in _FLABELS:
            return t(f"report.flabel.{base}", lang, group=group)
        return t("report.flabel.other", lang, name=base, group=group)
    key = f"report.metric.{column}"
    return t(key, lang) if has(key) else column


def tradeoff_section(result) -> list:
    from fairrec_core.report.charts import spec_chart
    from fairrec_core.viz.tradeoff_charts import tradeoff_spec

    lang = T.lang_of(result)
    t_, r = result.tradeoff, result.rerank
    if not t_.get("available"):
        return [Para(say(t_.get("note"), lang) if t_.get("note") else t("report.trade.none", lang),
                     "note")]
    table, col = t_["table"], t_["fairness_column"]
    acc = T.metric_name("ndcg", result.k, lang)
    flabel = fairness_label(col, lang)
    op = t_["operating_point"]
    auto = t("report.trade.auto", lang) if r.get("protected_inferred") else ""
    blocks = [Para(t("report.trade.method", lang, title=say(t_["title"], lang),
                     method=t_["method"],
                     role=_role(t_.get("protected_role", "acting for"), lang),
                     grouping=grouping_label(t_["item_grouping"], lang),
                     protected=T.join([group_label(g, lang) for g in t_["protected"] or []],
                                      lang), auto=auto,
                     note=say(t_["note"], lang))),
              # The What-if page's figure, its star at the audit's operating point.
              spec_chart("tradeoff", lambda: tradeoff_spec(
                  table, col, k=result.k, current=dict(op), lang=lang,
                  weight="p" if t_["method"] == "fair_topk" else "λ",  # FA*IR's target p
                  current_name=t("chart.operating_short", lang))),
              Para(t("report.trade.operating", lang, lam=f"{op['lam']:g}", acc=acc,
                     ndcg=T.num(op["ndcg"], 4), flabel=flabel, fvalue=T.num(op.get(col)))
                   + (t("report.trade.own", lang) if not r.get("applied")
                      else t("report.trade.reranked", lang)))]
    if r.get("search"):
        blocks.append(Para(say(r["search"]["description"], lang)))
    extra = [c for c in ("recall", "coverage") if c in table]
    yes = t("report.yes", lang)
    rows = [[f"{x['lam']:g}", T.num(x["ndcg"], 4), T.num(x[col])]
            + [T.num(x[c]) for c in extra] + [yes if x["pareto"] else "",
                                              "◆" if x["operating_point"] else ""]
            for _, x in table.iterrows()]
    blocks.append(Table(["λ", acc, flabel] + [T.metric_name(c, result.k, lang) for c in extra]
                        + [t("report.trade.pareto", lang), t("report.trade.operating_col", lang)],
                        rows))
    return blocks


def _role(role: str, lang: str) -> str:
    key = {"acting for": "report.trade.role_acting",
           "measured for": "report.trade.role_measured"}.get(role)
    return t(key, lang) if key else role


# ---------------------------------------------------------------------- explanations
def explanations_section(result) -> list:
    lang = T.lang_of(result)
    e = result.explanations
    blocks: list = [Para(e["note"], None if e["available"] else "note")]
    if not e["samples"]:
        return blocks
    blocks.append(Para(t("report.expl.sample", lang, n=e["users_per_group"],
                         m=e["items_per_user"])))
    by: dict = {}
    for s in e["samples"]:
        by.setdefault(s["grouping"], []).append(s)
    hit = t("report.expl.hit", lang)
    for grouping, samples in by.items():
        blocks.append(Heading(t("report.by", lang, grouping=grouping_label(grouping, lang))))
        # One row per user keeps the section readable; explanations of the top
        # item(s) sit beside the list.
        rows = [[group_label(s["group"], lang), s["user"], T.num(s["ndcg"]),
                 "; ".join(f"{it['rank']}. {it['title'] or it['item']}"
                           + (hit if it["hit"] else "") for it in s["items"])]
                + ([_explained(s["items"])] if e["available"] else [])
                for s in samples]
        headers = [t("report.col.group", lang), t("report.expl.user", lang), "NDCG",
                   t("report.expl.top", lang)]
        if e["available"]:
            blocks.append(Table(headers + [t("report.expl.why", lang)], rows,
                                widths=[0.9, 0.9, 0.6, 4.5, 4.5]))
        else:
            blocks.append(Table(headers, rows, widths=[1, 1, 0.7, 8]))
    limits = next((it["explanation"].get("limits") for s in e["samples"] for it in s["items"]
                   if isinstance(it.get("explanation"), dict)
                   and it["explanation"].get("limits")), None)
    if limits:
        blocks += [Heading(t("report.expl.limits", lang)),
                   Para(limits + t("report.expl.limits_where", lang), "note")]
    return blocks


def _explained(items) -> str:
    parts = []
    for it in items:
        expl = it.get("explanation")
        if isinstance(expl, dict):
            method = f" ({expl['method']})" if expl.get("method") else ""
            parts.append(f"#{it['rank']}: {expl.get('summary') or ''}{method}")
    return " ".join(parts) or "\u2014"


# ---------------------------------------------------------------------- methodology
def methodology_section(result) -> list:
    from fairrec_core.report.text import methodology

    lang = T.lang_of(result)
    blocks: list = [Definitions([(d["term"], d["definition"]) for d in methodology(result)])]
    if result.fairness.notes:
        blocks += [Heading(t("report.method.notes", lang))]
        blocks += [Para(say(n, lang)) for n in result.fairness.notes]
    if result.rerank.get("description") and result.rerank.get("applied"):
        blocks.append(Para(say(result.rerank["description"], lang)))
    return blocks


def reproducibility_section(result) -> list:
    lang = T.lang_of(result)
    env = result.environment
    rows = [[t("report.repro.generated", lang), result.generated_at],
            ["fairrec", _version()], ["Python", env["python"]],
            [t("report.repro.platform", lang), env["platform"]],
            [t("report.repro.seed", lang), str(result.config.seed)],
            [t("report.repro.schema", lang), _schema_version()]]
    missing = t("report.repro.not_installed", lang)
    rows += [[name, v or missing] for name, v in env["packages"].items()]
    inputs = [[kind, s.get("name", ""), s.get("sha256", ""), s.get("encoding") or "",
               s.get("delimiter") or "", f"{s['rows']:,}" if s.get("rows") is not None else ""]
              for kind, s in result.sources.items()]
    headers = [t(k, lang) for k in ("report.repro.input", "report.repro.file")] + ["SHA-256"]
    headers += [t(k, lang) for k in ("report.repro.encoding", "report.repro.delimiter",
                                     "report.repro.rows")]
    return [Table(["", t("report.col.value", lang)], rows, widths=[1, 3]),
            Table(headers, inputs, widths=[1.3, 1.6, 4.4, 1.0, 0.9, 0.7]),
            Para(t("report.repro.config", lang)),
            Pre(result.config.to_toml())]


def _version() -> str:
    from fairrec_core import __version__

    return __version__


def _schema_version() -> str:
    from fairrec_core.report.result import SCHEMA_VERSION

    return SCHEMA_VERSION
