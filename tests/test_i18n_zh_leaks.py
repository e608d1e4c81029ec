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
from tests.zh_leaks import (
    dataset_strings,
    derived_keys,
    element_texts,
    english_runs,
    json_text_fields,
    plotly_texts,
)

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


def _leaks(at, data: set[str], find=english_runs) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for text in element_texts(at):
        for run in find(text, data):
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
    keys = _leaks(at, data, derived_keys)
    assert not leaks, f"{page}: English prose in the Chinese interface: {leaks}"
    assert not keys, f"{page}: fairrec's English group labels in the Chinese interface: {keys}"
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


# ---------------------------------------------------------------------- fairrec's own labels
def _zh_labels_audit():
    """The Chinese sample with every kind of label fairrec makes: activity, popularity,
    item age, an intersection with activity, and a re-ranker acting for the tail."""
    from tests.report_helpers import sample_audit

    files = {kind: str(SAMPLE_ZH / f"{kind}.csv")
             for kind in ("interactions", "users", "items", "recommendations")}
    return sample_audit(data=files, report={"lang": "zh"},
                        metrics={"item_groupings": ["item_age", "店铺规模"],
                                 "intersections": [["性别", "activity"]]},
                        rerank={"method": "two_sided", "item_grouping": "popularity",
                                "protected": ["tail"], "lam": 0.3})


#: report.json fields that name a group or grouping by its key (the sentences name it in words).
KEYS = {"name", "grouping", "group", "item_grouping", "protected", "fairness_column"}


def _html_texts(html: str) -> list[str]:
    """The HTML's visible text and every reader-visible string of its embedded charts."""
    import json
    import re

    charts = re.findall(r"\(f=(.*)\)\.data, f\.layout, cfg\);", html)
    assert charts, "no chart in the report"
    # The only <pre> is audit.toml, to rerun the audit: machine keys by design.
    assert html.count("<pre>") == 1 and "[metrics]" in html.split("<pre>")[1]
    texts = [re.sub(r"<pre>.*?</pre>", " ", html, flags=re.S)]  # scripts, tags: dropped later
    for spec in charts:
        texts += plotly_texts(json.loads(spec))
    return texts


def _found(texts, data=()) -> dict[str, str]:
    return {key: text[:160] for text in texts for key in derived_keys(text, data)}


def test_the_label_detector_finds_keys_as_words_only():
    assert derived_keys("活跃度 inactive 的用户") == ["inactive"]
    assert derived_keys("ES/CS（tail）· item_age × 性别") == ["tail", "item_age"]
    assert derived_keys("F × unknown") == ["unknown"]
    # Parts of other words, code names, markup and the user's own data are not keys.
    assert derived_keys("newest headline :material/new_releases: <b class=head>x</b>") == []
    assert derived_keys("商品 other", data=["商品 other"]) == []
    assert derived_keys("tail_share es_cs_ratio[tail]") == ["tail"]


def test_zh_report_shows_no_derived_english_label_but_keeps_the_keys(tmp_path):
    import io
    import json
    import shutil
    import subprocess
    import zipfile

    from fairrec_core.report import render

    result = _zh_labels_audit()
    f = result.fairness
    # The audit holds every kind of label this test is about.
    assert {"active", "inactive", "其他 × inactive"} <= set(f.user_groups["group"])
    assert {"head", "tail", "new", "established"} <= set(f.item_groups["group"])
    doc = json.loads(render(result, "json"))
    # Sentences and notes: no English key (the cited paper's title is English prose, not keys).
    cited = [doc["rerank"]["provenance"]["params"]["reference"]]
    assert not _found(json_text_fields(doc, MACHINE | KEYS), cited)
    assert {c["grouping"] for c in doc["checks"]} >= {"activity", "item_age", "popularity"}
    # ... while the machine fields keep them exactly (CI pipelines match on these).
    groups = {(g["grouping"], g["group"]) for g in doc["metrics"]["user_groups"]}
    assert {("activity", "inactive"), ("性别 × activity", "女 × inactive")} <= groups
    items = {(g["grouping"], g["group"]) for g in doc["metrics"]["item_groups"]}
    assert {("popularity", "tail"), ("item_age", "new"), ("item_age", "established")} <= items
    assert doc["rerank"]["protected"] == ["tail"]
    with zipfile.ZipFile(io.BytesIO(render(result, "csv"))) as z:
        csv = "\n".join(z.read(n).decode("utf-8-sig") for n in z.namelist())
    for key in (",inactive,", ",tail,", ",established,", ",activity,", ",item_age,"):
        assert key in csv, key
    html = render(result, "html").decode()
    assert "不活跃" in html and "长尾" in html
    leaks = _found(_html_texts(html))
    assert not leaks, f"zh HTML report: {leaks}"
    assert shutil.which("pdftotext"), "poppler-utils is missing"
    path = tmp_path / "report.pdf"
    path.write_bytes(render(result, "pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "不活跃" in text
    # The reproducibility section prints audit.toml (machine keys by design), set aside here.
    toml = [line.strip() for line in result.config.to_toml().splitlines() if line.strip()]
    leaks = _found(text.splitlines(), cited + toml)
    assert not leaks, f"zh PDF report: {leaks}"
