"""Bad input never crashes: clear 4xx errors in the API's error shape, nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from forum.accounts.models import User
from forum.boards.models import Post
from tests import factories


@pytest.fixture
async def writer(client: httpx.AsyncClient, member: User) -> httpx.AsyncClient:
    await factories.board()
    return await factories.bearer(client, member)


def _error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    error: dict[str, object] = response.json()["error"]
    assert isinstance(error["message"], str)
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


async def test_malformed_json_is_400(writer: httpx.AsyncClient) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics",
        content=b'{"title": ',
        headers={"Content-Type": "application/json"},
    )
    _error(response, 400, "malformed_json")


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"\xff\xfe"])
async def test_json_that_is_not_an_object_is_400(writer: httpx.AsyncClient, body: bytes) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics", content=body, headers={"Content-Type": "application/json"}
    )
    _error(response, 400, "malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_wrong_content_type_is_415(writer: httpx.AsyncClient, content_type: str) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics",
        content=b'{"title": "Hello there", "body": "x"}',
        headers={"Content-Type": content_type},
    )
    _error(response, 415)


async def test_missing_fields_are_422_with_a_message_each(writer: httpx.AsyncClient) -> None:
    response = await writer.post("/api/v1/boards/general/topics", json={})
    error = _error(response, 422)
    assert set(error["fields"]) == {"title", "body"}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "ab", "body": "x"}, "title"),
        ({"title": "t" * 201, "body": "x"}, "title"),
        ({"title": "Fine title", "body": "b" * 20_001}, "body"),
        ({"title": "Fine title", "body": "   \n  "}, "body"),
        ({"title": "Nul\x00 title", "body": "x"}, "title"),
        ({"title": "Bell\x07 title", "body": "x"}, "title"),
        ({"title": "Fine title", "body": "escape \x1b[31m"}, "body"),
        ({"title": "Fine title", "body": "nul \x00 inside"}, "body"),
        ({"title": "Line\nbreak", "body": "x"}, "title"),
        ({"title": 12345, "body": "x"}, "title"),
        ({"title": "Fine title", "body": ["x"]}, "body"),
        ({"title": None, "body": "x"}, "title"),
    ],
)
async def test_invalid_topic_fields_are_422_and_store_nothing(
    writer: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await writer.post("/api/v1/boards/general/topics", json=body)
    error = _error(response, 422)
    assert field in error["fields"]  # type: ignore[operator]
    assert await Post.all().count() == 0


async def test_body_at_the_limit_is_accepted(writer: httpx.AsyncClient) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics", json={"title": "Long one", "body": "b" * 20_000}
    )
    assert response.status_code == 201


async def test_declared_oversize_body_is_413_before_reading(writer: httpx.AsyncClient) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(2 * 1024 * 1024)},
    )
    _error(response, 413)


async def test_streamed_oversize_body_is_413(writer: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    response = await writer.post(
        "/api/v1/boards/general/topics",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    _error(response, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/topics/999999",
        "/api/v1/posts/999999",
        "/api/v1/boards/nope/topics",
        "/api/v1/users/nobody",
        "/api/v1/topics/99999999999999999999",
        "/api/v1/topics/-1",
        "/api/v1/topics/abc",
        "/api/v1/nothing-here",
    ],
)
async def test_unknown_things_are_404_in_json(client: httpx.AsyncClient, path: str) -> None:
    _error(await client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    ["limit=abc", "limit=0", "limit=-5", "cursor=%%%", "cursor=bm90IGpzb24", "cursor=WzEsMiwzXQ"],
)
async def test_bad_paging_parameters_are_400(
    client: httpx.AsyncClient, member: User, query: str
) -> None:
    topic = await factories.topic(author=member)
    response = await client.get(f"/api/v1/topics/{topic['id']}/posts?{query}")
    assert response.status_code == 400, response.text


async def test_wrong_method_is_405_in_json(client: httpx.AsyncClient) -> None:
    _error(await client.put("/api/v1/boards", json={}), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ab", "email": "a@example.org", "password": "long enough pass"},
        {"username": "has space", "email": "a@example.org", "password": "long enough pass"},
        {"username": "x" * 31, "email": "a@example.org", "password": "long enough pass"},
        {"username": "nul\x00name", "email": "a@example.org", "password": "long enough pass"},
        {"username": "émile", "email": "a@example.org", "password": "long enough pass"},
        {"username": "fine", "email": "not-an-email", "password": "long enough pass"},
        {"username": "fine", "email": "a@b", "password": "long enough pass"},
        {"username": "fine", "email": "a@example.org", "password": "short"},
        {"username": "fine", "email": "a@example.org", "password": "p" * 1025},
        {"username": "fine", "email": "a@example.org", "password": "password123"},
        {"username": "fine", "email": "a@example.org", "password": 12345678},
        {"username": ["fine"], "email": "a@example.org", "password": "long enough pass"},
    ],
)
async def test_bad_registrations_are_422_and_create_nobody(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await client.post("/api/v1/auth/register", json=body)
    error = _error(response, 422)
    assert error["fields"]
    assert await User.all().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title": "Fine title", "body": "lone \\ud800 surrogate"}',
        b'{"title": "\\udfff", "body": "x"}',
    ],
)
async def test_json_that_cannot_be_stored_is_400(writer: httpx.AsyncClient, body: bytes) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics", content=body, headers={"Content-Type": "application/json"}
    )
    _error(response, 400, "malformed_json")
    assert await Post.all().count() == 0


async def test_deeply_nested_cursor_is_400(client: httpx.AsyncClient, member: User) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(b"[" * 5_000).decode().rstrip("=")
    topic = await factories.topic(author=member)
    response = await client.get(f"/api/v1/topics/{topic['id']}/posts", params={"cursor": cursor})
    _error(response, 400, "invalid_cursor")


@pytest.mark.parametrize("identifier", ["a\x00@b.co", "x" * 100_000, "\u202e@evil.example"])
async def test_odd_login_identifiers_are_plain_401(
    client: httpx.AsyncClient, db: None, identifier: str
) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": identifier, "password": "whatever it is"}
    )
    _error(response, 401, "invalid_credentials")


async def test_every_error_names_its_fields_even_when_none(client: httpx.AsyncClient) -> None:
    error = _error(await client.get("/api/v1/topics/999999"), 404)
    assert error["fields"] == {}


async def test_overlong_board_slug_is_404(client: httpx.AsyncClient) -> None:
    _error(await client.get(f"/api/v1/boards/{'a' * 300}/topics"), 404, "not_found")


async def test_huge_board_position_is_a_field_error(client: httpx.AsyncClient, admin: User) -> None:
    await factories.bearer(client, admin)
    response = await client.post(
        "/api/v1/boards", json={"slug": "big", "name": "Big", "position": "9" * 5000}
    )
    assert "position" in _error(response, 422)["fields"]  # type: ignore[operator]


async def test_a_body_that_would_render_as_nothing_is_refused(writer: httpx.AsyncClient) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics",
        json={"title": "Only a link reference", "body": "[x]: http://a"},
    )
    assert "body" in _error(response, 422)["fields"]  # type: ignore[operator]


async def test_a_form_field_named_like_a_dict_method_is_harmless(
    client: httpx.AsyncClient, db: None
) -> None:
    import re

    page = await client.get("/register")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = await client.post(
        "/register",
        data={"csrf_token": token.group(1), "get": "boom", "items": "x", "username": "a"},
    )
    assert response.status_code == 422
    assert 'value="a"' in response.text


@pytest.mark.parametrize("title", ["Ro\u200bsa says hi", "\u202eevil title", "a\ufeffb title"])
async def test_titles_with_disguising_characters_are_refused(
    writer: httpx.AsyncClient, title: str
) -> None:
    response = await writer.post(
        "/api/v1/boards/general/topics", json={"title": title, "body": "x"}
    )
    assert "title" in _error(response, 422)["fields"]  # type: ignore[operator]
