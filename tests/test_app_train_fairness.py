"""Train page: fairness during training (λ_train grid), training feedback, Chinese.

Driven through AppTest from ``app.py`` with the sample data, against the real
core; the grid's numbers are checked against models trained here independently.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import training_session as ts
from fairrec_core.fairtrain import parse_fairness
from fairrec_core.metrics import ranking_metrics
from fairrec_core.models import BPR
from tests.test_app_pages import assert_clean, go, load_sample, new_app, texts

GRID_KW = dict(epochs=2, dim=16)


@pytest.fixture(scope="module")
def grid_app():
    """Sample data, BPR trained for 2 epochs, then a 3-point user-loss grid on gender."""
    at = new_app()
    load_sample(at)
    go(at, "train")
    at.number_input(key="opt_train_epochs").set_value(GRID_KW["epochs"]).run()
    at.number_input(key="opt_train_dim").set_value(GRID_KW["dim"]).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    at.selectbox(key="opt_fair_term").set_value("user-loss").run()
    at.selectbox(key="opt_fair_attribute").set_value("gender").run()
    at.text_input(key="opt_fair_grid").set_value("0, 1, 3").run()
    at.button(key="fair_grid_button").click().run()
    assert_clean(at)
    return at


def test_the_grid_table_matches_models_trained_independently(grid_app):
    at = grid_app
    grid = at.session_state[ps.FAIRTRAIN]
    table = grid.table
    assert list(table["lam"]) == [0.0, 1.0, 3.0]
    assert grid.fairness_column == "ndcg_ratio[gender]"
    assert "λ_train grid of 3 models trained in" in texts(at.success)
    # The λ = 0 row is the plain BPR of the same split and seed; λ = 3 the fair one.
    state = at.session_state
    split = state[ps.SPLIT]
    from fairrec_core.dashboard.fairness_session import session_dataset

    dataset = session_dataset(state)
    params = dict(epochs=2, dim=16, device="auto", eval_k=10, lr=0.01, patience=5,
                  batch_size=4096, seed=0)
    truth = split.test_matrix()
    genders = dataset.users["gender"].astype(str).to_numpy()
    for lam, row in zip((0.0, 3.0), (table.iloc[0], table.iloc[2])):
        fair = None if lam == 0 else parse_fairness("user-loss:gender", lam)
        model = BPR(**params, fairness=fair).fit(dataset, split)
        top, _ = model.recommend(None, 10)
        ndcg = ranking_metrics(top, truth, k=10).per_user["ndcg"].to_numpy()
        means = pd.Series(ndcg).groupby(genders).mean().drop("unknown", errors="ignore")
        means = means.dropna()
        assert row["ndcg"] == pytest.approx(np.nanmean(ndcg), rel=1e-9)
        assert row["ndcg_ratio[gender]"] == pytest.approx(means.min() / means.max(), rel=1e-9)
    # The Pareto flag: a row is flagged iff no other row is at least as good on both axes
    # and better on one (recomputed here by a plain loop).
    pts = table[["ndcg", "ndcg_ratio[gender]"]].to_numpy()
    for i, p in enumerate(pts):
        dominated = any((q >= p).all() and (q > p).any() for j, q in enumerate(pts) if j != i)
        assert bool(table["pareto"].iloc[i]) == (not dominated)


def test_the_grid_is_drawn_and_tabulated(grid_app):
    at = grid_app
    frames = [d.value for d in at.dataframe]
    shown = next(f for f in frames if "λ_train" in f.columns)
    assert len(shown) == 3
    assert "Trade-off of fairness during training" in texts(at.subheader)
    # The chart and the training history: two Plotly charts.
    assert len(at.get("plotly_chart")) == 2


def test_the_grid_does_not_replace_the_session_model(grid_app):
    info = grid_app.session_state[ps.MODEL_INFO]
    assert info.params.get("fairness") is None and info.training["epochs_run"] == 2


def test_intervals_are_on_the_accuracy_cards(grid_app):
    at = grid_app
    run = at.session_state[ps.FAIRNESS]
    rows = ts.accuracy_rows(run.result, 10)
    captions = texts(at.caption)
    ndcg = next(r for r in rows if r["name"] == "ndcg")
    assert ndcg["interval"].startswith("95% CI ") and ndcg["interval"] in captions


def test_train_with_a_term_records_it_and_time_counts_from_the_click(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    go(at, "train")
    at.number_input(key="opt_train_epochs").set_value(1).run()
    at.selectbox(key="opt_fair_term").set_value("adversary").run()
    at.selectbox(key="opt_fair_attribute").set_value("gender").run()
    at.number_input(key="opt_fair_weight").set_value(0.2).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    info = at.session_state[ps.MODEL_INFO]
    assert info.params["fairness"]["term"] == "adversary"
    assert info.params["fairness"]["weight"] == pytest.approx(0.2)
    assert all("fairness_term" in h for h in info.training["history"])
    # "ready in" covers split, training, ranking and the audit: more than training alone.
    ready = float(re.search(r"ready in ([\d.]+) s", texts(at.success)).group(1))
    assert ready >= info.training["seconds"]


def test_an_interrupted_training_says_so_and_keeps_the_model(grid_app):
    at = grid_app
    before = at.session_state[ps.MODEL_INFO]
    # What a Stop leaves behind: the flag set when training started, with its progress.
    at.session_state["train_running"] = {"what": "model", "progress": "Epoch 2/30 on cpu",
                                         "started": 0.0, "elapsed": 3.0}
    at.run()
    shown = texts(at.warning)
    assert "Training was stopped (at Epoch 2/30 on cpu, after 3 s)" in shown
    assert "the current model below is still the session's model" in shown
    assert at.session_state[ps.MODEL_INFO] is before
    assert "Current model" in texts(at.subheader)
    at.run()  # said once
    assert "Training was stopped" not in texts(at.warning)


def test_bad_grid_values_are_a_plain_message(grid_app):
    at = grid_app
    at.text_input(key="opt_fair_grid").set_value("0, -1").run()
    at.button(key="fair_grid_button").click().run()
    assert "0 or more" in texts(at.error)
    assert not at.exception


def test_the_train_page_in_chinese(monkeypatch):
    at = new_app(monkeypatch)
    at.query_params["lang"] = "zh"
    at.run()
    load_sample(at)
    go(at, "train")
    assert_clean(at)
    assert "训练" in [t.value for t in at.title]
    assert at.button(key="train_button").label == "训练"
    assert at.radio(key="opt_train_model").label == "模型"
    assert "训练中的公平性约束（λ_train）" in [e.label for e in at.expander]
    at.number_input(key="opt_train_epochs").set_value(1).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    assert "已就绪" in texts(at.success)
    assert "当前模型" in texts(at.subheader)


def test_two_tower_reports_an_encoding_stage_before_training():
    from fairrec_core.models import TextTwoTower
    from tests.helpers import small_text_shop

    torch.set_num_threads(1)
    ds, split, _ = small_text_shop()
    events = []
    TextTwoTower(dim=8, epochs=1, batch_size=128, device="cpu", cache_dir=None
                 ).fit(ds, split, callbacks=[events.append])
    kinds = [e.kind for e in events]
    first_start = kinds.index("start")
    encode = [e for e in events[:first_start] if e.kind == "encode"]
    assert encode and all(e.kind == "encode" for e in events[:first_start])
    assert encode[0].step == 0 and encode[-1].step == encode[-1].steps == 40
    assert "encode" not in kinds[first_start:]
