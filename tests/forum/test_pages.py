"""Every HTML page for every role: status, security headers, one h1, no inline style or script."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.web import CSP
from tests import factories

ROLES = {
    "anonymous": None,
    "member": "maria",
    "other_member": "sam",
    "moderator": "modmira",
    "admin": "adminada",
}
EVERYONE = dict.fromkeys(ROLES, 200)
MEMBERS = {**EVERYONE, "anonymous": 303}
ADMINS = {"anonymous": 303, "member": 403, "other_member": 403, "moderator": 403, "admin": 200}
AUTHOR_OR_STAFF = {**MEMBERS, "other_member": 403}
NOBODY = dict.fromkeys(ROLES, 404)

# Paths name the world fixture's objects in braces; 303 means "sent to the sign-in page".
PAGES: list[tuple[str, dict[str, int]]] = [
    ("/", EVERYONE),
    ("/login", EVERYONE),
    ("/register", EVERYONE),
    ("/register/thanks", EVERYONE),
    ("/u/maria", EVERYONE),
    ("/u/nobody-here", NOBODY),
    ("/settings", MEMBERS),
    ("/settings/sessions", MEMBERS),
    ("/settings/delete", MEMBERS),
    ("/admin/signups", ADMINS),
    ("/admin/boards", ADMINS),
    ("/admin/boards/{board}/edit", ADMINS),
    ("/admin/boards/999999/edit", {**ADMINS, "admin": 404}),
    ("/b/general", EVERYONE),
    ("/b/general?cursor=not-a-cursor", dict.fromkeys(ROLES, 400)),
    ("/b/neighbours", MEMBERS),
    ("/b/no-such-board", NOBODY),
    ("/b/general/new", MEMBERS),
    ("/t/{topic}", EVERYONE),
    ("/t/{topic}?page=2", NOBODY),
    ("/t/{topic}?page=0", NOBODY),
    ("/t/{private_topic}", MEMBERS),
    ("/t/999999", NOBODY),
    ("/t/{topic}/edit", AUTHOR_OR_STAFF),
    ("/p/{post}/edit", AUTHOR_OR_STAFF),
    ("/p/{post}/delete", AUTHOR_OR_STAFF),
    # Edit history is private to the author and the moderators: others find nothing there.
    ("/p/{post}/history", {**MEMBERS, "anonymous": 404, "other_member": 404}),
    ("/p/999999/history", NOBODY),
    ("/no/such/page", NOBODY),
]
MATRIX = [(path, role, expected[role]) for path, expected in PAGES for role in ROLES]


@pytest.fixture
async def world(member: User, other_member: User, moderator: User, admin: User) -> dict[str, Any]:
    board = await factories.board(slug="general", name="General")
    await factories.board(slug="neighbours", name="Neighbours", visibility="members")
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"], body="Welcome, **all**!")
    private = await factories.topic(author=member, board_slug="neighbours", title="Members only")
    return {
        "board": board["id"],
        "topic": topic["id"],
        "post": post["id"],
        "private_topic": private["id"],
    }


async def as_role(http: httpx.AsyncClient, role: str) -> httpx.AsyncClient:
    username = ROLES[role]
    if username is not None:
        await factories.login_cookie(http, username)
    return http


def assert_clean_page(response: httpx.Response) -> None:
    """What every HTML page must hold to: headers, one heading, nothing inline for the CSP."""
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert html.startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "style=" not in html
    assert "<script" not in html.lower()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert re.search(r"<title>[^<]+ — Porchlight</title>", html)


@pytest.mark.parametrize(("path", "role", "status"), MATRIX)
async def test_page_answers_each_role(
    client: httpx.AsyncClient, world: dict[str, Any], path: str, role: str, status: int
) -> None:
    await as_role(client, role)
    response = await client.get(path.format(**world))
    assert response.status_code == status, response.text[:500]
    if status == 303:
        assert response.headers["location"].startswith("/login?next=/")
        return
    assert_clean_page(response)
    if role != "anonymous":
        assert response.headers["cache-control"] == "no-store"


async def test_post_permalink_goes_to_its_page_and_anchor(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    response = await client.get(f"/p/{world['post']}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{world['topic']}?page=1#post-{world['post']}"


async def test_anonymous_pages_are_not_marked_no_store(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    first = await client.get("/")
    # The first visit sets the form cookie, and a response that sets a cookie is never stored.
    assert first.headers["cache-control"] == "no-store"
    response = await client.get("/")
    assert "set-cookie" not in response.headers
    assert response.headers.get("cache-control") != "no-store"


async def test_home_welcomes_anonymous_visitors_and_explains_how_to_join(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    html = (await client.get("/")).text
    assert "Welcome to Porchlight" in html
    assert 'href="/register"' in html
    assert "Hello neighbours" in html
    assert 'href="/b/general"' in html
    assert 'href="/b/neighbours"' not in html
    assert "Members only" not in html


async def test_home_greets_members_and_shows_members_only_boards(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    await factories.login_cookie(client, "maria")
    html = (await client.get("/")).text
    assert "Welcome to Porchlight" not in html
    assert "Hello, Maria" in html
    assert 'href="/b/neighbours"' in html
    assert 'action="/logout"' in html
    assert 'href="/admin/boards"' not in html


async def test_home_has_friendly_empty_states(client: httpx.AsyncClient, admin: User) -> None:
    await factories.login_cookie(client, "adminada")
    html = (await client.get("/")).text
    assert "There are no boards yet." in html
    assert 'href="/admin/boards"' in html
    assert "Nothing has been posted yet." in html


async def test_admin_sees_admin_link(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    await factories.login_cookie(client, "adminada")
    html = (await client.get("/")).text
    assert 'href="/admin/boards"' in html


async def test_error_page_is_friendly_html_with_a_way_home(
    client: httpx.AsyncClient, db: None
) -> None:
    response = await client.get("/t/424242")
    assert response.status_code == 404
    assert_clean_page(response)
    assert "We could not find that page" in response.text
    assert "That topic does not exist." in response.text
    assert 'href="/"' in response.text


async def test_stylesheet_and_favicon_are_served(client: httpx.AsyncClient, db: None) -> None:
    css = await client.get("/static/css/site.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    icon = await client.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert "<script" not in icon.text
