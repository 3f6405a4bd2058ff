"""Staff pages: sign-up approval, invitations, and the role form on a member's profile."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import User
from forum.app import create_app
from forum.settings import Settings
from tests import factories
from tests.conftest import BASE_URL, TEST_DATABASE_URL
from tests.forum.pages import csrf_from, form_token, join, sign_in, submit


async def app_client(tmp_path: Path, signup: str) -> httpx.AsyncClient:
    settings = Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_DATABASE_URL": TEST_DATABASE_URL,
            "PORCHLIGHT_SIGNUP": signup,
        },
        cwd=tmp_path,
    )
    app = create_app(settings, manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@pytest.fixture
async def approval_client(db: None, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with await app_client(tmp_path, "approval") as http:
        yield http


@pytest.fixture
async def invite_client(db: None, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with await app_client(tmp_path, "invite") as http:
        yield http


async def pending_sign_up(username: str, email: str) -> User:
    """Someone who joined while sign-ups needed approval, and is still waiting."""
    return await services.register(
        {"username": username, "email": email, "password": factories.PASSWORD},
        signup="approval",
    )


async def join_as_tom(http: httpx.AsyncClient, form: httpx.Response, code: str) -> httpx.Response:
    """Send the sign-up form that form showed, as Tom, with the invitation code."""
    return await join(
        http, csrf_from(form.text), "tom", "tom@example.org", "a quiet street at dusk", invite=code
    )


async def send_sams_role_form(
    http: httpx.AsyncClient, username: str, **fields: str
) -> httpx.Response:
    """Sign in as username and send the role form on sam's profile."""
    token = await factories.login_cookie(http, username)
    return await submit(http, "/u/sam/role", token, **fields)


# Sign-ups that wait for approval --------------------------------------------------------------


async def test_approval_mode_thanks_the_newcomer_and_an_admin_approves(
    approval_client: httpx.AsyncClient, admin: User
) -> None:
    http = approval_client
    token = await form_token(http, "/register")
    response = await join(http, token, "newcomer", "new@example.org", "a quiet street at dusk")
    assert response.status_code == 303
    assert response.headers["location"] == "/register/thanks"
    assert "a moderator's approval" in (await http.get("/register/thanks")).text
    assert (await sign_in(http, "newcomer", "a quiet street at dusk")).status_code == 403

    await sign_in(http, "adminada")
    page = await http.get("/admin/signups")
    assert "newcomer" in page.text
    newcomer = await User.get(username="newcomer")
    response = await submit(http, f"/admin/signups/{newcomer.id}/approve", csrf_from(page.text))
    assert response.status_code == 303
    assert "No one is waiting." in (await http.get("/admin/signups")).text
    assert (await User.get(id=newcomer.id)).status == "active"


async def test_an_admin_can_turn_a_sign_up_away(client: httpx.AsyncClient, admin: User) -> None:
    pending = await pending_sign_up("spammer", "s@example.org")
    token = await factories.login_cookie(client, "adminada")
    response = await submit(client, f"/admin/signups/{pending.id}/reject", token)
    assert response.status_code == 303
    assert not await User.filter(id=pending.id).exists()


async def test_members_cannot_approve_sign_ups(client: httpx.AsyncClient, member: User) -> None:
    pending = await pending_sign_up("waiting", "w@example.org")
    token = await factories.login_cookie(client, "maria")
    response = await submit(client, f"/admin/signups/{pending.id}/approve", token)
    assert response.status_code == 403
    assert (await User.get(id=pending.id)).status == "pending"


# Invitations ----------------------------------------------------------------------------------


async def test_invite_mode_without_a_code_explains_it_is_by_invitation(
    invite_client: httpx.AsyncClient,
) -> None:
    html = (await invite_client.get("/register")).text
    assert "Joining is by invitation only." in html
    assert 'type="password"' not in html


async def test_an_invitation_link_shown_once_lets_a_newcomer_join(
    invite_client: httpx.AsyncClient, admin: User
) -> None:
    http = invite_client
    await sign_in(http, "adminada")
    page = await http.get("/admin/signups")
    made = await submit(http, "/admin/invites", csrf_from(page.text), note="for Tom next door")
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    link = re.search(r'value="(http://[^"]+/register\?invite=([^"]+))"', made.text)
    assert link, made.text
    code = link.group(2)
    again = await http.get("/admin/signups")
    assert code not in again.text
    assert "for Tom next door" in again.text

    await submit(http, "/logout", csrf_from(again.text))
    form = await http.get(f"/register?invite={code}")
    assert f'type="hidden" name="invite" value="{code}"' in form.text
    response = await join_as_tom(http, form, code)
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=welcome"


async def test_a_bad_invitation_code_is_shown_as_a_field_error(
    invite_client: httpx.AsyncClient,
) -> None:
    form = await invite_client.get("/register?invite=made-up")
    response = await join_as_tom(invite_client, form, "made-up")
    assert response.status_code == 422
    assert "That invitation is not valid or has been used." in response.text
    assert 'id="invite" name="invite" type="text" value="made-up"' in response.text


# Roles ----------------------------------------------------------------------------------------


async def test_an_admin_changes_a_role_and_trust_level_from_the_profile(
    client: httpx.AsyncClient, admin: User, other_member: User
) -> None:
    await factories.login_cookie(client, "adminada")
    page = await client.get("/u/sam")
    assert 'action="/u/sam/role"' in page.text
    response = await submit(
        client, "/u/sam/role", csrf_from(page.text), role="moderator", trust_level="2"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/u/sam?notice=saved"
    changed = await User.get(id=other_member.id)
    assert (changed.role, changed.trust_level) == ("moderator", 2)


async def test_a_bad_trust_level_is_refused_with_the_form_again(
    client: httpx.AsyncClient, admin: User, other_member: User
) -> None:
    response = await send_sams_role_form(client, "adminada", role="moderator", trust_level="9")
    assert response.status_code == 422
    assert "Must be a whole number from 0 to 4." in response.text
    assert (await User.get(id=other_member.id)).role == "member"


async def test_members_cannot_change_roles(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    response = await send_sams_role_form(client, "maria", role="admin", trust_level="4")
    assert response.status_code == 403
    assert (await User.get(id=other_member.id)).role == "member"
