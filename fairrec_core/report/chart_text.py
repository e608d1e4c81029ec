"""Chart titles, axes and legends of the HTML report's Plotly figures in the report language.

The figures themselves are drawn once, in :mod:`fairrec_core.viz.audit_charts`
(shared with the dashboard); a Chinese report replaces their English words
here, keeping every trace and number as drawn. English figures pass unchanged.
"""

from __future__ import annotations

import math

from fairrec_core.i18n import t
from fairrec_core.report import text as T

#: English trace names of the audit figures -> catalogue keys.
_TRACE_KEYS = {"exposure share": "chart.exposure_share",
               "catalogue share": "chart.catalog_share",
               "merit share (held-out positives)": "chart.merit_share_long",
               "equal exposure": "chart.equal_exposure", "audited lists": "chart.audited_lists",
               "λ grid": "chart.grid", "Pareto-optimal": "chart.pareto",
               "operating point": "chart.operating_short"}


def _safe(text) -> str:
    from fairrec_core.viz.audit_charts import safe

    return safe(text)


def _names(fig, lang: str) -> None:
    for trace in fig.data:
        key = _TRACE_KEYS.get(trace.name)
        if key:
            trace.name = t(key, lang)


def _title(fig, text: str) -> None:
    fig.update_layout(title={"text": text})


def localise_user_figure(fig, *, grouping: str, label: str, ratio_fail: float, lang: str):
    """A user-group figure (``user_group_figure``) with its words in ``lang``."""
    if fig is None or lang == "en":
        return fig
    name = _safe(T.attr_name(grouping, lang))
    _title(fig, t("chart.user_title", lang, label=label, grouping=name))
    fig.update_xaxes(title_text=name)
    for ann in fig.layout.annotations or ():
        if ann.text == f"{ratio_fail:g} × best":
            ann.text = t("chart.times_best", lang, ratio=f"{ratio_fail:g}")
    return fig


def localise_figure(fig, kind: str, lang: str, *, grouping: str = "", n: int = 0,
                    top: int = 12, gini=None, fairness_label: str = "",
                    accuracy_label: str = ""):
    """A provider, Lorenz or trade-off figure with its words in ``lang``.

    ``kind`` is ``"provider"``, ``"lorenz"`` or ``"tradeoff"``; the keyword
    arguments are what the English title was built from.
    """
    if fig is None or lang == "en":
        return fig
    _names(fig, lang)
    if kind == "provider":
        name = _safe(T.attr_name(grouping, lang))
        more = t("chart.largest", lang, top=top, n=n) if n > top else ""
        _title(fig, t("chart.provider_title", lang, grouping=name, more=more))
        fig.update_xaxes(title_text=name)
        fig.update_yaxes(title_text=t("chart.share", lang))
    elif kind == "lorenz":
        sub = (t("chart.gini", lang, gini=f"{gini:.3f}")
               if gini is not None and math.isfinite(gini) else "")
        _title(fig, t("chart.lorenz_title", lang, gini=sub))
        fig.update_xaxes(title_text=t("chart.items_share", lang))
        fig.update_yaxes(title_text=t("chart.exposure_axis", lang))
    elif kind == "tradeoff":
        _title(fig, t("chart.tradeoff_title", lang))
    return fig
