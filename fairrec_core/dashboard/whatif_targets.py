"""The What-if page's target search: "the smallest λ that meets a target".

Split out of :mod:`fairrec_core.dashboard.whatif_session` (which re-exports
these). Each function takes the session's ``WhatIf`` sweep. No streamlit here.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.dashboard.whatif_choices import weight_symbol
from fairrec_core.i18n import t

__all__ = ["default_target_value", "describe_search", "find_lambda", "target_choices"]


def target_choices(wi) -> dict[str, str]:
    """``{column: default comparison}`` of the sweep columns a target can name."""
    out = {}
    for col in wi.table.columns:
        if col in ("lam", "pareto", "seconds"):
            continue
        lower = col.startswith(("ndcg_difference", "miscalibration"))
        out[col] = "<=" if lower else ">="
    # The fairness column first: it is what the user most likely wants to reach.
    if wi.fairness_column in out:
        out = {wi.fairness_column: out[wi.fairness_column],
               **{k: v for k, v in out.items() if k != wi.fairness_column}}
    return out


def default_target_value(wi, column: str, op: str | None = None) -> float:
    """A first target the search can reach, derived from the sweep.

    The search (:func:`find_lambda`) answers only when the lists at λ = 1
    meet the target, so the default never asks for more than the sweep's
    λ = 1 value: for ratios the four-fifths rule's 0.8 when λ = 1 reaches it,
    else the λ = 1 value rounded towards the base; for other metrics halfway
    from the base (λ = 0) to the λ = 1 value. A metric that λ does not move the
    wanted way gets its base value (met at λ = 0).
    """
    op = op or target_choices(wi).get(column, ">=")
    base = float(wi.base_row.get(column, np.nan))
    table = wi.table.sort_values("lam")
    end = float(table[column].iloc[-1]) if column in table and len(table) else np.nan
    if not np.isfinite(base):
        return 0.0
    up = op in (">=", ">")
    # Rounded to 4 decimals on the side that keeps the target met (down for "≥").
    rnd = (lambda v: np.floor(v * 1e4) / 1e4) if up else (lambda v: np.ceil(v * 1e4) / 1e4)
    if not np.isfinite(end) or (end <= base if up else end >= base):
        return float(rnd(base))
    if "ratio" in column and up:
        return 0.8 if end >= 0.8 else float(np.floor(end * 100) / 100 if
                                            np.floor(end * 100) / 100 > base else rnd(end))
    return float(rnd(base + (end - base) / 2))


def describe_search(wi, found, lang: str = "en", *, slider: float | None = None) -> str:
    """The search's outcome in readable names ("ES/CS (tail)", not ``es_cs_ratio[tail]``)."""
    from fairrec_core.metrics.definitions import metric_label

    w = weight_symbol(wi.config.method)
    name = metric_label(found.target.metric, wi.k)
    target = f"{name} {found.target.op.replace('>=', '≥').replace('<=', '≤')} " \
             f"{found.target.value:g}"
    if not found.found:
        return t("whatif.not_found", lang, w=w, target=target,
                 value=f"{found.evaluations[-1][1]:.4g}")
    return t("whatif.found", lang, w=w, target=target, lam=f"{found.lam:.4g}", metric=name,
             value=f"{found.row[found.target.metric]:.4g}", n=len(found.evaluations),
             slider=f"{found.lam if slider is None else slider:.2f}")


def find_lambda(wi, column: str, op: str, value: float):
    """:func:`fairrec_core.rerank.smallest_lambda` on the cached candidates."""
    from fairrec_core.rerank import Target, smallest_lambda

    return smallest_lambda(wi.candidates, wi.reranker, wi.metrics,
                           target=Target(column, op, float(value)), k=wi.k, tol=1e-3)
