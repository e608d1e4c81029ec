"""Fairness page: the audit of the current lists, per user group and per provider group.

Thin: the audit is a ``FairnessResult`` computed by
``fairrec_core.dashboard.pipeline_session.compute_fairness`` (at the end of training,
or when the user presses *Compute audit*); this page only chooses, reads and
draws. Charts come from ``fairrec_core.viz.fairness_charts``, wording of
metrics from ``fairrec_core.metrics.definitions``.
"""

from __future__ import annotations

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.errors import FairrecError
from fairrec_core.metrics import EXPOSURE_MODELS, USER_METRICS
from fairrec_core.metrics.definitions import STATUS_LABELS, metric_help, metric_label
from fairrec_core.pipeline.evaluation import user_grouping_columns
from fairrec_core.viz import fairness_charts as fc

ss = st.session_state
CONFIG = {"displaylogo": False}
BADGE = {"pass": "green", "warn": "orange", "fail": "red", "inconclusive": "violet",
         "insufficient_data": "gray"}
ADVANCED = {"n_boot": "opt_fair_n_boot", "min_group_size": "opt_fair_min_size",
            "ratio_fail": "opt_fair_fail", "ratio_warn": "opt_fair_warn",
            "provider_basis": "opt_fair_basis", "exposure": "opt_fair_exposure"}


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
        intersect=ss.opt_fair_intersect, **{field: ss[key] for field, key in ADVANCED.items()})
    fs.compute_fairness(ss, metrics, thresholds)


def _choices_form(dataset, expanded: bool) -> None:
    users, items = user_grouping_columns(dataset), fs.item_grouping_options(dataset)
    with st.expander("What to audit: groupings and thresholds", expanded=expanded,
                     icon=":material/tune:"):
        with st.form("fair_choices", border=False):
            c1, c2 = st.columns(2)
            c1.multiselect("User groupings", users, key="opt_fair_users",
                           help="User attributes to compare (numeric ones are banded). "
                                "Activity (the most active 5% of users vs the rest) is "
                                "always added.")
            c2.multiselect("Item (provider) groupings", items, key="opt_fair_items",
                           help="Seller, brand, category, ...; popularity (head = the most "
                                "popular items holding 20% of the catalogue, vs the tail) "
                                "is always added.")
            a = st.columns([2, 1, 1, 1, 1])
            a[0].multiselect("Intersection (two or more)", users + ["activity"],
                             key="opt_fair_intersect",
                             help="Audit the combined groups too, e.g. gender × age: gaps "
                                  "can hide inside single attributes.")
            a[1].number_input("Bootstrap resamples", 1, 10000, step=100,
                              key="opt_fair_n_boot",
                              help="Resamples of users (within each group) for the 95% "
                                   "intervals; fewer is faster and rougher.")
            a[2].number_input("Minimum group size", 1, 10000, key="opt_fair_min_size",
                              help="Groups with fewer evaluable users are shown but not "
                                   "judged ('insufficient data').")
            a[3].number_input("Fail below ratio", 0.05, 1.0, step=0.05, key="opt_fair_fail",
                              help=metric_help("ratio"))
            a[4].number_input("Warn below ratio", 0.05, 1.0, step=0.05, key="opt_fair_warn")
            b = st.columns([1, 1, 3], vertical_alignment="bottom")
            b[0].selectbox("Provider basis", ["merit", "catalog"], key="opt_fair_basis",
                           help="merit: judge exposure against the held-out positives a group "
                                "earned (ES/RS); catalog: against its share of items (ES/CS).")
            b[1].selectbox("Exposure model", list(EXPOSURE_MODELS), key="opt_fair_exposure",
                           help="Attention per rank: log = 1/log2(rank+1), geometric = "
                                "0.8^(rank-1), uniform = 1.")
            with b[2]:
                st.form_submit_button("Compute audit", type="primary",
                                      icon=":material/calculate:", on_click=ps.guarded,
                                      args=(ss, "fair_error", _compute, dataset))


def _scorecard(result) -> None:
    cards = fc.scorecard(result)
    counts = {s: sum(c["status"] == s for c in cards) for s in fc.STATUS_ORDER}
    st.subheader("Scorecard", help="One check per grouping. Users: the worst group's value "
                 "divided by the best group's (four-fifths rule: below 0.8 fails, below 0.9 "
                 "warns). Providers: the lowest group's exposure relative to its merit (or "
                 "catalogue share). Groups too small are reported as insufficient data, not "
                 "judged. The 95% interval decides: fail or warn only when the whole "
                 "interval is below the line, pass only when it is above the warning line, "
                 "otherwise inconclusive (the data cannot tell).")
    st.markdown(" ".join(f":{BADGE[s]}-badge[{counts[s]} {STATUS_LABELS[s]}]"
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
            col.metric(row["label"], row["text"], help=row["help"], border=True)


def _choose(label: str, options: list, key: str, **kw):
    if ss.get(key) not in options:
        ss[key] = options[0]
    return st.selectbox(label, options, key=key, **kw)


def _user_side(result, k: int, colors) -> None:
    st.subheader("Users: accuracy per group")
    groupings = list(result.user_labels.columns)
    metrics = [m for m in USER_METRICS if m in set(result.user_groups["metric"])]
    ss.setdefault("fair_user_metric", "ndcg")
    c1, c2 = st.columns(2)
    with c1:
        grouping = _choose("User grouping", groupings, "fair_user_grouping",
                           help="Attributes you chose, activity, and intersections.")
    with c2:
        metric = _choose("Metric", metrics, "fair_user_metric",
                         format_func=lambda m: metric_label(m, k),
                         help=metric_help(ss["fair_user_metric"], k))
    fig = fc.user_group_figure(result, grouping, metric, colors=colors.get(grouping))
    if fig is not None:
        st.plotly_chart(fig, config=CONFIG, key="fair_user_chart")
    gap = result.user_gaps[(result.user_gaps["grouping"] == grouping)
                           & (result.user_gaps["metric"] == metric)]
    if len(gap) and gap.iloc[0]["status"] == "ok":
        g = gap.iloc[0]
        st.markdown(f"Gap in {metric_label(metric, k)} across {ps.md(grouping)}: best "
                    f"**{ps.md(g['best_group'])}**, worst **{ps.md(g['worst_group'])}**; "
                    f"difference {g['difference']:.4f} (95% CI {g['difference_ci_low']:.4f} to "
                    f"{g['difference_ci_high']:.4f}), ratio {g['ratio']:.2f} (95% CI "
                    f"{g['ratio_ci_low']:.2f}–{g['ratio_ci_high']:.2f}).",
                    help=metric_help("difference") + " " + metric_help("ratio"))
    elif len(gap):
        st.caption(ps.md(f"Gap not judged: {gap.iloc[0]['reason']}."))
    table = fc.user_group_table(result, grouping, metric)[
        ["group", "value", "ci_low", "ci_high", "n", "status", "reason"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "value": st.column_config.NumberColumn(metric_label(metric, k), format="%.4f",
                                               help=metric_help(metric, k)),
        "ci_low": st.column_config.NumberColumn("95% CI low", format="%.4f",
                                                help=metric_help("value")),
        "ci_high": st.column_config.NumberColumn("95% CI high", format="%.4f"),
        "n": st.column_config.NumberColumn("evaluable users")})


def _provider_side(result, colors) -> None:
    st.subheader("Providers: exposure per item group")
    groupings = list(dict.fromkeys(result.item_groups["grouping"]))
    grouping = _choose("Item grouping", groupings, "fair_item_grouping",
                       help=metric_help("exposure_share"))
    fig, caption = fc.provider_shares_figure(result, grouping, colors=colors.get(grouping))
    if fig is not None:
        st.plotly_chart(fig, config=CONFIG, key="fair_item_chart")
    if caption:
        st.caption(caption)
    rows = result.item_groups[result.item_groups["grouping"] == grouping]
    cols = ["group", "n_items", "exposure_share", "catalog_share", "merit_share",
            "es_cs_ratio", "es_rs_ratio", "status", "reason"]
    st.dataframe(rows[cols], hide_index=True, width="stretch", column_config={
        "n_items": st.column_config.NumberColumn("items"),
        **{c: st.column_config.NumberColumn(metric_label(c), help=metric_help(c),
                                            format="percent") for c in cols[2:5]},
        **{c: st.column_config.NumberColumn(metric_label(c), help=metric_help(c),
                                            format="%.2f") for c in cols[5:7]}})


def _render() -> None:
    st.title("Fairness")
    st.caption("How accuracy and exposure are spread across user groups and provider groups, "
               "with 95% bootstrap intervals. Hover over any metric for its definition.")
    dataset = ss.get(ds.DATASET)
    if dataset is None:
        st.info("No data yet: load your CSV exports or the sample data on the Data page, then "
                "train a model.", icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label="Go to the Data page",
                     icon=":material/table_view:")
        return
    lists, info = ss.get(ps.LISTS), ss.get(ps.MODEL_INFO)
    if lists is None or info is None:
        st.info(ps.md(ps.dropped_reason(ss, ps.MODEL) or "No lists to audit yet.")
                + " Train a model (or choose the production lists) on the Train page first.",
                icon=":material/model_training:")
        st.page_link("pages/train_page.py", label="Go to the Train page",
                     icon=":material/model_training:")
        return
    _init_choices(dataset)
    run = ss.get(ps.FAIRNESS)
    st.markdown(f"Audited lists: **{ps.md(lists.label)}** for {dataset.n_users:,} users.")
    if lists.reranked:
        st.button("Audit the model's own lists instead", key="fair_restore",
                  on_click=ps.guarded, args=(ss, "fair_error", fs.restore_model_lists, ss))
    error = ss.pop("fair_error", None)
    if error:
        st.error(ps.md(error), icon=":material/error:")
    _choices_form(dataset, expanded=run is None)
    if run is None:
        st.warning(ps.md(ps.dropped_reason(ss, ps.FAIRNESS) or "The audit is not computed yet.")
                   + " Press **Compute audit** above.", icon=":material/sync_problem:")
        return
    result, k = run.result, lists.k
    st.caption(f"{result.counts['n_evaluable']:,} users with held-out positives are evaluated "
               f"({result.counts['n_excluded']:,} without are excluded from accuracy); "
               f"{run.metrics.n_boot:,} bootstrap resamples; computed in {run.seconds:.1f} s.")
    colors = fc.result_colors(result)
    _scorecard(result)
    st.subheader("Accuracy and beyond")
    _metric_row(result, k, ["ndcg", "recall", "precision", "hr", "mrr", "ap", "coverage",
                            "gini", "novelty", "arp", "aplt", "miscalibration"])
    _user_side(result, k, colors)
    _provider_side(result, colors)
    st.subheader("Exposure concentration")
    left, right = st.columns([3, 2])
    left.plotly_chart(fc.lorenz_figure(result), config=CONFIG, key="fair_lorenz")
    with right:
        _metric_row(result, k, ["ugf", "igf"], per_row=2)
        for note in result.notes:
            st.caption(ps.md(note))


try:
    _render()
except FairrecError as exc:
    st.error(f"{ps.md(exc)}\n\nChange the groupings above, or retrain on the Train page.",
             icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    st.error(f"The audit could not be shown ({type(exc).__name__}: {ps.md(exc)}). Press "
             "Compute audit again; if it persists, retrain the model.", icon=":material/error:")
