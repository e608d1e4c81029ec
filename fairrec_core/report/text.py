"""Words shared by every report format: section titles, number formats, methodology.

The HTML and PDF reports and report.json all take their methodology text
from :func:`methodology`, so the definitions a reader sees are the ones the
numbers were computed with (DESIGN.md §4), with this audit's parameters
filled in.
"""

from __future__ import annotations

import math

from fairrec_core.i18n import has, normalise_lang, say, t

_SECTION_KEYS = ("scorecard", "data", "model", "accuracy", "user_fairness",
                 "provider_exposure", "tradeoff", "explanations", "counterfactual",
                 "methodology", "reproducibility")
_STATUSES = ("pass", "warn", "fail", "inconclusive", "insufficient_data")
#: English section titles and status badges (the catalogue's English column).
SECTION_TITLES = {k: t(f"report.section.{k}", "en") for k in _SECTION_KEYS}
STATUS_LABELS = {s: t(f"report.status.{s}", "en") for s in _STATUSES}
STATUS_COLORS = {"pass": "#2E7D32", "warn": "#B26A00", "fail": "#C62828",
                 "inconclusive": "#5E35B1", "insufficient_data": "#6B7280"}
METRIC_NAMES = {m: t(f"report.metric.{m}", "en")
                for m in ("precision", "recall", "hr", "mrr", "ndcg", "ap", "novelty", "arp",
                          "aplt", "miscalibration", "coverage", "gini", "ugf", "igf")}
#: Metrics whose names carry the cut-off (@K).
AT_K = {"precision", "recall", "hr", "mrr", "ndcg", "ap"}


def lang_of(result) -> str:
    """The report language of an AuditResult (``"en"`` or ``"zh"``)."""
    return normalise_lang(getattr(result.config.report, "lang", "en"))


def section_title(key: str, lang: str = "en") -> str:
    """Title of report section ``key`` in ``lang``."""
    return t(f"report.section.{key}", lang)


def status_label(status: str, lang: str = "en") -> str:
    """Badge text of a check status (``FAIL`` / ``不通过``)."""
    return t(f"report.status.{status}", lang)


def status_key(label: str) -> str:
    """The status whose badge reads ``label`` in any language (unknown: not judged)."""
    for s in _STATUSES:
        if label in (t(f"report.status.{s}", "en"), t(f"report.status.{s}", "zh")):
            return s
    return "insufficient_data"


def report_title(result) -> str:
    """The configured title; the default English title is translated for other languages."""
    title = result.config.report.title
    if title == t("report.default_title", "en"):
        return t("report.default_title", lang_of(result))
    return title


def join(items, lang: str = "en") -> str:
    """Items joined with the language's list separator."""
    return t("report.list_sep", lang).join(map(str, items))


def metric_name(metric: str, k: int, lang: str = "en") -> str:
    """Display name: ``NDCG@10``, ``Novelty`` (``新颖度`` in Chinese)."""
    key = f"report.metric.{metric}"
    base = t(key, lang) if has(key) else metric
    return f"{base}@{k}" if metric in AT_K else base


def num(x, digits: int = 3) -> str:
    """A number for a table: fixed digits, a dash for missing values."""
    if x is None:
        return "\u2014"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return "\u2014"
    if v != 0 and abs(v) < 10 ** -digits:
        return f"{v:.{digits}g}"
    return f"{v:,.{digits}f}"


def interval(lo, hi, digits: int = 3) -> str:
    """``[lo, hi]`` or a dash when the interval is not available."""
    if lo is None or hi is None or not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return "\u2014"
    return f"[{num(lo, digits)}, {num(hi, digits)}]"


def verdict_sentence(verdict: dict, lang: str = "en") -> str:
    """One sentence summarising the scorecard."""
    c = verdict["counts"]
    parts = [t("report.verdict.failed", lang, n=c["fail"]),
             t("report.verdict.warned", lang, n=c["warn"]),
             t("report.verdict.passed", lang, n=c["pass"])]
    if c.get("inconclusive"):
        parts.append(t("report.verdict.inconclusive", lang, n=c["inconclusive"]))
    if c["insufficient_data"]:
        parts.append(t("report.verdict.not_judged", lang, n=c["insufficient_data"]))
    return t("report.verdict.sentence", lang, status=status_label(verdict["status"], lang),
             n=verdict["n_checks"], parts=t("report.verdict.sep", lang).join(parts))


def methodology(result) -> list[dict]:
    """Definitions with this audit's parameters, as ``{"term", "definition"}`` dicts,
    in the report's language."""
    lang = lang_of(result)
    p = result.fairness.params
    k = int(p["k"])
    th = p["thresholds"]
    split = result.data.get("split", {})
    exposure = {"log": "1 / log2(k + 1)", "geometric": f"{p['geometric_p']}^(k - 1)",
                "uniform": t("method.exposure.uniform", lang)}[p["exposure"]]
    ray = (t("method.ci.ray", lang, method=p["ci_method"]) if p.get("engine") == "ray"
           else "")
    values = {
        "heldout": {"split": say(split.get("description", ""), lang)},
        "ranking": {},
        "exposure": {"formula": exposure, "model": p["exposure"]},
        "beyond": {"head": f"{p['head_share']:.0%}", "alpha": p["calibration_alpha"]},
        "user": {"active": f"{p['active_share']:.0%}"},
        "provider": {"sum_h": "Σ_{i∈h}"},
        "ci": {"level": f"{p['ci_level']:.0%}", "n_boot": f"{p['n_boot']:,}",
               "seed": p["seed"]},
        "min": {"n": p["min_group_size"]},
        "checks": {"ratio_fail": th["ratio_fail"], "ratio_warn": th["ratio_warn"],
                   "metrics": join((metric_name(m, k, lang) for m in th["user_metrics"]), lang),
                   "basis": "ES/RS" if th["provider_basis"] == "merit" else "ES/CS",
                   "pfail": th["provider_ratio_fail"], "pwarn": th["provider_ratio_warn"]},
        "rerank": {},
    }
    out = []
    for name, vals in values.items():
        term = (t(f"method.{name}.term", lang, k=k) if name == "ranking"
                else t(f"method.{name}.term", lang))
        definition = t(f"method.{name}.def", lang, **vals) if vals else t(f"method.{name}.def",
                                                                           lang)
        out.append({"term": term, "definition": definition + (ray if name == "ci" else "")})
    return out
