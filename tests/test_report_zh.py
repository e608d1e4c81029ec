"""Reports in Chinese: report.json text, HTML, PDF and charts (issue 16, item 2).

The Chinese check sentences are written again from the checks table and the tables
it came from; the same code path in English must reproduce the metrics engine's own
sentences word for word, which pins the groups and numbers it reads to the engine's.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import warnings

import pytest

from fairrec_core.report import render
from fairrec_core.report.check_text import check_sentence, reason_text
from tests.report_helpers import sample_audit

HAN = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _zh(result):
    report = dataclasses.replace(result.config.report, lang="zh")
    return dataclasses.replace(result, config=dataclasses.replace(result.config, report=report))


@pytest.fixture(scope="module")
def en():
    return sample_audit()


@pytest.fixture(scope="module")
def zh(en):
    return _zh(en)


@pytest.fixture(scope="module")
def docs(en, zh):
    return (json.loads(render(en, "json")), json.loads(render(zh, "json")))


def test_english_path_reproduces_the_engine_sentences(en):
    checks = en.fairness.checks
    assert {"pass", "fail", "inconclusive"} & set(checks["status"])
    for _, row in checks.iterrows():
        assert check_sentence(row, en, "en") == row["message"]


def test_zh_json_text_is_chinese_and_names_stay_english(docs):
    doc_en, doc_zh = docs
    assert doc_en["title"] == "Recommender fairness audit"
    assert doc_zh["title"] == "推荐系统公平性审计报告"
    assert len(doc_zh["checks"]) == len(doc_en["checks"]) > 0
    for ce, cz in zip(doc_en["checks"], doc_zh["checks"]):
        assert HAN.search(cz["message"]), cz["message"]
        assert not HAN.search(ce["message"])
        # Everything but the sentence is the same: names, ids, statuses, numbers.
        assert {k: v for k, v in ce.items() if k != "message"} == \
               {k: v for k, v in cz.items() if k != "message"}
        # The sentence states the same figures (percent gaps, intervals, ratios).
        assert sorted(NUMBER.findall(ce["message"])) == sorted(NUMBER.findall(cz["message"]))
    assert doc_zh["verdict"] == doc_en["verdict"]
    # Tables and parameters are the same; the notes are sentences, in the report's language
    # with the same figures (issue 16).
    notes_en, notes_zh = doc_en["metrics"]["notes"], doc_zh["metrics"]["notes"]
    assert ({k: v for k, v in doc_zh["metrics"].items() if k != "notes"}
            == {k: v for k, v in doc_en["metrics"].items() if k != "notes"})
    assert len(notes_zh) == len(notes_en) > 0
    for ne, nz in zip(notes_en, notes_zh):
        assert HAN.search(nz) and not HAN.search(ne)
        assert sorted(NUMBER.findall(ne)) == sorted(NUMBER.findall(nz)), (ne, nz)
    assert doc_en["methodology"][0]["term"] == "Held-out positives and evaluable users"
    for m in doc_zh["methodology"]:
        assert HAN.search(m["term"]) and HAN.search(m["definition"]), m
    assert doc_zh["reproducibility"]["config"]["report"]["lang"] == "zh"


def test_zh_age_sentence_reads_as_an_analyst_would_write_it(docs):
    doc_en, doc_zh = docs
    i = next(i for i, c in enumerate(doc_en["checks"]) if c["name"] == "user_gap:age:ndcg")
    m = re.fullmatch(r'Users with age "(.+)" receive (\S+)% lower NDCG@10 than users with age '
                     r'"(.+)" \(95% CI (\S+)–(\S+)%\)\.', doc_en["checks"][i]["message"])
    assert m, doc_en["checks"][i]["message"]
    worst, gap, best, lo, hi = m.groups()
    assert doc_zh["checks"][i]["message"] == (
        f"年龄为“{worst}”的用户获得的 NDCG@10 比年龄为“{best}”的用户低 {gap}%"
        f"（95% 置信区间 {lo}% 至 {hi}%）。")


def test_verdict_sentence_in_chinese(en):
    from fairrec_core.report.text import verdict_sentence

    v = {"status": "fail", "n_checks": 10,
         "counts": {"fail": 4, "warn": 1, "pass": 0, "inconclusive": 5, "insufficient_data": 0}}
    assert verdict_sentence(v) == ("Overall verdict: FAIL. Of 10 checks, 4 failed, 1 warned, "
                                   "0 passed, 5 inconclusive (the data cannot tell).")
    assert verdict_sentence(v, "zh") == ("总体结论：不通过。共 10 项检查，其中 4 项不通过、"
                                         "1 项警告、0 项通过、5 项无法判定（数据不足以下结论）。")


def test_reasons_are_translated_with_their_numbers():
    assert reason_text("only 12 evaluable users (minimum 30); shown, not judged, no interval",
                       "zh") == "只有 12 位可评估用户（至少需要 30 位）；仅展示，不评判，无区间"
    assert reason_text("all users are in one group of gender", "zh") == \
        "所有用户都属于性别的同一个组"
    assert reason_text("only 12 held-out positives (minimum 30); shown, not judged", "zh") == \
        "只有 12 个留出正样本（至少需要 30 个）；仅展示，不评判"
    assert reason_text("something new", "zh") == "something new"
    assert reason_text("only 1 of 3 groups have at least 30 evaluable users", "en") == \
        "only 1 of 3 groups have at least 30 evaluable users"


def test_html_lang_attribute_and_chinese_sections(en, zh):
    html_zh = render(zh, "html", sections=["scorecard", "user_fairness", "methodology"]).decode()
    html_en = render(en, "html", sections=["scorecard", "user_fairness", "methodology"]).decode()
    assert '<html lang="zh-CN">' in html_zh and '<html lang="en">' in html_en
    titles = re.findall(r"<h2>(.*?)</h2>", html_zh)
    assert titles == ["结论总览", "用户侧公平性", "方法与定义"]
    assert re.findall(r"<h2>(.*?)</h2>", html_en) == [
        "Verdict scorecard", "User-side fairness", "Methodology and definitions"]
    for english in ("Overall verdict", "Best group", "Finding", "By age"):
        assert english not in html_zh and english in html_en
    assert "按年龄" in html_zh and "不通过" in html_zh
    # Chart words are Chinese too (the embedded Plotly JSON writes them as \\u escapes); the
    # title is the Fairness page's, since the report draws the page's figure.
    title = "按年龄分组的 NDCG@10"
    assert title in html_zh or json.dumps(title)[1:-1] in html_zh


def test_zh_pdf_has_chinese_text(zh, tmp_path):
    assert shutil.which("pdftotext") and shutil.which("pdffonts"), "poppler-utils is missing"
    path = tmp_path / "report.pdf"
    path.write_bytes(render(zh, "pdf", sections=["scorecard", "methodology"]))
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    for words in ("推荐系统公平性审计报告", "结论总览", "总体结论", "检查项", "置信区间"):
        assert words in text, words
    # Every text run has its font (mixed-font lines once lost theirs: "No font in show").
    whole = subprocess.run(["pdftotext", str(path), "/dev/null"], capture_output=True,
                           text=True, check=True)
    assert whole.stderr == "", whole.stderr
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert re.search(r"WenQuanYi|Noto|CJK|UMing", fonts, re.I), fonts


def test_zh_pdf_without_a_cjk_font_names_the_package(zh, monkeypatch):
    from fairrec_core.report import fonts

    monkeypatch.setattr(fonts, "CJK_FONT_PATHS", ("/nonexistent/font.ttc",))
    with pytest.raises(fonts.MissingFontError, match="fonts-wqy-microhei"):
        render(zh, "pdf", sections=["scorecard"])


def test_zh_static_chart_draws_every_glyph(zh):
    from fairrec_core.viz.fairness_figures import lorenz_spec, user_group_spec
    from fairrec_core.viz.render_png import to_png

    f = zh.fairness
    with warnings.catch_warnings():
        # matplotlib warns "Glyph ... missing from font(s)" for every tofu box.
        warnings.simplefilter("error")
        png = to_png(user_group_spec(f, "age", "ndcg", lang="zh"))
        png2 = to_png(lorenz_spec(f, lang="zh"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png2[:8] == b"\x89PNG\r\n\x1a\n"


def test_lang_comes_from_cli_flag_and_config(tmp_path):
    import argparse

    from fairrec_core.cli.audit import add_arguments, config_from_args
    from fairrec_core.config import AuditConfig
    from fairrec_core.errors import ConfigError
    from tests.report_helpers import sample_config

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    cfg_path = tmp_path / "audit.toml"
    AuditConfig.from_dict(sample_config(report={"lang": "zh"})).save(cfg_path)
    assert 'lang = "zh"' in cfg_path.read_text(encoding="utf-8")
    args = parser.parse_args(["--config", str(cfg_path), "--allow-outside-paths"])
    assert config_from_args(args).report.lang == "zh"
    args = parser.parse_args(["--config", str(cfg_path), "--allow-outside-paths",
                              "--lang", "en"])
    assert config_from_args(args).report.lang == "en"
    with pytest.raises(ConfigError, match="lang"):
        AuditConfig.from_dict(sample_config(report={"lang": "fr"}))


def test_metric_labels_and_definitions_in_both_languages():
    from fairrec_core.metrics.definitions import (
        DEFINITIONS,
        metric_help,
        metric_label,
        status_label,
    )

    assert metric_label("recall", 5) == "Recall@5"
    assert metric_label("recall", 5, "zh") == "召回率@5"
    assert metric_label("es_cs_ratio[small]", 10) == "ES/CS (small)"
    assert metric_label("es_cs_ratio[small]", 10, "zh") == "ES/CS（small）"
    assert metric_help("precision", 10).startswith(
        "Precision@10: Share of the 10 recommended items that the user went on to like")
    assert metric_help("precision", 10, "zh").startswith("精确率@10：推荐的 10 件商品中")
    assert status_label("insufficient_data", "zh") == "数据不足"
    for name in DEFINITIONS:
        assert HAN.search(metric_help(name, 10, "zh")), name
        assert not HAN.search(metric_help(name, 10)), name
