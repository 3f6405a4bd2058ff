"""A member's own pages: the public profile, settings, password, tokens, sessions, deletion."""

from __future__ import annotations

import re

import httpx

from forum.accounts import services
from forum.accounts.models import Session, User
from tests import factories
from tests.forum.pages import submit

NEW_PASSWORD = "a brand new sentence here"


async def change_password(
    http: httpx.AsyncClient, csrf: str, current_password: str
) -> httpx.Response:
    """Send the password form at /settings/password, asking for NEW_PASSWORD."""
    return await submit(
        http,
        "/settings/password",
        csrf,
        current_password=current_password,
        new_password=NEW_PASSWORD,
    )


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
    response = await change_password(client, token, factories.PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/settings?notice=password_changed"
    gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_device}"})
    assert gone.status_code == 401
    assert (await client.get("/settings")).status_code == 200


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await change_password(client, token, "wrong guess")
    assert response.status_code == 422
    assert "That is not your current password." in response.text
    assert "wrong guess" not in response.text
    assert NEW_PASSWORD not in response.text
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
