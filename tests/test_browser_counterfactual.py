"""The Counterfactual page in a real headless Chromium against `streamlit run app.py`.

The small gendered shop of ``test_counterfactual_stage`` is uploaded through the
file inputs, a profile two-tower is trained and probed on the page, and the
page's screenshot goes to ``docs/screenshots/counterfactual_page.png`` (the
README shows it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import shop_frames
from tests.test_browser_e2e import LABELS, _go, _idle, _no_overflow

REPO_ROOT = Path(__file__).resolve().parents[1]
SHOT = REPO_ROOT / "docs" / "screenshots" / "counterfactual_page.png"

pytestmark = pytest.mark.browser


def _number(page, label, value):
    box = page.get_by_role("spinbutton", name=label)
    box.fill(str(value))
    box.press("Enter")
    _idle(page)


def test_probe_in_the_browser(browser_page, streamlit_server, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=300_000)  # 2 shared cores: encoding and training take a while
    page = browser_page
    page.set_default_timeout(300_000)
    page.goto(streamlit_server)
    current = page.locator('[data-testid="stMarkdownContainer"]', has_text="Current files")
    for kind, frame in zip(("interactions", "users", "items"), shop_frames()):
        path = tmp_path / f"{kind}.csv"
        frame.to_csv(path, index=False)
        widget = page.locator('[data-testid="stFileUploader"]', has_text=LABELS[kind])
        widget.locator("input[type=file]").set_input_files(path)
        expect(current).to_contain_text(f"{kind}.csv")
        _idle(page)
    _go(page, "Counterfactual")
    expect(page.get_by_role("heading", name="Counterfactual probe")).to_be_visible()
    _number(page, "Training epochs", 12)
    _number(page, "List length K", 5)
    _number(page, "Users sampled", 60)
    page.get_by_role("button", name="Run the probe").click()
    expect(page.get_by_role("heading", name="Sensitivity per attribute")).to_be_visible()
    _idle(page)
    # A full-page picture needs a viewport as tall as Streamlit's scrolling container.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    page.wait_for_timeout(1500)
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert SHOT.stat().st_size > 10_000
    metric = page.locator('[data-testid="stMetric"]', has_text="Users whose top-").first
    assert "top-5 changes (gender)" in metric.inner_text()
    changed = metric.locator('[data-testid="stMetricValue"]').inner_text()
    assert changed.endswith("%") and 0 < float(changed[:-1]) <= 100
    expect(page.get_by_role("heading", name="Representation leakage")).to_be_visible()
    expect(page.get_by_role("heading", name="One user's lists side by side")).to_be_visible()
    _no_overflow(page)
