"""Chat over HTTP: rooms, direct rooms, members, history paging, and who may do what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum import ratelimits
from forum.accounts import blocks
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.chat.models import RoomMember
from forum.errors import InvalidInput
from tests import factories


@pytest.mark.parametrize(
    ("persona", "kind", "expected"),
    [
        (None, "public", 401),
        ("member", "public", 403),
        ("moderator", "public", 201),
        ("moderator", "private", 201),
        ("admin", "public", 201),
        ("moderator", "secret", 422),
    ],
)
async def test_who_may_open_a_room(
    client: httpx.AsyncClient,
    member: User,
    moderator: User,
    admin: User,
    persona: str | None,
    kind: str,
    expected: int,
) -> None:
    people = {"member": member, "moderator": moderator, "admin": admin}
    if persona is not None:
        await factories.bearer(client, people[persona])
    response = await client.post("/api/v1/rooms", json={"name": "Garden club", "kind": kind})
    assert response.status_code == expected, response.text
    if expected == 201:
        room = response.json()
        assert room == {**room, "kind": kind, "name": "Garden club", "aid_id": None}


async def test_the_room_list_shows_public_rooms_and_ones_i_belong_to_with_unread_counts(
    client: httpx.AsyncClient, member: User, other_member: User, moderator: User
) -> None:
    lounge = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    secret = await chat_rooms.create_room(moderator, {"name": "Volunteers", "kind": "private"})
    await chat.send_message(other_member, lounge["id"], "hello all")
    await chat.send_message(moderator, secret["id"], "rota")
    http = await factories.bearer(client, member)
    listed = (await http.get("/api/v1/rooms")).json()
    assert [r["name"] for r in listed["items"]] == ["Lounge"]
    assert listed["items"][0]["unread"] == 1
    assert listed["next_cursor"] is None
    await chat_rooms.add_member(moderator, secret["id"], member.username)
    names = [r["name"] for r in (await http.get("/api/v1/rooms")).json()["items"]]
    assert names == ["Lounge", "Volunteers"]


async def test_a_direct_room_is_one_per_pair_and_named_for_the_other_person(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    http = await factories.bearer(client, member)
    first = await http.post("/api/v1/rooms/direct", json={"username": "sam"})
    again = await http.post("/api/v1/rooms/direct", json={"username": "SAM"})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["kind"] == "direct"
    rooms = (await http.get("/api/v1/rooms")).json()["items"]
    assert [r["name"] for r in rooms] == ["Sam"]
    refused = await http.post("/api/v1/rooms/direct", json={"username": "maria"})
    assert refused.status_code == 422
    nobody = await http.post("/api/v1/rooms/direct", json={"username": "nobody-here"})
    assert nobody.status_code == 422
    assert nobody.json()["error"]["fields"]["username"]


async def test_history_pages_back_in_ascending_seq(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    ratelimits.configure(ratelimits.RateLimiter(ratelimits.MemoryCounter(), enabled=False))
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    for n in range(1, 8):
        await chat.send_message(member, room["id"], f"message {n}")
    http = await factories.bearer(client, member)
    latest = (await http.get(f"/api/v1/rooms/{room['id']}/messages?limit=3")).json()
    assert [m["seq"] for m in latest["items"]] == [5, 6, 7]
    before = latest["items"][0]["seq"]
    older = await http.get(f"/api/v1/rooms/{room['id']}/messages?limit=3&before_seq={before}")
    assert [m["seq"] for m in older.json()["items"]] == [2, 3, 4]
    bad = await http.get(f"/api/v1/rooms/{room['id']}/messages?before_seq=0")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 204), ("moderator", 204), ("member", 403), ("outsider", 404)],
)
async def test_who_may_add_members_to_a_private_room(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    persona: str,
    expected: int,
) -> None:
    owner = await factories.user(username="owner", role="moderator")
    room = await chat_rooms.create_room(owner, {"name": "Planning", "kind": "private"})
    await chat_rooms.add_member(owner, room["id"], member.username)
    people: dict[str, User] = {"owner": owner, "moderator": moderator, "member": member}
    if persona == "moderator":
        await chat_rooms.add_member(owner, room["id"], moderator.username)
    actor = people.get(persona, other_member)
    http = await factories.bearer(client, actor)
    newcomer = await factories.user(username="newcomer")
    response = await http.post(f"/api/v1/rooms/{room['id']}/members", json={"username": "newcomer"})
    assert response.status_code == expected, response.text
    joined = await RoomMember.filter(room_id=room["id"], user_id=newcomer.id).exists()
    assert joined is (expected == 204)


@pytest.mark.parametrize(
    ("blocker", "blocked", "adder", "message"),
    [
        ("owner", "maria", "owner", "You blocked this person; unblock them first."),
        ("maria", "owner", "owner", "You can't add this person to this room."),
        ("maria", "owner", "helper", "You can't add this person to this room."),
        ("helper", "maria", "helper", "You blocked this person; unblock them first."),
        ("maria", "helper", "helper", "You can't add this person to this room."),
    ],
)
async def test_nobody_is_added_to_a_private_room_across_a_block(
    client: httpx.AsyncClient,
    member: User,
    blocker: str,
    blocked: str,
    adder: str,
    message: str,
) -> None:
    # Every private room's owner is a moderator, yet a block counts here: being drawn into a
    # room is not a notice a member must receive.
    owner = await factories.user(username="owner", role="moderator")
    helper = await factories.user(username="helper", role="moderator")
    people = {"owner": owner, "helper": helper, "maria": member}
    room = await chat_rooms.create_room(owner, {"name": "Planning", "kind": "private"})
    await chat_rooms.add_member(owner, room["id"], helper.username)
    await blocks.block(people[blocker], {"username": blocked})
    http = await factories.bearer(client, people[adder])
    refused = await http.post(f"/api/v1/rooms/{room['id']}/members", json={"username": "maria"})
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["message"]) == ("cannot_message", message)
    assert not await RoomMember.filter(room_id=room["id"], user_id=member.id).exists()
    await blocks.unblock(people[blocker], blocked)
    added = await http.post(f"/api/v1/rooms/{room['id']}/members", json={"username": "maria"})
    assert added.status_code == 204


async def test_a_block_between_two_members_does_not_stop_a_moderator_adding_either(
    member: User, other_member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Planning", "kind": "private"})
    await blocks.block(member, {"username": other_member.username})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    await chat_rooms.add_member(moderator, room["id"], other_member.username)
    assert await RoomMember.filter(room_id=room["id"]).count() == 3


async def test_removing_a_member_ends_their_access(
    client: httpx.AsyncClient, make_client: Any, member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Planning", "kind": "private"})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    http = await factories.bearer(client, member)
    assert (await http.get(f"/api/v1/rooms/{room['id']}/messages")).status_code == 200
    mod = await factories.bearer(make_client(), moderator)
    removed = await mod.delete(f"/api/v1/rooms/{room['id']}/members/{member.username}")
    assert removed.status_code == 204
    assert (await http.get(f"/api/v1/rooms/{room['id']}/messages")).status_code == 404
    owner_out = await mod.delete(f"/api/v1/rooms/{room['id']}/members/{moderator.username}")
    assert owner_out.status_code == 409


async def test_a_message_is_deleted_by_its_author_or_a_moderator_only(
    client: httpx.AsyncClient, member: User, other_member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    message, _ = await chat.send_message(member, room["id"], "oops")
    other = await factories.bearer(client, other_member)
    assert (await other.delete(f"/api/v1/messages/{message['id']}")).status_code == 403
    mine = await chat.history(member, room["id"])
    assert mine[0]["deleted"] is False
    await chat.delete_message(moderator, message["id"])
    gone = (await other.get(f"/api/v1/rooms/{room['id']}/messages")).json()["items"][0]
    assert gone == {**gone, "deleted": True, "body": "", "body_html": ""}


@pytest.mark.parametrize("body", ["", "   ", "\u200b\u200b", "x" * 4001, 42, None])
async def test_a_message_body_must_be_one_to_four_thousand_visible_characters(
    member: User, moderator: User, body: Any
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    with pytest.raises(InvalidInput) as refused:
        await chat.send_message(member, room["id"], body)
    assert "body" in refused.value.fields
    assert await chat.history(member, room["id"]) == []
