"""Every transition, allowed and refused, for the owner, the responder, another member and a
moderator: state x action x role -> status code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.aid import responses, services
from forum.aid.models import AidTransition
from tests import factories

ROLES = ("anonymous", "owner", "responder", "other", "moderator")
STATES = ("open", "matched", "fulfilled", "withdrawn", "expired")


async def _world(state: str, people: dict[str, Any] | None = None) -> dict[str, Any]:
    """maria's request in the given state; sam responded (and was accepted once matched)."""
    people = people or {
        "owner": await factories.user(username="maria"),
        "responder": await factories.user(username="sam"),
        "other": await factories.user(username="olu"),
        "moderator": await factories.user(username="modmira", role="moderator"),
    }
    owner = people["owner"]
    aid = await factories.aid(author=owner)
    response = await responses.respond(people["responder"], aid["id"], {"message": "I have one"})
    if state in ("matched", "fulfilled"):
        await responses.accept(owner, aid["id"], response["id"])
    if state == "fulfilled":
        await services.set_status(owner, aid["id"], "fulfilled")
    if state == "withdrawn":
        await services.set_status(owner, aid["id"], "withdrawn")
    if state == "expired":
        assert await services.move(aid["id"], "open", "expired", None)
    return {"people": people, "aid": aid["id"], "response": response["id"]}


def _expect(table: dict[str, tuple[int, ...]]) -> list[tuple[str, str, int]]:
    return [
        (state, role, code)
        for state, codes in table.items()
        for role, code in zip(ROLES, codes, strict=True)
    ]


# (anonymous, owner, responder, other, moderator) per state
WITHDRAW = {
    "open": (401, 200, 403, 403, 403),
    "matched": (401, 200, 403, 403, 403),
    "fulfilled": (401, 409, 403, 403, 403),
    "withdrawn": (401, 409, 403, 403, 403),
    "expired": (401, 409, 403, 403, 403),
}
FULFIL = {
    "open": (401, 409, 403, 403, 403),  # the responder is not yet accepted: not a party
    "matched": (401, 200, 200, 403, 403),
    "fulfilled": (401, 409, 409, 403, 403),
    "withdrawn": (401, 409, 403, 403, 403),
    "expired": (401, 409, 403, 403, 403),
}
RENEW = {
    "open": (401, 200, 403, 403, 403),
    "matched": (401, 409, 403, 403, 403),
    "fulfilled": (401, 409, 403, 403, 403),
    "withdrawn": (401, 409, 403, 403, 403),
    "expired": (401, 200, 403, 403, 403),
}
# Matched comes from accepting a response and expired from the clock: never set by hand.
BY_HAND_NEVER = {state: (401, 409, 409, 409, 409) for state in STATES}
ACCEPT = {
    "open": (401, 200, 403, 404, 404),  # a response is private to its two people
    "matched": (401, 409, 403, 404, 404),
    "fulfilled": (401, 409, 403, 404, 404),
    "withdrawn": (401, 409, 403, 404, 404),
    "expired": (401, 409, 403, 404, 404),
}
RESPOND = {
    "open": (401, 403, 409, 201, 201),
    "matched": (401, 403, 409, 409, 409),
    "fulfilled": (401, 403, 409, 409, 409),
    "withdrawn": (401, 403, 409, 409, 409),
    "expired": (401, 403, 409, 409, 409),
}


async def _client(client: httpx.AsyncClient, role: str, world: dict[str, Any]) -> httpx.AsyncClient:
    if role != "anonymous":
        await factories.bearer(client, world["people"][role])
    return client


@pytest.mark.parametrize(
    ("target", "table"),
    [
        ("withdrawn", WITHDRAW),
        ("fulfilled", FULFIL),
        ("open", RENEW),
        ("matched", BY_HAND_NEVER),
        ("expired", BY_HAND_NEVER),
    ],
)
@pytest.mark.parametrize("state", STATES)
async def test_status_changes_by_state_and_role(
    db: None, client: httpx.AsyncClient, target: str, table: dict[str, tuple[int, ...]], state: str
) -> None:
    world = await _world(state)
    # Refusals first, all on the same post (they change nothing); each success on a fresh one.
    for role, code in sorted(zip(ROLES, table[state], strict=True), key=lambda rc: rc[1] == 200):
        if code == 200 and world.get("used"):
            world = await _world(state, world["people"])
        http = await _client(client, role, world)
        before = await AidTransition.filter(aid_id=world["aid"]).count()
        answer = await http.post(f"/api/v1/aid/{world['aid']}/status", json={"status": target})
        assert answer.status_code == code, (state, target, role, answer.text)
        moved = await AidTransition.filter(aid_id=world["aid"]).count() - before
        assert moved == (1 if code == 200 else 0)  # each transition recorded once
        if code == 200:
            assert answer.json()["status"] == target
            world["used"] = True
        elif code == 409:
            assert answer.json()["error"]["code"] == "lifecycle"
        http.headers.pop("Authorization", None)


@pytest.mark.parametrize(("state", "role", "code"), _expect(ACCEPT))
async def test_accepting_a_response_by_state_and_role(
    db: None, client: httpx.AsyncClient, state: str, role: str, code: int
) -> None:
    world = await _world(state)
    http = await _client(client, role, world)
    answer = await http.post(f"/api/v1/aid/{world['aid']}/responses/{world['response']}/accept")
    assert answer.status_code == code, answer.text
    if code == 200:
        assert answer.json()["status"] == "matched"


@pytest.mark.parametrize(("state", "role", "code"), _expect(RESPOND))
async def test_responding_by_state_and_role(
    db: None, client: httpx.AsyncClient, state: str, role: str, code: int
) -> None:
    world = await _world(state)
    http = await _client(client, role, world)
    answer = await http.post(f"/api/v1/aid/{world['aid']}/responses", json={"message": "Me!"})
    assert answer.status_code == code, answer.text


async def test_a_refused_transition_says_what_is_allowed(
    db: None, client: httpx.AsyncClient
) -> None:
    world = await _world("open")
    http = await _client(client, "owner", world)
    answer = await http.post(f"/api/v1/aid/{world['aid']}/status", json={"status": "fulfilled"})
    assert answer.status_code == 409
    message = answer.json()["error"]["message"]
    assert "matched" in message
    assert "withdrawn" in message
    assert "expired" in message


async def test_the_timeline_records_who_moved_the_post_and_when(db: None) -> None:
    world = await _world("fulfilled")
    owner = world["people"]["owner"]
    aid = await services.access_aid(owner, world["aid"])
    steps = await services.timeline(owner, aid)
    assert [(s["from_status"], s["to_status"], s["by"]) for s in steps] == [
        (None, "open", "the owner"),
        ("open", "matched", "the owner"),
        ("matched", "fulfilled", "the owner"),
    ]
    assert all(s["created_at"] is not None for s in steps)


async def test_an_unknown_status_is_a_422(db: None, client: httpx.AsyncClient) -> None:
    world = await _world("open")
    http = await _client(client, "owner", world)
    answer = await http.post(f"/api/v1/aid/{world['aid']}/status", json={"status": "done"})
    assert answer.status_code == 422
    assert "status" in answer.json()["error"]["fields"]
