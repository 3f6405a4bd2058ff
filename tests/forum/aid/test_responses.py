"""Responses: the private hand-off room, accept and decline, who hears of what, who sees what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.aid import responses, services
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.errors import NotFound
from forum.notifications import services as notifications
from tests import factories


async def _kinds(person: User) -> list[str]:
    return [n["kind"] for n in (await notifications.list_notifications(person)).items][::-1]


@pytest.fixture
async def third(db: None) -> User:
    return await factories.user(username="olu")


async def test_a_response_opens_a_private_two_person_room_linked_to_the_post(
    client: httpx.AsyncClient, member: User, other_member: User, third: User
) -> None:
    aid = await factories.aid(author=member)
    http = await factories.bearer(client, other_member)
    answer = await http.post(f"/api/v1/aid/{aid['id']}/responses", json={"message": "Mine fits"})
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert set(made) >= {"id", "aid_id", "responder", "message", "status", "created_at", "room_id"}
    assert made["status"] == "pending"
    assert made["responder"]["username"] == "sam"
    room = (await http.get(f"/api/v1/rooms/{made['room_id']}")).json()
    assert room["kind"] == "private"
    assert room["aid_id"] == aid["id"]
    history = await chat.history(member, made["room_id"])
    assert [m["body"] for m in history] == ["Mine fits"]
    assert await _kinds(member) == ["aid.response_received"]
    # Nobody else can be added to a hand-off room, not even by a moderator.
    assert not chat_rooms.may_manage_members(member, room | {"owner_id": member.id})


@pytest.mark.parametrize("who", ["third", "moderator"])
async def test_a_third_party_never_sees_the_response_or_its_thread(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    third: User,
    moderator: User,
    who: str,
) -> None:
    aid = await factories.aid(author=member)
    made = await responses.respond(other_member, aid["id"], {"message": "secret hand-off detail"})
    outsider = {"third": third, "moderator": moderator}[who]
    http = await factories.bearer(client, outsider)
    base = f"/api/v1/aid/{aid['id']}"
    assert (await http.get(f"{base}/responses")).status_code == 404
    assert (await http.post(f"{base}/responses/{made['id']}/accept")).status_code == 404
    assert (await http.post(f"{base}/responses/{made['id']}/decline")).status_code == 404
    assert (await http.get(f"/api/v1/rooms/{made['room_id']}")).status_code == 404
    assert (await http.get(f"/api/v1/rooms/{made['room_id']}/messages")).status_code == 404
    rooms = (await http.get("/api/v1/rooms")).json()["items"]
    assert made["room_id"] not in [r["id"] for r in rooms]
    for path in (
        base,
        "/api/v1/aid",
        f"{base}/matches",
        f"{base}/timeline",
        "/api/v1/notifications",
    ):
        assert "secret hand-off detail" not in (await http.get(path)).text, path
    for page in (f"/aid/{aid['id']}", "/aid", f"/chat/{made['room_id']}"):
        assert "secret hand-off detail" not in (await http.get(page)).text, page


async def test_the_owner_sees_every_response_and_a_responder_only_their_own(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User, third: User
) -> None:
    aid = await factories.aid(author=member)
    await responses.respond(other_member, aid["id"], {"message": "from sam"})
    await responses.respond(third, aid["id"], {"message": "from olu"})
    path = f"/api/v1/aid/{aid['id']}/responses"
    owner = await factories.bearer(client, member)
    assert [r["message"] for r in (await owner.get(path)).json()["items"]] == [
        "from sam",
        "from olu",
    ]
    sam = await factories.bearer(make_client(), other_member)
    assert [r["message"] for r in (await sam.get(path)).json()["items"]] == ["from sam"]


async def test_accepting_matches_the_post_and_tells_the_others_it_was_taken(
    member: User, other_member: User, third: User
) -> None:
    aid = await factories.aid(author=member)
    chosen = await responses.respond(other_member, aid["id"], {"message": "I can"})
    await responses.respond(third, aid["id"], {"message": "Me too"})
    matched = await responses.accept(member, aid["id"], chosen["id"])
    assert matched["status"] == "matched"
    assert matched["helper_id"] == other_member.id
    assert await _kinds(other_member) == ["aid.response_accepted"]
    assert await _kinds(third) == ["aid.taken"]
    listed = await responses.list_responses(member, aid["id"])
    assert [r["status"] for r in listed] == ["accepted", "declined"]


async def test_declining_tells_the_responder(member: User, other_member: User) -> None:
    aid = await factories.aid(author=member)
    made = await responses.respond(other_member, aid["id"], {"message": "I can"})
    declined = await responses.decline(member, aid["id"], made["id"])
    assert declined["status"] == "declined"
    assert await _kinds(other_member) == ["aid.response_declined"]
    assert (await services.access_aid(member, aid["id"]))["status"] == "open"


@pytest.mark.parametrize(("by", "told"), [("owner", "helper"), ("helper", "owner")])
async def test_either_party_marks_it_fulfilled_and_the_other_is_told(
    member: User, other_member: User, by: str, told: str
) -> None:
    aid = await factories.aid(author=member)
    made = await responses.respond(other_member, aid["id"], {"message": "I can"})
    await responses.accept(member, aid["id"], made["id"])
    people = {"owner": member, "helper": other_member}
    done = await services.set_status(people[by], aid["id"], "fulfilled")
    assert done["status"] == "fulfilled"
    assert (await _kinds(people[told]))[-1] == "aid.fulfilled"
    assert "aid.fulfilled" not in await _kinds(people[by])


async def test_withdrawing_tells_the_responders(
    member: User, other_member: User, third: User
) -> None:
    aid = await factories.aid(author=member)
    await responses.respond(other_member, aid["id"], {"message": "I can"})
    await services.set_status(member, aid["id"], "withdrawn")
    assert (await _kinds(other_member))[-1] == "aid.withdrawn"
    assert await _kinds(third) == []


async def test_someone_else_s_response_is_absent(
    member: User, other_member: User, third: User
) -> None:
    aid = await factories.aid(author=member)
    other = await factories.aid(author=third, title="Another post")
    made = await responses.respond(other_member, aid["id"], {"message": "I can"})
    with pytest.raises(NotFound):
        await responses.access_response(third, aid["id"], made["id"])
    with pytest.raises(NotFound):  # the response is not under that other post
        await responses.access_response(third, other["id"], made["id"])


async def test_an_empty_response_is_a_422(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member)
    http = await factories.bearer(client, other_member)
    answer = await http.post(f"/api/v1/aid/{aid['id']}/responses", json={"message": " "})
    assert answer.status_code == 422
    assert (await http.get("/api/v1/rooms")).json()["items"] == []
