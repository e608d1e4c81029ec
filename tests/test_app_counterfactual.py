"""Counterfactual page through AppTest, from app.py, against the real core (no mocks).

The shop of ``test_counterfactual_stage`` is uploaded on the Data page, then a
profile two-tower is trained and probed on the Counterfactual page. What the
page shows is compared with the stored outcome's lists, read independently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.dashboard import counterfactual_session as cs
from tests.helpers import shop_frames

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/counterfactual_page.py"


def texts(elements) -> str:
    return re.sub(r"\\(.)", r"\1", "\n".join(str(e.value) for e in elements))


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def upload_shop(at) -> AppTest:
    at.switch_page("pages/data_page.py").run()
    for kind, frame in zip(("interactions", "users", "items"), shop_frames()):
        box = next(u for u in at.file_uploader if u.key.startswith(f"upload_{kind}_"))
        box.set_value((f"{kind}.csv", frame.to_csv(index=False).encode(), "text/csv"))
        at.run()
    return at


@pytest.fixture(scope="module")
def probed():
    at = AppTest.from_file(APP, default_timeout=300).run()
    upload_shop(at)
    at.switch_page(PAGE).run()
    assert_clean(at)
    at.number_input(key="opt_cf_epochs").set_value(12)
    at.number_input(key="opt_cf_k").set_value(5)
    at.number_input(key="opt_cf_users").set_value(60)
    at.multiselect(key="opt_cf_attributes").set_value(["gender"])
    at.button(key="cf_run").click().run()
    return at


def test_page_without_data_says_what_to_do(monkeypatch):
    monkeypatch.delenv("FAIRREC_AUTOLOAD_SAMPLE", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert "Load data on the Data page first." in texts(at.info)


def test_probe_results_match_the_stored_outcome(probed):
    at = probed
    assert_clean(at)
    run = at.session_state[cs.RESULT]
    doc = run.outcome.to_dict()
    gender = doc["probe"]["attributes"]["gender"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Users whose top-5 changes (gender)"] == f"{gender['changed_any']:.0%}"
    summary = at.dataframe[0].value
    row = summary[(summary["Attribute"] == "gender") & (summary["Similarity"] == "Jaccard")]
    assert float(row["SNSR"].iloc[0]) == pytest.approx(gender["snsr"]["jaccard"], abs=5e-4)
    leak = at.dataframe[2].value
    assert float(leak["AUC"].iloc[0]) == pytest.approx(
        doc["leakage"]["probed"]["gender"]["auc"], abs=5e-4)
    # The exported config carries the section the page ran.
    assert at.session_state["pipeline_config"].counterfactual.attributes == ["gender"]


def test_one_users_lists_mark_the_changed_items(probed):
    at = probed
    outcome = at.session_state[cs.RESULT].outcome
    p = outcome.probe
    # A user whose list moves when the profile says "F".
    row = next(r for r in range(len(p.users)) if set(p.lists["gender"]["F"][r])
               != set(p.neutral[r]))
    at.selectbox(key="cf_user").set_value(row).run()
    at.selectbox(key="cf_value_gender").set_value("F").run()
    assert_clean(at)
    table = at.dataframe[-1].value
    neutral_col, cf_col = table.columns[1], table.columns[2]
    assert cf_col == "Profile says F"
    marked = int(table[cf_col].str.startswith(cs.MARK).sum())
    assert marked == len(set(p.lists["gender"]["F"][row]) - set(p.neutral[row])) > 0
    assert int(table[neutral_col].str.startswith(cs.MARK).sum()) == marked


def test_page_speaks_chinese():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.title[0].value == "反事实属性探测"


def test_compare_mitigations_shows_the_three_models(probed):
    at = probed
    at.radio(key="opt_cf_augment").set_value("swap")
    at.button(key="cf_compare").click().run()
    assert_clean(at)
    mit = at.session_state[cs.MITIGATION].outcome
    assert [r["variant"] for r in mit.rows] == ["aware", "unaware", "augmented"]
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["Aware (profile states the attributes)",
                                      "Unaware (attributes left out)",
                                      "Augmented (counterfactual data augmentation)"]
    for i, r in enumerate(mit.rows):
        cell = table["gender: SNSR Jaccard@5 [interval]"].iloc[i]
        assert float(cell.split()[0]) == pytest.approx(r["by_attribute"]["gender"]["snsr"],
                                                       abs=5e-4)
        assert float(table["NDCG@5 (test)"].iloc[i]) == pytest.approx(r["ndcg"], abs=5e-4)
    # The unaware model never reads gender: its lists never move.
    assert mit.rows[1]["by_attribute"]["gender"]["snsr"] == 0.0
    # The probe of the same data carries the comparison into the report.
    doc = at.session_state[cs.RESULT].outcome.to_dict()
    assert [r["variant"] for r in doc["mitigation"]["rows"]] == ["aware", "unaware",
                                                                 "augmented"]
