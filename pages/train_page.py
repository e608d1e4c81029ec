"""Train page: pick a recommender, train it with live progress, keep or load a checkpoint.

Thin: the choices become the session's config sections
(``pipeline_session.train_settings``: ``[split]``, ``[model]``, K, seed) and
``fairrec_core.dashboard.pipeline_session.train`` does the work with the CLI's
builders (split, fit, rank, audit); the chart comes from
``fairrec_core.viz.model_charts``. "Fairness during training" adds a term to
the loss (``[model.fairness]``) or trains a λ_train grid
(``training_session.train_fair_grid``), kept in ``pipeline_session.FAIRTRAIN``
for the What-if page and the report.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import train_wording as tp
from fairrec_core.dashboard import training_session as ts
from fairrec_core.errors import FairrecError
from fairrec_core.i18n import say, t
from fairrec_core.i18n.labels import fairness_axis_label, group_label, grouping_label
from fairrec_core.models import available_models, checkpoint_archive
from fairrec_core.models.registry import TEXT_MODELS, TORCH_MODELS
from fairrec_core.viz.model_charts import TrainingLog, training_figure

ss = st.session_state
CKPT_GEN = "train_ckpt_generation"   # bumping it empties the checkpoint uploader
NOTICE = "train_notice"
#: Set while a training runs, cleared when it ends: still set on the next run means the
#: run was interrupted (Stop, or any rerun), so the page can say so.
RUNNING = "train_running"
DEFAULTS = {"opt_train_model": "bpr", "opt_train_k": 10, "opt_train_epochs": 30,
            "opt_train_encoder": "", "opt_train_mode": "frozen", "opt_train_dim": 64,
            "opt_train_lr": 0.01, "opt_train_batch": 4096, "opt_train_patience": 5,
            "opt_train_seed": 0, "opt_train_device": "auto", "opt_train_split": "auto",
            "opt_train_test_n": 2, "opt_train_valid_n": 1, "opt_train_ratios": "8:1:1",
            "opt_fair_term": "none", "opt_fair_attribute": "", "opt_fair_protected": "",
            "opt_fair_weight": 0.5, "opt_fair_grid": "",
            "opt_train_augment": "none", "opt_train_augment_p": 0.5}
CONFIG = {"displaylogo": False}
_log = logging.getLogger("fairrec.dashboard.train")


def tr(key: str, **values) -> str:
    return t(key, ss.get("lang", "en"), **values)


def _labels(prefix: str):
    """A widget's ``format_func``: the language is bound now, as AppTest calls it later."""
    lang = ss.get("lang", "en")
    return lambda value: t(prefix + value, lang) if value else ""


def _settings(with_term: bool = True):
    """The session's config sections with this page's choices (``ps.train_settings``)."""
    ratios = [float(x) for x in str(ss.opt_train_ratios).replace(",", ":").split(":") if x]
    if len(ratios) != 3:
        raise FairrecError(tr("train.ratios_error"))
    model = ss.opt_train_model
    params = {}
    if model in TORCH_MODELS:
        params = dict(device=ss.opt_train_device, eval_k=int(ss.opt_train_k),
                      epochs=int(ss.opt_train_epochs), dim=int(ss.opt_train_dim),
                      lr=float(ss.opt_train_lr), patience=int(ss.opt_train_patience),
                      batch_size=int(ss.opt_train_batch) if model == "bpr" else None)
    if model in TEXT_MODELS:
        params.update(encoder=ss.opt_train_encoder.strip() or None, mode=ss.opt_train_mode)
    if model == "profile-two-tower" and ss.get("opt_train_augment", "none") != "none":
        # Counterfactual data augmentation (issue 14): checked by the [model] section.
        params.update(augment=ss.opt_train_augment,
                      augment_p=float(ss.get("opt_train_augment_p", 0.5)))
    cfg = ps.train_settings(ss, model=model, k=int(ss.opt_train_k),
                            seed=int(ss.opt_train_seed), split=ss.opt_train_split,
                            test_n=int(ss.opt_train_test_n),
                            valid_n=int(ss.opt_train_valid_n), ratios=ratios, **params)
    # The term is the [model.fairness] section, as in audit.toml (build_model applies it).
    fairness = _fairness(float(ss.opt_fair_weight)) if with_term and model in TORCH_MODELS \
        else None
    return replace(cfg, model=replace(cfg.model, fairness=fairness))


def _fairness(weight: float):
    return ts.fairness_choice(ss.opt_fair_term, ss.opt_fair_attribute, weight,
                              ss.opt_fair_protected or None)


def _form(dataset) -> None:
    # The registry's order: BPR-MF first (fast, strong), production lists last.
    names = [m for m in available_models() if m != "imported" or dataset.recommendations
             is not None]
    if ss.get("opt_train_model") not in names:
        ss.opt_train_model = "bpr"
    st.radio(tr("train.model"), names, key="opt_train_model", horizontal=True,
             format_func=_labels("train.model."), help=tr("train.model_help"))
    model = ss.opt_train_model
    st.caption(say(available_models()[model], ss.get("lang", "en"))
               + ("" if dataset.recommendations is not None else
               tr("train.upload_recs_hint")))
    cols = st.columns(3 if model in TORCH_MODELS else 1)
    cols[0].number_input(tr("train.k"), 1, 100, key="opt_train_k", help=tr("train.k_help"))
    if model in TORCH_MODELS:
        cols[1].number_input(tr("train.epochs"), 1, 500, key="opt_train_epochs",
                             help=tr("train.epochs_help"))
        kind, text = ts.device_summary(ss.opt_train_device)
        cols[2].markdown(f"{tr('train.device_label')}  \n"
                         f"{':material/memory:' if kind == 'gpu' else ''} "
                         f"{ps.md(say(text, ss.get('lang', 'en')))}")
    if model in TEXT_MODELS:
        c1, c2 = st.columns(2)
        c1.text_input(tr("train.encoder"), key="opt_train_encoder",
                      placeholder=tr("train.encoder_placeholder"), help=tr("train.encoder_help"))
        c2.selectbox(tr("train.mode"), list(ps.FINETUNE_LABELS), key="opt_train_mode",
                     format_func=_labels("train.mode."), help=tr("train.mode_help"))
    if model == "profile-two-tower":
        c1, c2 = st.columns(2)
        c1.selectbox(tr("cf.train_augment"), ["none", "swap", "remove"], key="opt_train_augment",
                     format_func=_labels("cf.train_augment."), help=tr("cf.train_augment_help"))
        c2.number_input(tr("cf.train_augment_p"), 0.05, 1.0, step=0.05,
                        key="opt_train_augment_p", disabled=ss.opt_train_augment == "none")
    with st.expander(tr("train.advanced")):
        a = st.columns(4)
        a[0].number_input(tr("train.dim"), 4, 1024, key="opt_train_dim")
        a[1].number_input(tr("train.lr"), 1e-5, 1.0, key="opt_train_lr", format="%.4f")
        a[2].number_input(tr("train.batch"), 64, 65536, key="opt_train_batch")
        a[3].number_input(tr("train.patience"), 0, 100, key="opt_train_patience")
        b = st.columns(4)
        b[0].selectbox(tr("train.device"), ["auto", "cpu", "cuda", "mps"],
                       key="opt_train_device", help=tr("train.device_help"))
        b[1].number_input(tr("train.seed"), 0, 2**31 - 1, key="opt_train_seed")
        b[2].selectbox(tr("train.split"), ["auto", "temporal", "random"], key="opt_train_split",
                       help=tr("train.split_help"))
        b[3].text_input(tr("train.ratios"), key="opt_train_ratios")
        c = st.columns(4)
        c[0].number_input(tr("train.test_n"), 1, 50, key="opt_train_test_n")
        c[1].number_input(tr("train.valid_n"), 0, 50, key="opt_train_valid_n")
    if model in TORCH_MODELS:
        _fair_form(dataset)


def _fair_form(dataset) -> None:
    """Term, grouping and λ_train; the grid button and its last result (issue 15.2)."""
    from fairrec_core.fairtrain import DEFAULT_LAMBDAS, TERMS

    lang = ss.get("lang", "en")  # bound now: AppTest calls a format_func later
    with st.expander(tr("train.fair.expander"), icon=":material/balance:",
                     expanded=ss.opt_fair_term != "none"):
        st.caption(tr("train.fair.caption"))
        c = st.columns([2, 2, 2, 1])
        c[0].selectbox(tr("train.fair.term"), ("none",) + TERMS, key="opt_fair_term",
                       format_func=_labels("train.fair.term."),
                       help=tr("train.fair.term_help"))
        term = ss.opt_fair_term
        if term == "none":
            return
        items = term == "item-exposure"
        options = (list(dataset.items.columns) + ["popularity"] if items
                   else list(dataset.users.columns) + ["activity"])
        if ss.opt_fair_attribute not in options:
            ss.opt_fair_attribute = next((o for o in ("seller_size", "gender") if o in options),
                                         options[0])
        c[1].selectbox(tr("train.fair.grouping" if items else "train.fair.attribute"), options,
                       key="opt_fair_attribute", format_func=lambda g: grouping_label(g, lang))
        if items:
            col = dataset.items.get(ss.opt_fair_attribute)
            groups = [""] + (sorted(col.dropna().astype(str).unique().tolist())[:50]
                             if col is not None else ["head", "tail"])
            if ss.opt_fair_protected not in groups:
                ss.opt_fair_protected = ""
            auto = tr("train.fair.protected_auto")
            c[2].selectbox(tr("train.fair.protected"), groups, key="opt_fair_protected",
                           format_func=lambda g: group_label(g, lang) if g else auto)
        c[3].number_input(tr("train.fair.weight"), 0.0, 100.0, key="opt_fair_weight",
                          step=0.1, help=tr("train.fair.weight_help"))
        g = st.columns([3, 1])
        if not ss.opt_fair_grid or ss.get("_fair_grid_term") != term:
            ss.opt_fair_grid = ", ".join(f"{x:g}" for x in DEFAULT_LAMBDAS[term])
            ss["_fair_grid_term"] = term
        g[0].text_input(tr("train.fair.grid"), key="opt_fair_grid", help=tr("train.fair.grid_help"))
        g[1].markdown("&nbsp;")
        if g[1].button(tr("train.fair.grid_button"), key="fair_grid_button",
                       icon=":material/stacked_line_chart:"):
            _train_grid()


def _stop_button() -> None:
    # Clicking it reruns the page: the running training is interrupted at its next progress
    # update, and the next run finds RUNNING still set and says so.
    st.button(tr("train.stop"), key="train_stop", icon=":material/stop_circle:",
              help=tr("train.stop_help"))


def _train() -> None:
    clicked = time.perf_counter()   # "ready in" counts from the click, every stage included
    settings = _settings()
    log = TrainingLog()
    _stop_button()
    bar = st.progress(0.0, text=tr("train.starting"))
    chart = st.empty()
    last, draws = [0.0], [0]
    ss[RUNNING] = {"what": "model", "progress": "", "started": clicked}

    def on_event(ev) -> None:
        log(ev)
        fraction, text = tp.model_progress(log, ev, ss.get("lang", "en"))
        ss[RUNNING]["progress"] = text
        bar.progress(fraction, text=text)
        if ev.kind == "encode":
            return
        ss[RUNNING]["elapsed"] = time.perf_counter() - clicked
        # Redraw at most twice a second (and after every epoch): drawing costs time
        # the model would otherwise spend training.
        now = time.perf_counter()
        if ev.kind in ("epoch", "end") or now - last[0] > 0.5:
            last[0] = now
            draws[0] += 1  # each redraw is a new element: it needs its own key
            chart.plotly_chart(training_figure(log, title=tr("train.live_title"),
                                               lang=ss.get("lang", "en")),
                               config=CONFIG, key=f"live_training_{draws[0]}")

    with st.status(tr("train.training"), expanded=True) as status:
        try:
            info = ts.train(ss, settings, callbacks=[on_event], lang=ss.get("lang", "en"),
                            stage=lambda text: status.update(label=text + "…"))
        except Exception:
            # A failure is reported as one (page boundary), not as a stop. Stop and
            # rerun are BaseExceptions: they pass here and leave RUNNING set.
            ss.pop(RUNNING, None)
            raise
        status.update(label=tr("train.done"), state="complete")
    ss.pop(RUNNING, None)
    ss[NOTICE] = tr("train.ready", label=tr(f"train.model.{info.name}"),
                    seconds=time.perf_counter() - clicked)
    st.rerun()


def _train_grid() -> None:
    fairness = _fairness(0.0)
    if fairness is None:
        st.warning(tr("train.fair.need_term"), icon=":material/balance:")
        return
    settings = _settings(with_term=False)
    lambdas = ts.parse_lambdas(ss.opt_fair_grid)
    clicked = time.perf_counter()
    _stop_button()
    bar = st.progress(0.0, text=tr("train.fair.grid_progress", n=1, total=len(lambdas),
                                   lam=lambdas[0]))
    ss[RUNNING] = {"what": "grid", "progress": "", "started": clicked}
    step = [0]

    def on_event(ev) -> None:
        fraction, text = tp.grid_progress(ev, step[0], lambdas, ss.get("lang", "en"))
        ss[RUNNING]["progress"] = text
        bar.progress(fraction, text=text)

    def done(n, total, lam) -> None:
        step[0] = min(n, total - 1)

    try:
        grid = ts.train_fair_grid(ss, settings, fairness, lambdas, progress=done,
                                  callbacks=[on_event])
    except Exception:
        ss.pop(RUNNING, None)
        raise
    ss.pop(RUNNING, None)
    ss[NOTICE] = tr("train.fair.grid_done", n=len(grid.table),
                    seconds=time.perf_counter() - clicked)
    st.rerun()


def _stopped_notice(had_model: bool) -> None:
    """Say that the last training was interrupted, and what is kept (issue 13.7)."""
    run = ss.pop(RUNNING, None)
    if run:
        st.warning(tp.stopped_message(run, had_model, ss.get("lang", "en")),
                   icon=":material/stop_circle:")
def _load_checkpoint(dataset) -> None:
    upload = ss.get(f"train_ckpt_{ss.get(CKPT_GEN, 0)}")
    if upload is None:
        st.warning(tr("train.ckpt_first"), icon=":material/upload_file:")
        return
    with st.spinner(tr("train.ckpt_loading")):
        ts.load_checkpoint_into(ss, upload.getvalue(), _settings())
    ss[CKPT_GEN] = ss.get(CKPT_GEN, 0) + 1
    ss[NOTICE] = tr("train.checkpoint_loaded", name=upload.name)
    st.rerun()


def _current(info) -> None:
    st.subheader(tr("train.current"))
    run, lists = ss.get(ps.FAIRNESS), ss.get(ps.LISTS)
    t = info.training
    st.markdown(tp.model_facts(info, ss.get("lang", "en")))
    st.caption(tr("train.split_caption", text=ps.md(say(info.split.get("description", ""),
                                                         ss.get("lang", "en")))))
    if run is not None:
        shown = lists.display(ss.get("lang", "en"))
        st.markdown(tr("train.accuracy_header", label=ps.md(shown),
                       n=run.result.counts["n_evaluable"]))
        rows = ts.accuracy_rows(run.result, info.k, lang=ss.get("lang", "en"))
        for i in range(0, len(rows), 3):  # three to a row keeps values whole at 1280 px
            for col, row in zip(st.columns(3), rows[i:i + 3]):
                with col.container(border=True):
                    st.metric(row["label"], row["text"], help=row["help"])
                    # The test-set interval on the card itself, not only in the tooltip.
                    st.caption(row["interval"] or tr("train.interval_none"))
    else:
        st.info(ps.md(ps.dropped_reason(ss, ps.FAIRNESS) or tr("train.no_audit"))
                + tr("train.open_fairness"), icon=":material/info:")
    for w in info.warnings:
        st.warning(ps.md(w), icon=":material/warning:")
    if t and t.get("history"):
        log = TrainingLog.from_history(t["history"], next(
            (k for k in t["history"][0] if k.startswith("ndcg")), "ndcg@10"))
        st.plotly_chart(training_figure(log, best_epoch=t["best_epoch"],
                                        title=tr("train.history_title"),
                                        lang=ss.get("lang", "en")), config=CONFIG)
    model = ss[ps.MODEL]
    st.download_button(tr("train.download"),
                       data=lambda: checkpoint_archive.checkpoint_zip(model),
                       file_name=f"fairrec-{info.name}-checkpoint.zip",
                       mime="application/zip", on_click="ignore",
                       icon=":material/download:", key="download_checkpoint",
                       help=tr("train.download_help"))


def _grid_result() -> None:
    """The last λ_train grid: trade-off chart (with re-ranking when computed) and table."""
    from fairrec_core.viz.model_charts import fairtrain_figure

    grid = ts.current_grid(ss)
    if grid is None:
        return
    st.divider()
    st.subheader(tr("train.fair.result"))
    col = grid.fairness_column
    label = fairness_axis_label(col, ss.get("lang", "en"))
    f = grid.fairness
    st.caption(tr("train.fair.result_caption", model=tr(f"train.model.{grid.model}"),
                  term=tr(f"train.fair.term.{f['term']}"),
                  attribute=ps.md(grouping_label(f["attribute"], ss.get("lang", "en"))),
                  k=grid.k, fairness=ps.md(label)))
    whatif = ss.get(ps.WHATIF)
    rerank = getattr(whatif, "table", None)
    legend = {k: tr(f"train.fair.legend.{k}") for k in ("train", "rerank", "front", "title")}
    st.plotly_chart(fairtrain_figure(grid.table, col, rerank=rerank, fairness_label=label,
                                     accuracy_label=f"NDCG@{grid.k}", labels=legend,
                                     lang=ss.get("lang", "en")),
                    config=CONFIG, key="fairtrain_chart")
    table = grid.table[["lam", "ndcg", col, "pareto", "seconds"]].rename(columns={
        "lam": tr("train.fair.col.lam"), "ndcg": f"NDCG@{grid.k}", col: label,
        "pareto": tr("train.fair.col.pareto"), "seconds": tr("train.fair.col.seconds")})
    st.dataframe(table, hide_index=True, key="fairtrain_table")


def _render() -> None:
    st.title(tr("train.title"))
    st.caption(tr("train.caption"))
    dataset = ss.get(ds.DATASET)
    if dataset is None:
        st.info(tr("train.no_data"), icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label=tr("train.go_data"),
                     icon=":material/table_view:")
        return
    for key, value in DEFAULTS.items():
        ss.setdefault(key, value)
    _stopped_notice(ss.get(ps.MODEL_INFO) is not None)
    notice = ss.pop(NOTICE, None)
    if notice:
        st.success(ps.md(notice), icon=":material/check_circle:")
    reason = ps.dropped_reason(ss, ps.MODEL)
    if reason and ss.get(ps.MODEL) is None:
        st.warning(ps.md(reason), icon=":material/sync_problem:")
    _form(dataset)
    label = tr("train.button_imported" if ss.opt_train_model == "imported" else "train.button")
    if st.button(label, type="primary", icon=":material/play_arrow:", key="train_button"):
        _train()
    with st.expander(tr("train.load_expander"), icon=":material/upload:"):
        st.file_uploader(tr("train.ckpt_upload"), type=["zip"],
                         key=f"train_ckpt_{ss.get(CKPT_GEN, 0)}", help=tr("train.ckpt_help"))
        if st.button(tr("train.ckpt_button"), key="load_checkpoint"):
            _load_checkpoint(dataset)
    _grid_result()
    info = ss.get(ps.MODEL_INFO)
    if info is None:
        st.info(tr("train.no_model"), icon=":material/model_training:")
        return
    st.divider()
    _current(info)


try:
    _render()
except FairrecError as exc:
    st.error(f"{ps.md(exc)}\n\n{tr('train.error_suffix')}", icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    _log.exception("Train page failed")
    st.error(tr("train.unexpected", kind=type(exc).__name__, error=ps.md(exc)),
             icon=":material/error:")
