"""Accounts through the JSON API: register, login, logout, me, profiles, roles."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import User
from tests import factories


async def test_register_creates_member_and_hides_password(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "username": "Ana_B",
            "email": "ana@example.org",
            "password": "a quiet street at dusk",
            "display_name": "Ana B.",
        },
    )
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert user["username"] == "Ana_B"
    assert user["display_name"] == "Ana B."
    assert user["role"] == "member"
    assert user["created_at"].endswith("Z")
    assert set(user) == {"id", "username", "display_name", "role", "trust_level", "created_at"}


async def test_login_me_logout_round_trip(client: httpx.AsyncClient, member: User) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": "maria", "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "maria"
    assert "porchlight_session" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "SameSite=Lax" in response.headers["set-cookie"]
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["csrf_token"] == body["csrf_token"]
    out = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("maria", "wrong password here"),
        ("nobody-here", factories.PASSWORD),
    ],
)
async def test_wrong_password_and_unknown_user_answer_alike(
    client: httpx.AsyncClient, member: User, username: str, password: str
) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


async def test_patch_me_changes_only_the_fields_given(
    client: httpx.AsyncClient, member: User
) -> None:
    await services.update_profile(member, {"display_name": "Maria", "area": "Elm", "bio": "Hi"})
    await factories.bearer(client, member)
    response = await client.patch("/api/v1/me", json={"display_name": "Maria from Elm Street"})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["display_name"] == "Maria from Elm Street"
    stored = await User.get(id=member.id)
    assert (stored.area, stored.bio) == ("Elm", "Hi")


async def test_patch_me_needs_someone_signed_in(client: httpx.AsyncClient, db: None) -> None:
    response = await client.patch("/api/v1/me", json={"display_name": "Nobody"})
    assert response.status_code == 401
