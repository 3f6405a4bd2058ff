"""Chat in a real browser: Debian's chromium, driven by Playwright, against `porchlight serve`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from playwright.async_api import Browser, Page, async_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_accessibility import _summary, _violations

PORCHLIGHT = [sys.executable, "-m", "forum"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Site:
    """A seeded demo site served by a real process, which a test may restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
        self.env.update(PORCHLIGHT_DATA_DIR=str(folder / "data"), PORCHLIGHT_PORT=str(self.port))
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Any = None
        assert self._migrate()
        seeded = subprocess.run(
            [*PORCHLIGHT, "seed-demo"],
            env=self.env,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
        found = re.search(r"password: (\S+)", seeded.stdout)
        assert found, seeded.stdout
        self.password = found.group(1)

    def _migrate(self) -> bool:
        done = subprocess.run(
            [*PORCHLIGHT, "migrate"],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            timeout=120,
            check=False,
        )
        return done.returncode == 0

    def start(self) -> None:
        self.log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [*PORCHLIGHT, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError((self.folder / "server.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    served = Site(tmp_path_factory.mktemp("chat-site"))
    served.start()
    yield served
    served.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    # Its own browser on the test's loop: the server it talks to restarts under it.
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def _signed_in(browser: Browser, site: Site, username: str, **options: Any) -> Page:
    context = await browser.new_context(base_url=site.url, **options)
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", site.password)
    await page.click("main button[type=submit]")
    await page.wait_for_url(re.compile(r"/(\?.*)?$"))
    return page


async def test_a_message_typed_in_one_browser_appears_in_the_other(
    browser: Browser, site: Site
) -> None:
    june = await _signed_in(browser, site, "june", viewport={"width": 390, "height": 844})
    walter = await _signed_in(browser, site, "walter")
    for page in (june, walter):
        await page.goto("/chat/1")
        await page.wait_for_selector("text=Connected.")
    await walter.fill("#body", "Anyone walking to the market?")
    await walter.keyboard.press("Enter")
    await june.wait_for_selector(".message >> text=Anyone walking to the market?")
    # The sender's local echo is replaced by the stored message, not left beside it.
    await walter.wait_for_selector(".message:not(.message--pending) >> text=Anyone walking")
    assert await walter.locator(".message--pending").count() == 0
    # A message arriving live can be reported like one the server rendered, with the same
    # link; nobody is offered to report their own.
    arrived = june.locator(".message", has_text="Anyone walking to the market?")
    live_link = await arrived.get_by_role("link", name="Report this message").get_attribute("href")
    assert live_link is not None
    assert re.fullmatch(r"/report\?target_type=message&target_id=\d+", live_link)
    mine = walter.locator(".message", has_text="Anyone walking to the market?")
    assert await mine.get_by_role("link", name="Report this message").count() == 0
    await june.reload()
    rendered = june.locator(".message", has_text="Anyone walking to the market?")
    assert (
        await rendered.get_by_role("link", name="Report this message").get_attribute("href")
        == live_link
    )
    await june.wait_for_selector("text=Connected.")
    # Presence arrives as its own frame, a moment after the messages: wait for it, then count.
    await june.wait_for_selector("text=Here now")
    assert await june.locator("text=Here now").count() == 1


async def test_the_page_catches_up_by_itself_after_the_server_restarts(
    browser: Browser, site: Site
) -> None:
    june = await _signed_in(browser, site, "june")
    await june.goto("/chat/1")
    await june.wait_for_selector("text=Connected.")
    site.stop()
    await june.wait_for_selector("text=Connection lost; trying again…")
    site.start()
    # Right after the restart, before June's page is back, Theo writes: her page must catch up.
    async with httpx.AsyncClient(base_url=site.url) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"username": "theo", "password": site.password}
        )
    token = login.json()["token"]
    ws_url = site.url.replace("http://", "ws://") + "/ws"
    async with websockets.connect(
        ws_url, additional_headers={"Authorization": f"Bearer {token}"}
    ) as theo:
        await theo.send(
            json.dumps(
                {"type": "send", "room": 1, "body": "Back after the restart", "client_id": "t-1"}
            )
        )
        while json.loads(await theo.recv())["type"] != "ack":
            pass
    await june.wait_for_selector("text=Back after the restart", timeout=40_000)
    await june.wait_for_selector("text=Connected.")


async def test_the_chat_page_passes_an_axe_scan_with_no_violation(
    browser: Browser, site: Site
) -> None:
    june = await _signed_in(browser, site, "june", viewport={"width": 390, "height": 844})
    await june.goto("/chat/1")
    await june.wait_for_selector("text=Connected.")
    violations = await _violations(june)
    assert not violations, _summary(violations)


async def test_the_watched_words_and_trust_pages_pass_an_axe_scan_at_phone_width(
    browser: Browser, site: Site
) -> None:
    moderator = await _signed_in(browser, site, "ibrahim", viewport={"width": 390, "height": 844})
    await moderator.goto("/moderation/watched-words")
    await moderator.fill("#pattern", "lottery")
    await moderator.select_option("#action", "hold")
    await moderator.click("main form.form button[type=submit]")
    await moderator.wait_for_selector("text=lottery")
    violations = await _violations(moderator)
    assert not violations, _summary(violations)
    await moderator.goto("/u/june")
    await moderator.wait_for_selector("text=Save trust level")
    violations = await _violations(moderator)
    assert not violations, _summary(violations)


async def test_a_moderator_catching_up_sees_a_hidden_message_marked_as_the_page_marks_it(
    browser: Browser, site: Site
) -> None:
    ibrahim = await _signed_in(browser, site, "ibrahim")
    # The moderator's socket goes through a route the test can cut, and keep cut while the
    # message is sent and hidden: the page then learns of it only from the catch-up on its
    # next subscribe, where a moderator gets the text marked `hidden`.
    held = False
    open_sides: list[Any] = []  # each routed socket's page side and server side

    async def through(route: Any) -> None:
        if held:
            await route.close()
            return
        open_sides.extend((route, route.connect_to_server()))

    await ibrahim.route_web_socket(re.compile(r".*/ws$"), through)
    await ibrahim.goto("/chat/1")
    await ibrahim.wait_for_selector("text=Connected.")
    held = True
    for side in open_sides:
        await side.close()
    await ibrahim.wait_for_selector("text=Connection lost; trying again…")

    async with httpx.AsyncClient(base_url=site.url) as http:
        tokens = {}
        for name in ("theo", "june", "ibrahim"):
            login = await http.post(
                "/api/v1/auth/login", json={"username": name, "password": site.password}
            )
            assert login.status_code == 200, login.text
            tokens[name] = {"Authorization": f"Bearer {login.json()['token']}"}
            http.cookies.clear()  # bearer tokens from here on, no signed-in cookie
        ws_url = site.url.replace("http://", "ws://") + "/ws"
        async with websockets.connect(ws_url, additional_headers=tokens["theo"]) as theo:
            await theo.send(
                json.dumps({"type": "send", "room": 1, "body": "Buy my pills", "client_id": "h-1"})
            )
            while (frame := json.loads(await theo.recv()))["type"] != "ack":
                pass
        message_id = frame["message"]["id"]
        reported = await http.post(
            "/api/v1/reports",
            json={"target_type": "message", "target_id": message_id, "reason": "spam"},
            headers=tokens["june"],
        )
        assert reported.status_code in (200, 201), reported.text
        queue = await http.get("/api/v1/moderation/queue", headers=tokens["ibrahim"])
        item = next(
            i
            for i in queue.json()["items"]
            if i["target_type"] == "message" and i["target_id"] == message_id
        )
        hidden = await http.post(
            f"/api/v1/moderation/queue/{item['id']}/resolve",
            json={"action": "hide", "reason": "Spam"},
            headers=tokens["ibrahim"],
        )
        assert hidden.status_code == 200, hidden.text

    held = False
    await ibrahim.wait_for_selector("text=Connected.", timeout=40_000)
    live = ibrahim.locator(".message", has_text="Buy my pills")
    await live.wait_for()
    assert await live.locator(".badge").all_inner_texts() == ["Hidden by a moderator"]
    # The same mark the server renders for a moderator after a reload.
    await ibrahim.reload()
    rendered = ibrahim.locator(".message", has_text="Buy my pills")
    assert await rendered.locator(".badge").all_inner_texts() == ["Hidden by a moderator"]


async def test_the_room_members_page_passes_an_axe_scan_at_phone_width(
    browser: Browser, site: Site
) -> None:
    ibrahim = await _signed_in(browser, site, "ibrahim", viewport={"width": 390, "height": 844})
    async with httpx.AsyncClient(base_url=site.url) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"username": "ibrahim", "password": site.password}
        )
        http.cookies.clear()
        owner = {"Authorization": f"Bearer {login.json()['token']}"}
        room = await http.post(
            "/api/v1/rooms", json={"name": "Helpers", "kind": "private"}, headers=owner
        )
        assert room.status_code == 201, room.text
    await ibrahim.goto(f"/chat/{room.json()['id']}")
    await ibrahim.click("text=People in this room")
    await ibrahim.fill("#username", "june")
    await ibrahim.click("main button:has-text('Invite')")
    await ibrahim.wait_for_selector("text=They are in the room now.")
    assert await ibrahim.get_by_role("button", name="Remove June").count() == 1
    await ibrahim.fill("#username", "nobody-here")
    await ibrahim.click("main button:has-text('Invite')")
    await ibrahim.wait_for_selector("text=There is no one here by that name.")
    violations = await _violations(ibrahim)
    assert not violations, _summary(violations)
