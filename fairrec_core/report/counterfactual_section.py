"""The report's counterfactual section and its CSV tables (issue 14).

Built from :class:`~fairrec_core.pipeline.counterfactual_stage.CounterfactualOutcome`
with the existing blocks (paragraphs, tables, a chart), so HTML, PDF and the
dashboard's preview show the same thing. The tables give every sampled user's
neutral and counterfactual lists (``counterfactual_lists``), so anyone can
recompute the similarities, plus the summary figures.
"""

from __future__ import annotations

import pandas as pd

from fairrec_core.i18n import t
from fairrec_core.i18n.labels import grouping_label
from fairrec_core.models.registry import model_label
from fairrec_core.report import text as T
from fairrec_core.report.blocks import Para, Table
from fairrec_core.report.charts import spec_chart
from fairrec_core.viz.counterfactual_charts import (
    SIMILARITY_LABELS,
    leakage_frame,
    snsr_frame,
    snsr_spec,
)

#: The similarity the SNSR chart shows (the gate's default too).
CHART_METRIC = "jaccard"


def _lang(result) -> str:
    return getattr(result.config.report, "lang", "en")


def _pct(x) -> str:
    return "\u2014" if x is None else f"{float(x):.0%}"


def _iv(pair) -> str:
    return T.interval(pair[0], pair[1])


def counterfactual_section(result) -> list:
    """Blocks of the section; a note saying how to enable it when the probe did not run."""
    lang = _lang(result)
    outcome = getattr(result, "counterfactual", None)
    if outcome is None:
        return [Para(t("cf.report_absent", lang), "note")]
    return section_blocks(outcome.to_dict(), lang)


def section_blocks(doc: dict, lang: str = "en") -> list:
    """The blocks for the JSON form ``doc`` of an outcome."""
    probe, model = doc["probe"], doc["model"]
    level = float(probe.get("level", 0.95))
    attrs = probe["attributes"]
    # English keeps the registry id as it always read; other languages get the display name.
    name = model["name"] if lang == "en" else model_label(model["name"], lang)
    blocks: list = [Para(t("cf.report_lead", lang, name=name,
                           source=t(f"cf.source.{model['source']}", lang), n=probe["n_users"],
                           k=probe["k"], attributes=", ".join(grouping_label(a, lang)
                                                              for a in attrs)), "lead")]
    left = {a: n for a, n in probe.get("left_out", {}).items() if n}
    if left:
        blocks.append(Para(t("cf.left_out", lang, counts=", ".join(
            f"{a} {n:,}" for a, n in left.items())), "note"))
    blocks.append(Table(*summary_table(probe, lang),
                        caption=t("cf.summary_caption", lang, level=level)))
    frame = snsr_frame(doc, CHART_METRIC)
    title = t("cf.chart_title", lang, metric=SIMILARITY_LABELS[CHART_METRIC], k=probe["k"],
              level=level)
    blocks.append(spec_chart(f"counterfactual:snsr:{CHART_METRIC}",
                             lambda: snsr_spec(frame, title=title)))
    blocks.append(Table(*value_table(probe, lang), caption=t("cf.values_header", lang)))
    leak = leakage_frame(doc)
    if leak.empty:
        blocks.append(Para(t("cf.leak_none", lang), "note"))
    else:
        blocks.append(Table(*leakage_table(leak, lang),
                            caption=t("cf.leak_caption", lang, level=level)))
    if doc.get("mitigation"):  # the "compare mitigations" table, when it was computed
        mit = doc["mitigation"]
        blocks.append(Table(*mitigation_table(mit, lang), caption=mitigation_caption(
            mit, lang, level=float(mit.get("level", level)))))
    blocks.append(Para(t("cf.report_definitions", lang), "note"))
    return blocks


def mitigation_table(mit: dict, lang: str = "en") -> tuple[list, list]:
    """Aware / unaware / augmented side by side (``MitigationComparison.to_dict()``)."""
    k, attrs = mit["k"], mit["attributes"]
    headers = [t("cf.mit_col_variant", lang)]
    for a in attrs:
        headers += [t("cf.mit_col_snsr", lang, attribute=a, k=k),
                    t("cf.mit_col_auc", lang, attribute=a)]
    headers.append(t("cf.mit_col_ndcg", lang, k=k))
    rows = []
    for r in mit["rows"]:
        row = [t(f"cf.mit_variant.{r['variant']}", lang)]
        for a in attrs:
            m = r["by_attribute"][a]
            row += [f"{T.num(m['snsr'])} {_iv(m['snsr_ci'])}",
                    f"{T.num(m['auc'])} {_iv(m['auc_ci'])}"]
        row.append(T.num(r["ndcg"]))
        rows.append(row)
    return headers, rows


def mitigation_caption(mit: dict, lang: str = "en", *, level: float = 0.95) -> str:
    aug = mit.get("augment", {})
    return t("cf.mit_caption", lang, augment=t(f"cf.mit_augment.{aug.get('augment', 'swap')}",
                                               lang),
             p=aug.get("augment_p", 0.5), level=level)


def summary_table(probe: dict, lang: str = "en") -> tuple[list, list]:
    """Headers and rows: per attribute and similarity, SNSR and SNSV with intervals."""
    headers = [t(k, lang) for k in ("cf.col_attribute", "cf.col_similarity", "cf.col_snsr",
                                    "cf.col_snsr_ci", "cf.col_snsv", "cf.col_snsv_ci",
                                    "cf.col_changed")]
    rows = []
    for name, a in probe["attributes"].items():
        for m, label in SIMILARITY_LABELS.items():
            if m not in a["snsr"]:
                continue
            rows.append([name, label, T.num(a["snsr"][m]), _iv(a["snsr_ci"][m]),
                         T.num(a["snsv"][m]), _iv(a["snsv_ci"][m]), _pct(a["changed_any"])])
    return headers, rows


def value_table(probe: dict, lang: str = "en") -> tuple[list, list]:
    """Headers and rows: per attribute value, mean similarities, changed share, NDCG."""
    headers = [t("cf.col_attribute", lang), t("cf.col_value", lang)]
    headers += [f"{SIMILARITY_LABELS[m]} [{t('cf.col_interval', lang)}]"
                for m in ("jaccard", "serp_norm", "prag")]
    headers += [t("cf.col_changed", lang), t("cf.col_ndcg", lang)]
    rows = []
    for name, a in probe["attributes"].items():
        ndcg = (a.get("accuracy") or {}).get("ndcg", {})
        for v in a["values"]:
            row = [name, str(v)]
            row += [f"{T.num(a['sim'][m][v])} {_iv(a['sim_ci'][m][v])}"
                    for m in ("jaccard", "serp_norm", "prag")]
            row += [_pct(a["changed"][v]), T.num(ndcg.get(v))]
            rows.append(row)
    return headers, rows


def leakage_table(frame: pd.DataFrame, lang: str = "en") -> tuple[list, list]:
    headers = [t(k, lang) for k in ("cf.col_model", "cf.col_attribute", "cf.col_auc",
                                    "cf.col_interval", "cf.col_users")]
    rows = [[t(f"cf.model.{r.model}", lang), str(r.attribute), T.num(r.auc),
             T.interval(r.ci_low, r.ci_high), f"{int(r.n_users):,}"]
            for r in frame.itertuples()]
    return headers, rows


def counterfactual_tables(outcome) -> dict[str, pd.DataFrame]:
    """The CSV tables: ``counterfactual_lists``, ``counterfactual_summary``,
    ``counterfactual_leakage``."""
    doc = outcome.to_dict()
    rows = []
    for name, a in doc["probe"]["attributes"].items():
        for m in a["sim"]:
            for v in a["values"]:
                lo, hi = a["sim_ci"][m][v]
                rows.append({"attribute": name, "similarity": m, "value": str(v),
                             "statistic": "mean", "estimate": a["sim"][m][v],
                             "ci_low": lo, "ci_high": hi})
            for stat in ("snsr", "snsv"):
                lo, hi = a[f"{stat}_ci"][m]
                rows.append({"attribute": name, "similarity": m, "value": "",
                             "statistic": stat, "estimate": a[stat][m], "ci_low": lo,
                             "ci_high": hi})
    summary = pd.DataFrame(rows, columns=["attribute", "similarity", "value", "statistic",
                                          "estimate", "ci_low", "ci_high"])
    return {"counterfactual_lists": outcome.lists, "counterfactual_summary": summary,
            "counterfactual_leakage": leakage_frame(doc)}


# ---------------------------------------------------------------------- gate rules
_SIMS = tuple(SIMILARITY_LABELS)
CF_STATS = tuple(f"{s}_{m}{x}" for s in ("snsr", "snsv") for m in _SIMS
                 for x in ("", "_ci_low", "_ci_high")) + ("changed_any",)
CF_VALUE_STATS = _SIMS + tuple(f"{m}{x}" for m in _SIMS for x in ("_ci_low", "_ci_high")) + (
    "changed",)
LEAK_STATS = ("auc", "auc_ci_low", "auc_ci_high")


def parse_probe_rule(side: str, lhs: str, text: str) -> dict:
    """The parts of a ``cf:`` or ``leak:`` gate rule (see :mod:`fairrec_core.report.gate`).

    ``lhs`` is what precedes the comparison: ``gender:snsr_jaccard@10``,
    ``gender[F]:jaccard@10`` or ``gender:auc``.
    """
    from fairrec_core.errors import ConfigError

    attr, _, stat = lhs.rpartition(":")
    attr, stat = attr.strip(), stat.strip().lower()
    if not attr or not stat:
        raise ConfigError(f"Cannot read the gate rule '{text}': write "
                          "'cf:ATTRIBUTE:snsr_jaccard@K>X' or 'leak:ATTRIBUTE:auc>X'.")
    group: str | None = None
    if attr.endswith("]") and "[" in attr:
        attr, _, group = attr[:-1].partition("[")
        attr = attr.strip()
    stat, at, k_text = stat.partition("@")
    allowed: tuple[str, ...]
    k: int | None = None
    if side == "leak":
        allowed = LEAK_STATS
        if group is not None or at:
            raise ConfigError(f"In the gate rule '{text}', leakage is per attribute: write "
                              "e.g. leak:gender:auc>0.6.")
    else:
        allowed = CF_VALUE_STATS if group is not None else CF_STATS
        if not k_text.strip().isdigit():
            raise ConfigError(f"In the gate rule '{text}', name the list length after @, e.g. "
                              "cf:gender:snsr_jaccard@10>0.1.")
        k = int(k_text)
    if stat not in allowed:
        raise ConfigError(f"In the gate rule '{text}', '{stat}' is not a statistic here; use "
                          f"one of {', '.join(allowed)}.")
    return {"grouping": attr, "group": group, "stat": stat, "k": k}


def probe_rule_value(outcome, rule) -> tuple[float, str, str]:
    """The value a ``cf:``/``leak:`` rule reads, what it is, and why it may be undefined."""
    from fairrec_core.errors import ConfigError

    if outcome is None:
        return (float("nan"), f"{rule.stat} of {rule.grouping}",
                "the audit ran no counterfactual probe; enable [counterfactual] or pass "
                "--counterfactual")
    doc = outcome.to_dict()
    if rule.side == "leak":
        probed = doc["leakage"].get("probed")
        if not probed:
            return float("nan"), f"leakage of {rule.grouping}", "leakage was not measured"
        if rule.grouping not in probed:
            raise ConfigError(f"The gate rule '{rule.text}' names '{rule.grouping}'; leakage "
                              f"was measured for: {', '.join(probed)}.")
        r = probed[rule.grouping]
        value = {"auc": r["auc"], "auc_ci_low": r["ci"][0], "auc_ci_high": r["ci"][1]}
        return value[rule.stat], f"attacker {rule.stat} for {rule.grouping}", ""
    attrs = doc["probe"]["attributes"]
    if rule.grouping not in attrs:
        raise ConfigError(f"The gate rule '{rule.text}' names '{rule.grouping}', which the "
                          f"probe did not cover; probed: {', '.join(attrs)}.")
    if rule.k != outcome.k:
        raise ConfigError(f"The gate rule '{rule.text}' asks for @{rule.k} but the probe "
                          f"compared top-{outcome.k} lists.")
    a = attrs[rule.grouping]
    if rule.group is None:
        return _cf_stat(a, rule.stat), f"{rule.stat}@{outcome.k} of {rule.grouping}", ""
    if rule.group not in a["values"]:
        raise ConfigError(f"The gate rule '{rule.text}' names the value '{rule.group}'; "
                          f"{rule.grouping} has: {', '.join(a['values'])}.")
    v = rule.group
    if rule.stat == "changed":
        value = a["changed"][v]
    elif rule.stat in _SIMS:
        value = a["sim"][rule.stat][v]
    else:
        m, _, end = rule.stat.rpartition("_ci_")
        value = a["sim_ci"][m][v][0 if end == "low" else 1]
    return value, f"{rule.stat}@{outcome.k} of {rule.grouping} = {v}", ""


def _cf_stat(a: dict, stat: str):
    if stat == "changed_any":
        return a["changed_any"]
    kind, _, rest = stat.partition("_")
    for end, i in (("_ci_low", 0), ("_ci_high", 1)):
        if rest.endswith(end):
            return a[f"{kind}_ci"][rest[:-len(end)]][i]
    return a[kind][rest]


__all__ = ["CF_STATS", "LEAK_STATS", "counterfactual_section", "counterfactual_tables",
           "leakage_table", "parse_probe_rule", "probe_rule_value", "section_blocks",
           "summary_table", "value_table"]
