"""What-if in the browser: the slider's numbers are redrawn at the key press, and after a reload.

The script ``whatif_live`` writes the new step's numbers into the metric cards
before the server's rerun; the rerun then draws the same strings. A reload
brings back the λ the slider last had (it moved in fragment reruns, which the
session store does not see).
"""

from __future__ import annotations

from tests.test_browser_e2e import _go, _idle

CARDS = "() => [document.body.dataset.fairrecLam, [...document.querySelectorAll(" \
        "'[data-testid=stMetricValue]')].map(e => e.innerText)]"


def test_the_cards_follow_the_slider_at_once_and_after_a_reload(browser_page, streamlit_server):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(streamlit_server)
    _idle(page)
    page.get_by_role("button", name="Use sample data").click()
    expect(page.get_by_text("Dataset loaded from").first).to_be_visible()
    _go(page, "Train")
    page.get_by_text("Popularity baseline").click()
    _idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("ready in")).to_be_visible()
    _idle(page)
    _go(page, "What-if")
    page.get_by_role("button", name="Build trade-off curve").click()
    slider = page.get_by_role("slider")
    expect(slider).to_be_visible()
    _idle(page)
    expect(page.locator("body")).to_have_attribute("data-fairrec-lam", "0.00")
    base = page.evaluate(CARDS)[1]
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # The script has drawn λ = 0.10 (whether or not the server's rerun is done yet) ...
    expect(page.locator("body")).to_have_attribute("data-fairrec-lam", "0.10")
    _idle(page)
    expect(page.get_by_text("At λ = 0.10:")).to_be_visible()
    settled = page.evaluate(CARDS)
    assert settled[0] == "0.10" and settled[1] != base
    # ... and the server's rerun drew the very strings the script wrote: a redraw by
    # the script now (same step) changes nothing.
    page.evaluate("() => { const s = document.querySelector('[data-testid=stSlider] "
                  "input[type=range]'); s.setAttribute('aria-valuetext', '0.10'); }")
    page.wait_for_timeout(200)
    assert page.evaluate(CARDS) == settled

    page.reload()
    _idle(page)
    expect(page.get_by_role("slider")).to_have_attribute("aria-valuetext", "0.10")
    expect(page.locator("body")).to_have_attribute("data-fairrec-lam", "0.10")
    assert page.evaluate(CARDS)[1] == settled[1]
    page.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("body")).to_have_attribute("data-fairrec-lam", "0.11")
