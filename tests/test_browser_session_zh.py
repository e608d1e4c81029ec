"""In headless Chromium: deep links, reloads that keep the work, and the Chinese interface.

The server is fresh for this module, so the first test's deep link is the
first session the server ever sees: the one that used to get Streamlit's
"Page not found" over the right page. Then the Chinese sample (users.csv in
GBK) is uploaded with ``?lang=zh``, a model trained, the Fairness and Explain
pages read, and the page reloaded in between: the data, the model and the
audit must still be there. Screenshots go to docs/screenshots/zh_*.png
(1280 px wide) and test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fairrec_core.data import FILE_KINDS
from tests.test_browser_e2e import _go, _idle

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ZH = REPO_ROOT / "sample_data" / "zh"
DOCS = REPO_ROOT / "docs" / "screenshots"
ARTIFACTS = REPO_ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


def _shot(page, path: Path):
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)


def test_a_deep_link_opens_its_page_without_a_page_not_found(browser_page, streamlit_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=120_000)  # the server's first run imports the whole stack
    page = browser_page
    page.goto(f"{streamlit_server}/explain?lang=zh")
    expect(page.get_by_role("heading", name="解释")).to_be_visible()
    _idle(page)
    page.wait_for_timeout(1500)  # the dialog, when it came, came after the first paint
    assert "Page not found" not in page.content()
    assert "does not seem to exist" not in page.content()
    # The session token is in the URL from the first run on.
    assert re.search(r"[?&]s=[A-Za-z0-9_-]{16,}", page.url), page.url
    # The empty state's link goes to the page its sentence names.
    link = page.locator('[data-testid="stPageLink"]').get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("数据")
    link.click()
    _idle(page)
    expect(page.get_by_role("heading", name="上传 CSV 导出文件")).to_be_visible()
    assert "/data" in page.url or page.url.split("?")[0].rstrip("/") == streamlit_server


def _upload_zh(page):
    from playwright.sync_api import expect

    inputs = page.locator('[data-testid="stFileUploader"] input[type=file]')
    expect(inputs).to_have_count(4)
    # DOM order is screen order (left to right, then top to bottom): interactions first.
    boxes = [page.locator('[data-testid="stFileUploader"]').nth(i).bounding_box()
             for i in range(4)]
    assert boxes == sorted(boxes, key=lambda b: (round(b["y"]), b["x"]))
    current = page.locator('[data-testid="stMarkdownContainer"]', has_text="当前文件")
    for i, kind in enumerate(FILE_KINDS):
        inputs.nth(i).set_input_files(SAMPLE_ZH / f"{kind}.csv")
        expect(current).to_contain_text(f"{kind}.csv")
        _idle(page)
    expect(page.get_by_text("校验通过")).to_be_visible()


def test_the_chinese_sample_through_data_fairness_and_explain_survives_reloads(
        browser_page, streamlit_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=180_000)
    page = browser_page
    page.set_default_timeout(180_000)
    page.goto(f"{streamlit_server}/?lang=zh")
    expect(page.get_by_role("heading", name="上传 CSV 导出文件")).to_be_visible()
    _upload_zh(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "(0 KB)" not in text and "\\_" not in text     # sizes and names as written
    expect(page.get_by_role("heading", name="数据概览")).to_be_visible()
    _shot(page, DOCS / "zh_data_page.png")

    # A reload (same URL, new browser session) keeps the uploaded data.
    page.reload()
    _idle(page)
    expect(page.get_by_text("校验通过")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("2,000")

    _go(page, "训练")
    epochs = page.get_by_role("spinbutton", name="最大训练轮数")
    epochs.fill("3")
    epochs.press("Enter")
    _idle(page)
    page.get_by_role("button", name="训练", exact=True).click()
    expect(page.get_by_text("已就绪")).to_be_visible()
    _idle(page)

    _go(page, "公平性")
    expect(page.get_by_role("heading", name="评分卡")).to_be_visible()
    _idle(page)
    main = page.locator('[data-testid="stMain"]')
    assert "None" not in main.inner_text()
    _shot(page, DOCS / "zh_fairness_page.png")
    # A reload of the Fairness page: same page, the audit still there.
    page.reload()
    _idle(page)
    expect(page.get_by_role("heading", name="评分卡")).to_be_visible()
    assert "Page not found" not in page.content()

    _go(page, "解释")
    page.get_by_role("button", name="解释该商品").click()
    _idle(page)
    expect(page.get_by_text("历史归因（SHAP）")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    assert "Traceback" not in page.content()
    _shot(page, DOCS / "zh_explain_page.png")
    _shot(page, ARTIFACTS / "zh_explain_page.png")
