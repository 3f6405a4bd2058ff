"""Who may do what to boards, topics and posts: role x action x expected status."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from tests import factories

ROLES = ("anonymous", "member", "other_member", "moderator", "admin")


async def _world() -> dict[str, Any]:
    """maria owns a topic with a reply on a public board; a members-only board exists too."""
    people = {
        "member": await factories.user(username="maria"),
        "other_member": await factories.user(username="sam"),
        "moderator": await factories.user(username="modmira", role="moderator"),
        "admin": await factories.user(username="adminada", role="admin"),
    }
    await factories.board(slug="general")
    await factories.board(slug="private", name="Members", visibility="members")
    topic = await factories.topic(author=people["member"])
    post = await factories.reply(author=people["member"], topic_id=topic["id"])
    return {"people": people, "topic": topic["id"], "post": post["id"]}


async def _as(client: httpx.AsyncClient, role: str, world: dict[str, Any]) -> httpx.AsyncClient:
    if role != "anonymous":
        await factories.bearer(client, world["people"][role])
    return client


# (method, path template, json body, expected status per role in ROLES order)
MATRIX = [
    ("GET", "/api/v1/boards", None, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/boards", {"slug": "new-board", "name": "New"}, (401, 403, 403, 403, 201)),
    ("PATCH", "/api/v1/boards/1", {"name": "Renamed"}, (401, 403, 403, 403, 200)),
    ("GET", "/api/v1/boards/general/topics", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/v1/boards/private/topics", None, (401, 200, 200, 200, 200)),
    (
        "POST",
        "/api/v1/boards/general/topics",
        {"title": "A new topic", "body": "Hi"},
        (401, 201, 201, 201, 201),
    ),
    (
        "POST",
        "/api/v1/boards/private/topics",
        {"title": "A new topic", "body": "Hi"},
        (401, 201, 201, 201, 201),
    ),
    ("GET", "/api/v1/topics/{topic}", None, (200, 200, 200, 200, 200)),
    ("PATCH", "/api/v1/topics/{topic}", {"title": "Retitled topic"}, (401, 200, 403, 200, 200)),
    ("PATCH", "/api/v1/topics/{topic}", {"locked": True}, (401, 403, 403, 200, 200)),
    ("PATCH", "/api/v1/topics/{topic}", {"pinned": True}, (401, 403, 403, 200, 200)),
    ("GET", "/api/v1/topics/{topic}/posts", None, (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/topics/{topic}/posts", {"body": "Me too"}, (401, 201, 201, 201, 201)),
    ("GET", "/api/v1/posts/{post}", None, (200, 200, 200, 200, 200)),
    ("PATCH", "/api/v1/posts/{post}", {"body": "Edited"}, (401, 200, 403, 200, 200)),
    ("DELETE", "/api/v1/posts/{post}", None, (401, 204, 403, 204, 204)),
    ("GET", "/api/v1/me", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/v1/users/maria", None, (200, 200, 200, 200, 200)),
    (
        "PATCH",
        "/api/v1/users/sam",
        {"trust_level": 2},
        (401, 403, 403, 200, 200),
    ),  # moderators set trust levels
    ("PATCH", "/api/v1/users/sam", {"role": "moderator"}, (401, 403, 403, 403, 200)),
]

CASES = [
    pytest.param(method, path, body, role, expected[i], id=f"{role}-{method}-{path}-{body}")
    for method, path, body, expected in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_permission_matrix(
    client: httpx.AsyncClient, method: str, path: str, body: Any, role: str, expected: int
) -> None:
    world = await _world()
    await _as(client, role, world)
    url = path.format(topic=world["topic"], post=world["post"])
    response = await client.request(method, url, json=body)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/boards/general/topics", {"title": "Forged topic", "body": "x"}),
        ("POST", "/api/v1/topics/{topic}/posts", {"body": "Forged reply"}),
        ("PATCH", "/api/v1/posts/{post}", {"body": "Forged edit"}),
        ("DELETE", "/api/v1/posts/{post}", None),
        ("POST", "/api/v1/auth/logout", None),
    ],
)
async def test_cookie_writes_without_the_right_csrf_token_are_refused(
    client: httpx.AsyncClient, role: str, token: str | None, method: str, path: str, body: Any
) -> None:
    world = await _world()
    username = world["people"][role].username
    good = await factories.login_cookie(client, username)
    headers = {} if token is None else {"X-CSRF-Token": token}
    url = path.format(topic=world["topic"], post=world["post"])
    response = await client.request(method, url, json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    # The same request with the right token goes through: the refusal was the token's doing.
    retry = await client.request(method, url, json=body, headers={"X-CSRF-Token": good})
    assert retry.status_code in (200, 201, 204)


async def test_cookie_write_from_another_origin_is_refused(client: httpx.AsyncClient) -> None:
    world = await _world()
    token = await factories.login_cookie(client, "maria")
    response = await client.post(
        f"/api/v1/topics/{world['topic']}/posts",
        json={"body": "hello"},
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_bearer_writes_need_no_csrf_token(client: httpx.AsyncClient, member: User) -> None:
    await factories.board()
    await factories.bearer(client, member)
    response = await client.post(
        "/api/v1/boards/general/topics", json={"title": "By script", "body": "Posted from a script"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("token", ["é".encode() * 32, b"\xff\xfe", b"x" * 10_000])
async def test_odd_csrf_tokens_are_refused_not_crashed(
    client: httpx.AsyncClient, token: bytes
) -> None:
    world = await _world()
    await factories.login_cookie(client, world["people"]["member"].username)
    response = await client.post(
        f"/api/v1/topics/{world['topic']}/posts",
        json={"body": "hello"},
        headers={b"X-CSRF-Token": token},
    )
    assert response.status_code == 403
