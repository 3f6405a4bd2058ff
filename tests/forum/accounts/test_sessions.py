"""Sessions and tokens: hashed at rest, rotated at login, revoked at logout, idle expiry."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from forum import clock
from forum.accounts import services, sessions
from forum.accounts.models import Session, User
from forum.boards.models import Post
from forum.errors import InvalidInput
from tests import factories


async def test_session_secret_is_long_random_and_stored_only_hashed(member: User) -> None:
    key, session = await sessions.start_session(member)
    assert len(key) >= 43  # 32 random bytes, base64url: 256 bits
    stored = await Session.get(id=session.id)
    assert stored.key_hash == sessions.digest(key)
    assert key not in stored.key_hash


async def test_logout_revokes_the_bearer_token_on_the_server(
    client: httpx.AsyncClient, member: User
) -> None:
    login = await client.post(
        "/api/v1/auth/login", json={"username": "maria", "password": factories.PASSWORD}
    )
    token = login.json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await Session.filter(user_id=member.id).count() == 0


async def test_login_rotates_the_session(make_client: object, member: User) -> None:
    http: httpx.AsyncClient = make_client()  # type: ignore[operator]
    await factories.login_cookie(http, "maria")
    first = http.cookies["porchlight_session"]
    csrf = (await http.get("/api/v1/me")).json()["csrf_token"]
    response = await http.post(
        "/api/v1/auth/login",
        headers={"X-CSRF-Token": csrf},
        json={"username": "maria", "password": factories.PASSWORD},
    )
    assert response.status_code == 200
    second = http.cookies["porchlight_session"]
    assert first != second
    thief: httpx.AsyncClient = make_client()  # type: ignore[operator]
    thief.cookies.set("porchlight_session", first)
    assert (await thief.get("/api/v1/me")).status_code == 401


async def test_session_expires_after_thirty_idle_days(
    client: httpx.AsyncClient, member: User
) -> None:
    key, session = await sessions.start_session(member)
    await Session.filter(id=session.id).update(
        last_seen_at=clock.now() - timedelta(days=30, minutes=1)
    )
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert not await Session.filter(id=session.id).exists()


async def test_recent_session_is_touched_at_most_hourly(member: User) -> None:
    key, session = await sessions.start_session(member)
    old = clock.now() - timedelta(hours=2)
    await Session.filter(id=session.id).update(last_seen_at=old)
    assert await sessions.authenticate(key) is not None
    touched = (await Session.get(id=session.id)).last_seen_at
    assert touched > old + timedelta(hours=1)
    assert await sessions.authenticate(key) is not None
    assert (await Session.get(id=session.id)).last_seen_at == touched


async def test_cookie_is_secure_under_https(app: object, member: User) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as http:
        response = await http.post(
            "/api/v1/auth/login", json={"username": "maria", "password": factories.PASSWORD}
        )
    assert "Secure" in response.headers["set-cookie"]


async def test_password_change_ends_other_sessions(member: User) -> None:
    keep_key, keep = await sessions.start_session(member)
    other_key, _ = await sessions.start_session(member, kind="token")
    await services.change_password(
        member,
        keep,
        {"current_password": factories.PASSWORD, "new_password": "a brand new sentence"},
    )
    assert await sessions.authenticate(keep_key) is not None
    assert await sessions.authenticate(other_key) is None
    assert await services.check_credentials("maria", "a brand new sentence")


async def test_password_change_needs_the_current_password(member: User) -> None:
    _, keep = await sessions.start_session(member)
    with pytest.raises(InvalidInput) as caught:
        await services.change_password(
            member,
            keep,
            {"current_password": "not it at all", "new_password": "a brand new sentence"},
        )
    assert "current_password" in caught.value.fields


async def test_deleting_account_erases_personal_data_and_keeps_posts(member: User) -> None:
    topic = await factories.topic(author=member, body="Still useful advice")
    await services.update_profile(
        member, {"display_name": "Maria R", "area": "Elm Street", "bio": "Gardener"}
    )
    key, _ = await sessions.start_session(member)
    await services.delete_account(member, factories.PASSWORD)
    gone = await User.get(id=member.id)
    assert gone.status == "deleted"
    assert (gone.email, gone.area, gone.bio, gone.password_hash) == (None, "", "", "")
    assert gone.display_name == "deleted user"
    assert "maria" not in gone.username
    assert await sessions.authenticate(key) is None
    post = await Post.get(topic_id=topic["id"])
    assert post.body == "Still useful advice"
    assert post.author_id == member.id  # type: ignore[attr-defined]
    # The name is free again for someone new.
    await factories.user(username="maria")


async def test_deleting_an_account_deletes_its_sessions(member: User) -> None:
    await sessions.start_session(member)
    await sessions.start_session(member, kind="token")
    await services.delete_account(member, factories.PASSWORD)
    # The rows themselves, not just the sign-in: the non-active check would refuse them too.
    assert await Session.filter(user_id=member.id).count() == 0


@pytest.mark.parametrize("status", ["pending", "deleted"])
async def test_sessions_of_users_who_are_not_active_are_refused_and_deleted(
    member: User, status: str
) -> None:
    key, session = await sessions.start_session(member)
    # Changed behind the services' back: the session row outlives the account's change.
    await User.filter(id=member.id).update(status=status)
    assert await sessions.authenticate(key) is None
    assert not await Session.filter(id=session.id).exists()


@pytest.mark.parametrize("key", ["", "k" * 101])
async def test_empty_and_oversize_secrets_are_refused_unlooked(member: User, key: str) -> None:
    # A row no real sign-in makes (issued secrets are 43 characters): only the guard refuses it.
    await Session.create(key_hash=sessions.digest(key), user=member, last_seen_at=clock.now())
    assert await sessions.authenticate(key) is None
