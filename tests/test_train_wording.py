"""The Train page's progress wording (dashboard/train_wording.py, split out of the page)."""

from __future__ import annotations

import re

import pytest

from fairrec_core.dashboard import train_wording as tw
from fairrec_core.training.progress import ProgressEvent
from fairrec_core.viz.model_charts import TrainingLog

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_model_bar_follows_a_real_training_to_its_end():
    from fairrec_core.dashboard import data_session as ds
    from fairrec_core.data import split_dataset
    from fairrec_core.models import BPR

    state: dict = {ds.FILES: ds.sample_files()}
    ds.refresh(state)
    dataset = state[ds.DATASET]
    split = split_dataset(dataset)
    log, seen = TrainingLog(), []

    def on_event(ev):
        log(ev)
        seen.append((ev.kind, *tw.model_progress(log, ev, "en")))

    BPR(epochs=2, dim=8, seed=0).fit(dataset, split, callbacks=[on_event])
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert seen[-1][2].startswith("Epoch 2/2 on ")
    assert any("NDCG@10" in text for kind, _, text in seen if kind == "epoch")


def test_the_encoding_stage_and_the_grid_slots():
    log = TrainingLog()
    ev = ProgressEvent("encode", 0, 3, step=50, steps=200)
    log(ev)
    assert tw.model_progress(log, ev) == (0.25, "Encoding item texts: 50 of 200")
    lambdas = [0.0, 0.5, 1.0, 3.0]
    # The second fit (n = 1), half-way through its 2 epochs: 1.5 of 4 slots.
    mid = ProgressEvent("step", 2, 2, step=0, steps=10)
    frac, text = tw.grid_progress(mid, 1, lambdas)
    assert frac == pytest.approx((1 + 0.5) / 4)
    assert text == "Grid: model 2 of 4 (λ_train = 0.5)"
    assert tw.grid_progress(ProgressEvent("end", 2, 2), 3, lambdas)[0] == 1.0
    assert HAN.search(tw.grid_progress(mid, 1, lambdas, "zh")[1])


def test_the_stopped_notice_says_what_is_kept():
    grid = tw.stopped_message({"what": "grid"}, True)
    model = tw.stopped_message({"what": "model", "progress": "Epoch 2/5 on cpu",
                                "elapsed": 3.0}, True)
    assert grid != model and "Epoch 2/5 on cpu" in model
    assert tw.stopped_message({"what": "model", "progress": ""}, False) != model
    assert HAN.search(tw.stopped_message({"what": "model", "progress": ""}, False, "zh"))
