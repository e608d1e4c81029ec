"""What-if page: trade accuracy for fairness with a re-ranker, live.

Thin: ``fairrec_core.dashboard.whatif_session.build_whatif`` prepares the re-ranker
and sweeps λ once (cached in the session); the λ slider lives in a fragment
that only calls ``whatif_view`` (one re-ranking of every user plus the
metrics) and redraws, so moving it never reruns the rest of the page. Before
that rerun arrives, a small script (``whatif_live``) has already written the
new step's numbers into the metric cards, from every step precomputed at Build.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.dashboard import whatif_live as wl
from fairrec_core.dashboard import whatif_overlay as wo
from fairrec_core.dashboard import whatif_session as ws
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import t
from fairrec_core.i18n.labels import group_label, grouping_label
from fairrec_core.metrics.definitions import metric_help, metric_info, metric_label
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.viz import tradeoff_charts as tc
from fairrec_core.viz.colors import group_colors

ss = st.session_state
lang = ss.get("lang", "en")
_log = logging.getLogger("fairrec.dashboard.whatif")
CONFIG = {"displaylogo": False, "displayModeBar": False}
# The figures carry their own look: Streamlit's theme would be merged into each one in the
# browser again at every slider step.
THEME = None
LAM = "opt_whatif_lam"         # the slider; "opt_" keeps it alive across pages
TIMINGS = "whatif_timings"     # server seconds of recent slider updates (benchmarks read it)
SEARCH = "whatif_search"       # (request, LambdaSearch) of the last target search
# Set in this browser session only: the session store never saves "$$" keys, so after a
# reload its absence says the state was restored (see _render).
HERE = "$$whatif_shown"
OPS = {">=": "≥", "<=": "≤"}


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
    # The method's column is the widest: "Provider exposure (smooth xQuAD)" fits uncut.
    c = st.columns([4, 2, 2, 2, 1.5])
    c[0].selectbox(t("whatif.method", lang), methods, key="opt_whatif_method",
                   format_func=lambda m: ws.method_label(m, lang),
                   help=ws.method_help(ss.opt_whatif_method, lang))
    method = ss.opt_whatif_method
    calibrated = method == "calibrated"
    c[1].selectbox(t("whatif.grouping", lang), groupings, key="opt_whatif_grouping",
                   format_func=lambda g: grouping_label(g, lang),
                   disabled=calibrated, help=t("whatif.grouping_help", lang))
    labels = ws.group_labels(dataset, split, ss.opt_whatif_grouping,
                             head_share=ps.settings(ss).metrics.head_share)
    ss["opt_whatif_protected"] = [p for p in ss.get("opt_whatif_protected", []) if p in labels]
    acts = method in ws.USES_PROTECTED
    # Only methods whose objective acts for a group offer the picker (the provider
    # method spreads exposure over every group; calibration works on categories).
    c[2].multiselect(t("whatif.protected", lang), labels, key="opt_whatif_protected",
                     format_func=lambda g: group_label(g, lang), disabled=not acts,
                     placeholder=t("whatif.protected_inferred" if acts
                                   else "whatif.protected_unused", lang),
                     help=t("whatif.protected_help" if acts
                            else "whatif.protected_help_unused", lang))
    c[3].selectbox(t("whatif.users_by", lang), users, key="opt_whatif_user",
                   format_func=lambda g: grouping_label(g, lang),
                   help=t("whatif.users_by_help", lang))
    c[4].number_input(t("whatif.candidates", lang), 10, 1000, step=10, key="opt_whatif_c",
                      help=t("whatif.candidates_help", lang))
    chosen = list(ss.opt_whatif_protected) if acts else []
    rerank = dataclasses.replace(ps.settings(ss).rerank, method=method,
                                 item_grouping=None if calibrated else ss.opt_whatif_grouping,
                                 protected=chosen or None, lam=0.0)
    return rerank, ss.opt_whatif_user, int(ss.opt_whatif_c)


def _build(request) -> None:
    rerank, user, c = request
    wi = ws.build_whatif(ss, rerank, user_grouping=user, candidates=c, lang=lang)
    ss.pop(SEARCH, None)
    ss.pop("whatif_target", None)  # a new sweep: a new default target it can reach
    ss["whatif_user"] = wi.example_user
    wi.lam = float(ss.get(LAM, 0.0))  # a new sweep keeps the slider where it was
    wl.live_rows(wi)  # every slider step's numbers, under the Build button's wait


def _find(wi) -> None:
    found = ws.find_lambda(wi, ss.whatif_target, ss.whatif_op, float(ss.whatif_value))
    ss[SEARCH] = (wi.request, found)
    if found.found:
        # Rounded up to the slider's step so the slider's λ still meets the target.
        ss[LAM] = wi.lam = min(1.0, math.ceil(found.lam * 100 - 1e-9) / 100)


def _apply(wi) -> None:
    ws.apply_to_audit(ss, wi, float(ss.get(LAM, 0.0)))
    ss["whatif_applied"] = True


def _reset_target_value(wi) -> None:
    ss["whatif_op"] = ws.target_choices(wi)[ss.whatif_target]
    ss["whatif_value"] = ws.default_target_value(wi, ss.whatif_target, ss.whatif_op)


def _target(wi) -> None:
    choices = ws.target_choices(wi)
    p = wi.config.method == "fair_topk"
    if ss.get("whatif_target") not in choices:
        ss["whatif_target"] = next(iter(choices))
        _reset_target_value(wi)
    with st.container(border=True):
        st.markdown(t("whatif.target_title_p" if p else "whatif.target_title", lang),
                    help=t("whatif.target_help", lang))
        c = st.columns([3, 1, 2, 2], vertical_alignment="bottom")
        c[0].selectbox(t("whatif.metric", lang), list(choices), key="whatif_target",
                       format_func=lambda m: metric_label(m, wi.k, lang),
                       on_change=_reset_target_value, args=(wi,),
                       help=metric_help(ss.whatif_target, wi.k, lang))
        c[1].selectbox(t("whatif.comparison", lang), list(OPS), key="whatif_op",
                       format_func=OPS.get)
        c[2].number_input(t("whatif.target_value", lang), key="whatif_value", format="%.4f")
        c[3].button(t("whatif.find_p" if p else "whatif.find", lang), key="whatif_find",
                    on_click=ps.guarded, args=(ss, "whatif_error", _find, wi),
                    icon=":material/search:")
        entry = ss.get(SEARCH)
        if entry is not None and entry[0] == wi.request:
            found = entry[1]
            text = ps.md(ws.describe_search(wi, found, lang, slider=ss.get(LAM, 0.0)))
            if found.found:
                st.success(text, icon=":material/my_location:")
            else:
                st.warning(text, icon=":material/block:")


@st.fragment
def _live(wi, dataset) -> None:
    # A fragment rerun runs only this function, outside the page's error boundary.
    try:
        _live_body(wi, dataset)
    except Exception as exc:
        _log.exception("What-if live update failed")
        st.error(t("whatif.live_failed", lang, error=f"{type(exc).__name__}: {ps.md(exc)}"),
                 icon=":material/error:")


def _metrics_row(wi, view, w: str) -> None:
    before, after = wi.base_row, view.row
    cols = st.columns(5)
    for col, name in zip(cols, wl.card_names(wi)):
        info = metric_info(name)
        # The live script writes these very strings before the rerun arrives.
        shown, delta = wl.card_text(name, before.get(name, math.nan), after.get(name, math.nan))
        col.metric(metric_label(name, wi.k, lang), shown,
                   delta=None if delta is None else delta + t("whatif.vs_zero_p" if w == "p"
                                                              else "whatif.vs_zero", lang),
                   delta_color="off" if info is None or info.higher_is_better is None
                   else "normal" if info.higher_is_better else "inverse",
                   help=metric_help(name, wi.k, lang), border=True)
    cols[4].metric(t("whatif.lists_changed", lang), f"{view.changed_users:,}",
                   help=t("whatif.lists_changed_help", lang), border=True)


def _live_body(wi, dataset) -> None:
    t0 = time.perf_counter()
    w = ws.weight_symbol(wi.config.method)
    lam = st.slider(ws.lam_label(wi.config.method, lang), 0.0, 1.0, step=0.01, key=LAM,
                    help=metric_help("lam", lang=lang))
    wi.lam = float(lam)
    view = ws.whatif_view(wi, lam)
    _metrics_row(wi, view, w)
    left, right = st.columns([3, 2])
    grid = ts.current_grid(ss)
    train, why_not = wo.training_overlay(wi, grid, lang)
    # Computed once per grid and sweep (at the Build run), then only read at slider steps.
    combined = wo.combined_for(ss, wi, grid, train)
    left.plotly_chart(wo.tradeoff_with_training(wi, view.row, train, weight=w, lang=lang,
                                                combined=combined),
                      config=CONFIG, theme=THEME, key="whatif_tradeoff")
    if train is not None or why_not:
        left.caption(t("whatif.train_overlaid", lang) + " "
                     + wo.combined_caption(wi, train, combined, lang)
                     if train is not None else why_not)
    items_by = grouping_label(wi.item_grouping.name, lang)
    right.plotly_chart(tc.deltas_figure(
        view.item_shares, title=t("whatif.exposure_title", lang, grouping=items_by),
        axis=t("whatif.exposure_axis", lang), grouping=items_by, lam=lam,
        percent=True, colors=group_colors(wi.item_grouping.labels), weight=w, lang=lang),
        config=CONFIG, theme=THEME, key="whatif_items")
    left, right = st.columns([2, 3])
    ndcg = metric_label("ndcg", wi.k, lang)
    if view.user_ndcg is not None:
        users_by = grouping_label(wi.user_grouping.name, lang)
        left.plotly_chart(tc.deltas_figure(
            view.user_ndcg, title=t("whatif.ndcg_title", lang, metric=ndcg, grouping=users_by),
            axis=t("whatif.ndcg_axis", lang, metric=ndcg), grouping=users_by,
            lam=lam, colors=group_colors(wi.user_grouping.labels), weight=w, lang=lang),
            config=CONFIG, theme=THEME, key="whatif_users")
    user = int(ss.get("whatif_user", wi.example_user))
    example = ws.example_lists(wi, view, user, dataset)
    right.markdown(t("whatif.example_of", lang, user=ps.md(wi.user_labels[user]))
                   + "  \n" + ps.md(ws.describe_change(wi, example, lang)))
    group = t("whatif.col_group", lang)
    # Shown in the reader's words; the frame keeps fairrec's keys (describe_change reads them).
    example = example.assign(**{c: [group_label(g, lang) if g else g for g in example[c]]
                                for c in ("before group", "after group")},
                             change=example["change"].replace("new", t("labels.list_new", lang)))
    st.dataframe(example, hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn("#", width=30),
        "before": st.column_config.TextColumn(t("whatif.col_before", lang, w=w), width=290),
        "before group": st.column_config.TextColumn(group, width=75),
        "after": st.column_config.TextColumn(t("whatif.col_after", lang, w=w, lam=f"{lam:.2f}"),
                                             width=290),
        "after group": st.column_config.TextColumn(group + " ", width=75),
        "change": st.column_config.TextColumn(t("whatif.col_move", lang), width=55)})
    elapsed = time.perf_counter() - t0
    ss[TIMINGS] = (ss.get(TIMINGS) or [])[-99:] + [elapsed]
    st.caption(t("whatif.timing", lang, w=w, lam=f"{lam:.2f}", users=f"{dataset.n_users:,}",
                 ms=f"{elapsed * 1000:.0f}", rr=f"{view.seconds * 1000:.0f}"))


def _instant(wi) -> None:
    # Outside the fragment: sent once per page run, not at every slider step. It redraws
    # the cards' numbers in the browser as the slider moves (see whatif_live).
    # st.iframe runs the script same-origin, so it can read the slider and the cards.
    st.iframe(wl.live_html(wl.live_payload(wi, lang)), height=1)


def _example_user(wi) -> None:
    # Outside the λ fragment: its thousands of options are not sent again at every step.
    ss.setdefault("whatif_user", wi.example_user)
    labels = wi.user_labels  # precomputed: a lookup per option would cost milliseconds
    st.selectbox(t("whatif.example_user", lang), range(len(labels)), key="whatif_user",
                 format_func=labels.__getitem__, help=t("whatif.example_user_help", lang))


def _empty_state(dataset) -> None:
    if dataset is None:
        st.info(t("whatif.no_data", lang), icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label=t("whatif.go_data", lang),
                     icon=":material/table_view:")
        return
    st.info(ps.md(ps.dropped_reason(ss, ps.MODEL) or "") + t("whatif.no_model", lang),
            icon=":material/model_training:")
    st.page_link("pages/train_page.py", label=t("whatif.go_train", lang),
                 icon=":material/model_training:")


def _summary(wi) -> None:
    how = t("whatif.how_inferred" if wi.protected_inferred else "whatif.how_chosen", lang)
    groups = ps.md(", ".join(group_label(g, lang) for g in wi.protected))
    role = (t("whatif.role_calibrated", lang) if not wi.protected else
            t("whatif.role_protected", lang, groups=groups, how=how)
            if wi.config.method in ws.USES_PROTECTED else
            t("whatif.role_measured", lang, groups=groups, how=how))
    st.caption(t("whatif.summary", lang, method=ps.md(ws.method_label(wi.config.method, lang)),
                 role=role, c=wi.candidates.n_candidates, s=f"{wi.seconds:.1f}")
               + " ".join(ps.md(n) for n in wi.notes))


def _render() -> None:
    st.title(t("whatif.title", lang))
    st.caption(t("whatif.caption", lang))
    dataset, split = ss.get(ds.DATASET), ss.get(ps.SPLIT)
    if dataset is None or ss.get(ps.MODEL) is None or split is None:
        _empty_state(dataset)
        return
    request = _config_widgets(dataset, split)
    st.button(t("whatif.build", lang), type="primary", key="whatif_build",
              on_click=ps.guarded, args=(ss, "whatif_error", _build, request),
              icon=":material/insights:", help=t("whatif.build_help", lang))
    error = ss.pop("whatif_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    wi = ss.get(ps.WHATIF)
    if wi is None:
        st.info(ps.md(ps.dropped_reason(ss, ps.WHATIF) or "") + t("whatif.no_sweep", lang),
                icon=":material/insights:")
        return
    if wi.request != request:
        st.warning(t("whatif.stale", lang, method=ps.md(ws.method_label(wi.config.method, lang)),
                     grouping=ps.md(wi.item_grouping.name)), icon=":material/sync_problem:")
    if not ss.get(HERE) and ss.get(LAM, wi.lam) != wi.lam:
        # A new browser session (a reload) got the state of the last full run back; the
        # slider moved since, in fragment reruns, and the sweep remembers where.
        ss[LAM] = wi.lam
    ss[HERE] = True
    _summary(wi)
    _target(wi)
    _example_user(wi)
    _live(wi, dataset)
    _instant(wi)
    w = ws.weight_symbol(wi.config.method)
    st.button(t("whatif.apply_p" if w == "p" else "whatif.apply", lang), key="whatif_apply",
              on_click=ps.guarded, args=(ss, "whatif_error", _apply, wi),
              icon=":material/fact_check:", help=t("whatif.apply_help", lang))
    if ss.pop("whatif_applied", False):
        st.success(t("whatif.applied", lang, w=w, lam=f"{ss.get(LAM, 0):.2f}"),
                   icon=":material/check:")
        st.page_link("pages/fairness_page.py", label=t("whatif.go_fairness", lang),
                     icon=":material/balance:")


try:
    _render()
except FairrecError as exc:
    st.error(t("whatif.error_config", lang, error=ps.md(exc)), icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    _log.exception("What-if page failed")
    st.error(t("whatif.error_page", lang, error=f"{type(exc).__name__}: {ps.md(exc)}"),
             icon=":material/error:")
