"""A real server and Debian's Chromium driven by Playwright: one server for the browser tests,
one browser per module.

Playwright's async API, on the module's event loop: its sync API marks the thread's loop as
running between calls, which would stop every async test that follows it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests import servers

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI and the developers' machines run as root in containers, where it cannot start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    # CI installs it (.ci/run); elsewhere say what is missing rather than fail on it.
    if os.environ.get("CI"):
        raise RuntimeError("the browser tests need Debian's chromium at /usr/bin/chromium")
    pytest.skip("apt-get install chromium to run the browser tests", allow_module_level=True)

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402


@pytest.fixture(autouse=True)
def bus() -> None:
    """The suite's per-test event bus is for apps in the test process; these use a server."""


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with the demo neighbourhood, shared by the browser tests (they only read it)."""
    folder = tmp_path_factory.mktemp("site")
    with servers.fresh_database(folder) as database_url:
        env = servers.environment(folder, database_url, PORCHLIGHT_RATE_LIMITS="off")
        with servers.serving(env, folder) as url:
            # Seeded once the server has migrated the database; no page was cached before.
            seeded = servers.run(["seed-demo"], env, folder)
            assert seeded.returncode == 0, seeded.stderr
            yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        chromium = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, site: str) -> AsyncIterator[Page]:
    """A fresh browser context (no cookies) on the site, for one test."""
    context = await browser.new_context(base_url=site)
    opened = await context.new_page()
    yield opened
    await context.close()
