"""A moderator works the review queue on a phone, in a real browser; axe-core scans its pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests import servers
from tests.browser.test_accessibility import _summary, _violations

pytestmark = pytest.mark.asyncio(loop_scope="module")
PASSWORD = "a quiet evening on the porch"
PHONE = {"width": 375, "height": 740}


def _seed(url: str) -> dict[str, Any]:
    """Through the API, as any client would: people, a topic with replies, and reports."""
    with httpx.Client(base_url=url, timeout=30) as http:

        def token(username: str) -> dict[str, str]:
            answer = http.post(
                "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
            )
            answer.raise_for_status()
            http.cookies.clear()  # bearer from here on
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        for name in ("mira", "sam", "maria", "tess"):
            person = {"username": name, "email": f"{name}@example.org", "password": PASSWORD}
            http.post("/api/v1/auth/register", json=person).raise_for_status()
            http.cookies.clear()
        admin = token("ada")
        http.patch(
            "/api/v1/users/mira", json={"role": "moderator"}, headers=admin
        ).raise_for_status()
        # Past the new-member holds (their first posts would wait in the queue themselves).
        for name in ("sam", "maria", "tess"):
            http.patch(
                f"/api/v1/users/{name}", json={"trust_level": 1}, headers=admin
            ).raise_for_status()
        board = {"slug": "general", "name": "General", "description": "Anything."}
        http.post("/api/v1/boards", json=board, headers=admin).raise_for_status()
        sam = token("sam")
        topic = http.post(
            "/api/v1/boards/general/topics",
            json={"title": "Phones for sale", "body": "Cheap phones, pay by wire first."},
            headers=sam,
        ).json()
        reply = http.post(
            f"/api/v1/topics/{topic['id']}/posts",
            json={"body": "<b>Send</b> the money to my account today"},
            headers=sam,
        ).json()
        for reporter, target_type, target_id, reason in (
            ("maria", "post", reply["id"], "scam"),
            ("tess", "post", reply["id"], "spam"),
            ("maria", "topic", topic["id"], "off_topic"),
        ):
            answer = http.post(
                "/api/v1/reports",
                json={"target_type": target_type, "target_id": target_id, "reason": reason},
                headers=token(reporter),
            )
            assert answer.status_code == 201, answer.text
        return {"topic": topic, "reply": reply}


@pytest.fixture(scope="module")
def moderated_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A server of its own (these tests change what they moderate), with reports waiting."""
    folder: Path = tmp_path_factory.mktemp("moderated")
    with servers.fresh_database(folder) as database_url:
        env = servers.environment(
            folder, database_url, PORCHLIGHT_RATE_LIMITS="off", PORCHLIGHT_ADMIN_PASSWORD=PASSWORD
        )
        migrated = servers.run(["migrate"], env, folder)
        assert migrated.returncode == 0, migrated.stderr
        made = servers.run(["create-admin", "ada", "--email", "ada@example.org"], env, folder)
        assert made.returncode == 0, made.stderr
        with servers.serving(env, folder) as url:
            yield url, _seed(url)


async def _no_violations(page: Page) -> None:
    found = await _violations(page)
    assert not found, _summary(found)


async def _phone(browser: Browser, url: str, username: str) -> Page:
    context = await browser.new_context(base_url=url, viewport=PHONE, is_mobile=True)
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()
    return page


async def test_a_moderator_hides_one_item_and_dismisses_another_at_phone_width(
    browser: Browser, moderated_site: tuple[str, dict[str, Any]]
) -> None:
    url, seeded = moderated_site
    page = await _phone(browser, url, "mira")
    await page.goto("/moderation")
    assert await page.title() == "Review queue — Porchlight"
    cards = page.locator("ol.queue > li")
    assert await cards.count() == 2
    # The snapshot is shown as text: the reported HTML is not rendered.
    assert "<b>Send</b>" in await cards.first.inner_text()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the queue scrolls sideways on a phone"
    await _no_violations(page)

    first = cards.first
    await first.get_by_label("Action").select_option("hide")
    await first.get_by_label("Reason (goes into the log)").fill("Asks neighbours to wire money")
    await first.get_by_role("button", name="Act on item").click()
    await page.wait_for_load_state()
    assert "Done: the item is resolved" in await page.locator("[role=status]").inner_text()
    assert await cards.count() == 1

    # The third piece of work: a sanction, applied from the item's own page with a reason.
    await cards.first.locator("h2 a").click()
    await page.wait_for_load_state()
    assert "Apply a sanction" in await page.locator("main").inner_text()
    await _no_violations(page)
    await page.get_by_label("Sanction").select_option("silence")
    await page.get_by_label("For how many hours").fill("24")
    await page.get_by_label("Reason (they will read it)").fill("Pressing neighbours for money")
    await page.get_by_role("button", name="Apply the sanction").click()
    await page.wait_for_load_state()
    assert "/moderation/items/" in page.url
    assert "Pressing neighbours for money" in await page.locator("main").inner_text()
    await page.goto("/moderation")

    last = cards.first
    await last.get_by_label("Action").select_option("dismiss")
    await last.get_by_label("Reason (goes into the log)").fill("A fair sale, on topic")
    await last.get_by_role("button", name="Act on item").click()
    await page.wait_for_load_state()
    assert await page.locator("ol.queue > li").count() == 0
    assert "Nothing is waiting" in await page.locator("main").inner_text()

    await page.goto("/moderation/log")
    text = await page.locator("main").inner_text()
    assert "Asks neighbours to wire money" in text
    assert "A fair sale, on topic" in text
    assert "Pressing neighbours for money" in text
    await _no_violations(page)

    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.get(f"/api/v1/topics/{seeded['topic']['id']}/posts")
    posts = answer.json()["items"]
    hidden = next(p for p in posts if p["id"] == seeded["reply"]["id"])
    assert (hidden["status"], hidden["body"]) == ("hidden", "")
    await page.context.close()


async def test_the_public_log_and_an_item_page_pass_axe(
    browser: Browser, moderated_site: tuple[str, dict[str, Any]]
) -> None:
    url, _ = moderated_site
    page = await _phone(browser, url, "maria")
    await page.goto("/moderation/public-log")
    assert "mira" not in (await page.locator("main").inner_text()).lower()
    await _no_violations(page)
    await page.goto("/reports/mine")
    await _no_violations(page)
    await page.context.close()
    moderator = await _phone(browser, url, "mira")
    await moderator.goto("/moderation/items/1")
    assert "Past sanctions" in await moderator.locator("main").inner_text()
    await _no_violations(moderator)
    await moderator.context.close()
