"""The whole audit in a real headless Chromium against `streamlit run app.py`.

Upload the sample CSVs through the file inputs, train the default model, read
the Fairness page, drag the What-if λ slider and check that the numbers move,
explain a recommendation and download the JSON; a second browser context must
not see the first one's data. Screenshots of every page go to
``test-artifacts/`` (the README's come from here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fairrec_core.data import FILE_KINDS

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "sample_data"
ARTIFACTS = REPO_ROOT / "test-artifacts"
LABELS = {"interactions": "Interactions (required)", "users": "Users (optional)",
          "items": "Items (optional)", "recommendations": "Recommendations (optional)"}

pytestmark = pytest.mark.browser


def _idle(page):
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)


def _go(page, title):
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    _idle(page)


def _no_overflow(page):
    _idle(page)
    script = (
        "() => [...document.querySelectorAll('[data-testid=stMain] *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')"
        # Tables and multiselect tags scroll inside their own clipped boxes.
        ".filter(e => !e.closest('[data-testid=stDataFrame], "
        "[data-testid=stMultiSelectTagsContainer]'))"
        ".map(e => (e.closest('[data-testid]') || e).getAttribute('data-testid') + '/' + "
        "e.tagName + '@' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)")
    # A rerun re-lays the page out for a moment; judge the settled layout.
    for _ in range(10):
        overflow = page.evaluate(script)
        if not overflow:
            break
        page.wait_for_timeout(500)
    assert overflow == [], f"elements reach past the right edge at 1280 px: {overflow}"
    assert "Traceback" not in page.content()


def _screenshot(page, name):
    from playwright.sync_api import expect

    # Streamlit scrolls inside its main container: a full-page picture needs a
    # viewport as tall as that content.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(500)


def _metric(page, label):
    return page.locator('[data-testid="stMetric"]', has_text=label).first.locator(
        '[data-testid="stMetricValue"]')


def test_upload_train_audit_rerank_explain_download(browser_page, streamlit_server, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=180_000)  # 2 shared cores: training and SHAP take seconds
    page = browser_page
    page.set_default_timeout(180_000)
    page.goto(streamlit_server)
    expect(page.get_by_role("heading", name="Upload CSV exports")).to_be_visible()
    current = page.locator('[data-testid="stMarkdownContainer"]', has_text="Current files")
    for kind in FILE_KINDS:
        widget = page.locator('[data-testid="stFileUploader"]', has_text=LABELS[kind])
        widget.locator("input[type=file]").set_input_files(SAMPLE / f"{kind}.csv")
        expect(current).to_contain_text(f"{kind}.csv")
        _idle(page)
    expect(page.get_by_text("Validation passed")).to_be_visible()

    # ---- Train: the default model (BPR-MF), three epochs
    _go(page, "Train")
    expect(page.get_by_text("No model yet")).to_be_visible()
    expect(page.get_by_text("CPU")).to_be_visible()
    epochs = page.get_by_role("spinbutton", name="Maximum epochs")
    epochs.fill("3")
    epochs.press("Enter")
    _idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("ready in")).to_be_visible()
    _idle(page)
    ndcg = _metric(page, "NDCG@10").inner_text()
    assert 0 < float(ndcg) < 1
    expect(page.get_by_role("button", name="Download checkpoint (.zip)")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(
        "BPR matrix factorisation")
    _no_overflow(page)
    _screenshot(page, "train_page")

    # ---- Fairness: scorecard, per-group charts, the same NDCG as the Train page
    _go(page, "Fairness")
    expect(page.get_by_role("heading", name="Scorecard")).to_be_visible()
    expect(page.get_by_text("across age").first).to_be_visible()
    assert _metric(page, "NDCG@10").inner_text() == ndcg
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(3)
    _no_overflow(page)
    _screenshot(page, "fairness_page")

    # ---- What-if: build the sweep, drag λ, the numbers change
    _go(page, "What-if")
    page.get_by_role("button", name="Build trade-off curve").click()
    _idle(page)
    slider = page.get_by_role("slider")
    expect(slider).to_be_visible()
    before = _metric(page, "NDCG@10").inner_text()
    changed = _metric(page, "Lists changed")
    expect(changed).to_have_text("0")
    assert before == ndcg  # λ = 0 is the model's own ranking
    slider.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "0.30")
    _idle(page)
    expect(changed).not_to_have_text("0")
    expect(_metric(page, "NDCG@10")).not_to_have_text(before)
    expect(page.get_by_text("redrew in")).to_be_visible()
    _no_overflow(page)
    _screenshot(page, "whatif_page")

    # ---- Explain: a recommendation's history attribution, then the JSON
    _go(page, "Explain")
    page.get_by_role("button", name="Explain this item").click()
    expect(page.get_by_text("Your recent history").first).to_be_visible()
    _idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the explanations (JSON)").click()
    doc = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert doc["format"] == "fairrec-explanations"
    assert doc["model"]["name"] == "bpr"
    kinds = [e["kind"] for e in doc["explanations"]]
    assert kinds == ["history"]
    assert doc["explanations"][0]["summary"].startswith("Your recent history")
    _no_overflow(page)
    _screenshot(page, "explain_page")

    # ---- A second session, live at the same time, sees none of this and keeps its own
    small = tmp_path / "orders.csv"
    small.write_text("user_id,item_id\n" + "\n".join(
        f"c{u},p{(u * 3 + j) % 40}" for u in range(60) for j in range(8)) + "\n")
    other = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page2 = other.new_page()
        page2.goto(streamlit_server)
        expect(page2.get_by_text("No data loaded yet")).to_be_visible()
        widget = page2.locator('[data-testid="stFileUploader"]', has_text=LABELS["interactions"])
        widget.locator("input[type=file]").set_input_files(small)
        sidebar2 = page2.locator('[data-testid="stSidebar"]')
        expect(sidebar2).to_contain_text("60 users")
        _idle(page2)
        _go(page2, "Train")
        expect(page2.get_by_text("No model yet")).to_be_visible()
        assert "BPR matrix factorisation" not in sidebar2.inner_text()
        # The first session, rerun after the second one loaded its data, is unchanged.
        _go(page, "Fairness")
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("2,000 users")
        expect(sidebar).to_contain_text("BPR matrix factorisation")
        assert _metric(page, "NDCG@10").inner_text() == ndcg
    finally:
        other.close()
