"""The HTML report: one self-contained offline file, charts showing the engine's numbers."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from fairrec_core.report import render
from tests.report_helpers import sample_audit


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every script element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(text: str) -> Tags:
    p = Tags()
    p.feed(text)
    return p


@pytest.fixture(scope="module")
def result():
    return sample_audit()


@pytest.fixture(scope="module")
def page(result):
    return render(result, "html").decode("utf-8")


def charts(text: str) -> dict[str, dict]:
    """Chart key -> figure JSON, read back from the page (div order = newPlot order)."""
    keys = re.findall(r'<div class="chart" id="(chart-\d+)" data-chart="([^"]*)"', text)
    calls = re.findall(r'Plotly\.newPlot\("(chart-\d+)", \(f=(.*?)\)\.data, f\.layout, cfg\);',
                       text)
    assert len(keys) == len(calls)
    figures = {div: json.loads(data) for div, data in calls}
    return {key: figures[div] for div, key in keys}


def arr(value) -> list:
    """A Plotly data array: a list, or base64 typed-array JSON (``dtype`` + ``bdata``)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def test_plotly_js_is_embedded_once_and_nothing_is_fetched(page):
    assert page.count("* plotly.js v") == 1
    tags = parse(page)
    for tag, attrs in tags.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert tag not in ("link", "iframe", "img")
    assert [t for t, a in tags.tags if t == "script" and "src" in a] == []
    csp = next(a["content"] for t, a in tags.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp


def test_every_section_has_an_anchor(page, result):
    from fairrec_core.config import SECTIONS

    ids = [a["id"] for t, a in parse(page).tags if t == "section"]
    assert ids == list(SECTIONS)


def test_chosen_sections_only(result):
    text = render(result, "html", sections=["scorecard", "tradeoff"]).decode()
    ids = [a["id"] for t, a in parse(text).tags if t == "section"]
    assert ids == ["scorecard", "tradeoff"]
    assert list(charts(text)) == ["tradeoff"]


def test_user_chart_shows_the_group_values_and_intervals(page, result):
    fig = charts(page)["user:age:ndcg"]
    ug = result.fairness.user_groups
    rows = ug[(ug["grouping"] == "age") & (ug["metric"] == "ndcg")]
    bar = fig["data"][0]
    assert arr(bar["x"]) == list(rows["group"])
    assert arr(bar["y"]) == pytest.approx(list(rows["value"]), rel=1e-12)
    upper = [v + e for v, e in zip(arr(bar["y"]), arr(bar["error_y"]["array"]))]
    assert upper == pytest.approx(list(rows["ci_high"]), rel=1e-9)


def test_provider_chart_shows_the_shares(page, result):
    fig = charts(page)["provider:seller_size"]
    ig = result.fairness.item_groups
    rows = ig[ig["grouping"] == "seller_size"].set_index("group")
    es = dict(zip(arr(fig["data"][0]["x"]), arr(fig["data"][0]["y"])))
    cs = dict(zip(arr(fig["data"][1]["x"]), arr(fig["data"][1]["y"])))
    for group in ("small", "big"):
        assert es[group] == pytest.approx(rows.at[group, "exposure_share"], rel=1e-12)
        assert cs[group] == pytest.approx(rows.at[group, "catalog_share"], rel=1e-12)


def test_tradeoff_chart_marks_the_operating_point(page, result):
    fig = charts(page)["tradeoff"]
    table = result.tradeoff["table"]
    col = result.tradeoff["fairness_column"]
    grid, _, point = fig["data"]
    assert arr(grid["customdata"]) == list(table["lam"])
    assert arr(grid["x"]) == pytest.approx(list(table[col]), rel=1e-12)
    assert point["name"] == "operating point"
    assert arr(point["y"]) == pytest.approx([table.loc[table["operating_point"], "ndcg"].iloc[0]])


def test_scorecard_lists_every_check_with_its_message(page, result):
    import html

    for _, row in result.fairness.checks.iterrows():
        assert html.escape(row["message"]) in page
    assert "Overall verdict: FAIL." in page
