"""Account rules: names, e-mails, passwords, sign-up modes and rate limits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from forum.accounts import admission, passwords, services, sessions
from forum.accounts.models import Invite, User
from forum.app import close_resources, create_app
from forum.errors import InvalidInput
from forum.settings import Settings
from tests import factories
from tests.conftest import BASE_URL


async def test_usernames_are_unique_regardless_of_case(member: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        await factories.user(username="MARIA", email="other@example.org")
    assert "username" in caught.value.fields


async def test_emails_are_unique_regardless_of_case(member: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        await factories.user(username="someone", email="Maria@Example.ORG")
    assert "email" in caught.value.fields


async def test_duplicate_username_through_api_is_422_on_that_field(
    client: httpx.AsyncClient, member: User
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"username": "Maria", "email": "new@example.org", "password": "a long fine password"},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"username"}


def test_common_password_list_has_at_least_ten_thousand_entries() -> None:
    assert passwords.common_password_count() >= 10_000
    assert passwords.is_common("Password1")
    assert not passwords.is_common("a quiet street at dusk")


@pytest.mark.parametrize(
    "password", ["iloveyou", "qwertyuiop", "PASSWORD123", "maria", "maria@example.org"]
)
async def test_common_or_personal_passwords_are_refused(db: None, password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await services.register(
            {"username": "maria", "email": "maria@example.org", "password": password}, signup="open"
        )
    assert "password" in caught.value.fields


async def test_passwords_are_hashed_with_argon2id(member: User) -> None:
    assert member.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in member.password_hash


async def test_login_accepts_email_in_any_case(client: httpx.AsyncClient, member: User) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": "MARIA@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 200


@contextlib.asynccontextmanager
async def _app(tmp_path: object, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app built with other settings, on the test's database."""
    settings = Settings.from_environ({"PORCHLIGHT_DATA_DIR": f"{tmp_path}/data", **env})
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http
    finally:
        await close_resources(app)


async def test_approval_mode_holds_signups_until_an_admin_approves(
    db: None, tmp_path: object, admin: User
) -> None:
    async with _app(tmp_path, PORCHLIGHT_SIGNUP="approval") as http:
        body = {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": "a long fine password",
        }
        response = await http.post("/api/v1/auth/register", json=body)
        assert response.status_code == 202
        assert response.json() == {"status": "pending"}
        login = await http.post(
            "/api/v1/auth/login", json={"username": "newbie", "password": body["password"]}
        )
        assert login.status_code == 403
        assert login.json()["error"]["code"] == "pending_approval"
        pending = await admission.pending_signups(admin)
        await admission.decide_signup(admin, pending[0].id, approve=True)
        login = await http.post(
            "/api/v1/auth/login", json={"username": "newbie", "password": body["password"]}
        )
        assert login.status_code == 200


async def test_invite_mode_needs_a_valid_unused_invite(
    db: None, tmp_path: object, admin: User
) -> None:
    code, _ = await admission.create_invite(admin, "for the baker")
    body = {"username": "baker", "email": "baker@example.org", "password": "a long fine password"}
    async with _app(tmp_path, PORCHLIGHT_SIGNUP="invite") as http:
        refused = await http.post("/api/v1/auth/register", json=body)
        assert refused.status_code == 422
        assert "invite" in refused.json()["error"]["fields"]
        accepted = await http.post("/api/v1/auth/register", json={**body, "invite": code})
        assert accepted.status_code == 201
        reused = await http.post(
            "/api/v1/auth/register",
            json={**body, "username": "baker2", "email": "b2@example.org", "invite": code},
        )
        assert reused.status_code == 422
    invite = await Invite.get(code_hash=sessions.digest(code))
    assert invite.used_by_id == accepted.json()["user"]["id"]


async def test_repeated_failed_logins_are_rate_limited(
    client: httpx.AsyncClient, member: User
) -> None:
    statuses = []
    for _ in range(12):
        response = await client.post(
            "/api/v1/auth/login", json={"username": "maria", "password": "wrong guess!"}
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


async def test_rate_limits_off_lets_every_attempt_through(
    db: None, tmp_path: object, member: User
) -> None:
    async with _app(tmp_path, PORCHLIGHT_RATE_LIMITS="off") as http:
        for _ in range(15):
            response = await http.post(
                "/api/v1/auth/login", json={"username": "maria", "password": "wrong guess!"}
            )
            assert response.status_code == 401


async def test_a_strangers_failed_logins_do_not_lock_the_owner_out(
    app: object, member: User
) -> None:
    stranger = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))  # type: ignore[arg-type]
    owner = httpx.ASGITransport(app=app, client=("198.51.100.2", 5000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=stranger, base_url=BASE_URL) as http:
        statuses = [
            (
                await http.post(
                    "/api/v1/auth/login", json={"username": "maria", "password": "a wrong guess"}
                )
            ).status_code
            for _ in range(12)
        ]
    assert statuses[-1] == 429
    async with httpx.AsyncClient(transport=owner, base_url=BASE_URL) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"username": "maria", "password": factories.PASSWORD}
        )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_simultaneous_sign_ups_for_one_name_give_one_account(db: None) -> None:
    async def attempt(i: int) -> object:
        return await services.register(
            {
                "username": "popular",
                "email": f"p{i}@example.org",
                "password": "a long fine password",
            },
            signup="open",
        )

    results = await asyncio.gather(*(attempt(i) for i in range(6)), return_exceptions=True)
    created = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(created) == 1
    assert len(refused) == 5
    assert all("username" in r.fields for r in refused)


async def test_a_registered_placeholder_name_cannot_block_deletion(member: User) -> None:
    await factories.user(username=f"deleted-{member.id}")
    await services.delete_account(member, factories.PASSWORD)
    assert (await User.get(id=member.id)).status == "deleted"


async def test_invite_note_with_control_characters_is_refused(admin: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        await admission.create_invite(admin, "for\x00the baker")
    assert "note" in caught.value.fields
