"""Section builders of the report, continued: trade-off, explanations, methodology,
reproducibility (see :mod:`fairrec_core.report.content`)."""

from __future__ import annotations

from fairrec_core.report import text as T
from fairrec_core.report.blocks import Chart, Definitions, Heading, Para, Pre, Table


# ---------------------------------------------------------------------- trade-off
def fairness_label(column: str) -> str:
    """``es_cs_ratio[small]`` -> ``ES/CS of small``."""
    if "[" in column:
        base, group = column.split("[", 1)
        group = group.rstrip("]")
        names = {"es_cs_ratio": "ES/CS", "es_rs_ratio": "ES/RS",
                 "exposure_share": "exposure share", "ndcg_ratio": "NDCG ratio across",
                 "ndcg_difference": "NDCG difference across"}
        name = names.get(base, base)
        return f"{name} {group}" if base.startswith("ndcg") else f"{name} of {group}"
    return T.METRIC_NAMES.get(column, column)


def tradeoff_section(result) -> list:
    from fairrec_core.report.static_charts import tradeoff_png
    from fairrec_core.viz.audit_charts import safe, tradeoff_figure

    t, r = result.tradeoff, result.rerank
    if not t.get("available"):
        return [Para(t.get("note") or "No trade-off curve was computed.", "note")]
    table, col = t["table"], t["fairness_column"]
    acc = T.metric_name("ndcg", result.k)
    flabel = fairness_label(col)
    op = t["operating_point"]
    blocks = [Para(f"Method: {t['title']} ('{t['method']}'), "
                   f"{t.get('protected_role', 'acting for')} "
                   f"{t['item_grouping']} = {', '.join(map(str, t['protected'] or []))}"
                   f"{' (the most under-exposed group, chosen automatically)' if r.get('protected_inferred') else ''}. "
                   f"{t['note']}"),
              Chart("tradeoff",
                    lambda: tradeoff_figure(table, fairness_column=col,
                                            fairness_label=safe(flabel), accuracy_label=acc),
                    lambda: tradeoff_png(table, fairness_column=col, fairness_label=flabel,
                                         accuracy_label=acc)),
              Para(f"Operating point: λ = {op['lam']:g}, {acc} {T.num(op['ndcg'], 4)}, "
                   f"{flabel} {T.num(op.get(col))}. "
                   + ("The audited lists are the model's own ranking (λ = 0)."
                      if not r.get("applied") else "The audited lists are re-ranked at this λ."))]
    if r.get("search"):
        blocks.append(Para(r["search"]["description"]))
    extra = [c for c in ("recall", "coverage") if c in table]
    rows = [[f"{x['lam']:g}", T.num(x["ndcg"], 4), T.num(x[col])]
            + [T.num(x[c]) for c in extra] + ["yes" if x["pareto"] else "",
                                              "◆" if x["operating_point"] else ""]
            for _, x in table.iterrows()]
    blocks.append(Table(["λ", acc, flabel] + [T.metric_name(c, result.k) for c in extra]
                        + ["Pareto", "Operating point"], rows))
    return blocks


# ---------------------------------------------------------------------- explanations
def explanations_section(result) -> list:
    e = result.explanations
    blocks = [Para(e["note"], None if e["available"] else "note")]
    if not e["samples"]:
        return blocks
    blocks.append(Para(f"{e['users_per_group']} evaluable users drawn at random (seeded) per "
                       f"group, with their top {e['items_per_user']} recommendations; a hit is "
                       "an item among the user's held-out positives."))
    by: dict = {}
    for s in e["samples"]:
        by.setdefault(s["grouping"], []).append(s)
    for grouping, samples in by.items():
        blocks.append(Heading(f"By {grouping}"))
        # One row per user keeps the section readable; explanations of the top
        # item(s) sit beside the list.
        rows = [[s["group"], s["user"], T.num(s["ndcg"]),
                 "; ".join(f"{it['rank']}. {it['title'] or it['item']}"
                           + (" (hit)" if it["hit"] else "") for it in s["items"])]
                + ([_explained(s["items"])] if e["available"] else [])
                for s in samples]
        headers = ["Group", "User", "NDCG", "Top recommendations"]
        if e["available"]:
            blocks.append(Table(headers + ["Why (attribution)"], rows,
                                widths=[0.9, 0.9, 0.6, 4.5, 4.5]))
        else:
            blocks.append(Table(headers, rows, widths=[1, 1, 0.7, 8]))
    limits = next((it["explanation"].get("limits") for s in e["samples"] for it in s["items"]
                   if isinstance(it.get("explanation"), dict)
                   and it["explanation"].get("limits")), None)
    if limits:
        blocks += [Heading("What these explanations can and cannot say"),
                   Para(limits + " (Each explanation's own statement of its limits is in "
                        "report.json and tables/explanation_samples.csv.)", "note")]
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

    blocks = [Definitions([(d["term"], d["definition"]) for d in methodology(result)])]
    if result.fairness.notes:
        blocks += [Heading("Notes on this audit")]
        blocks += [Para(n) for n in result.fairness.notes]
    if result.rerank.get("description") and result.rerank.get("applied"):
        blocks.append(Para(result.rerank["description"]))
    return blocks


def reproducibility_section(result) -> list:
    env = result.environment
    rows = [["Generated at (UTC)", result.generated_at],
            ["fairrec", _version()], ["Python", env["python"]], ["Platform", env["platform"]],
            ["Seed", str(result.config.seed)], ["Report schema", _schema_version()]]
    rows += [[name, v or "not installed"] for name, v in env["packages"].items()]
    inputs = [[kind, s.get("name", ""), s.get("sha256", ""), s.get("encoding") or "",
               s.get("delimiter") or "", f"{s['rows']:,}" if s.get("rows") is not None else ""]
              for kind, s in result.sources.items()]
    return [Table(["", "Value"], rows, widths=[1, 3]),
            Table(["Input", "File", "SHA-256", "Encoding", "Delimiter", "Rows"], inputs,
                  widths=[1.3, 1.6, 4.4, 1.0, 0.9, 0.7]),
            Para("The full configuration (fairrec audit --config with this file reproduces "
                 "the report):"),
            Pre(result.config.to_toml())]


def _version() -> str:
    from fairrec_core import __version__

    return __version__


def _schema_version() -> str:
    from fairrec_core.report.result import SCHEMA_VERSION

    return SCHEMA_VERSION
