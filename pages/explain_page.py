"""Explain page: why a user got a list, which words mattered, what drives a group gap.

Thin: ``fairrec_core.dashboard.explain_session`` picks users, reads lists and
computes (and caches) the explanations of ``fairrec_core.explain``; the
figures come from ``fairrec_core.viz.explain_charts``. Every explanation is
computed only when a button asks for it.
"""

from __future__ import annotations

import re

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import explain_session as es
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.errors import FairrecError
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.viz import explain_charts as ec

ss = st.session_state
CONFIG = {"displaylogo": False}
USER = "opt_explain_user"          # "opt_": survives a visit to another page
TARGET = "explain_target"          # (user, item) explained last
DRIVERS = "explain_drivers_target"  # (grouping, groups) explained last
AUTO_A, AUTO_B = "(lowest NDCG)", "(highest NDCG)"


def _sample(grouping: str, group: str) -> None:
    draw = ss.get("explain_draw", 0) + 1
    ss["explain_draw"] = draw
    ss[USER] = es.sample_user(ss, grouping, group, draw=draw)


def _pick_user(dataset) -> int:
    labels = [str(u) for u in dataset.user_ids]
    if not isinstance(ss.get(USER), int) or not 0 <= ss[USER] < len(labels):
        ss[USER] = 0
    c = st.columns([2, 2, 2, 1.5], vertical_alignment="bottom")
    c[0].selectbox("User", range(len(labels)), key=USER, format_func=labels.__getitem__,
                   help="Type to search the ids, or sample a user from a group.")
    groupings = es.user_groupings(ss)
    if groupings:
        name = c[1].selectbox("Sample from grouping", list(groupings), key="explain_grouping")
        options = sorted(set(groupings[name]))
        group = c[2].selectbox("Group", options, key=f"explain_group_{name}")
        c[3].button("Sample a user", key="explain_sample", on_click=ps.guarded,
                    args=(ss, "explain_error", _sample, name, group), icon=":material/casino:",
                    help="A random user of this group who has held-out interactions "
                         "(seeded: the same sequence in every session).")
    return int(ss[USER])


def _explain(user: int, item: int) -> None:
    ss[TARGET] = (user, item)


def _show_item_explanations(user: int, item: int) -> list:
    shown = []
    st.markdown("**History attribution (SHAP)**",
                help="Shapley values over the user's most recent history items: how much each "
                     "one raised or lowered the model's score of this item.")
    with st.spinner("Computing Shapley values over the history…"):
        try:
            e = es.explain(ss, "history", user, item)
            shown.append(e)
            st.markdown(ps.md(e.summary))
            st.plotly_chart(ec.attribution_bar_figure(e), config=CONFIG,
                            key="explain_history_chart")
            _limits(e)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
    c1, c2 = st.columns([2, 3], vertical_alignment="center")
    c1.markdown("**Word attribution (LIME / SHAP)**",
                help="Which words of the item's title and description raised or lowered its "
                     "score for this user (text two-tower model only).")
    method = c2.radio("Method", list(es.TEXT_METHODS), key="explain_text_method",
                      horizontal=True, format_func=lambda m: es.TEXT_METHODS[m],
                      help=es.TEXT_METHOD_HELP)
    with st.spinner("Scoring perturbed texts with the transformer…"):
        try:
            e = es.explain(ss, "text", user, item, method=method)
            shown.append(e)
            st.markdown(ps.md(e.summary))
            st.plotly_chart(ec.text_figure(e), config=CONFIG, key="explain_text_chart")
            _limits(e)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
    return shown


def _limits(e) -> None:
    with st.expander(f"Method, parameters and limits ({e.runtime_s:.1f} s)"):
        st.markdown(f"**{ps.md(e.method)}** · {ps.md(e.target)}")
        st.caption(ps.md(e.caveat))
        st.json(e.to_dict()["parameters"], expanded=False)
        for note in e.notes:
            st.caption(ps.md(note))


def _drivers(dataset) -> list:
    st.subheader("What drives the quality gap between groups")
    st.caption("A small gradient-boosted model learns each user's NDCG from their features "
               "(activity, history length and popularity, category spread, tenure, "
               "attributes); SHAP then splits the gap between two groups into feature "
               "contributions.")
    columns = user_grouping_columns(dataset)
    if not columns:
        st.info("The users file has no attribute with at least two groups to compare.",
                icon=":material/info:")
        return []
    c = st.columns([2, 2, 2, 1.5], vertical_alignment="bottom")
    grouping = c[0].selectbox("Grouping", columns, key="explain_drivers_grouping")
    labels = sorted(dataset.users[grouping].astype(str).unique())
    a = c[1].selectbox("Group A", [AUTO_A] + labels, key=f"explain_a_{grouping}")
    b = c[2].selectbox("Group B", [AUTO_B, es.RANDOM] + labels, key=f"explain_b_{grouping}",
                       format_func=lambda g: "every other user" if g == es.RANDOM else g)
    auto = a == AUTO_A and b == AUTO_B
    groups = None if auto else (a, b)
    if c[3].button("Explain the gap", key="explain_drivers", icon=":material/troubleshoot:"):
        if not auto and (a == AUTO_A or b == AUTO_B):
            st.warning("Choose both groups, or leave both automatic.", icon=":material/info:")
        else:
            ss[DRIVERS] = (grouping, groups)
    if ss.get(DRIVERS) != (grouping, groups):
        return []
    with st.spinner("Fitting the NDCG model and its SHAP values…"):
        try:
            e = es.drivers(ss, grouping, groups)
        except FairrecError as exc:
            st.info(ps.md(exc), icon=":material/info:")
            return []
    st.markdown(ps.md(e.summary))
    left, right = st.columns(2)
    left.plotly_chart(ec.drivers_contrast_figure(e), config=CONFIG, key="explain_contrast")
    right.plotly_chart(ec.drivers_summary_figure(e), config=CONFIG, key="explain_summary")
    _limits(e)
    return [e]


def _render() -> None:
    st.title("Explain")
    st.caption("Why did a user get this list? Attributions over the user's history and over "
               "the item's words, and the user features behind a gap between groups. Each "
               "states its method and its limits.")
    dataset, info, lists = ss.get(ds.DATASET), ss.get(ps.MODEL_INFO), ss.get(ps.LISTS)
    if dataset is None or info is None or lists is None:
        st.info(("No data yet: load it on the Data page, then train a model."
                 if dataset is None else ps.md(ps.dropped_reason(ss, ps.MODEL) or "")
                 + " Train a model on the Train page first: explanations are about a "
                   "model's recommendations."), icon=":material/model_training:")
        st.page_link("pages/train_page.py", label="Go to the Train page",
                     icon=":material/model_training:")
        return
    error = ss.pop("explain_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    user = _pick_user(dataset)
    facts = es.user_facts(ss, user)
    n = facts["history"]
    st.markdown(f"**User {ps.md(facts['user'])}**: {n} item{'s' if n != 1 else ''} in the "
                f"training history, {facts['held_out']} held out · "
                + " · ".join(f"{ps.md(g)} {ps.md(v)}" for g, v in facts["groups"].items()))
    table = es.user_list(ss, user)
    st.markdown(f"**Top-{lists.k} list** ({ps.md(lists.label)})")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn("#", width=30),
        "title": st.column_config.TextColumn("title", width=330),
        "liked later": st.column_config.CheckboxColumn(
            "liked later", help="Among the user's held-out positives (the test set).")})
    shown = []
    if len(table):
        items = lists.ids[user][lists.ids[user] >= 0].tolist()
        titles = dict(zip(items, table["title"]))
        c1, c2 = st.columns([4, 1.5], vertical_alignment="bottom")
        item = c1.selectbox("Item to explain", items, key=f"explain_item_{user}",
                            format_func=lambda i: f"{items.index(i) + 1}. {titles[i]}")
        c2.button("Explain this item", type="primary", key="explain_go", on_click=_explain,
                  args=(user, int(item)), icon=":material/psychology:")
        if ss.get(TARGET) == (user, int(item)):
            shown = _show_item_explanations(user, int(item))
        else:
            st.caption("Choose an item and press **Explain this item** (the first explanation "
                       "of a session takes a few seconds to load its libraries).")
    else:
        st.info("This user has an empty list: nothing to explain.", icon=":material/info:")
    st.divider()
    shown += _drivers(dataset)
    if shown:
        st.download_button("Download the explanations (JSON)", es.export_json(ss, shown),
                           file_name="fairrec-explanations-"
                                     + re.sub(r"[^A-Za-z0-9_-]", "_", facts["user"]) + ".json",
                           mime="application/json", icon=":material/download:",
                           key="explain_download", on_click="ignore")


try:
    _render()
except FairrecError as exc:
    st.error(f"{ps.md(exc)}\n\nPick another user or item, or retrain the model.",
             icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    st.error(f"The explanation could not be shown ({type(exc).__name__}: {ps.md(exc)}). "
             "Try another user or item.", icon=":material/error:")
