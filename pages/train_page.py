"""Train page: pick a recommender, train it with live progress, keep or load a checkpoint.

Thin: the choices become the session's config sections
(``pipeline_session.train_settings``: ``[split]``, ``[model]``, K, seed) and
``fairrec_core.dashboard.pipeline_session.train`` does the work with the CLI's
builders (split, fit, rank, audit); the chart comes from
``fairrec_core.viz.model_charts``.
"""

from __future__ import annotations

import time

import streamlit as st

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.errors import FairrecError
from fairrec_core.models import available_models, checkpoint_archive
from fairrec_core.viz.model_charts import TrainingLog, training_figure

ss = st.session_state
CKPT_GEN = "train_ckpt_generation"   # bumping it empties the checkpoint uploader
NOTICE = "train_notice"
DEFAULTS = {"opt_train_model": "bpr", "opt_train_k": 10, "opt_train_epochs": 30,
            "opt_train_encoder": "", "opt_train_mode": "frozen", "opt_train_dim": 64,
            "opt_train_lr": 0.01, "opt_train_batch": 4096, "opt_train_patience": 5,
            "opt_train_seed": 0, "opt_train_device": "auto", "opt_train_split": "auto",
            "opt_train_test_n": 2, "opt_train_valid_n": 1, "opt_train_ratios": "8:1:1"}
CONFIG = {"displaylogo": False}


def _settings():
    """The session's config sections with this page's choices (``ps.train_settings``)."""
    ratios = [float(x) for x in str(ss.opt_train_ratios).replace(",", ":").split(":") if x]
    if len(ratios) != 3:
        raise FairrecError("The random split ratios must be three numbers like 8:1:1.")
    model = ss.opt_train_model
    torch_model = model in ("bpr", "two-tower")
    params = {}
    if torch_model:
        params = dict(device=ss.opt_train_device, eval_k=int(ss.opt_train_k),
                      epochs=int(ss.opt_train_epochs), dim=int(ss.opt_train_dim),
                      lr=float(ss.opt_train_lr), patience=int(ss.opt_train_patience),
                      batch_size=int(ss.opt_train_batch) if model == "bpr" else None)
    if model == "two-tower":
        params.update(encoder=ss.opt_train_encoder.strip() or None, mode=ss.opt_train_mode)
    return ps.train_settings(ss, model=model, k=int(ss.opt_train_k),
                             seed=int(ss.opt_train_seed), split=ss.opt_train_split,
                             test_n=int(ss.opt_train_test_n),
                             valid_n=int(ss.opt_train_valid_n), ratios=ratios, **params)


def _form(dataset) -> None:
    # The registry's order: BPR-MF first (fast, strong), production lists last.
    names = [m for m in available_models() if m != "imported" or dataset.recommendations
             is not None]
    if ss.get("opt_train_model") not in names:
        ss.opt_train_model = "bpr"
    st.radio("Model", names, key="opt_train_model", horizontal=True,
             format_func=lambda m: ps.MODEL_LABELS.get(m, m),
             help="BPR-MF is a fast, strong default. The text two-tower reads item titles and "
                  "descriptions with a transformer, which helps items with few interactions. "
                  "The production lists audit what your platform already serves.")
    model = ss.opt_train_model
    st.caption(available_models()[model] + ("" if dataset.recommendations is not None else
               " Upload recommendations.csv on the Data page to audit your production lists."))
    cols = st.columns(3 if model in ("bpr", "two-tower") else 1)
    cols[0].number_input("List length K", 1, 100, key="opt_train_k",
                         help="How many items each user's list holds; every metric is @K.")
    if model in ("bpr", "two-tower"):
        cols[1].number_input("Maximum epochs", 1, 500, key="opt_train_epochs",
                             help="Training stops earlier when validation NDCG stops "
                                  "improving (early stopping); the best epoch is kept.")
        kind, text = ts.device_summary(ss.opt_train_device)
        cols[2].markdown(f"**Device**  \n{':material/memory:' if kind == 'gpu' else ''} "
                         f"{ps.md(text)}")
    if model == "two-tower":
        c1, c2 = st.columns(2)
        c1.text_input("Text encoder", key="opt_train_encoder",
                      placeholder="bundled all-MiniLM-L6-v2 (English)",
                      help="Empty: the bundled MiniLM (English; it tokenizes Chinese poorly). "
                           "Or a local Hugging Face model folder, or a hub id when this "
                           "machine has internet access.")
        c2.selectbox("Encoder mode", list(ps.FINETUNE_LABELS), key="opt_train_mode",
                     format_func=ps.FINETUNE_LABELS.get,
                     help="Frozen: item texts are encoded once (about 10 s for 1,000 items "
                          "on a CPU) and only the layers on top train. Fine-tuning updates "
                          "the transformer too and needs a GPU to be practical.")
    with st.expander("Advanced settings: model size, learning rate, split, device"):
        a = st.columns(4)
        a[0].number_input("Embedding size", 4, 1024, key="opt_train_dim")
        a[1].number_input("Learning rate", 1e-5, 1.0, key="opt_train_lr", format="%.4f")
        a[2].number_input("Batch size (BPR)", 64, 65536, key="opt_train_batch")
        a[3].number_input("Early-stopping patience (epochs, 0 = off)", 0, 100,
                          key="opt_train_patience")
        b = st.columns(4)
        b[0].selectbox("Device", ["auto", "cpu", "cuda", "mps"], key="opt_train_device",
                       help="auto: a CUDA GPU when there is one, else the CPU.")
        b[1].number_input("Seed", 0, 2**31 - 1, key="opt_train_seed")
        b[2].selectbox("Split", ["auto", "temporal", "random"], key="opt_train_split",
                       help="auto: temporal (each user's last interactions are the test set) "
                            "when there are timestamps, else random.")
        b[3].text_input("Random split ratios train:valid:test", key="opt_train_ratios")
        c = st.columns(4)
        c[0].number_input("Temporal: test interactions per user", 1, 50, key="opt_train_test_n")
        c[1].number_input("Temporal: validation interactions per user", 0, 50,
                          key="opt_train_valid_n")


def _train() -> None:
    settings = _settings()
    log = TrainingLog()
    bar = st.progress(0.0, text="Starting…")
    chart = st.empty()
    last, draws = [0.0], [0]

    def on_event(ev) -> None:
        log(ev)
        text = f"Epoch {max(ev.epoch, 1)}/{ev.epochs} on {ev.device}"
        if log.epochs and log.epochs[-1][2] is not None:
            text += f" · validation {ev.metric_name.upper()} {log.epochs[-1][2]:.4f}"
        bar.progress(log.fraction, text=text)
        # Redraw at most twice a second (and after every epoch): drawing costs time
        # the model would otherwise spend training.
        now = time.perf_counter()
        if ev.kind in ("epoch", "end") or now - last[0] > 0.5:
            last[0] = now
            draws[0] += 1  # each redraw is a new element: it needs its own key
            chart.plotly_chart(training_figure(log, title="Training (live)"), config=CONFIG,
                               key=f"live_training_{draws[0]}")

    with st.status("Training…", expanded=True) as status:
        info = ts.train(ss, settings, callbacks=[on_event],
                        stage=lambda text: status.update(label=text + "…"))
        status.update(label="Done", state="complete")
    ss[NOTICE] = f"{info.label} ready in {info.seconds:.1f} s; the audit is on the Fairness page."
    st.rerun()


def _load_checkpoint(dataset) -> None:
    upload = ss.get(f"train_ckpt_{ss.get(CKPT_GEN, 0)}")
    if upload is None:
        st.warning("Choose a checkpoint .zip first.", icon=":material/upload_file:")
        return
    with st.spinner("Loading the checkpoint and auditing its lists…"):
        ts.load_checkpoint_into(ss, upload.getvalue(), _settings())
    ss[CKPT_GEN] = ss.get(CKPT_GEN, 0) + 1
    ss[NOTICE] = f"Checkpoint '{upload.name}' loaded."
    st.rerun()


def _current(info) -> None:
    st.subheader("Current model")
    run, lists = ss.get(ps.FAIRNESS), ss.get(ps.LISTS)
    t = info.training
    facts = [f"**{ps.md(info.label)}** ({info.source})", f"K = {info.k}"]
    if t:
        facts.append(f"{t['epochs_run']} epoch(s) on {t['device']} in {t['seconds']:.1f} s, "
                     f"best epoch {t['best_epoch']}"
                     + (" (stopped early)" if t["stopped_early"] else ""))
    st.markdown(" · ".join(facts))
    st.caption("Split: " + ps.md(info.split.get("description", "")))
    if run is not None:
        st.markdown(f"**Accuracy on the test set** ({ps.md(lists.label)}; "
                    f"{run.result.counts['n_evaluable']:,} users with held-out positives)")
        rows = ts.accuracy_rows(run.result, info.k)
        for i in range(0, len(rows), 3):  # three to a row keeps values whole at 1280 px
            for col, row in zip(st.columns(3), rows[i:i + 3]):
                col.metric(row["label"], row["text"], help=row["help"], border=True)
    else:
        st.info(ps.md(ps.dropped_reason(ss, ps.FAIRNESS) or "The audit is not computed.")
                + " Open the Fairness page to compute it.", icon=":material/info:")
    for w in info.warnings:
        st.warning(ps.md(w), icon=":material/warning:")
    if t and t.get("history"):
        log = TrainingLog.from_history(t["history"], next(
            (k for k in t["history"][0] if k.startswith("ndcg")), "ndcg@10"))
        st.plotly_chart(training_figure(log, best_epoch=t["best_epoch"],
                                        title="Training history"), config=CONFIG)
    model = ss[ps.MODEL]
    st.download_button("Download checkpoint (.zip)",
                       data=lambda: checkpoint_archive.checkpoint_zip(model),
                       file_name=f"fairrec-{info.name}-checkpoint.zip",
                       mime="application/zip", on_click="ignore",
                       icon=":material/download:", key="download_checkpoint",
                       help="The fitted model (weights, ids, settings) as safetensors and "
                            "JSON, loadable below or with fairrec_core.models.load_checkpoint.")


def _render() -> None:
    st.title("Train")
    st.caption("Train a recommender on the loaded data, or audit the production lists as they "
               "are. Each user's most recent interactions are held out to measure accuracy.")
    dataset = ss.get(ds.DATASET)
    if dataset is None:
        st.info("No data yet: load your CSV exports or the sample data on the Data page "
                "first.", icon=":material/upload_file:")
        st.page_link("pages/data_page.py", label="Go to the Data page",
                     icon=":material/table_view:")
        return
    for key, value in DEFAULTS.items():
        ss.setdefault(key, value)
    notice = ss.pop(NOTICE, None)
    if notice:
        st.success(ps.md(notice), icon=":material/check_circle:")
    reason = ps.dropped_reason(ss, ps.MODEL)
    if reason and ss.get(ps.MODEL) is None:
        st.warning(ps.md(reason), icon=":material/sync_problem:")
    _form(dataset)
    label = "Use the production lists" if ss.opt_train_model == "imported" else "Train"
    if st.button(label, type="primary", icon=":material/play_arrow:", key="train_button"):
        _train()
    with st.expander("Load a saved checkpoint", icon=":material/upload:"):
        st.file_uploader("Checkpoint archive (.zip)", type=["zip"],
                         key=f"train_ckpt_{ss.get(CKPT_GEN, 0)}",
                         help="A .zip from 'Download checkpoint', trained on this same data. "
                              "Its lists are evaluated with the list length and split above.")
        if st.button("Load checkpoint", key="load_checkpoint"):
            _load_checkpoint(dataset)
    info = ss.get(ps.MODEL_INFO)
    if info is None:
        st.info("No model yet: choose one above and press **Train** (BPR-MF trains in seconds "
                "on the sample data).", icon=":material/model_training:")
        return
    st.divider()
    _current(info)


try:
    _render()
except FairrecError as exc:
    st.error(f"{ps.md(exc)}\n\nAdjust the settings above and try again.",
             icon=":material/error:")
except Exception as exc:  # the page boundary: a message, never a traceback
    st.error(f"Training stopped because of an unexpected problem ({type(exc).__name__}: "
             f"{ps.md(exc)}). Try a smaller learning rate, the CPU device, or the "
             "BPR-MF model.", icon=":material/error:")
