"""A suspended person cannot sign in, so they appeal with their password instead."""

from __future__ import annotations

from typing import Any

import httpx

from forum.accounts.models import Session, User
from moderation import sanctions
from moderation.models import Appeal, ItemKind, QueueItem
from tests import factories
from tests.forum.pages import csrf_from, form_token, sign_in, submit

APPEAL = {"username": "sam", "password": factories.PASSWORD, "message": "I was hacked."}


async def _suspended(moderator: User) -> dict[str, Any]:
    return await sanctions.impose(
        moderator, "sam", {"kind": "suspend", "reason": "Spam links", "hours": 100}
    )


async def test_a_suspended_person_appeals_with_their_password(
    client: httpx.AsyncClient, moderator: User, other_member: User
) -> None:
    made = await _suspended(moderator)
    answer = await client.post("/api/v1/auth/appeal", json=APPEAL)
    assert answer.status_code == 201, answer.text
    assert answer.json()["id"] == made["id"]
    assert answer.json()["appeal"]["status"] == "open"
    assert await QueueItem.filter(kind=ItemKind.APPEAL.value, subject_id=other_member.id).exists()
    assert not await Session.filter(user_id=other_member.id).exists()  # still not signed in
    again = await client.post("/api/v1/auth/appeal", json=APPEAL)
    assert again.status_code == 409
    assert await Appeal.all().count() == 1


async def test_a_wrong_password_appeals_nothing(
    client: httpx.AsyncClient, moderator: User, other_member: User
) -> None:
    await _suspended(moderator)
    answer = await client.post("/api/v1/auth/appeal", json={**APPEAL, "password": "wrong one"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_credentials"
    unknown = await client.post("/api/v1/auth/appeal", json={**APPEAL, "username": "nobody"})
    assert unknown.status_code == 401
    assert not await Appeal.exists()


async def test_someone_not_suspended_is_sent_to_sign_in(
    client: httpx.AsyncClient, other_member: User
) -> None:
    answer = await client.post("/api/v1/auth/appeal", json=APPEAL)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "not_suspended"


async def test_an_empty_appeal_is_422_before_any_password_check(
    client: httpx.AsyncClient, moderator: User, other_member: User
) -> None:
    await _suspended(moderator)
    answer = await client.post("/api/v1/auth/appeal", json={**APPEAL, "message": ""})
    assert answer.status_code == 422
    assert "message" in answer.json()["error"]["fields"]


async def test_suspended_appeals_are_rate_limited(
    client: httpx.AsyncClient, moderator: User, other_member: User
) -> None:
    await _suspended(moderator)
    statuses = [
        (await client.post("/api/v1/auth/appeal", json={**APPEAL, "password": "nope"})).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


async def test_the_sign_in_refusal_leads_to_the_appeal_form(
    make_client: Any, moderator: User, other_member: User
) -> None:
    await _suspended(moderator)
    http: httpx.AsyncClient = make_client()
    refused = await sign_in(http, "sam")
    assert refused.status_code == 403
    assert 'href="/appeal?username=sam"' in refused.text
    token = await form_token(http, "/appeal?username=sam")
    bad = await submit(http, "/appeal", token, username="sam", password="wrong", message="Hi")
    assert bad.status_code == 401
    assert "do not match" in bad.text
    sent = await submit(
        http,
        "/appeal",
        csrf_from(bad.text),
        username="sam",
        password=factories.PASSWORD,
        message="Hi",
    )
    assert sent.status_code == 200
    assert "Your appeal is with the moderators" in sent.text
    assert await Appeal.all().count() == 1
