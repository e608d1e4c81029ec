"""Train page -> λ_train grid -> What-if: the combined training + re-ranking curves (issue 15.2).

In a real headless Chromium against ``streamlit run app.py``: train BPR-MF on
the sample data, train an item-exposure λ_train grid, build the two-sided
What-if sweep for the same protected group, and find the combined curves in
the trade-off chart's legend and their caption. The screenshot of the chart
goes to ``test-artifacts/whatif_combined.png`` (the README's comes from here).
"""

from __future__ import annotations

import re

import pytest

from tests.test_browser_e2e import ARTIFACTS, _go, _idle

pytestmark = pytest.mark.browser


def _pick(scope, box: str, label: str, option: str) -> None:
    widget = scope.locator(f'[data-testid="{box}"]', has_text=label).first
    # Near the viewport's bottom edge the dropdown would open off-screen.
    widget.evaluate("e => e.scrollIntoView({block: 'center'})")
    widget.click()
    page = scope.page if hasattr(scope, "page") else scope
    page.get_by_role("option", name=option, exact=True).click()
    _idle(page)


def test_grid_then_whatif_draws_the_combined_curves(browser_page, streamlit_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=180_000)  # 2 shared cores: four short fits
    page = browser_page
    page.set_default_timeout(180_000)
    page.goto(streamlit_server)
    _idle(page)
    page.get_by_role("button", name="Use sample data").click()
    expect(page.get_by_text("Dataset loaded from").first).to_be_visible()
    _go(page, "Train")
    epochs = page.get_by_role("spinbutton", name="Maximum epochs")
    epochs.fill("2")
    epochs.press("Enter")
    _idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("ready in")).to_be_visible()
    _idle(page)
    fair = page.locator('[data-testid="stExpander"]', has_text="Fairness during training")
    term = fair.locator('[data-testid="stSelectbox"]', has_text="Fairness term")
    if not term.is_visible():
        fair.get_by_text("Fairness during training (λ_train)").click()
    _pick(fair, "stSelectbox", "Fairness term", "Items: exposure of a protected group")
    _pick(fair, "stSelectbox", "Protected group", "small")
    grid = page.get_by_role("textbox", name="λ_train grid")
    grid.fill("0, 0.3, 1, 3")
    grid.press("Enter")
    _idle(page)
    page.get_by_role("button", name="Train a λ_train grid").click()
    _idle(page)
    expect(page.get_by_text("Trade-off of fairness during training").first).to_be_visible()

    _go(page, "What-if")
    _pick(page, "stMultiSelect", "Protected group(s)", "small")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Build trade-off curve").click()
    _idle(page)
    caption = page.get_by_text("Light green lines").first
    expect(caption).to_be_visible()
    assert re.search(r"each of the 3 fairness-trained models .* Of the \d+ points on the "
                     r"Pareto front, \d+ combine both", caption.inner_text())
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.get_by_text("Training + re-ranking")).to_be_visible()
    expect(chart.get_by_text("Pareto front (re-ranking, training and both)")).to_be_visible()
    assert "Traceback" not in page.content()
    # Streamlit scrolls inside its main container: the picture needs a viewport that tall.
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    page.wait_for_timeout(2000)  # the chart re-lays out to the new size
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('[data-testid="stColumn"]').filter(
        has=page.locator('[data-testid="stPlotlyChart"]')).filter(
        has_text="Light green lines").last.screenshot(
        path=str(ARTIFACTS / "whatif_combined.png"))
