"""A refused form says so first: "Error: " starts its title and focus lands on the summary."""

from __future__ import annotations

import re

import httpx
import pytest

from forum.accounts.models import User
from tests import factories
from tests.forum import pages

TITLE = re.compile(r"<title>([^<]*)</title>")
SUMMARY = re.compile(r'<div class="error-summary"[^>]*>')


def _title(html: str) -> str:
    match = TITLE.search(html)
    assert match, "the page has no title"
    return match.group(1)


def _assert_refused_page(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text[:300]
    assert _title(response.text).startswith("Error: ")
    summaries = SUMMARY.findall(response.text)
    assert len(summaries) == 1
    # Focus moves to the summary without script: autofocus on an element script-focusable only.
    assert ' tabindex="-1"' in summaries[0]
    assert " autofocus" in summaries[0]
    assert response.text.count(" autofocus") == 1


async def test_a_refused_sign_up(client: httpx.AsyncClient, db: None) -> None:
    csrf = await pages.form_token(client, "/register")
    _assert_refused_page(await pages.join(client, csrf, "ab", "not-an-email", "short"))


async def test_a_refused_sign_in(client: httpx.AsyncClient, member: User) -> None:
    _assert_refused_page(await pages.sign_in(client, "maria", "not the password at all"))


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/b/general/new", {"title": "ab", "body": ""}),
        ("/settings", {"display_name": "Ma\u200bria"}),
        ("/settings/password", {"current_password": "wrong", "new_password": "x"}),
        ("/settings/delete", {"password": "wrong"}),
    ],
)
async def test_refused_member_forms(
    client: httpx.AsyncClient, member: User, path: str, fields: dict[str, str]
) -> None:
    await factories.board()
    await pages.sign_in(client, "maria")
    csrf = await pages.form_token(client, "/settings")
    _assert_refused_page(await pages.submit(client, path, csrf, **fields))


async def test_a_refused_reply_and_edit(client: httpx.AsyncClient, member: User) -> None:
    topic = await factories.topic(author=member)
    await pages.sign_in(client, "maria")
    csrf = await pages.form_token(client, f"/t/{topic['id']}")
    _assert_refused_page(await pages.submit(client, f"/t/{topic['id']}/reply", csrf, body=" "))
    _assert_refused_page(await pages.submit(client, f"/t/{topic['id']}/edit", csrf, title="x"))


async def test_a_refused_board_form(client: httpx.AsyncClient, admin: User) -> None:
    await pages.sign_in(client, "adminada")
    csrf = await pages.form_token(client, "/admin/boards")
    _assert_refused_page(await pages.submit(client, "/admin/boards", csrf, slug="", name=""))


@pytest.mark.parametrize("path", ["/", "/register", "/login"])
async def test_pages_without_errors_neither_say_error_nor_move_focus(
    client: httpx.AsyncClient, db: None, path: str
) -> None:
    html = (await client.get(path)).text
    assert not _title(html).startswith("Error")
    assert "autofocus" not in html
