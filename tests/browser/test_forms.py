"""In a real browser, a refused form says "Error:" first and puts focus on the error summary."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _focused_id(page: Page) -> str:
    return str(await page.evaluate("document.activeElement && document.activeElement.id"))


async def _join(page: Page, username: str, email: str = "", password: str = "") -> None:
    await page.goto("/register")
    await page.fill("#username", username)
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit]:has-text('Join')")
    await page.wait_for_load_state()


async def test_a_refused_sign_up_titles_the_page_error_and_focuses_the_summary(
    page: Page,
) -> None:
    await _join(page, "ab", "not-an-email", "short")
    assert (await page.title()).startswith("Error: ")
    assert await _focused_id(page) == "error-summary"
    assert await page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    # What was typed is kept, the password never.
    assert await page.input_value("#username") == "ab"
    assert await page.input_value("#password") == ""


async def test_a_summary_link_leads_to_its_field(page: Page) -> None:
    await _join(page, "ab")
    await page.click(".error-summary a[href='#username']")
    assert await page.evaluate("location.hash") == "#username"
    assert await page.locator("#username").is_visible()


async def test_a_page_without_errors_leaves_focus_alone(page: Page) -> None:
    await page.goto("/register")
    assert not (await page.title()).startswith("Error")
    assert await page.evaluate("document.activeElement === document.body")


async def test_a_refused_sign_in_is_titled_error_too(page: Page) -> None:
    await page.goto("/login")
    await page.fill("#username", "june")
    await page.fill("#password", "not the demo password")
    await page.click("main form button[type=submit]")
    await page.wait_for_load_state()
    assert (await page.title()).startswith("Error: ")
    assert await _focused_id(page) == "error-summary"
