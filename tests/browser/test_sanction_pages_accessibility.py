"""axe-core finds nothing serious on the pages a person in trouble reaches without signing in."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.test_accessibility import _assert_nothing_serious

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_crisis_resources_after_an_at_risk_report(page: Page) -> None:
    await page.goto("/crisis-resources?at_risk=1")
    assert await page.locator("a[href='tel:988']").count() == 1
    await _assert_nothing_serious(page)


async def test_the_suspended_appeal_form_with_errors(page: Page) -> None:
    await page.goto("/appeal")
    await page.click("button[type=submit]:has-text('Send my appeal')")
    await page.wait_for_load_state()
    assert (await page.title()).startswith("Error: ")
    await _assert_nothing_serious(page)
