"""The aid pages in a real browser at a phone's width and a desktop's: axe-core finds nothing.

The whole loop runs through the pages as it would for a neighbour: the board, a post, the new
post form, the hand-off thread, marking it fulfilled and the thank-you on the gratitude page.
Screenshots go to the temporary folder, as aid-<page>-<width>.png, for a person to look at.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from tests import servers
from tests.browser.test_accessibility import _summary, _violations

pytestmark = pytest.mark.asyncio(loop_scope="module")

WIDTHS = {"phone": 375, "desktop": 1280}
# Screenshots for a person to look at: the system's temporary folder (/tmp here).
SHOTS = Path(tempfile.gettempdir())
LIFT = "A lift to the clinic on Tuesday mornings"


@pytest.fixture(scope="module")
def aid_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A demo site of this module's own: these tests post, fulfil and thank."""
    folder = tmp_path_factory.mktemp("aid-site")
    with servers.fresh_database(folder) as database_url:
        env = servers.environment(folder, database_url, PORCHLIGHT_RATE_LIMITS="off")
        with servers.serving(env, folder) as url:
            seeded = servers.run(["seed-demo"], env, folder)
            assert seeded.returncode == 0, seeded.stderr
            found = re.search(r"password: (\S+)", seeded.stdout)
            assert found, seeded.stdout
            yield url, found.group(1)


async def _sign_in(page: Page, username: str, password: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()
    assert "/login" not in page.url, await page.content()


async def _check(page: Page, name: str, width: str) -> None:
    """No axe-core violation of any impact, and no sideways scrolling at this width."""
    violations = await _violations(page)
    assert not violations, f"{name} at {width}: {_summary(violations)}"
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} at {width} scrolls sideways by {overflow}px"
    await page.screenshot(path=SHOTS / f"aid-{name}-{width}.png", full_page=True)
    await page.screenshot(path=SHOTS / f"aid-{name}-{width}-top.png")


@pytest_asyncio.fixture(loop_scope="module", params=list(WIDTHS))
async def walter(
    request: pytest.FixtureRequest, browser: Browser, aid_site: tuple[str, str]
) -> AsyncIterator[tuple[Page, str]]:
    """Walter, whose lift to the clinic Theo offered and Walter accepted, at one width."""
    url, password = aid_site
    width = str(request.param)
    context = await browser.new_context(
        base_url=url, viewport={"width": WIDTHS[width], "height": 800}
    )
    page = await context.new_page()
    await _sign_in(page, "walter", password)
    yield page, width
    await context.close()


async def test_the_board_a_post_and_the_new_post_form(walter: tuple[Page, str]) -> None:
    page, width = walter
    await page.goto("/aid")
    await _check(page, "board", width)
    await page.goto("/aid?kind=request&sort=urgent&status=open")
    await _check(page, "board-filtered", width)
    await page.goto("/aid?status=matched")
    await page.click(f"main a:has-text('{LIFT}')")
    await page.wait_for_load_state()
    assert re.search(r"/aid/\d+$", page.url)
    await _check(page, "post", width)
    await page.goto("/aid/new?kind=request")
    await _check(page, "new", width)
    await page.click("main button[type=submit]")  # empty: refused, with its errors
    await page.wait_for_load_state()
    assert (await page.title()).startswith("Error: ")
    await _check(page, "new-refused", width)
    await page.goto("/aid/mine")
    await _check(page, "mine", width)


async def test_the_hand_off_thread_fulfilment_and_the_gratitude_page(
    walter: tuple[Page, str],
) -> None:
    page, width = walter
    await page.goto("/aid?status=matched")
    matched = await page.query_selector(f"main a:has-text('{LIFT}')")
    if matched is None:  # the first width fulfilled it already
        await page.goto("/aid?status=fulfilled")
        matched = await page.query_selector(f"main a:has-text('{LIFT}')")
    assert matched is not None
    await matched.click()
    await page.wait_for_load_state()
    post_url = page.url
    await page.click("main a[href^='/chat/']")
    await page.wait_for_load_state()
    assert "/chat/" in page.url
    assert "Never pay up front" in await page.content()
    await page.wait_for_selector("main .message", timeout=5000)
    await _check(page, "thread", width)
    await page.goto(post_url)
    fulfil = page.locator(
        "main form[action$='/status']", has=page.locator("input[value=fulfilled]")
    )
    if await fulfil.count():
        await fulfil.locator("button").click()
        await page.wait_for_load_state()
        await page.fill("#thank_you", "Theo drove me **every** Tuesday. Thank you!")
        await page.click("main form[action$='/thanks'] button[type=submit]")
        await page.wait_for_load_state()
    await _check(page, "post-fulfilled", width)
    await page.goto("/aid/gratitude")
    assert "Theo drove me" in await page.content()
    await _check(page, "gratitude", width)


async def test_the_vocabulary_page_of_an_administrator(
    browser: Browser, aid_site: tuple[str, str]
) -> None:
    url, password = aid_site
    for width, pixels in WIDTHS.items():
        context = await browser.new_context(base_url=url, viewport={"width": pixels, "height": 800})
        page = await context.new_page()
        await _sign_in(page, "rosa", password)
        await page.goto("/admin/aid")
        await _check(page, "admin", width)
        names = page.locator("#categories li input[name=name]")
        second = await names.nth(1).input_value()
        await page.locator("#categories li").nth(1).locator("button[value=up]").click()
        await page.wait_for_load_state()
        assert await names.nth(0).input_value() == second
        await context.close()
