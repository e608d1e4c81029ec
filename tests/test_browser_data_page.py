"""The Data page in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairrec_core.data import FILE_KINDS, load_dataset
from tests.test_browser_e2e import LABELS

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "sample_data"
ARTIFACTS = REPO_ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


def test_upload_sample_csvs_and_see_the_summary(browser_page, streamlit_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # 2 shared cores: reruns can take seconds
    page = browser_page
    expected = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                            items=SAMPLE / "items.csv",
                            recommendations=SAMPLE / "recommendations.csv")
    page.goto(streamlit_server)
    expect(page.get_by_role("heading", name="Upload CSV exports")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(4)

    current_files = page.locator('[data-testid="stMarkdownContainer"]', has_text="Current files")
    for kind in FILE_KINDS:
        widget = page.locator('[data-testid="stFileUploader"]', has_text=LABELS[kind])
        widget.locator("input[type=file]").set_input_files(SAMPLE / f"{kind}.csv")
        # An upload made while the previous one still reruns the app can be
        # lost: wait until the server has taken the file in and is idle.
        expect(current_files).to_contain_text(f"{kind}.csv")
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)

    users = page.locator('[data-testid="stMetric"]', has_text="Users")
    expect(users).to_contain_text(f"{expected.n_users:,}")
    expect(page.locator('[data-testid="stMetric"]', has_text="Interactions")).to_contain_text(
        f"{len(expected.interactions):,}")
    expect(page.get_by_text("Validation passed")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(4)
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.get_by_text("Dataset loaded from uploaded files")).to_be_visible()

    # Developer chrome is hidden and nothing is cut off at 1280 px.
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')"
        ".map(e => e.getAttribute('data-testid') || e.tagName).slice(0, 5)")
    assert overflow == [], f"elements reach past the right edge: {overflow}"
    assert "Traceback" not in page.content()

    # Streamlit scrolls inside its main container, not the document, so a
    # "full page" screenshot needs a viewport as tall as that content.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)  # toasts fade out
    page.wait_for_timeout(1000)  # charts re-layout to the new size
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_page.png"), full_page=True)
