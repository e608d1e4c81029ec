"""The Report page: AppTest from app.py, and its session logic with a plain dict."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.config_sections import RerankConfig
from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import fairness_session as fs
from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import report_session as rs
from fairrec_core.dashboard import training_session as ts
from fairrec_core.data import load_dataset, split_dataset
from fairrec_core.models import Popularity
from fairrec_core.pipeline.evaluation import evaluate_top_k
from tests.report_helpers import SAMPLE

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def texts(elements) -> str:
    return re.sub(r"\\(.)", r"\1", "\n".join(str(e.value) for e in elements))


@pytest.fixture
def at(monkeypatch) -> AppTest:
    monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    return AppTest.from_file(APP, default_timeout=120).run()


def test_empty_state_says_what_to_do_first(at):
    at.switch_page("pages/report_page.py").run()
    assert not at.exception
    assert at.title[0].value == "Report"
    assert "Load data on the Data page first" in texts(at.warning)


def test_builds_previews_and_rejudges_the_imported_lists(at):
    at.button(key="use_sample").click().run()
    at.switch_page("pages/report_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "production recommendations you uploaded" in texts(at.info)
    assert "report_result" not in at.session_state
    at.button[0].click().run()  # Build the report
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["report_result"][1]
    assert result.model["source"] == "imported"
    assert "Overall verdict: FAIL." in texts(at.error)
    # A laxer fail threshold re-judges without rebuilding: the age gap (0.54) now warns.
    for ni in at.number_input:
        if ni.label.startswith("User ratio: fail"):
            ni.set_value(0.5)
    at.run()
    assert not at.exception
    assert at.session_state["report_result"][1] is result  # nothing recomputed
    card = at.dataframe[0].value  # the scorecard table
    row = card[card["Check"] == "User gap · age · NDCG@10"].iloc[0]
    assert row["Status"] == "WARN" and row["Fail"] == "<\u00a00.5"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                        items=SAMPLE / "items.csv", recommendations=SAMPLE / "recommendations.csv")


def _session(dataset):
    state = {ds.DATASET: dataset, ds.VERSION: 1}
    split = split_dataset(dataset, method="temporal", test_n=2, valid_n=1)
    ts.use_model(state, Popularity().fit(dataset, split), split, k=10, source="trained")
    return state, split


def test_session_model_is_audited_with_its_own_split_and_lists(dataset):
    state, split = _session(dataset)
    assert rs.available_source(state) == "session"
    config = rs.session_config(state)
    assert config.model.name == "popularity" and config.metrics.k == 10
    assert config.data.interactions == "interactions.csv"  # the uploaded file's name
    config = config.__class__.from_dict({**config.to_dict(), "metrics": {
        **config.to_dict()["metrics"], "n_boot": 50}})
    result = rs.build_result(state, config)
    assert rs.current_result(state, config) is result
    ref = evaluate_top_k(dataset, split, state[ps.LISTS].ids, k=10, n_boot=50, seed=0)
    assert np.allclose(result.fairness.overall["value"], ref.overall["value"], equal_nan=True)
    assert result.model["source"] == "session" and not result.rerank["applied"]


def test_reranked_session_lists_are_the_ones_audited(dataset):
    state, split = _session(dataset)
    lists = state[ps.LISTS]
    shuffled = lists.ids[:, ::-1].copy()  # any other lists: the report must use these
    fs.apply_lists(state, shuffled, label="re-ranked: test", provenance={
        "source": "rerank", "method": "provider", "lam": 0.3, "k": 10, "params": {},
        "notes": [], "item_grouping": "seller_size", "protected": ["small"]},
        rerank=RerankConfig(method="provider", lam=0.3, item_grouping="seller_size",
                            protected=["small"]))
    config = rs.session_config(state)  # the session's sections, dumped
    assert config.rerank.method == "provider" and config.rerank.lam == 0.3
    assert config.rerank.item_grouping == "seller_size" and config.rerank.protected == ["small"]
    result = rs.build_result(state, config.__class__.from_dict(
        {**config.to_dict(), "metrics": {**config.to_dict()["metrics"], "n_boot": 50}}))
    ref = evaluate_top_k(dataset, split, shuffled, k=10, n_boot=50, seed=0)
    assert np.allclose(result.fairness.overall["value"], ref.overall["value"], equal_nan=True)
    assert result.rerank["applied"] and result.rerank["lam"] == 0.3
    assert result.tradeoff["operating_point"]["lam"] == 0.3
    # The inputs changed (new lists): the stored report is dropped, never shown stale.
    fs.restore_model_lists(state)
    assert rs.current_result(state, rs.session_config(state)) is None


def test_markdown_escaping_keeps_data_literal():
    text = rs.md_escape("![x](http://evil/p.png) <b>*bold*</b> $x$")
    assert "![" not in text and "](" not in text and "<b>" not in text and "$x$" not in text
    assert re.sub(r"\\(.)", r"\1", text) == "![x](http://evil/p.png) <b>*bold*</b> $x$"
