"""The What-if slider's instant path: each slider step's numbers, redrawn in the browser.

Moving the λ slider used to wait for a server round trip (a fragment rerun that
re-ranks every user, then Streamlit's and Plotly's redraw in the browser) before
any number on the page changed. The slider has 101 steps (0.00 to 1.00 by 0.01),
so :func:`live_rows` re-ranks and measures the lists at every step once, when the
sweep is first shown, and :func:`live_payload` ships their metric cards,
formatted exactly as the page formats them (:func:`card_text`), with the page.
A small script (``whatif_live.js``, no network) watches the slider's
range input and rewrites the metric cards' numbers for the new step at
once; the fragment's rerun (charts, example list, timing) follows and writes
the same strings. The server learns the chosen λ through the ordinary slider
widget, so the Apply button, the target search and a reload keep working.

No streamlit here (the page embeds :func:`live_html`).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from fairrec_core.i18n import t

#: The slider's steps: 0.00, 0.01, ..., 1.00 (the page's ``st.slider`` step).
STEPS = 101
#: Metric cards of the live row, before "Lists changed"; the fairness column goes third.
CARDS = ("ndcg", "recall", None, "coverage")

__all__ = ["CARDS", "STEPS", "card_text", "card_names", "live_html", "live_payload",
           "live_rows", "step_lams"]


def step_lams() -> list[float]:
    """The slider's λ values, rounded as the slider reports them."""
    return [round(i / (STEPS - 1), 2) for i in range(STEPS)]


def card_names(wi) -> list[str]:
    """The metric columns of the live row: NDCG, recall, the fairness column, coverage."""
    return [wi.fairness_column if c is None else c for c in CARDS]


def card_text(name: str, before: float, after: float) -> tuple[str, str | None]:
    """``(value, delta)`` as a metric card shows them; ``delta`` None when it rounds to zero.

    Percent metrics read "12.3%" / "+1.2%", the rest "0.0812" / "-0.0021"; a
    change that rounds to zero gets no delta (λ = 0 is the base itself, and a
    green "+0.0000" would claim a gain that is not there).
    """
    from fairrec_core.metrics.definitions import metric_info

    info = metric_info(name)
    pct = info is not None and info.percent
    shown = f"{after:.1%}" if pct else f"{after:.4f}"
    delta = f"{after - before:+.1%}" if pct else f"{after - before:+.4f}"
    zero = delta.lstrip("+-").strip("0.%") == ""
    return shown, None if zero else delta


def live_rows(wi) -> list[dict]:
    """The metrics row and the count of changed lists at every slider step (cached on ``wi``).

    Each row is what :func:`fairrec_core.dashboard.whatif_session.whatif_view`
    gives at that λ: one ``Reranker.run`` on the prepared state and one
    ``TradeoffMetrics.evaluate``, plus ``changed`` (users whose list differs
    from λ = 0).
    """
    rows = getattr(wi, "live_rows", None)
    if rows:
        return rows
    rows = []
    for lam in step_lams():
        res = wi.reranker.run(wi.prepared, float(lam))
        row = {"lam": float(lam), **wi.metrics.evaluate(res.ids)}
        row["changed"] = int((res.ids != wi.base_ids).any(axis=1).sum())
        rows.append(row)
    wi.live_rows = rows
    return rows


def live_payload(wi, lang: str = "en") -> dict:
    """What the browser needs to redraw the cards at any step, as plain JSON-able data.

    Returns
    -------
    dict
        ``labels``: the cards' labels as the page shows them (the last is "Lists
        changed"); ``steps``: one entry per slider step, ``[lam, [[value, delta],
        ...], changed]`` with the delta text already carrying the "vs λ = 0"
        suffix (None for no delta).
    """
    from fairrec_core.dashboard.whatif_choices import weight_symbol
    from fairrec_core.metrics.definitions import metric_label

    names = card_names(wi)
    w = weight_symbol(wi.config.method)
    suffix = t("whatif.vs_zero_p" if w == "p" else "whatif.vs_zero", lang)
    steps = []
    for row in live_rows(wi):
        cards = []
        for name in names:
            before = float(wi.base_row.get(name, math.nan))
            value, delta = card_text(name, before, float(row.get(name, math.nan)))
            cards.append([value, None if delta is None else delta + suffix])
        steps.append([f"{row['lam']:.2f}", cards, f"{row['changed']:,}"])
    labels = [metric_label(n, wi.k, lang) for n in names] + [t("whatif.lists_changed", lang)]
    return {"labels": labels, "steps": steps}


@lru_cache(maxsize=1)
def _script() -> str:
    return Path(__file__).with_name("whatif_live.js").read_text(encoding="utf-8")


def live_html(payload: dict) -> str:
    """The component's document: the payload and the script, inline (no network, no CDN)."""
    data = json.dumps(payload, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
    return (f'<script id="fairrec-live" type="application/json">{data}</script>'
            f"<script>{_script()}</script>")
