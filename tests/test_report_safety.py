"""Hostile exports through the whole pipeline: markup and script stay text in HTML,
spreadsheet formulas are neutralised in CSV.

Item titles, user attribute values, item group labels and file names carry
``<script>alert(1)</script>``, ``"><img src=x onerror=alert(1)>``, an ``onmouseover``
attribute and formulas (``=HYPERLINK(...)``, ``@SUM``, ``-2+3``, ``+cmd|...``).
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest

from fairrec_core.report import write_report
from fairrec_core.report.tables import FORMULA_PREFIXES, csv_bytes, neutralise_cell
from tests.report_helpers import FORMULAS, IMG, SCRIPT, hostile_sample
from tests.test_report_html import parse

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from fairrec_core.audit import run_audit
    from fairrec_core.config import AuditConfig

    root = tmp_path_factory.mktemp("hostile")
    paths = hostile_sample(root / "data")
    cfg = AuditConfig.from_dict({
        "data": {k: str(v) for k, v in paths.items()}, "model": {"name": "imported"},
        "metrics": {"n_boot": 50, "item_groupings": ["seller_size", "category"]},
        "rerank": {"item_grouping": "seller_size"},
        "report": {"title": f"Audit {SCRIPT}"}})
    result = run_audit(cfg)
    write_report(result, root / "out")
    return result, root / "out"


def test_the_hostile_strings_reach_the_report_data(report):
    result, out = report
    groups = set(result.fairness.user_groups["group"])
    assert IMG in groups and SCRIPT in groups and "@SUM(1+1)" in groups
    assert "+cmd|' /C calc'!A0" in set(result.fairness.item_groups["group"])
    titles = [it["title"] for s in result.explanations["samples"] for it in s["items"]]
    assert any(t.startswith(SCRIPT) for t in titles) and any(t.startswith(IMG) for t in titles)
    names = {s["name"] for s in result.sources.values()}
    assert 'users"><img src=x onerror=alert(2)>.csv' in names
    # JSON keeps the exact text (a JSON consumer escapes for its own medium).
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert IMG in {r["group"] for r in doc["metrics"]["user_groups"]}


def test_html_has_no_markup_from_the_data(report):
    _, out = report
    page = (out / "report.html").read_text(encoding="utf-8")
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    assert names.count("script") == 2  # plotly.js and the chart calls, nothing else
    assert not {"img", "svg", "b", "iframe", "object"} & set(names)
    handlers = [(t, a) for t, attrs in tags.tags for a in attrs if a.lower().startswith("on")]
    assert handlers == []
    nonce = [a["nonce"] for t, a in tags.tags if t == "script"]
    assert len(set(nonce)) == 1 and f"'nonce-{nonce[0]}'" in page
    for raw in (SCRIPT, IMG, "<svg onload=alert(3)>", "<b onmouseover=alert(1)>"):
        assert raw not in page
    # ...and they are shown as text, in tables, file names and the title.
    assert html.escape(SCRIPT) in page and html.escape(IMG) in page
    assert html.escape('users"><img src=x onerror=alert(2)>.csv') in page
    assert f"<title>Audit {html.escape(SCRIPT)}</title>" in page
    # Chart data cannot end the script element: no raw "<" inside the chart calls.
    assert "<" not in tags.scripts[1]


def test_csv_cells_cannot_start_a_formula(report):
    _, out = report
    files = sorted((out / "tables").glob("*.csv"))
    assert len(files) >= 10
    seen = set()
    for path in files:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_PREFIXES):
                    float(cell)  # only a number may start with "-" or "+"
                if cell.startswith("'") and cell[1:] in FORMULAS:
                    seen.add(cell[1:])
    assert seen == FORMULAS


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), (-1.5, -1.5), (None, None),
])
def test_cell_neutralisation(value, expected):
    assert neutralise_cell(value) == expected


def test_numeric_columns_stay_numbers():
    import pandas as pd

    text = csv_bytes(pd.DataFrame({"label": ["-2+3", "ok"], "difference": [-0.25, 0.5],
                                   "=header": [1, 2]})).decode()
    assert text.splitlines() == ["label,difference,'=header", "'-2+3,-0.25,1", "ok,0.5,2"]


@pytest.mark.browser
def test_nothing_runs_in_a_real_browser(report):
    assert CHROMIUM.exists(), f"{CHROMIUM} is absent (scripts/test.sh installs it)"
    from playwright.sync_api import sync_playwright

    _, out = report
    dialogs, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((out / "report.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length == "
                               "document.querySelectorAll('.chart').length", timeout=60_000)
        for box in page.locator(".chart").all()[:4]:  # hover the charts' labels
            box.scroll_into_view_if_needed()
            box.hover()
        n_img = page.eval_on_selector_all("img", "e => e.length")
        tick = page.locator("[data-chart='user:gender:ndcg'] .xtick text").first.text_content()
        browser.close()
    assert dialogs == [] and errors == [] and n_img == 0
    assert tick == IMG  # shown literally in the chart
