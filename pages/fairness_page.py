"""Fairness page: the audit of the current lists, per user group and per provider group.

Thin: the audit is a ``FairnessResult`` computed by
``fairrec_core.dashboard.pipeline_session.compute_fairness`` (at the end of training,
or when the user presses *Compute audit*); this page only chooses, reads and
draws. Charts come from ``fairrec_core.viz.fairness_charts``, wording of
metrics from ``fairrec_core.metrics.definitions``.
"""

from __future__ import annotations

import logging
import math

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import has, say, t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.metrics import EXPOSURE_MODELS, USER_METRICS
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.report.check_text import reason_text
from fairrec_core.viz import fairness_charts as fc

ss = st.session_state
lang = ss.get("lang", "en")
CONFIG = {"displaylogo": False}
BADGE = {"pass": "green", "warn": "orange", "fail": "red", "inconclusive": "violet",
         "insufficient_data": "gray"}
ADVANCED = {"n_boot": "opt_fair_n_boot", "min_group_size": "opt_fair_min_size",
            "ratio_fail": "opt_fair_fail", "ratio_warn": "opt_fair_warn",
            "provider_basis": "opt_fair_basis", "exposure": "opt_fair_exposure"}


def _label(metric: str, k: int | None = 10) -> str:
    return fs.metric_text(metric, k, lang)[0]


def _help(metric: str, k: int | None = 10) -> str:
    return fs.metric_text(metric, k, lang)[1]


def status_label(status: str, lang: str) -> str:
    key = f"status.{status}"
    return t(key, lang) if has(key) else str(status)


def _attr(name) -> str:
    return grouping_label(name, lang)


def _init_choices(dataset) -> None:
    """Widget values: the last audit's options, or the defaults; never stale names."""
    opts = fs.fairness_choices(ss)  # the session's [metrics] and [thresholds]
    users, items = user_grouping_columns(dataset), fs.item_grouping_options(dataset)
    ss.setdefault("opt_fair_users", [u for u in opts["users"] if u in users])
    ss.setdefault("opt_fair_items", list(opts["items"]))
    ss.setdefault("opt_fair_intersect", opts["intersect"])
    for field, key in ADVANCED.items():
        ss.setdefault(key, opts[field])
    # Data with other columns: drop choices that no longer exist.
    ss.opt_fair_users = [u for u in ss.opt_fair_users if u in users]
    ss.opt_fair_items = [i for i in ss.opt_fair_items if i in items]
    ss.opt_fair_intersect = [i for i in ss.opt_fair_intersect if i in users + ["activity"]]


def _compute(dataset) -> None:
    metrics, thresholds = fs.fairness_settings(
        ss, users=ss.opt_fair_users, items=ss.opt_fair_items,
        intersect=ss.opt_fair_intersect, lang=lang,
        **{field: ss[key] for field, key in ADVANCED.items()})
    fs.compute_fairness(ss, metrics, thresholds)


def _choices_form(dataset, expanded: bool) -> None:
    users, items = user_grouping_columns(dataset), fs.item_grouping_options(dataset)
    with st.expander(t("fair.form", lang), expanded=expanded, icon=":material/tune:"):
        with st.form("fair_choices", border=False):
            c1, c2 = st.columns(2)
            c1.multiselect(t("fair.user_groupings", lang), users, key="opt_fair_users",
                           format_func=_attr, help=t("fair.user_groupings_help", lang))
            c2.multiselect(t("fair.item_groupings", lang), items, key="opt_fair_items",
                           format_func=_attr, help=t("fair.item_groupings_help", lang))
            a = st.columns([2, 1, 1, 1, 1])
            a[0].multiselect(t("fair.intersect", lang), users + ["activity"],
                             key="opt_fair_intersect", format_func=_attr,
                             help=t("fair.intersect_help", lang))
            a[1].number_input(t("fair.n_boot", lang), 1, 10000, step=100,
                              key="opt_fair_n_boot", help=t("fair.n_boot_help", lang))
            a[2].number_input(t("fair.min_size", lang), 1, 10000, key="opt_fair_min_size",
                              help=t("fair.min_size_help", lang))
            a[3].number_input(t("fair.fail_below", lang), 0.05, 1.0, step=0.05,
                              key="opt_fair_fail", help=_help("ratio"))
            a[4].number_input(t("fair.warn_below", lang), 0.05, 1.0, step=0.05,
                              key="opt_fair_warn")
            b = st.columns([1, 1, 3], vertical_alignment="bottom")
            b[0].selectbox(t("fair.basis", lang), ["merit", "catalog"], key="opt_fair_basis",
                           format_func=lambda v: t(f"fair.basis.{v}", lang),
                           help=t("fair.basis_help", lang))
            b[1].selectbox(t("fair.exposure", lang), list(EXPOSURE_MODELS),
                           key="opt_fair_exposure", help=t("fair.exposure_help", lang),
                           format_func=lambda v: t(f"fair.exposure.{v}", lang)
                           if f"fair.exposure.{v}" in _EXPOSURE_KEYS else v)
            with b[2]:
                st.form_submit_button(t("fair.compute", lang), type="primary",
                                      icon=":material/calculate:", on_click=ps.guarded,
                                      args=(ss, "fair_error", _compute, dataset))


_EXPOSURE_KEYS = {"fair.exposure.log", "fair.exposure.geometric", "fair.exposure.uniform"}


def _scorecard(result) -> None:
    cards = fc.scorecard(result, lang)
    counts = {s: sum(c["status"] == s for c in cards) for s in fc.STATUS_ORDER}
    st.subheader(t("fair.scorecard", lang), help=t("fair.scorecard_help", lang))
    st.markdown(" ".join(f":{BADGE[s]}-badge[{counts[s]} {status_label(s, lang)}]"
                         for s in fc.STATUS_ORDER if counts[s]))
    cols = st.columns(3)
    for i, card in enumerate(cards):
        with cols[i % 3].container(border=True):
            st.markdown(f":{BADGE.get(card['status'], 'gray')}-badge[{card['icon']} "
                        f"{card['label']}] **{ps.md(card['title'])}**")
            st.markdown(ps.md(card["message"]))
            st.caption(ps.md(card["detail"]))


def _metric_row(result, k: int, names, per_row: int = 4) -> None:
    # Four to a row: at 1280 px wider rows cut the values short.
    rows = ts.accuracy_rows(result, k, names)
    for i in range(0, len(rows), per_row):
        for col, row in zip(st.columns(per_row), rows[i:i + per_row]):
            # The numbers from the training controller, the words in the page's language.
            label, help_text = (row["label"], row["help"])
            if lang != "en":
                label, help_text = fs.metric_text(row["name"], k, lang)
                if row["interval"]:
                    help_text += " " + row["interval"].replace("95% CI", t("fair.col.ci", lang))
            col.metric(label, row["text"], help=help_text, border=True)


def _choose(label: str, options: list, key: str, **kw):
    if ss.get(key) not in options:
        ss[key] = options[0]
    return st.selectbox(label, options, key=key, **kw)


def _ci_text(lo, hi, fmt: str) -> str:
    # A missing interval reads as a dash, never "None".
    if lo is None or hi is None or not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return "—"
    return f"{float(lo):{fmt}} – {float(hi):{fmt}}"


def _status_columns(table):
    """Status and reason as words in the page's language (full width, no "insufficient_da…")."""
    return table.assign(group=[group_label(g, lang) for g in table["group"]],
                        status=[status_label(str(v), lang) if v != "ok"
                                else t("fair.status_ok", lang) for v in table["status"]],
                        reason=[reason_text(r, lang) for r in table["reason"]])


def _status_config():
    return {"status": st.column_config.TextColumn(t("fair.col.status", lang), width="medium"),
            "reason": st.column_config.TextColumn(t("fair.col.reason", lang), width="large"),
            "group": st.column_config.TextColumn(t("fair.col.group", lang))}


def _user_side(result, k: int, colors) -> None:
    st.subheader(t("fair.users", lang))
    groupings = list(result.user_labels.columns)
    metrics = [m for m in USER_METRICS if m in set(result.user_groups["metric"])]
    ss.setdefault("fair_user_metric", "ndcg")
    c1, c2 = st.columns(2)
    with c1:
        grouping = _choose(t("fair.user_grouping", lang), groupings, "fair_user_grouping",
                           format_func=_attr, help=t("fair.user_grouping_help", lang))
    with c2:
        metric = _choose(t("fair.metric", lang), metrics, "fair_user_metric",
                         format_func=lambda m: _label(m, k),
                         help=_help(ss["fair_user_metric"], k))
    fig = fc.user_group_figure(result, grouping, metric, colors=colors.get(grouping),
                               lang=lang)
    if fig is not None:
        st.plotly_chart(fig, config=CONFIG, key="fair_user_chart")
    gap = result.user_gaps[(result.user_gaps["grouping"] == grouping)
                           & (result.user_gaps["metric"] == metric)]
    if len(gap) and gap.iloc[0]["status"] == "ok":
        g = gap.iloc[0]
        st.markdown(t("fair.gap", lang, metric=_label(metric, k), grouping=ps.md(_attr(grouping)),
                      best=ps.md(group_label(g["best_group"], lang)),
                      worst=ps.md(group_label(g["worst_group"], lang)),
                      diff=f"{g['difference']:.4f}", diff_lo=f"{g['difference_ci_low']:.4f}",
                      diff_hi=f"{g['difference_ci_high']:.4f}", ratio=f"{g['ratio']:.2f}",
                      ratio_lo=f"{g['ratio_ci_low']:.2f}", ratio_hi=f"{g['ratio_ci_high']:.2f}"),
                    help=_help("difference") + " " + _help("ratio"))
    elif len(gap):
        st.caption(ps.md(t("fair.gap_not_judged", lang,
                           reason=reason_text(gap.iloc[0]["reason"], lang))))
    table = fc.user_group_table(result, grouping, metric)
    fmt = ".1%" if metric == "hr" else ".4f"
    table = _status_columns(table.assign(ci=[_ci_text(lo, hi, fmt) for lo, hi in
                                             zip(table["ci_low"], table["ci_high"])]))
    st.dataframe(table[["group", "value", "ci", "n", "status", "reason"]], hide_index=True,
                 width="stretch", column_config={
                     **_status_config(),
                     "value": st.column_config.NumberColumn(_label(metric, k), format="%.4f",
                                                            help=_help(metric, k)),
                     "ci": st.column_config.TextColumn(t("fair.col.ci", lang),
                                                       help=_help("value")),
                     "n": st.column_config.NumberColumn(t("fair.col.n", lang))})


def _provider_side(result, colors) -> None:
    st.subheader(t("fair.providers", lang))
    groupings = list(dict.fromkeys(result.item_groups["grouping"]))
    grouping = _choose(t("fair.item_grouping", lang), groupings, "fair_item_grouping",
                       format_func=_attr, help=_help("exposure_share"))
    fig, caption = fc.provider_shares_figure(result, grouping, colors=colors.get(grouping),
                                             lang=lang)
    if fig is not None:
        st.plotly_chart(fig, config=CONFIG, key="fair_item_chart")
    if caption:
        st.caption(caption)
    rows = _status_columns(result.item_groups[result.item_groups["grouping"] == grouping])
    cols = ["group", "n_items", "exposure_share", "catalog_share", "merit_share",
            "es_cs_ratio", "es_rs_ratio", "status", "reason"]
    st.dataframe(rows[cols], hide_index=True, width="stretch", column_config={
        **_status_config(),
        "n_items": st.column_config.NumberColumn(t("fair.col.items", lang)),
        **{c: st.column_config.NumberColumn(_label(c), help=_help(c), format="percent")
           for c in cols[2:5]},
        **{c: st.column_config.NumberColumn(_label(c), help=_help(c), format="%.2f")
           for c in cols[5:7]}})


def _render() -> None:
    st.title(t("fair.title", lang))
    st.caption(t("fair.caption", lang))
    dataset = ss.get(ds.DATASET)
    if dataset is None:
        st.info(t("fair.no_data", lang), icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label=t("fair.go_data", lang),
                     icon=":material/table_view:")
        return
    lists, info = ss.get(ps.LISTS), ss.get(ps.MODEL_INFO)
    if lists is None or info is None:
        st.info(ps.md(ps.dropped_reason(ss, ps.MODEL) or t("fair.no_lists", lang))
                + t("fair.train_first", lang), icon=":material/model_training:")
        st.page_link("pages/train_page.py", label=t("fair.go_train", lang),
                     icon=":material/model_training:")
        return
    _init_choices(dataset)
    run = ss.get(ps.FAIRNESS)
    st.markdown(t("fair.audited", lang, label=ps.md(lists.display(lang)), n=f"{dataset.n_users:,}"))
    if lists.reranked:
        st.button(t("fair.restore", lang), key="fair_restore",
                  on_click=ps.guarded, args=(ss, "fair_error", fs.restore_model_lists, ss))
    error = ss.pop("fair_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    _choices_form(dataset, expanded=run is None)
    if run is None:
        st.warning(ps.md(ps.dropped_reason(ss, ps.FAIRNESS) or t("fair.not_computed", lang))
                   + t("fair.press_compute", lang), icon=":material/sync_problem:")
        return
    result, k = run.result, lists.k
    st.caption(t("fair.counts", lang, n_eval=f"{result.counts['n_evaluable']:,}",
                 n_excl=f"{result.counts['n_excluded']:,}", n_boot=f"{run.metrics.n_boot:,}",
                 s=f"{run.seconds:.1f}"))
    colors = fc.result_colors(result)
    _scorecard(result)
    st.subheader(t("fair.accuracy", lang))
    _metric_row(result, k, ["ndcg", "recall", "precision", "hr", "mrr", "ap", "coverage",
                            "gini", "novelty", "arp", "aplt", "miscalibration"])
    _user_side(result, k, colors)
    _provider_side(result, colors)
    st.subheader(t("fair.concentration", lang))
    left, right = st.columns([3, 2])
    left.plotly_chart(fc.lorenz_figure(result, lang), config=CONFIG, key="fair_lorenz")
    with right:
        _metric_row(result, k, ["ugf", "igf"], per_row=2)
        for note in result.notes:
            st.caption(ps.md(say(note, lang)))


try:
    _render()
except FairrecError as exc:
    st.error(t("fair.error_hint", lang, error=ps.md(exc)), icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    logging.getLogger("fairrec.dashboard.fairness").exception("the Fairness page failed")
    st.error(t("fair.page_error", lang, error=f"{type(exc).__name__}: {ps.md(exc)}"),
             icon=":material/error:")
