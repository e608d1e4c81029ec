"""Counterfactual page: does the model change its list when the profile names an attribute?

Thin: ``fairrec_core.dashboard.counterfactual_session`` builds the
``[counterfactual]`` section and runs the stage
(:func:`fairrec_core.pipeline.counterfactual_stage.run_counterfactual`);
figures come from ``fairrec_core.viz.counterfactual_charts``.
"""

from __future__ import annotations

import logging

import streamlit as st

from fairrec_core.dashboard import counterfactual_session as cs
from fairrec_core.dashboard import data_session as ds
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import t
from fairrec_core.viz import counterfactual_charts as cc

ss = st.session_state
lang = ss.get("lang", "en")
CONFIG = {"displaylogo": False}


def _run(source, attributes, k, n_users, epochs) -> None:
    try:
        cs.run(ss, source=source, attributes=attributes, k=k, n_users=n_users, epochs=epochs)
    except FairrecError as exc:
        ss[cs.ERROR] = t("cf.error", lang, error=exc)
    except Exception as exc:  # the user sees a sentence; the server log keeps the traceback
        logging.getLogger("fairrec.dashboard.counterfactual").exception("probe failed")
        ss[cs.ERROR] = t("cf.error", lang, error=f"{type(exc).__name__}: {exc}")


def _form(dataset):
    choices = cs.source_choices(ss)
    c = st.columns([3, 1])
    source = c[0].radio(t("cf.model", lang), choices, key="opt_cf_source",
                        format_func=lambda s: cs.source_label(s, ss, lang),
                        help=t("cf.model_help", lang))
    epochs = c[1].number_input(t("cf.epochs", lang), 1, 50, cs.PAGE_EPOCHS, key="opt_cf_epochs",
                               disabled=source == "session")
    attrs = cs.attribute_choices(dataset)
    c = st.columns([3, 1, 1])
    chosen = c[0].multiselect(t("cf.attributes", lang), attrs, cs.default_attributes(dataset),
                              key="opt_cf_attributes")
    k = c[1].number_input(t("cf.k", lang), 1, 100, 10, key="opt_cf_k")
    n_users = c[2].number_input(t("cf.n_users", lang), 10, 5000, 200, step=50,
                                key="opt_cf_users")
    if st.button(t("cf.run", lang), type="primary", icon=":material/science:", key="cf_run",
                 disabled=not chosen):
        with st.spinner(t("cf.running", lang)):
            _run(source, chosen, int(k), int(n_users), int(epochs))
    if not chosen:
        st.caption(t("cf.need_attribute", lang))
    return chosen, int(k), int(n_users), int(epochs)


def _summary(outcome) -> None:
    doc = outcome.to_dict()
    level = float(doc["probe"]["level"])
    st.caption(t("cf.probed_model", lang, name=outcome.model["name"],
                 source=t(f"cf.source.{outcome.model['source']}", lang), k=outcome.k,
                 n=doc["probe"]["n_users"], seconds=doc["probe"]["seconds"]))
    left = {a: n for a, n in doc["probe"]["left_out"].items() if n}
    if left:
        st.caption(t("cf.left_out", lang, counts=", ".join(f"{a} {n:,}" for a, n in left.items())))
    st.subheader(t("cf.summary_header", lang))
    cols = st.columns(max(1, len(outcome.attributes)))
    for col, (name, a) in zip(cols, doc["probe"]["attributes"].items()):
        col.metric(t("cf.changed_metric", lang, k=outcome.k, attribute=name),
                   f"{a['changed_any']:.0%}")
    title = t("cf.chart_title", lang, metric="Jaccard", k=outcome.k, level=level)
    st.plotly_chart(cc.snsr_figure(cc.snsr_frame(doc, "jaccard"), title=title),
                    config=CONFIG, key="cf_snsr_chart")
    st.dataframe(cs.summary_frame(outcome, lang), hide_index=True)
    st.caption(t("cf.summary_caption", lang, level=level))
    st.subheader(t("cf.values_header", lang))
    st.dataframe(cs.value_frame(outcome, lang), hide_index=True)
    st.subheader(t("cf.leak_header", lang))
    leak = cc.leakage_frame(doc)
    if leak.empty:
        st.caption(t("cf.leak_none", lang))
    else:
        st.plotly_chart(cc.leakage_figure(leak, title=t("cf.leak_chart_title", lang,
                                                          level=level)),
                        config=CONFIG, key="cf_leak_chart")
        st.dataframe(cs.leakage_rows(outcome, lang), hide_index=True)
        st.caption(t("cf.leak_caption", lang, level=level))


def _one_user(outcome, dataset) -> None:
    st.subheader(t("cf.user_header", lang))
    users = cs.sampled_users(outcome, dataset)
    c = st.columns(3)
    attribute = c[1].selectbox(t("cf.attributes", lang), outcome.attributes, key="cf_attr")
    # Open on a user whose list does move, so the marks show what changes.
    row = c[0].selectbox(t("cf.user", lang), range(len(users)), format_func=users.__getitem__,
                         index=cs.first_changed_row(outcome, attribute), key="cf_user")
    values = list(outcome.probe.lists[attribute])
    value = c[2].selectbox(t("cf.value", lang), values, key=f"cf_value_{attribute}")
    st.dataframe(cs.side_by_side(outcome, dataset, int(row), attribute, value, lang),
                 hide_index=True)
    st.caption(t("cf.user_caption", lang))


def _compare(attributes, k, n_users, epochs) -> None:
    """The "compare mitigations" action: aware, unaware and augmented models side by side."""
    st.subheader(t("cf.mit_header", lang))
    st.caption(t("cf.mit_intro", lang))
    c = st.columns([2, 1, 1])
    augment = c[0].radio(t("cf.mit_augment", lang), ["swap", "remove"], key="opt_cf_augment",
                         horizontal=True, format_func=lambda a: t(f"cf.mit_augment.{a}", lang))
    p = c[1].number_input(t("cf.mit_p", lang), 0.05, 1.0, 1.0, step=0.05, key="opt_cf_aug_p")
    if c[2].button(t("cf.mit_run", lang), icon=":material/compare_arrows:", key="cf_compare",
                   disabled=not attributes):
        bar = st.progress(0.0)

        def progress(done, total, variant):
            label = (t("cf.mit_progress", lang, variant=t(f"cf.mit_variant.{variant}", lang),
                       done=done + 1, total=total) if variant else t("cf.mit_done", lang))
            bar.progress(done / max(total, 1), text=label)

        try:
            cs.compare(ss, attributes=attributes, k=k, n_users=n_users, epochs=epochs,
                       augment=augment, augment_p=float(p), progress=progress)
        except FairrecError as exc:
            st.error(t("cf.error", lang, error=exc), icon=":material/error:")
        except Exception as exc:  # the user sees a sentence; the server log keeps the traceback
            logging.getLogger("fairrec.dashboard.counterfactual").exception("compare failed")
            st.error(t("cf.error", lang, error=f"{type(exc).__name__}: {exc}"),
                     icon=":material/error:")
    comparison, stale = cs.current_comparison(ss)
    if comparison is not None and stale:
        st.warning(t("cf.mit_stale", lang), icon=":material/warning:")
    elif comparison is not None:
        from fairrec_core.report.counterfactual_section import mitigation_caption

        doc = comparison.outcome.to_dict()
        st.dataframe(cs.mitigation_frame(comparison.outcome, lang), hide_index=True,
                     key="cf_mitigation_table")
        st.caption(mitigation_caption(doc, lang, level=doc["level"]))


st.title(t("cf.title", lang))
st.caption(t("cf.intro", lang))
dataset = ss.get(ds.DATASET)
if dataset is None:
    st.info(t("cf.no_data", lang), icon=":material/info:")
    st.stop()
if not cs.attribute_choices(dataset):
    st.warning(t("cf.no_users", lang), icon=":material/warning:")
    st.stop()
choices = _form(dataset)
if ss.get(cs.ERROR):
    st.error(ss[cs.ERROR], icon=":material/error:")
run, stale = cs.current(ss)
if run is not None and stale:
    st.warning(t("cf.stale", lang), icon=":material/warning:")
elif run is not None:
    _summary(run.outcome)
    _one_user(run.outcome, dataset)
_compare(*choices)
