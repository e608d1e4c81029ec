"""What-if page: trade accuracy for fairness with a re-ranker, live.

Thin: ``fairrec_core.dashboard.whatif_session.build_whatif`` prepares the re-ranker
and sweeps λ once (cached in the session); the λ slider lives in a fragment
that only calls ``whatif_view`` (one re-ranking of every user plus the
metrics) and redraws, so moving it never reruns the rest of the page.
"""

from __future__ import annotations

import dataclasses
import math
import time

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import whatif_session as ws
from fairrec_core.errors import FairrecError
from fairrec_core.metrics.definitions import metric_help, metric_info, metric_label
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.viz import tradeoff_charts as tc
from fairrec_core.viz.colors import group_colors

ss = st.session_state
CONFIG = {"displaylogo": False}
LAM = "opt_whatif_lam"         # the slider; "opt_" keeps it alive across pages
TIMINGS = "whatif_timings"     # server seconds of recent slider updates (benchmarks read it)
SEARCH = "whatif_search"       # (request, LambdaSearch) of the last target search


def _config_widgets(dataset, split):
    """The page's choice: ``(RerankConfig, user grouping shown, candidates)``."""
    default = ps.settings(ss).rerank  # the session's [rerank], else the data's default
    if not default.item_grouping:
        default = ws.default_rerank(dataset)
    methods = ws.method_choices(dataset)
    groupings = ws.item_grouping_choices(dataset)
    users = ["activity"] + user_grouping_columns(dataset)
    for key, value, valid in (("opt_whatif_method", default.method, methods),
                              ("opt_whatif_grouping", default.item_grouping, groupings),
                              ("opt_whatif_user", ws.default_user_grouping(dataset), users)):
        if ss.get(key) not in valid:
            ss[key] = value if value in valid else valid[0]
    ss.setdefault("opt_whatif_c", ps.settings(ss).model.candidates)
    c = st.columns([3, 2, 2, 2, 2])
    c[0].selectbox("Re-ranking method", methods, key="opt_whatif_method",
                   format_func=lambda m: ws.METHODS[m][0],
                   help=ws.METHODS[ss.opt_whatif_method][1])
    method = ss.opt_whatif_method
    calibrated = method == "calibrated"
    c[1].selectbox("Item grouping", groupings, key="opt_whatif_grouping",
                   disabled=calibrated,
                   help="The provider grouping whose exposure the re-ranker evens out "
                        "(calibration always works on categories).")
    labels = ws.group_labels(dataset, split, ss.opt_whatif_grouping,
                             head_share=ps.settings(ss).metrics.head_share)
    ss["opt_whatif_protected"] = [p for p in ss.get("opt_whatif_protected", []) if p in labels]
    acts = method in ws.USES_PROTECTED
    # Only methods whose objective acts for a group offer the picker (the provider
    # method spreads exposure over every group; calibration works on categories).
    c[2].multiselect("Protected group(s)", labels, key="opt_whatif_protected",
                     disabled=not acts, placeholder="inferred" if acts else "not used",
                     help="Empty: the group the provider check judges most under-exposed "
                          "(lowest exposure ratio on the model's lists)." if acts else
                          "This method does not act for one group, so none is chosen; the "
                          "curve measures the most under-exposed group.")
    c[3].selectbox("Users shown by", users, key="opt_whatif_user",
                   help="Its NDCG per group is shown before and after re-ranking.")
    c[4].number_input("Candidates", 10, 1000, step=10, key="opt_whatif_c",
                      help="Items per user the re-ranker may choose from (the model's best).")
    chosen = list(ss.opt_whatif_protected) if acts else []
    rerank = dataclasses.replace(ps.settings(ss).rerank, method=method,
                                 item_grouping=None if calibrated else ss.opt_whatif_grouping,
                                 protected=chosen or None, lam=0.0)
    return rerank, ss.opt_whatif_user, int(ss.opt_whatif_c)


def _build(request) -> None:
    rerank, user, c = request
    wi = ws.build_whatif(ss, rerank, user_grouping=user, candidates=c)
    ss.pop(SEARCH, None)
    ss["whatif_user"] = wi.example_user


def _find(wi) -> None:
    found = ws.find_lambda(wi, ss.whatif_target, ss.whatif_op, float(ss.whatif_value))
    ss[SEARCH] = (wi.request, found)
    if found.found:
        # Rounded up to the slider's step so the slider's λ still meets the target.
        ss[LAM] = min(1.0, math.ceil(found.lam * 100 - 1e-9) / 100)


def _apply(wi) -> None:
    ws.apply_to_audit(ss, wi, float(ss.get(LAM, 0.0)))
    ss["whatif_applied"] = True


def _target(wi) -> None:
    choices = ws.target_choices(wi)
    if ss.get("whatif_target") not in choices:
        ss["whatif_target"] = next(iter(choices))
        ss["whatif_op"] = choices[ss.whatif_target]
        ss["whatif_value"] = ws.default_target_value(wi, ss.whatif_target)
    with st.container(border=True):
        st.markdown("**Smallest λ that meets a target**",
                    help="Bisection over λ on the cached candidates (assumes the metric moves "
                         "steadily with λ; the curve below shows whether it does).")
        c = st.columns([3, 1, 2, 2])
        c[0].selectbox("Metric", list(choices), key="whatif_target",
                       format_func=lambda m: metric_label(m, wi.k),
                       help=metric_help(ss.whatif_target, wi.k))
        c[1].selectbox("Comparison", [">=", "<="], key="whatif_op")
        c[2].number_input("Target value", key="whatif_value", format="%.4f")
        c[3].button("Find smallest λ", key="whatif_find", on_click=ps.guarded,
                    args=(ss, "whatif_error", _find, wi),
                    icon=":material/search:")
        entry = ss.get(SEARCH)
        if entry is not None and entry[0] == wi.request:
            found = entry[1]
            text = ps.md(found.describe())
            if found.found:
                st.success(text + f" The slider was set to {ss.get(LAM, 0):.2f}.",
                           icon=":material/my_location:")
            else:
                st.warning(text + " Try another method, grouping or target.",
                           icon=":material/block:")


@st.fragment
def _live(wi, dataset) -> None:
    # A fragment rerun runs only this function, outside the page's error boundary.
    try:
        _live_body(wi, dataset)
    except Exception as exc:
        st.error(f"The re-ranking at this λ failed ({type(exc).__name__}: {ps.md(exc)}). "
                 "Press Build again.", icon=":material/error:")


def _live_body(wi, dataset) -> None:
    t0 = time.perf_counter()
    lam = st.slider(ws.lam_label(wi.config.method), 0.0, 1.0, step=0.01, key=LAM,
                    help=metric_help("lam"))
    view = ws.whatif_view(wi, lam)
    before, after, fair = wi.base_row, view.row, wi.fairness_column
    cols = st.columns(5)
    for col, name in zip(cols, ["ndcg", "recall", fair, "coverage"]):
        info = metric_info(name)
        pct = info is not None and info.percent
        value, delta = after.get(name, math.nan), after.get(name, math.nan) - before.get(
            name, math.nan)
        col.metric(metric_label(name, wi.k), f"{value:.1%}" if pct else f"{value:.4f}",
                   delta=(f"{delta:+.1%}" if pct else f"{delta:+.4f}") + " vs λ = 0",
                   delta_color="off" if info is None or info.higher_is_better is None
                   else "normal" if info.higher_is_better else "inverse",
                   help=metric_help(name, wi.k), border=True)
    cols[4].metric("Lists changed", f"{view.changed_users:,}",
                   help="Users whose top-K list differs from the model's own.", border=True)
    left, right = st.columns([3, 2])
    left.plotly_chart(tc.tradeoff_figure(wi.table, fair, k=wi.k, current=after),
                      config=CONFIG, key="whatif_tradeoff")
    item_colors = group_colors(wi.item_grouping.labels)
    right.plotly_chart(tc.deltas_figure(
        view.item_shares, title=f"Exposure share per {wi.item_grouping.name}",
        axis="Share of all exposure (%)", grouping=wi.item_grouping.name, lam=lam,
        percent=True, colors=item_colors), config=CONFIG, key="whatif_items")
    left, right = st.columns([2, 3])
    if view.user_ndcg is not None:
        left.plotly_chart(tc.deltas_figure(
            view.user_ndcg, title=f"{metric_label('ndcg', wi.k)} per {wi.user_grouping.name}",
            axis=f"{metric_label('ndcg', wi.k)} (mean per user)",
            grouping=wi.user_grouping.name, lam=lam,
            colors=group_colors(wi.user_grouping.labels)), config=CONFIG, key="whatif_users")
    with right:
        ss.setdefault("whatif_user", wi.example_user)
        labels = wi.user_labels  # precomputed: a lookup per option would cost milliseconds
        user = st.selectbox("Example user", range(len(labels)), key="whatif_user",
                            format_func=labels.__getitem__,
                            help="Preselected: the user whose list a middle λ changes most.")
        example = ws.example_lists(wi, view, user, dataset)
        st.markdown(ps.md(ws.describe_change(wi, example)))
    st.dataframe(example, hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn("#", width=30),
        "before": st.column_config.TextColumn("before (λ = 0)", width=290),
        "before group": st.column_config.TextColumn("group", width=75),
        "after": st.column_config.TextColumn(f"after (λ = {lam:.2f})", width=290),
        "after group": st.column_config.TextColumn("group ", width=75),
        "change": st.column_config.TextColumn("move", width=55)})
    elapsed = time.perf_counter() - t0
    ss[TIMINGS] = (ss.get(TIMINGS) or [])[-99:] + [elapsed]
    st.caption(f"Re-ranked all {dataset.n_users:,} users, measured and redrew in "
               f"{elapsed * 1000:.0f} ms (server time; re-ranking and metrics "
               f"{view.seconds * 1000:.0f} ms).")


def _render() -> None:
    st.title("What-if")
    st.caption("Re-rank every user's list towards a fairer spread and see, live, what it costs "
               "in accuracy. λ = 0 is the model's own ranking.")
    dataset, split = ss.get(ds.DATASET), ss.get(ps.SPLIT)
    if dataset is None or ss.get(ps.MODEL) is None or split is None:
        st.info(("No data yet: load it on the Data page, then train a model."
                 if dataset is None else ps.md(ps.dropped_reason(ss, ps.MODEL) or "")
                 + " Train a model (or choose the production lists) on the Train page first."),
                icon=":material/model_training:")
        st.page_link("pages/train_page.py", label="Go to the Train page",
                     icon=":material/model_training:")
        return
    request = _config_widgets(dataset, split)
    st.button("Build trade-off curve", type="primary", key="whatif_build",
              on_click=ps.guarded, args=(ss, "whatif_error", _build, request),
              icon=":material/insights:",
              help="Re-ranks every user at 21 values of λ and measures each (about a second "
                   "on the sample data); the slider below then re-ranks live.")
    error = ss.pop("whatif_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    wi = ss.get(ps.WHATIF)
    if wi is None:
        st.info(ps.md(ps.dropped_reason(ss, ps.WHATIF) or "")
                + " Choose a method and press **Build trade-off curve**.",
                icon=":material/insights:")
        return
    if wi.request != request:
        st.warning("The settings above changed: the results below are still for "
                   f"**{ps.md(ws.METHODS[wi.config.method][0])}** on "
                   f"{ps.md(wi.item_grouping.name)}. Press **Build trade-off curve** to "
                   "update them.", icon=":material/sync_problem:")
    how = "inferred: the model's lists under-expose it most" if wi.protected_inferred else \
        "chosen"
    role = ("category mix of each user's history" if not wi.protected else
            f"protected: {ps.md(', '.join(wi.protected))} ({how})"
            if wi.config.method in ws.USES_PROTECTED else
            f"exposure measured for: {ps.md(', '.join(wi.protected))} ({how})")
    st.caption(f"{ps.md(ws.METHODS[wi.config.method][0])} · {role} · "
               f"{wi.candidates.n_candidates} candidates per user · sweep built in "
               f"{wi.seconds:.1f} s. " + " ".join(ps.md(n) for n in wi.notes))
    _target(wi)
    _live(wi, dataset)
    st.button("Audit the lists at this λ", key="whatif_apply", on_click=ps.guarded,
              args=(ss, "whatif_error", _apply, wi),
              icon=":material/fact_check:",
              help="The Fairness and Report pages then audit the re-ranked lists.")
    if ss.pop("whatif_applied", False):
        st.success(f"The Fairness page now audits the lists re-ranked at λ = "
                   f"{ss.get(LAM, 0):.2f}; compute the audit there.", icon=":material/check:")
        st.page_link("pages/fairness_page.py", label="Go to the Fairness page",
                     icon=":material/balance:")


try:
    _render()
except FairrecError as exc:
    st.error(f"{ps.md(exc)}\n\nChoose another method, grouping or protected group.",
             icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    st.error(f"The trade-off could not be computed ({type(exc).__name__}: {ps.md(exc)}). "
             "Press Build again; if it persists, retrain the model.", icon=":material/error:")
