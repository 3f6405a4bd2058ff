"""Appeals: once per sanction, into the queue, decided by a moderator, the outcome shown."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts import standing
from forum.accounts.models import User
from forum.errors import Conflict, InvalidInput
from forum.notifications.models import Notification
from moderation import appeals
from moderation.models import Appeal, ItemKind, LogEntry, QueueItem
from tests import factories


async def _as(make_client: Any, person: User) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    await factories.bearer(http, person)
    return http


async def _silenced(make_client: Any, moderator: User) -> dict[str, Any]:
    staff = await _as(make_client, moderator)
    answer = await staff.post(
        "/api/v1/moderation/users/sam/sanctions",
        json={"kind": "silence", "reason": "Insults in chat", "hours": 72},
    )
    assert answer.status_code == 201
    made: dict[str, Any] = answer.json()
    return made


async def test_an_appeal_enters_the_queue_once(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made = await _silenced(make_client, moderator)
    sam = await _as(make_client, other_member)
    answer = await sam.post(
        f"/api/v1/me/sanctions/{made['id']}/appeal",
        json={"message": "It was a joke between friends."},
    )
    assert answer.status_code == 201, answer.text
    appeal = answer.json()["appeal"]
    assert appeal["status"] == "open"
    assert appeal["created_at"].endswith("Z")
    item = await QueueItem.get(kind=ItemKind.APPEAL.value)
    assert (item.target_type, item.target_id, item.subject_id) == (
        "user",
        other_member.id,
        other_member.id,
    )
    assert item.snapshot["message"] == "It was a joke between friends."
    assert item.snapshot["sanction"]["reason"] == "Insults in chat"
    assert item.snapshot["appeal_id"] == appeal["id"]
    assert item.score >= appeals.APPEAL_SCORE
    again = await sam.post(f"/api/v1/me/sanctions/{made['id']}/appeal", json={"message": "Please?"})
    assert again.status_code == 409
    assert await QueueItem.filter(kind=ItemKind.APPEAL.value).count() == 1
    mine = (await sam.get("/api/v1/me/sanctions")).json()["items"]
    assert mine[0]["appeal"]["status"] == "open"


@pytest.mark.parametrize("message", [None, "", "   ", 5])
async def test_an_empty_appeal_is_422(
    make_client: Any, moderator: User, other_member: User, message: Any
) -> None:
    made = await _silenced(make_client, moderator)
    sam = await _as(make_client, other_member)
    body = {} if message is None else {"message": message}
    answer = await sam.post(f"/api/v1/me/sanctions/{made['id']}/appeal", json=body)
    assert answer.status_code == 422
    assert "message" in answer.json()["error"]["fields"]
    assert not await Appeal.exists()


async def test_nobody_appeals_someone_elses_sanction(
    make_client: Any, moderator: User, other_member: User, member: User
) -> None:
    made = await _silenced(make_client, moderator)
    maria = await _as(make_client, member)
    answer = await maria.post(f"/api/v1/me/sanctions/{made['id']}/appeal", json={"message": "Hi"})
    assert answer.status_code == 404
    assert (
        await maria.post("/api/v1/me/sanctions/999/appeal", json={"message": "x"})
    ).status_code == 404
    assert not await Appeal.exists()


async def _appealed(
    make_client: Any, moderator: User, other_member: User
) -> tuple[dict[str, Any], int]:
    made = await _silenced(make_client, moderator)
    sam = await _as(make_client, other_member)
    answer = await sam.post(f"/api/v1/me/sanctions/{made['id']}/appeal", json={"message": "Sorry"})
    return made, answer.json()["appeal"]["id"]


async def test_overturning_lifts_the_sanction_and_tells_the_person(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made, appeal_id = await _appealed(make_client, moderator, other_member)
    staff = await _as(make_client, moderator)
    answer = await staff.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide",
        json={"outcome": "overturned", "reason": "Context shows it was friendly."},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["state"] == "lifted"
    assert body["appeal"]["status"] == "overturned"
    assert body["appeal"]["decision_reason"] == "Context shows it was friendly."
    assert not standing.is_silenced(await User.get(id=other_member.id))
    assert (await QueueItem.get(kind=ItemKind.APPEAL.value)).status == "resolved"
    told = await Notification.get(user_id=other_member.id, kind="moderation.appeal_decided")
    assert "overturned" in told.text
    actions = (
        await LogEntry.filter(target_id=other_member.id)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["silence", "appeal_overturned", "lift"]
    sam = await _as(make_client, other_member)
    mine = (await sam.get("/api/v1/me/sanctions")).json()["items"][0]
    assert mine["appeal"]["status"] == "overturned"
    assert mine["state"] == "lifted"
    again = await staff.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide",
        json={"outcome": "upheld", "reason": "Second thoughts"},
    )
    assert again.status_code == 409


async def test_upholding_keeps_the_sanction(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made, appeal_id = await _appealed(make_client, moderator, other_member)
    staff = await _as(make_client, moderator)
    answer = await staff.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide",
        json={"outcome": "upheld", "reason": "The messages were clear."},
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == "active"
    assert standing.is_silenced(await User.get(id=other_member.id))
    assert await LogEntry.filter(action="appeal_upheld").count() == 1
    told = await Notification.get(user_id=other_member.id, kind="moderation.appeal_decided")
    assert "stands" in told.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "upheld"}, "reason"),
        ({"outcome": "maybe", "reason": "x"}, "outcome"),
        ({"reason": "x"}, "outcome"),
    ],
)
async def test_a_decision_needs_an_outcome_and_a_reason(
    make_client: Any, moderator: User, other_member: User, body: Any, field: str
) -> None:
    _, appeal_id = await _appealed(make_client, moderator, other_member)
    staff = await _as(make_client, moderator)
    answer = await staff.post(f"/api/v1/moderation/appeals/{appeal_id}/decide", json=body)
    assert answer.status_code == 422
    assert field in answer.json()["error"]["fields"]
    assert (await Appeal.get(id=appeal_id)).status == "open"


async def test_deciding_an_unknown_appeal_is_404(make_client: Any, moderator: User) -> None:
    staff = await _as(make_client, moderator)
    answer = await staff.post(
        "/api/v1/moderation/appeals/999/decide", json={"outcome": "upheld", "reason": "x"}
    )
    assert answer.status_code == 404


@pytest.mark.parametrize(("action", "status"), [("approve", "overturned"), ("dismiss", "upheld")])
async def test_the_queue_resolver_decides_the_appeal(
    make_client: Any, moderator: User, other_member: User, action: str, status: str
) -> None:
    _, appeal_id = await _appealed(make_client, moderator, other_member)
    item = await QueueItem.get(kind=ItemKind.APPEAL.value)
    await appeals.resolve_appeal(moderator, item, action, "Reviewed")
    assert (await Appeal.get(id=appeal_id)).status == status
    assert standing.is_silenced(await User.get(id=other_member.id)) == (status == "upheld")
    with pytest.raises(Conflict, match="already been decided"):
        await appeals.resolve_appeal(moderator, item, action, "Again")


async def test_the_queue_resolver_refuses_other_actions(
    make_client: Any, moderator: User, other_member: User
) -> None:
    await _appealed(make_client, moderator, other_member)
    item = await QueueItem.get(kind=ItemKind.APPEAL.value)
    with pytest.raises(InvalidInput, match="approve"):
        await appeals.resolve_appeal(moderator, item, "hide", "x")
