"""Forged values answer 400/422 and change nothing: cursors, visibilities, numbers in any script."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from forum.accounts.models import User
from forum.boards.models import Board
from tests import factories
from tests.forum import pages


def _cursor(*values: object) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _field_error(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text[:500]
    assert field in response.json()["error"]["fields"]


# Cursors whose time overflows ------------------------------------------------------------------

OVERFLOWING = [
    _cursor(False, "0001-01-01T00:00:00+14:00", 1),  # the issue's: before year 1 in UTC
    _cursor(True, "9999-12-31T23:59:59-14:00", 1),  # after year 9999 in UTC
    _cursor(False, "2026-11-24T18:00:00", 1),  # no time zone
    _cursor(False, 20261124, 1),
]


@pytest.mark.parametrize("cursor", OVERFLOWING)
async def test_a_topic_list_cursor_with_a_forged_time_is_400(
    client: httpx.AsyncClient, member: User, cursor: str
) -> None:
    await factories.topic(author=member)
    response = await client.get("/api/v1/boards/general/topics", params={"cursor": cursor})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("cursor", OVERFLOWING)
async def test_a_board_page_cursor_with_a_forged_time_is_400(
    client: httpx.AsyncClient, member: User, cursor: str
) -> None:
    await factories.topic(author=member)
    response = await client.get("/b/general", params={"cursor": cursor})
    assert response.status_code == 400, response.text[:300]
    assert "text/html" in response.headers["content-type"]


# Board visibility ---------------------------------------------------------------------------

NOT_A_VISIBILITY = ["", [], {}, False, 0, None, True, 1, "Public", "private", " members"]


@pytest.mark.parametrize("visibility", NOT_A_VISIBILITY, ids=repr)
async def test_creating_a_board_with_a_forged_visibility_is_422(
    client: httpx.AsyncClient, admin: User, visibility: object
) -> None:
    await factories.bearer(client, admin)
    response = await client.post(
        "/api/v1/boards", json={"slug": "quiet", "name": "Quiet", "visibility": visibility}
    )
    _field_error(response, "visibility")
    assert not await Board.exists()


@pytest.mark.parametrize("visibility", NOT_A_VISIBILITY, ids=repr)
async def test_a_forged_visibility_leaves_a_members_board_members_only(
    client: httpx.AsyncClient, admin: User, visibility: object
) -> None:
    board = await factories.board(slug="quiet", visibility="members")
    await factories.bearer(client, admin)
    response = await client.patch(f"/api/v1/boards/{board['id']}", json={"visibility": visibility})
    _field_error(response, "visibility")
    assert (await Board.get(id=board["id"])).visibility == "members"


async def test_a_board_without_a_visibility_is_public(
    client: httpx.AsyncClient, admin: User
) -> None:
    await factories.bearer(client, admin)
    response = await client.post("/api/v1/boards", json={"slug": "open", "name": "Open"})
    assert response.status_code == 201, response.text
    assert response.json()["visibility"] == "public"


@pytest.mark.parametrize("visibility", ["", "secret", "Public"])
async def test_the_board_forms_refuse_a_forged_visibility(
    client: httpx.AsyncClient, admin: User, visibility: str
) -> None:
    board = await factories.board(slug="quiet", visibility="members")
    await pages.sign_in(client, "adminada")
    csrf = await pages.form_token(client, "/admin/boards")
    created = await pages.submit(
        client, "/admin/boards", csrf, slug="news", name="News", visibility=visibility
    )
    assert created.status_code == 422
    assert 'id="visibility-error"' in created.text
    edit = f"/admin/boards/{board['id']}/edit"
    edited = await pages.submit(
        client, edit, csrf, slug="quiet", name="Quiet", visibility=visibility
    )
    assert edited.status_code == 422
    assert 'id="visibility-error"' in edited.text
    assert await Board.all().values_list("slug", "visibility") == [("quiet", "members")]


# Numbers in other scripts ---------------------------------------------------------------------

# Python's int() reads these as 3 (or fails with ValueError): none is an ASCII whole number.
NOT_ASCII_DIGITS = ["\u0663", "\uff13", "\u00b2", "\u07c3", "\u0969", "1\u0663", "\U0001d7d1"]


@pytest.mark.parametrize("position", [*NOT_ASCII_DIGITS, "1.5", "1e3", "", " ", "+-1"])
async def test_a_board_position_must_be_ascii_digits(
    client: httpx.AsyncClient, admin: User, position: str
) -> None:
    board = await factories.board(slug="quiet")
    await factories.bearer(client, admin)
    created = await client.post(
        "/api/v1/boards", json={"slug": "news", "name": "News", "position": position}
    )
    _field_error(created, "position")
    changed = await client.patch(f"/api/v1/boards/{board['id']}", json={"position": position})
    _field_error(changed, "position")
    assert await Board.all().values_list("slug", "position") == [("quiet", 0)]


@pytest.mark.parametrize("limit", NOT_ASCII_DIGITS)
@pytest.mark.parametrize(
    "path", ["/api/v1/boards", "/api/v1/boards/general/topics", "/api/v1/topics/{id}/posts"]
)
async def test_a_list_limit_must_be_ascii_digits(
    client: httpx.AsyncClient, member: User, path: str, limit: str
) -> None:
    topic = await factories.topic(author=member)
    response = await client.get(path.format(id=topic["id"]), params={"limit": limit})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_limit"


@pytest.mark.parametrize("page", NOT_ASCII_DIGITS)
async def test_a_topic_page_number_must_be_ascii_digits(
    client: httpx.AsyncClient, member: User, page: str
) -> None:
    topic = await factories.topic(author=member)
    response = await client.get(f"/t/{topic['id']}", params={"page": page})
    assert response.status_code == 400, response.text[:300]


@pytest.mark.parametrize("level", NOT_ASCII_DIGITS)
async def test_the_trust_level_form_takes_ascii_digits_only(
    client: httpx.AsyncClient, admin: User, member: User, level: str
) -> None:
    await pages.sign_in(client, "adminada")
    csrf = await pages.form_token(client, "/u/maria")
    response = await pages.submit(client, "/u/maria/role", csrf, role="member", trust_level=level)
    assert response.status_code == 422, response.text[:300]
    assert 'id="trust_level-error"' in response.text
    assert (await User.get(id=member.id)).trust_level == member.trust_level
