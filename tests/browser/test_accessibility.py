"""axe-core finds nothing serious or critical on the main pages, in a real browser."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from playwright.async_api import Page

pytestmark = pytest.mark.asyncio(loop_scope="module")

# axe-core as axe-playwright-python ships it (a dev dependency): the script file only.
AXE_SCRIPT = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
BLOCKING = ("serious", "critical")


async def _violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(AXE_SCRIPT)
    results = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert len(results["passes"]) > 20, "axe-core checked next to nothing"
    found: list[dict[str, Any]] = results["violations"]
    return found


def _summary(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
        ],
        indent=1,
    )


async def _assert_nothing_serious(page: Page) -> None:
    violations = await _violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, _summary(blocking)


async def test_the_home_page(page: Page) -> None:
    await page.goto("/")
    await _assert_nothing_serious(page)


async def test_the_sign_up_form_with_errors(page: Page) -> None:
    await page.goto("/register")
    await page.fill("#username", "ab")
    await page.click("button[type=submit]:has-text('Join')")
    await page.wait_for_load_state()
    assert (await page.title()).startswith("Error: ")
    await _assert_nothing_serious(page)


async def test_a_board_page(page: Page) -> None:
    await page.goto("/")
    await page.click("main a[href^='/b/']")
    await page.wait_for_load_state()
    assert "/b/" in page.url
    await _assert_nothing_serious(page)


async def test_a_topic_page(page: Page) -> None:
    await page.goto("/")
    await page.click("main a[href^='/t/']")
    await page.wait_for_load_state()
    assert "/t/" in page.url
    await _assert_nothing_serious(page)
