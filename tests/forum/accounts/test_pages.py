"""Account pages through a browser's eyes: forms, cookies, CSRF, settings, sign-up modes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import Session, User
from forum.app import create_app
from forum.settings import Settings
from tests import factories
from tests.conftest import BASE_URL, TEST_DATABASE_URL

CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def submit(http: httpx.AsyncClient, path: str, csrf: str, **fields: str) -> httpx.Response:
    """POST a form as the browser would, with the page's CSRF token."""
    return await http.post(path, data={**fields, "csrf_token": csrf})


async def form_token(http: httpx.AsyncClient, path: str) -> str:
    """Open a page as a browser would (which also sets the anonymous CSRF cookie)."""
    response = await http.get(path)
    assert response.status_code == 200, response.text[:300]
    return csrf_from(response.text)


async def sign_in(
    http: httpx.AsyncClient, username: str, password: str = factories.PASSWORD
) -> httpx.Response:
    """Sign in through the HTML form: GET /login for the token, then POST it back."""
    token = await form_token(http, "/login")
    return await submit(http, "/login", token, username=username, password=password)


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


# Signing in and out ---------------------------------------------------------------------------


async def test_login_form_signs_in_with_a_session_cookie(
    client: httpx.AsyncClient, member: User
) -> None:
    response = await sign_in(client, "maria")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "porchlight_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    home = await client.get("/")
    assert "Hello, Maria" in home.text
    assert home.headers["cache-control"] == "no-store"


async def test_login_accepts_the_email_address(client: httpx.AsyncClient, member: User) -> None:
    response = await sign_in(client, "MARIA@example.org")
    assert response.status_code == 303


async def test_login_returns_to_the_page_that_asked(
    client: httpx.AsyncClient, member: User
) -> None:
    page = await client.get("/login?next=/settings/sessions")
    assert 'name="next" value="/settings/sessions"' in page.text
    response = await submit(
        client,
        "/login",
        csrf_from(page.text),
        username="maria",
        password=factories.PASSWORD,
        next="/settings/sessions",
    )
    assert response.headers["location"] == "/settings/sessions"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:alert(1)",
        "settings",
    ],
)
async def test_login_ignores_a_next_that_leaves_the_site(
    client: httpx.AsyncClient, member: User, target: str
) -> None:
    page = await client.get("/login", params={"next": target})
    assert 'name="next"' not in page.text
    response = await submit(
        client,
        "/login",
        csrf_from(page.text),
        username="maria",
        password=factories.PASSWORD,
        next=target,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_wrong_password_keeps_the_username_but_never_the_password(
    client: httpx.AsyncClient, member: User
) -> None:
    response = await sign_in(client, "maria", "not my password at all")
    assert response.status_code == 401
    assert "That username and password do not match." in response.text
    assert 'role="alert"' in response.text
    assert 'value="maria"' in response.text
    assert "not my password at all" not in response.text
    assert "porchlight_session" not in response.headers.get("set-cookie", "")


async def test_empty_login_form_marks_each_field(client: httpx.AsyncClient, db: None) -> None:
    token = await form_token(client, "/login")
    response = await submit(client, "/login", token)
    assert response.status_code == 422
    html = response.text
    assert 'aria-describedby="username-error" aria-invalid="true"' in html
    assert 'id="password-error"' in html
    assert 'href="#username"' in html


async def test_pending_account_is_told_it_waits_for_approval(
    client: httpx.AsyncClient, db: None
) -> None:
    await services.register(
        {"username": "newcomer", "email": "new@example.org", "password": factories.PASSWORD},
        signup="approval",
    )
    response = await sign_in(client, "newcomer")
    assert response.status_code == 403
    assert "waiting for a moderator" in response.text


async def test_logout_ends_the_session_and_clears_the_cookie(
    client: httpx.AsyncClient, member: User
) -> None:
    await sign_in(client, "maria")
    token = await form_token(client, "/")
    response = await submit(client, "/logout", token)
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=signed_out"
    assert 'porchlight_session=""' in response.headers["set-cookie"]
    assert await Session.filter(user_id=member.id).count() == 0
    home = await client.get(response.headers["location"])
    assert "You are signed out." in home.text
    assert (await client.get("/settings")).status_code == 303


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/settings", {"display_name": "Hacked"}),
        ("/logout", {}),
        ("/settings/tokens", {"label": "sneaky"}),
    ],
)
async def test_a_form_post_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, member: User, path: str, data: dict[str, str]
) -> None:
    await sign_in(client, "maria")
    response = await client.post(path, data=data)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    refreshed = await User.get(id=member.id)
    assert refreshed.display_name == "Maria"
    assert await Session.filter(user_id=member.id).count() == 1


async def test_anonymous_form_post_with_a_wrong_token_is_refused(
    client: httpx.AsyncClient, member: User
) -> None:
    await client.get("/login")
    response = await submit(
        client, "/login", "0" * 64, username="maria", password=factories.PASSWORD
    )
    assert response.status_code == 403


# Joining --------------------------------------------------------------------------------------


async def test_joining_signs_the_new_member_in_with_a_welcome(
    client: httpx.AsyncClient, db: None
) -> None:
    token = await form_token(client, "/register")
    response = await submit(
        client,
        "/register",
        token,
        username="ana_b",
        email="ana@example.org",
        display_name="Ana from Elm St",
        password="a quiet street at dusk",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=welcome"
    home = await client.get("/?notice=welcome")
    assert "Welcome to Porchlight! You are signed in." in home.text
    assert "Hello, Ana from Elm St" in home.text


async def test_join_errors_keep_what_was_typed_and_point_at_each_field(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await form_token(client, "/register")
    response = await submit(
        client,
        "/register",
        token,
        username="Maria",
        email="not-an-address",
        display_name="Second Maria",
        password="short",
    )
    assert response.status_code == 422
    html = response.text
    assert "That username is taken; try another." in html
    assert "Enter an e-mail address like name@example.org." in html
    assert 'value="Second Maria"' in html
    assert 'value="not-an-address"' in html
    assert 'value="short"' not in html
    assert 'aria-describedby="username-hint username-error" aria-invalid="true"' in html
    assert '<a href="#email">E-mail address: ' in html


async def test_approval_mode_thanks_the_newcomer_and_an_admin_approves(
    approval_client: httpx.AsyncClient, admin: User
) -> None:
    http = approval_client
    token = await form_token(http, "/register")
    response = await submit(
        http,
        "/register",
        token,
        username="newcomer",
        email="new@example.org",
        password="a quiet street at dusk",
    )
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
    pending = await services.register(
        {"username": "spammer", "email": "s@example.org", "password": factories.PASSWORD},
        signup="approval",
    )
    token = await factories.login_cookie(client, "adminada")
    response = await submit(client, f"/admin/signups/{pending.id}/reject", token)
    assert response.status_code == 303
    assert not await User.filter(id=pending.id).exists()


async def test_members_cannot_approve_sign_ups(client: httpx.AsyncClient, member: User) -> None:
    pending = await services.register(
        {"username": "waiting", "email": "w@example.org", "password": factories.PASSWORD},
        signup="approval",
    )
    token = await factories.login_cookie(client, "maria")
    response = await submit(client, f"/admin/signups/{pending.id}/approve", token)
    assert response.status_code == 403
    assert (await User.get(id=pending.id)).status == "pending"


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
    response = await submit(
        http,
        "/register",
        csrf_from(form.text),
        username="tom",
        email="tom@example.org",
        password="a quiet street at dusk",
        invite=code,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=welcome"


async def test_a_bad_invitation_code_is_shown_as_a_field_error(
    invite_client: httpx.AsyncClient,
) -> None:
    form = await invite_client.get("/register?invite=made-up")
    response = await submit(
        invite_client,
        "/register",
        csrf_from(form.text),
        username="tom",
        email="tom@example.org",
        password="a quiet street at dusk",
        invite="made-up",
    )
    assert response.status_code == 422
    assert "That invitation is not valid or has been used." in response.text
    assert 'id="invite" name="invite" type="text" value="made-up"' in response.text


# Profiles -------------------------------------------------------------------------------------


async def test_profile_shows_public_facts_and_staff_role(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await services.update_profile(
        moderator,
        {"display_name": "Mira", "area": "Riverside", "bio": "Retired nurse.\nHappy to help."},
    )
    html = (await client.get("/u/modmira")).text
    assert '<h1 id="profile-name">Mira</h1>' in html
    assert "@modmira" in html
    assert "Moderator" in html
    assert "Riverside" in html
    assert "Retired nurse." in html
    assert "modmira@example.org" not in html
    assert 'action="/u/modmira/role"' not in html


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
    token = await factories.login_cookie(client, "adminada")
    response = await submit(client, "/u/sam/role", token, role="moderator", trust_level="9")
    assert response.status_code == 422
    assert "Must be a whole number from 0 to 4." in response.text
    assert (await User.get(id=other_member.id)).role == "member"


async def test_members_cannot_change_roles(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await submit(client, "/u/sam/role", token, role="admin", trust_level="4")
    assert response.status_code == 403
    assert (await User.get(id=other_member.id)).role == "member"


# Settings -------------------------------------------------------------------------------------


async def test_settings_save_the_profile(client: httpx.AsyncClient, member: User) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await submit(
        client, "/settings", token, display_name="Maria G.", area="Elm Street", bio="I bake."
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Your changes are saved." in page.text
    assert 'value="Maria G."' in page.text
    assert "Elm Street" in (await client.get("/u/maria")).text


async def test_settings_errors_keep_the_input(client: httpx.AsyncClient, member: User) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await submit(
        client, "/settings", token, display_name="M" * 61, area="Elm Street", bio=""
    )
    assert response.status_code == 422
    assert "Must be at most 60 characters." in response.text
    assert 'value="Elm Street"' in response.text
    assert (await User.get(id=member.id)).area == ""


async def test_changing_the_password_signs_out_other_devices(
    client: httpx.AsyncClient, member: User
) -> None:
    other_device = await factories.token_for(member)
    token = await factories.login_cookie(client, "maria")
    response = await submit(
        client,
        "/settings/password",
        token,
        current_password=factories.PASSWORD,
        new_password="a brand new sentence here",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/settings?notice=password_changed"
    gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_device}"})
    assert gone.status_code == 401
    assert (await client.get("/settings")).status_code == 200


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await submit(
        client,
        "/settings/password",
        token,
        current_password="wrong guess",
        new_password="a brand new sentence here",
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.text
    assert "wrong guess" not in response.text
    assert "a brand new sentence here" not in response.text
    assert 'value="Maria"' in response.text


async def test_a_new_token_is_shown_once_and_works(client: httpx.AsyncClient, member: User) -> None:
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, "/settings/tokens", csrf, label="my tablet")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token" class="secret" type="text" value="([^"]+)"', response.text)
    assert secret
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.status_code == 200
    listing = await client.get("/settings/sessions")
    assert "my tablet" in listing.text
    assert secret.group(1) not in listing.text


async def test_a_token_needs_a_name(client: httpx.AsyncClient, member: User) -> None:
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, "/settings/tokens", csrf, label="")
    assert response.status_code == 422
    assert 'id="label-error"' in response.text


async def test_another_session_can_be_signed_out(client: httpx.AsyncClient, member: User) -> None:
    await factories.token_for(member)
    csrf = await factories.login_cookie(client, "maria")
    other = await Session.get(user_id=member.id, kind="token")
    page = await client.get("/settings/sessions")
    assert f'action="/settings/sessions/{other.id}/revoke"' in page.text
    assert "This device" in page.text
    response = await submit(client, f"/settings/sessions/{other.id}/revoke", csrf)
    assert response.status_code == 303
    assert not await Session.filter(id=other.id).exists()


async def test_someone_elses_session_cannot_be_revoked(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await factories.token_for(other_member)
    theirs = await Session.get(user_id=other_member.id)
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, f"/settings/sessions/{theirs.id}/revoke", csrf)
    assert response.status_code == 404
    assert await Session.filter(id=theirs.id).exists()


async def test_deleting_the_account_needs_the_password(
    client: httpx.AsyncClient, member: User
) -> None:
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, "/settings/delete", csrf, password="nope nope")
    assert response.status_code == 422
    assert "Enter your password to confirm." in response.text
    assert (await User.get(id=member.id)).status == "active"


async def test_deleting_the_account_signs_out_and_says_goodbye(
    client: httpx.AsyncClient, member: User
) -> None:
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, "/settings/delete", csrf, password=factories.PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=deleted"
    assert 'porchlight_session=""' in response.headers["set-cookie"]
    home = await client.get("/?notice=deleted")
    assert "Your account has been deleted." in home.text
    assert "Welcome to Porchlight" in home.text
    assert (await client.get("/u/maria")).status_code == 404


async def test_unknown_notice_keys_show_nothing(client: httpx.AsyncClient, db: None) -> None:
    html = (await client.get("/?notice=<b>hi</b>")).text
    assert 'role="status"' not in html
    assert "<b>hi</b>" not in html
