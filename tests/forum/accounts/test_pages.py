"""Signing in and out, joining, and the CSRF token every form needs, through a browser's eyes."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import Session, User
from tests import factories
from tests.forum.pages import csrf_from, form_token, join, sign_in, submit


async def sign_in_going_on(
    http: httpx.AsyncClient, page: httpx.Response, target: str
) -> httpx.Response:
    """Send the sign-in form that page showed, as maria, asking to go on to target afterwards."""
    return await submit(
        http,
        "/login",
        csrf_from(page.text),
        username="maria",
        password=factories.PASSWORD,
        next=target,
    )


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
    response = await sign_in_going_on(client, page, "/settings/sessions")
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
    response = await sign_in_going_on(client, page, target)
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
    response = await join(
        client,
        token,
        "ana_b",
        "ana@example.org",
        "a quiet street at dusk",
        display_name="Ana from Elm St",
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
    response = await join(
        client, token, "Maria", "not-an-address", "short", display_name="Second Maria"
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


async def test_unknown_notice_keys_show_nothing(client: httpx.AsyncClient, db: None) -> None:
    html = (await client.get("/?notice=<b>hi</b>")).text
    assert 'role="status"' not in html
    assert "<b>hi</b>" not in html
