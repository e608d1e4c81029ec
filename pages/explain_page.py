"""Explain page: why a user got a list, which words mattered, what drives a group gap.

Thin: ``fairrec_core.dashboard.explain_session`` picks users, reads lists and
computes (and caches) the explanations of ``fairrec_core.explain``; the
figures come from ``fairrec_core.viz.explain_charts``. Every explanation is
computed only when a button asks for it.
"""

from __future__ import annotations

import logging
import re

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import explain_session as es
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.viz import explain_charts as ec

ss = st.session_state
lang = ss.get("lang", "en")
CONFIG = {"displaylogo": False}
USER = "opt_explain_user"          # "opt_": survives a visit to another page
TARGET = "explain_target"          # (user, item) explained last
DRIVERS = "explain_drivers_target"  # (grouping, groups) explained last
AUTO_A, AUTO_B = "(lowest NDCG)", "(highest NDCG)"


def _sample(grouping: str, group: str) -> None:
    draw = ss.get("explain_draw", 0) + 1
    ss["explain_draw"] = draw
    ss[USER] = es.sample_user(ss, grouping, group, draw=draw, lang=lang)


def _pick_user(dataset) -> int:
    labels = [str(u) for u in dataset.user_ids]
    if not isinstance(ss.get(USER), int) or not 0 <= ss[USER] < len(labels):
        ss[USER] = 0
    c = st.columns([2, 2, 2, 1.5], vertical_alignment="bottom")
    c[0].selectbox(t("expl.user", lang), range(len(labels)), key=USER,
                   format_func=labels.__getitem__, help=t("expl.user_help", lang))
    groupings = es.user_groupings(ss)
    if groupings:
        name = c[1].selectbox(t("expl.sample_grouping", lang), list(groupings),
                              key="explain_grouping", format_func=lambda g: grouping_label(g, lang))
        options = sorted(set(groupings[name]))
        group = c[2].selectbox(t("expl.group", lang), options, key=f"explain_group_{name}",
                               format_func=lambda g: group_label(g, lang))
        c[3].button(t("expl.sample", lang), key="explain_sample", on_click=ps.guarded,
                    args=(ss, "explain_error", _sample, name, group), icon=":material/casino:",
                    help=t("expl.sample_help", lang))
    return int(ss[USER])


def _explain(user: int, item: int) -> None:
    ss[TARGET] = (user, item)


def _show_item_explanations(user: int, item: int) -> list:
    shown = []
    st.markdown(t("expl.history", lang), help=t("expl.history_help", lang))
    with st.spinner(t("expl.history_spinner", lang)):
        try:
            e = es.explain(ss, "history", user, item, lang=lang)
            shown.append(e)
            st.markdown(ps.md(e.summary))
            st.plotly_chart(ec.attribution_bar_figure(e, lang=lang), config=CONFIG,
                            key="explain_history_chart")
            _limits(e)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
    c1, c2 = st.columns([2, 3], vertical_alignment="center")
    c1.markdown(t("expl.words", lang), help=t("expl.words_help", lang))
    method = c2.radio(t("expl.method", lang), list(es.TEXT_METHODS), key="explain_text_method",
                      horizontal=True, format_func=lambda m: es.TEXT_METHODS[m],
                      help=t("expl.method_help", lang))
    with st.spinner(t("expl.words_spinner", lang)):
        try:
            e = es.explain(ss, "text", user, item, method=method, lang=lang)
            shown.append(e)
            st.markdown(ps.md(e.summary))
            st.plotly_chart(ec.text_figure(e, lang=lang), config=CONFIG,
                            key="explain_text_chart")
            _limits(e)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
    return shown


def _limits(e) -> None:
    with st.expander(t("expl.limits", lang, s=f"{e.runtime_s:.1f}")):
        st.markdown(f"**{ps.md(e.method)}** · {ps.md(e.target)}")
        st.caption(ps.md(e.caveat))
        st.json(e.to_dict()["parameters"], expanded=False)
        for note in e.notes:
            st.caption(ps.md(note))


def _drivers(dataset) -> list:
    st.subheader(t("expl.drivers", lang))
    st.caption(t("expl.drivers_caption", lang))
    columns = user_grouping_columns(dataset)
    if not columns:
        st.info(t("expl.no_attrs", lang), icon=":material/info:")
        return []
    c = st.columns([2, 2, 2, 1.5], vertical_alignment="bottom")
    grouping = c[0].selectbox(t("expl.grouping", lang), columns, key="explain_drivers_grouping",
                              format_func=lambda g: grouping_label(g, lang))
    labels = sorted(dataset.users[grouping].astype(str).unique())
    shown = {AUTO_A: t("expl.auto_a", lang), AUTO_B: t("expl.auto_b", lang),
             es.RANDOM: t("expl.every_other", lang)}
    a = c[1].selectbox(t("expl.group_a", lang), [AUTO_A] + labels, key=f"explain_a_{grouping}",
                       format_func=lambda g: shown.get(g) or group_label(g, lang))
    b = c[2].selectbox(t("expl.group_b", lang), [AUTO_B, es.RANDOM] + labels,
                       key=f"explain_b_{grouping}",
                       format_func=lambda g: shown.get(g) or group_label(g, lang))
    auto = a == AUTO_A and b == AUTO_B
    groups = None if auto else (a, b)
    if c[3].button(t("expl.explain_gap", lang), key="explain_drivers",
                   icon=":material/troubleshoot:"):
        if not auto and (a == AUTO_A or b == AUTO_B):
            st.warning(t("expl.choose_both", lang), icon=":material/info:")
        else:
            ss[DRIVERS] = (grouping, groups)
    if ss.get(DRIVERS) != (grouping, groups):
        return []
    with st.spinner(t("expl.drivers_spinner", lang)):
        try:
            e = es.drivers(ss, grouping, groups, lang=lang)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
            return []
    st.markdown(ps.md(e.summary))
    left, right = st.columns(2)
    left.plotly_chart(ec.drivers_contrast_figure(e, lang=lang), config=CONFIG,
                      key="explain_contrast")
    right.plotly_chart(ec.drivers_summary_figure(e, lang=lang), config=CONFIG,
                       key="explain_summary")
    _limits(e)
    return [e]


def _render() -> None:
    st.title(t("expl.title", lang))
    st.caption(t("expl.caption", lang))
    dataset, info, lists = ss.get(ds.DATASET), ss.get(ps.MODEL_INFO), ss.get(ps.LISTS)
    if dataset is None:
        # The link goes to the page the sentence names.
        st.info(t("expl.no_data", lang), icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label=t("expl.go_data", lang),
                     icon=":material/table_view:")
        return
    if info is None or lists is None:
        st.info(ps.md(ps.dropped_reason(ss, ps.MODEL) or "") + t("expl.train_first", lang),
                icon=":material/model_training:")
        st.page_link("pages/train_page.py", label=t("expl.go_train", lang),
                     icon=":material/model_training:")
        return
    error = ss.pop("explain_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    user = _pick_user(dataset)
    facts = es.user_facts(ss, user)
    n = facts["history"]
    st.markdown(t("expl.facts_one" if n == 1 else "expl.facts", lang, user=ps.md(facts["user"]),
                  n=n,
                  held=facts["held_out"]) + " · "
                + " · ".join(f"{ps.md(grouping_label(g, lang))} {ps.md(group_label(v, lang))}"
                             for g, v in facts["groups"].items()))
    table = es.user_list(ss, user)
    st.markdown(t("expl.top_list", lang, k=lists.k, label=ps.md(lists.display(lang))))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn("#", width=30),
        "title": st.column_config.TextColumn(t("expl.col.title", lang), width=330),
        **{c: st.column_config.TextColumn(ds.role_label(c, lang))
           for c in ("item", "category", "provider") if c in table.columns},
        "liked later": st.column_config.CheckboxColumn(
            t("expl.col.liked", lang), help=t("expl.col.liked_help", lang))})
    shown = []
    if len(table):
        items = lists.ids[user][lists.ids[user] >= 0].tolist()
        titles = dict(zip(items, table["title"]))
        c1, c2 = st.columns([4, 1.5], vertical_alignment="bottom")
        item = c1.selectbox(t("expl.item", lang), items, key=f"explain_item_{user}",
                            format_func=lambda i: f"{items.index(i) + 1}. {titles[i]}")
        c2.button(t("expl.go", lang), type="primary", key="explain_go", on_click=_explain,
                  args=(user, int(item)), icon=":material/psychology:")
        if ss.get(TARGET) == (user, int(item)):
            shown = _show_item_explanations(user, int(item))
        else:
            st.caption(t("expl.choose_item", lang))
    else:
        st.info(t("expl.empty_list", lang), icon=":material/info:")
    st.divider()
    shown += _drivers(dataset)
    if shown:
        st.download_button(t("expl.download", lang), es.export_json(ss, shown),
                           file_name="fairrec-explanations-"
                                     + re.sub(r"[^A-Za-z0-9_-]", "_", facts["user"]) + ".json",
                           mime="application/json", icon=":material/download:",
                           key="explain_download", on_click="ignore")


try:
    _render()
except FairrecError as exc:
    st.error(t("expl.error_hint", lang, error=ps.md(exc)), icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    logging.getLogger("fairrec.dashboard.explain").exception("the Explain page failed")
    st.error(t("expl.page_error", lang, error=f"{type(exc).__name__}: {ps.md(exc)}"),
             icon=":material/error:")
