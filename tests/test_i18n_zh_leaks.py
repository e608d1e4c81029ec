"""No English prose in the Chinese interface: every page, driven through app.py with ``?lang=zh``.

One session loads the Chinese sample (``sample_data/zh``, users.csv in GBK),
trains BPR-MF for one epoch, computes the audit, builds a What-if curve,
explains a recommendation and a group gap, and builds the report; every page
is then read whole (see :mod:`tests.zh_leaks` for what is collected) and must
hold no run of three English words that is not the user's data.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps
from tests.test_app_pages import APP, PAGES, assert_clean
from tests.zh_leaks import dataset_strings, element_texts, english_runs, json_text_fields

SAMPLE_ZH = ds.SAMPLE_DIR / "zh"
PAGES = {**PAGES, "counterfactual": "pages/counterfactual_page.py",
         "report": "pages/report_page.py"}


def test_the_detector_finds_prose_and_passes_data_ids_and_markup():
    assert english_runs("用户的历史 lowers this item's score 总体") == ["lowers this item's score"]
    assert english_runs("命中率@10 · NDCG@10 · BPR · SHAP (text masker)") == []
    assert english_runs(":material/info: **公平性** <b>x</b> %{y:.3f}") == []
    assert english_runs("商品 Classic Cotton T-Shirt 提升了分数",
                        data=["Classic Cotton T-Shirt"]) == []
    assert english_runs("shap.TreeExplainer (path-dependent) · max_history") == []


def _leaks(at, data: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for text in element_texts(at):
        for run in english_runs(text, data):
            found.setdefault(run, []).append(text[:160])
    return found


@pytest.fixture(scope="module")
def zh_session():
    """The Chinese sample, BPR-MF trained for one epoch, all through app.py in Chinese."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "zh"
    at.session_state[ds.FILES] = ds.sample_files(SAMPLE_ZH)
    at.session_state[ds.ORIGIN] = "upload"
    at.run()
    at.switch_page(PAGES["train"]).run()
    at.number_input(key="opt_train_epochs").set_value(1).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    return at


def _visit(at, page: str, *clicks: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    for key in clicks:
        at.button(key=key).click().run()
    assert_clean(at)
    return at


@pytest.mark.parametrize("page, clicks", [
    ("data", ()), ("train", ()), ("fairness", ()), ("whatif", ("whatif_build",)),
    ("explain", ("explain_go", "explain_drivers")), ("counterfactual", ()), ("report", ()),
])
def test_no_english_prose_on_a_chinese_page(zh_session, page, clicks):
    at = _visit(zh_session, page, *clicks)
    data = dataset_strings(at.session_state[ds.DATASET])
    leaks = _leaks(at, data)
    assert not leaks, f"{page}: English prose in the Chinese interface: {leaks}"
    if page == "explain":  # the explanations themselves were shown, not only their buttons
        assert at.session_state[ps.EXPLAIN]["results"]


# ---------------------------------------------------------------------- the explanations' own text
def _no_prose(e, data) -> None:
    for text in [e.summary, e.caveat, e.target, e.method, *e.notes, *e.features]:
        assert not english_runs(text, data), text


@pytest.fixture(scope="module")
def english_sample():
    from tests.explain_setup import bpr, sample

    ds, sp = sample()
    return ds, sp, bpr(), dataset_strings(ds)


def test_history_explanation_speaks_chinese_and_english_is_unchanged(english_sample):
    from fairrec_core.explain import explain_history

    ds, _, model, data = english_sample
    top, _ = model.recommend([3], 1)
    en = explain_history(model, ds, 3, int(top[0, 0]), max_history=12)
    zh = explain_history(model, ds, 3, int(top[0, 0]), max_history=12, lang="zh")
    _no_prose(zh, data)
    assert en.summary.startswith("Your recent history") and "fold-in" in en.caveat
    assert "总体而言" in zh.summary and "摊销折入" in zh.caveat
    # Same numbers in both languages: only the words change.
    assert zh.values.tolist() == en.values.tolist()
    assert f"{zh.output_value - zh.base_value:+.3f}" in zh.summary


def test_drivers_and_report_samples_speak_chinese(english_sample):
    from fairrec_core.explain import disparity_drivers, explain_recommendations
    from fairrec_core.metrics import ranking_metrics

    ds, sp, model, data = english_sample
    ids, _ = model.recommend(None, 10)
    ndcg = ranking_metrics(ids, sp.test_matrix(), k=10).per_user["ndcg"]
    zh = disparity_drivers(ds, ndcg, split=sp, grouping="age", groups=("55+", "rest"),
                           lang="zh")
    _no_prose(zh, data)
    assert "历史长度" in zh.features and "实际差距" in zh.summary
    out = explain_recommendations(model, ds, sp, [3, 4], [int(ids[3, 0]), int(ids[4, 0])],
                                  lang="zh")
    for d in out:
        assert not english_runs(d["summary"] + d["limits"], data), d


def test_refusals_are_in_chinese(english_sample):
    from fairrec_core.explain import ExplanationError, TextExplainer, explain_history
    from fairrec_core.models import Popularity

    ds, sp, model, _ = english_sample
    with pytest.raises(ExplanationError, match="文本塔"):
        TextExplainer(model, ds, lang="zh")
    with pytest.raises(ExplanationError, match="历史归因不适用"):
        explain_history(Popularity().fit(ds, sp), ds, 0, 0, lang="zh")


# ---------------------------------------------------------------------- the zh report
#: report.json parts that are machine-readable: tables of numbers keyed by metric ids and
#: group labels (their reasons are the engine's codes, translated in the HTML), parameters,
#: the config and environment for reproduction.
MACHINE = {"reproducibility", "overall", "user_groups", "user_gaps", "item_groups", "lorenz",
           "params", "counts", "table", "provenance", "config", "environment", "inputs"}


def test_report_json_text_fields_are_chinese():
    import json

    from fairrec_core.report import render
    from tests.report_helpers import sample_audit

    files = {kind: str(SAMPLE_ZH / f"{kind}.csv")
             for kind in ("interactions", "users", "items", "recommendations")}
    result = sample_audit(data=files, report={"lang": "zh"})
    doc = json.loads(render(result, "json"))
    # The re-ranker's description is assembled from each re-ranker's summary and notes.
    assert "重排" in doc["rerank"]["description"]
    # The Chinese sample's titles, labels and headers are Chinese: no data to set aside.
    texts = json_text_fields(doc, MACHINE)
    # A cited paper keeps its published (English) title.
    cited = [doc["rerank"]["provenance"]["params"]["reference"]]
    leaks = {run: text[:160] for text in texts for run in english_runs(text, cited)}
    assert not leaks, leaks
    # The sentences that used to stay English are there, in Chinese.
    assert any("长尾" in n for n in doc["metrics"]["notes"])
    assert "划分" in doc["data"]["split"]["description"]
    assert "不可用" in doc["explanations"]["note"]  # imported lists: nothing to attribute


def test_reranker_titles_in_the_catalogue_are_the_classes_own():
    from fairrec_core.i18n import t
    from fairrec_core.rerank.calibrated import Calibrated
    from fairrec_core.rerank.fair_topk import FairTopK
    from fairrec_core.rerank.provider_greedy import ProviderExposure
    from fairrec_core.rerank.two_sided import TwoSided

    for cls in (TwoSided, ProviderExposure, FairTopK, Calibrated):
        assert t(f"rerank.title.{cls.name}", "en") == cls.title
        assert not english_runs(t(f"rerank.title.{cls.name}", "zh"))
