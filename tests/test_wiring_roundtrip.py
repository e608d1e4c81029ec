"""One wiring: the dashboard's exported audit.toml makes the dashboard's lists and numbers.

The dashboard is driven as a user drives it (``streamlit.testing.v1.AppTest``
from ``app.py``): load the sample data, train the popularity model, set the
audit's resamples on the Fairness page, re-rank on What-if at λ = 0.4 and
audit those lists, build the report on the Report page. The ``audit.toml``
is the one the Report page offers for download: AppTest cannot read a
download button's payload, so it is taken from the same controller call the
page makes (``report_session.session_config``), and checked to be the config
the page built its report with (``current_result`` matches its fingerprint).

``fairrec audit --config audit.toml`` then runs as a separate process on
copies of the sample files, and must reproduce the dashboard's re-ranked
lists (their SHA-256, computed here with hashlib from the session's array)
and every metric, check and trade-off row of the dashboard's report.json.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.dashboard import pipeline_session as ps
from fairrec_core.dashboard import report_session as rs
from fairrec_core.report import render
from tests.report_helpers import SAMPLE, fairrec_audit

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LAM = 0.4
PAGES = {"data": "pages/data_page.py", "train": "pages/train_page.py",
         "fairness": "pages/fairness_page.py", "whatif": "pages/whatif_page.py",
         "report": "pages/report_page.py"}


def go(at, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture(scope="module")
def dashboard():
    """A session taken from data to report by the pages' own widgets."""
    at = AppTest.from_file(APP, default_timeout=300).run()
    go(at, "data").button(key="use_sample").click().run()
    go(at, "train").radio(key="opt_train_model").set_value("popularity").run()
    at.button(key="train_button").click().run()
    clean(at)
    go(at, "fairness").number_input(key="opt_fair_n_boot").set_value(100)
    at.button(key="FormSubmitter:fair_choices-Compute audit").click().run()
    clean(at)
    go(at, "whatif")
    assert at.selectbox(key="opt_whatif_method").value == "two_sided"  # the config's default
    assert not at.multiselect(key="opt_whatif_protected").disabled
    # The provider method spreads exposure over every group: no protected-group picker.
    at.selectbox(key="opt_whatif_method").set_value("provider").run()
    assert at.multiselect(key="opt_whatif_protected").disabled
    at.selectbox(key="opt_whatif_method").set_value("two_sided").run()
    at.selectbox(key="opt_whatif_grouping").set_value("seller_size").run()
    at.button(key="whatif_build").click().run()
    clean(at)
    at.slider(key="opt_whatif_lam").set_value(LAM).run()
    at.button(key="whatif_apply").click().run()
    clean(at)
    go(at, "report")
    at.button[0].click().run()  # Build the report
    # The preview shows a failing verdict with st.error: only exceptions are problems here.
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_exported_config_reproduces_lists_and_every_metric(dashboard, tmp_path):
    state = dashboard.session_state
    lists = state[ps.LISTS]
    assert lists.reranked and lists.provenance["lam"] == LAM
    result = state[rs.RESULT][1]
    config = rs.session_config(state, title="Recommender fairness audit")
    assert rs.current_result(state, config) is result  # the config the page built with
    assert config.rerank.method == "two_sided" and config.rerank.lam == LAM
    assert config.model.name == "popularity" and config.metrics.n_boot == 100

    for name in ("interactions.csv", "users.csv", "items.csv", "recommendations.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    toml = tmp_path / "audit.toml"
    toml.write_text(config.to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    r = fairrec_audit("--config", toml, "--out", out, "--formats", "json", "--no-progress")
    assert r.returncode in (0, 1), r.stderr  # 1: the default gate tripped on a failed check
    cli = json.loads((out / "report.json").read_text(encoding="utf-8"))
    mine = json.loads(render(result, "json"))

    # The same lists: the CLI re-made exactly the lists the dashboard audited.
    digest = hashlib.sha256(np.ascontiguousarray(lists.ids, dtype=np.int64).tobytes())
    assert mine["rerank"]["lists_sha256"] == digest.hexdigest()
    assert cli["rerank"]["lists_sha256"] == digest.hexdigest()
    for key in ("method", "lam", "item_grouping", "protected", "protected_inferred"):
        assert cli["rerank"][key] == mine["rerank"][key], key
    # Every number: metrics, checks, verdict, the trade-off curve.
    assert cli["metrics"] == mine["metrics"]
    assert cli["checks"] == mine["checks"]
    assert cli["verdict"] == mine["verdict"]
    assert cli["tradeoff"] == mine["tradeoff"]
    assert cli["data"] == mine["data"]
    assert cli["model"]["params"] == mine["model"]["params"]
