"""Sign-up approval and invitations through the JSON API (administrators only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import User
from tests import factories
from tests.forum.accounts.test_admin_pages import app_client, pending_sign_up

SIGNUPS = "/api/v1/admin/signups"
INVITES = "/api/v1/admin/invites"


@pytest.fixture
async def invite_client(db: None, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with await app_client(tmp_path, "invite") as http:
        yield http


async def test_an_admin_lists_and_approves_waiting_sign_ups(
    client: httpx.AsyncClient, admin: User
) -> None:
    tom = await pending_sign_up("tom", "tom@example.org")
    await pending_sign_up("ines", "ines@example.org")
    await factories.bearer(client, admin)
    first = await client.get(SIGNUPS, params={"limit": 1})
    assert first.status_code == 200
    assert [u["username"] for u in first.json()["items"]] == ["tom"]
    rest = await client.get(SIGNUPS, params={"cursor": first.json()["next_cursor"]})
    assert [u["username"] for u in rest.json()["items"]] == ["ines"]
    assert (await client.post(f"{SIGNUPS}/{tom.id}/approve")).status_code == 204
    assert (await User.get(id=tom.id)).status == "active"
    assert (await client.post(f"{SIGNUPS}/{tom.id}/approve")).status_code == 404


async def test_an_admin_refuses_a_sign_up_and_it_is_removed(
    client: httpx.AsyncClient, admin: User
) -> None:
    tom = await pending_sign_up("tom", "tom@example.org")
    await factories.bearer(client, admin)
    assert (await client.post(f"{SIGNUPS}/{tom.id}/refuse")).status_code == 204
    assert not await User.filter(id=tom.id).exists()


async def test_an_invitation_is_shown_once_and_lets_a_newcomer_join(
    invite_client: httpx.AsyncClient, admin: User
) -> None:
    await factories.bearer(invite_client, admin)
    response = await invite_client.post(INVITES, json={"note": "for the baker"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["invite"]["note"] == "for the baker"
    assert body["invite"]["used_by"] is None
    assert body["url"].endswith(f"/register?invite={body['code']}")
    del invite_client.headers["Authorization"]
    joined = await invite_client.post(
        "/api/v1/auth/register",
        json={
            "username": "tom",
            "email": "tom@example.org",
            "password": "a quiet street at dusk",
            "invite": body["code"],
        },
    )
    assert joined.status_code == 201, joined.text
    await factories.bearer(invite_client, admin)
    listed = (await invite_client.get(INVITES)).json()
    assert listed["items"][0]["used_by"]["username"] == "tom"
    assert "code" not in listed["items"][0]


async def test_an_invitation_note_is_checked(client: httpx.AsyncClient, admin: User) -> None:
    await factories.bearer(client, admin)
    response = await client.post(INVITES, json={"note": "n" * 121})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"note": "Must be at most 120 characters."}


async def test_an_admin_with_a_cookie_needs_the_csrf_token(
    client: httpx.AsyncClient, admin: User
) -> None:
    token = await factories.login_cookie(client, "adminada")
    assert (await client.post(INVITES, json={})).status_code == 403
    done = await client.post(INVITES, json={}, headers={"X-CSRF-Token": token})
    assert done.status_code == 201


ADMIN_ACTIONS = [
    ("get", SIGNUPS),
    ("post", f"{SIGNUPS}/{{id}}/approve"),
    ("post", f"{SIGNUPS}/{{id}}/refuse"),
    ("get", INVITES),
    ("post", INVITES),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ACTIONS)
@pytest.mark.parametrize(("persona", "status"), [(None, 401), ("member", 403), ("moderator", 403)])
async def test_only_admins_see_and_decide_sign_ups_and_invitations(
    client: httpx.AsyncClient,
    member: User,
    moderator: User,
    method: str,
    path: str,
    persona: str | None,
    status: int,
) -> None:
    waiting = await pending_sign_up("tom", "tom@example.org")
    if persona is not None:
        await factories.bearer(client, member if persona == "member" else moderator)
    kwargs = {"json": {}} if method == "post" else {}
    response = await client.request(method.upper(), path.format(id=waiting.id), **kwargs)
    assert response.status_code == status
    assert (await User.get(id=waiting.id)).status == "pending"
    assert await services.anyone_registered()
