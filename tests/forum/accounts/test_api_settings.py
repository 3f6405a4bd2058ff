"""The settings pages' actions through the API: profile, password, sessions, tokens, deletion."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts.models import Session, User
from tests import factories

ME = "/api/v1/me"


async def test_patch_me_changes_only_the_fields_sent(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.bearer(client, member)
    first = await client.patch(ME, json={"area": "Riverside", "bio": "Keeps bees."})
    assert first.status_code == 200, first.text
    response = await client.patch(ME, json={"dm_policy": "interacted"})
    user = response.json()["user"]
    assert user["area"] == "Riverside"
    assert user["bio"] == "Keeps bees."
    assert user["dm_policy"] == "interacted"
    assert user["display_name"] == "Maria"
    stored = await User.get(id=member.id)
    assert (stored.area, stored.dm_policy) == ("Riverside", "interacted")


async def test_a_new_member_accepts_messages_from_everyone(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.bearer(client, member)
    assert (await client.get(ME)).json()["user"]["dm_policy"] == "everyone"


async def test_an_empty_display_name_falls_back_to_the_username(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.bearer(client, member)
    response = await client.patch(ME, json={"display_name": ""})
    assert response.json()["user"]["display_name"] == "maria"


async def test_public_profiles_do_not_show_the_message_policy(
    client: httpx.AsyncClient, member: User
) -> None:
    response = await client.get("/api/v1/users/maria")
    assert "dm_policy" not in response.json()["user"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"dm_policy": "friends"}, "dm_policy", "Choose everyone, interacted or nobody."),
        ({"dm_policy": None}, "dm_policy", "Choose everyone, interacted or nobody."),
        ({"display_name": "x" * 61}, "display_name", "Must be at most 60 characters."),
        ({"area": 12}, "area", "Must be text."),
        ({"bio": "b" * 501}, "bio", "Must be at most 500 characters."),
    ],
)
async def test_patch_me_refuses_bad_fields_by_name(
    client: httpx.AsyncClient, member: User, body: dict[str, object], field: str, message: str
) -> None:
    await factories.bearer(client, member)
    response = await client.patch(ME, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {field: message}
    assert (await User.get(id=member.id)).dm_policy == "everyone"


async def test_a_cookie_signed_patch_needs_the_csrf_token(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    refused = await client.patch(ME, json={"area": "Hill"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    accepted = await client.patch(ME, json={"area": "Hill"}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200
    assert accepted.json()["user"]["area"] == "Hill"


async def test_password_change_ends_the_other_sessions_only(
    client: httpx.AsyncClient, member: User
) -> None:
    other = await factories.token_for(member)
    await factories.bearer(client, member)
    response = await client.post(
        f"{ME}/password",
        json={"current_password": factories.PASSWORD, "new_password": "lanterns along the canal"},
    )
    assert response.status_code == 204, response.text
    assert (await client.get(ME)).status_code == 200
    gone = await client.get(ME, headers={"Authorization": f"Bearer {other}"})
    assert gone.status_code == 401
    login = await client.post(
        "/api/v1/auth/login", json={"username": "maria", "password": "lanterns along the canal"}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"current_password": "not it at all", "new_password": "lanterns along the canal"},
            {"current_password": "That is not your current password."},
        ),
        (
            {"new_password": "short"},
            {
                "current_password": "Enter your current password.",
                "new_password": "Use at least 8 characters; a short sentence works well.",
            },
        ),
        (
            {"current_password": factories.PASSWORD, "new_password": "password123"},
            {"new_password": "That password is too common and easy to guess; choose another."},
        ),
    ],
)
async def test_password_change_refusals_name_the_field(
    client: httpx.AsyncClient, member: User, body: dict[str, str], fields: dict[str, str]
) -> None:
    await factories.bearer(client, member)
    response = await client.post(f"{ME}/password", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == fields


async def test_sessions_are_listed_newest_first_without_secrets(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.token_for(member)
    await factories.token_for(member)
    await factories.bearer(client, member)
    first = await client.get(f"{ME}/sessions", params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [s["current"] for s in page["items"]] == [True, False]
    assert page["next_cursor"] is not None
    assert set(page["items"][0]) == {"id", "kind", "label", "created_at", "last_seen_at", "current"}
    rest = await client.get(f"{ME}/sessions", params={"cursor": page["next_cursor"]})
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None


async def test_a_session_can_be_revoked_but_not_someone_elses(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await factories.token_for(member)
    theirs = await factories.token_for(other_member)
    await factories.bearer(client, member)
    mine = (await client.get(f"{ME}/sessions")).json()["items"][1]["id"]
    their_session = await Session.filter(user_id=other_member.id).first()
    assert their_session is not None
    refused = await client.delete(f"{ME}/sessions/{their_session.id}")
    assert refused.status_code == 404
    assert (await client.get(ME, headers={"Authorization": f"Bearer {theirs}"})).status_code == 200
    assert (await client.delete(f"{ME}/sessions/{mine}")).status_code == 204
    assert not await Session.filter(id=mine).exists()


async def test_a_new_token_is_shown_once_and_works(client: httpx.AsyncClient, member: User) -> None:
    await factories.bearer(client, member)
    response = await client.post(f"{ME}/tokens", json={"label": "phone"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["session"]["kind"] == "token"
    assert body["session"]["label"] == "phone"
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["user"]["username"] == "maria"
    listed = (await client.get(f"{ME}/sessions")).json()["items"]
    assert all("token" not in s for s in listed)


async def test_a_token_needs_a_label(client: httpx.AsyncClient, member: User) -> None:
    await factories.bearer(client, member)
    response = await client.post(f"{ME}/tokens", json={})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"label": "This field is required."}


async def test_deleting_the_account_needs_the_password(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.bearer(client, member)
    response = await client.post(f"{ME}/delete", json={"password": "not my password"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"password": "Enter your password to confirm."}
    assert (await User.get(id=member.id)).status == "active"


async def test_deleting_the_account_erases_it_and_signs_out(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await client.post(
        f"{ME}/delete", json={"password": factories.PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 204
    assert 'porchlight_session=""' in response.headers["set-cookie"]
    stored = await User.get(id=member.id)
    assert (stored.status, stored.email) == ("deleted", None)
    assert (await client.get(ME)).status_code == 401


SIGNED_IN_ONLY = [
    ("patch", ME, {"area": "Hill"}),
    ("post", f"{ME}/password", {"current_password": "x", "new_password": "y"}),
    ("get", f"{ME}/sessions", None),
    ("delete", f"{ME}/sessions/1", None),
    ("post", f"{ME}/tokens", {"label": "phone"}),
    ("post", f"{ME}/delete", {"password": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), SIGNED_IN_ONLY)
async def test_visitors_are_asked_to_sign_in(
    client: httpx.AsyncClient, db: None, method: str, path: str, body: object
) -> None:
    kwargs = {"json": body} if body is not None else {}
    response = await client.request(method.upper(), path, **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
