"""A blocked person's chat messages: placeholders in history and catch-up, never heard live."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from forum.accounts import blocks
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.notifications import services as notifications
from tests import factories
from tests.forum.chat.conftest import LiveServer, frames_until, next_frame
from tests.forum.pages import sign_in


async def _subscribe(socket: Any, room_id: int, since: int | None = None) -> list[dict[str, Any]]:
    frame: dict[str, Any] = {"type": "subscribe", "room": room_id}
    if since is not None:
        frame["since"] = since
    await socket.send(json.dumps(frame))
    return await frames_until(socket, "subscribed")


async def _send(socket: Any, room_id: int, body: str) -> None:
    frame = {"type": "send", "room": room_id, "body": body, "client_id": uuid.uuid4().hex}
    await socket.send(json.dumps(frame))
    await frames_until(socket, "ack")


async def _silent(socket: Any, seconds: float = 0.3) -> list[dict[str, Any]]:
    """Frames that arrive within a moment (presence aside)."""
    seen = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await socket.recv())
                if frame["type"] != "presence":
                    seen.append(frame)
    except TimeoutError:
        return seen


async def test_history_keeps_the_place_of_a_blocked_persons_message_without_its_text(
    client: httpx.AsyncClient, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    await chat.send_message(other_member, lounge["id"], "Hi from Sam")
    await chat.send_message(member, lounge["id"], "Hi from Maria")
    await blocks.block(member, {"username": "sam"})
    await factories.bearer(client, member)
    items = (await client.get(f"/api/v1/rooms/{lounge['id']}/messages")).json()["items"]
    assert [(m["seq"], m["blocked"], m["body"], m["body_html"]) for m in items] == [
        (1, True, "", ""),
        (2, False, "Hi from Maria", "<p>Hi from Maria</p>"),
    ]
    # Sam sees his own message; nobody else's view changes.
    assert [m["blocked"] for m in await chat.history(other_member, lounge["id"])] == [False, False]


async def test_the_room_page_shows_a_placeholder(
    client: httpx.AsyncClient, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    await chat.send_message(other_member, lounge["id"], "Hi from Sam")
    await blocks.block(member, {"username": "sam"})
    await sign_in(client, "maria")
    page = await client.get(f"/chat/{lounge['id']}")
    assert "Message hidden because you blocked @sam." in page.text
    assert "Hi from Sam" not in page.text


async def test_catch_up_replays_placeholders_for_the_blocker(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    await chat.send_message(other_member, lounge["id"], "one")
    await chat.send_message(member, lounge["id"], "two")
    await blocks.block(member, {"username": "sam"})
    async with await live_server.connect(member) as maria:
        frames = await _subscribe(maria, lounge["id"], since=0)
        replayed = [(await next_frame(maria))["message"] for _ in range(frames[-1]["last_seq"])]
    assert [(m["seq"], m["blocked"], m["body"]) for m in replayed] == [
        (1, True, ""),
        (2, False, "two"),
    ]


async def test_the_blocker_does_not_hear_the_blocked_person_live(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    third = await factories.user(username="olu")
    await blocks.block(member, {"username": "sam"})
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(other_member) as sam,
        await live_server.connect(third) as olu,
    ):
        for socket in (maria, sam, olu):
            await _subscribe(socket, lounge["id"])
        await sam.send(json.dumps({"type": "typing", "room": lounge["id"]}))
        await _send(sam, lounge["id"], "Hello all")
        heard_by_olu = [f["type"] for f in await frames_until(olu, "message")]
        await _send(olu, lounge["id"], "Hello Sam")
        heard_by_maria = await frames_until(maria, "message")
        assert [f["message"]["body"] for f in heard_by_maria if f["type"] == "message"] == [
            "Hello Sam"
        ]
        assert "typing" not in [f["type"] for f in heard_by_maria]
    assert "typing" in heard_by_olu


async def _presence_with(socket: Any, username: str) -> list[str | None]:
    """The names in the first presence frame that lists this person."""
    async with asyncio.timeout(5):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "presence":
                names = [user["username"] for user in frame["users"]]
                if username in names:
                    return names


async def test_the_blocker_does_not_see_the_blocked_person_in_the_room(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    third = await factories.user(username="olu")
    await blocks.block(member, {"username": "sam"})
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(other_member) as sam,
    ):
        await _subscribe(maria, lounge["id"])
        await _subscribe(sam, lounge["id"])
        async with await live_server.connect(third) as olu:
            await _subscribe(olu, lounge["id"])
            # Everyone is in by the time Olu is listed.
            seen_by_maria = await _presence_with(maria, "olu")
            seen_by_sam = await _presence_with(sam, "olu")
            seen_by_olu = await _presence_with(olu, "olu")
    assert sorted(seen_by_maria) == ["maria", "olu"]
    # Sam is not told: he sees Maria as anyone would.
    assert sorted(seen_by_sam) == sorted(seen_by_olu) == ["maria", "olu", "sam"]


async def test_a_block_or_unblock_changes_what_an_open_socket_hears(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(other_member) as sam,
    ):
        await _subscribe(maria, lounge["id"])
        await _subscribe(sam, lounge["id"])
        http = await _client_for(live_server, member)
        async with http:
            blocked = await http.post("/api/v1/me/blocks", json={"username": "sam"})
            assert blocked.status_code == 201
            await _send(sam, lounge["id"], "first")
            assert [f for f in await _silent(maria) if f["type"] == "message"] == []
            assert (await http.delete("/api/v1/me/blocks/sam")).status_code == 204
            await _send(sam, lounge["id"], "second")
            heard = (await frames_until(maria, "message"))[-1]
    assert heard["message"]["body"] == "second"


async def _client_for(live_server: LiveServer, person: User) -> httpx.AsyncClient:
    token = await factories.token_for(person)
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{live_server.port}",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_moderators_direct_messages_reach_a_member_who_blocked_them(
    live_server: LiveServer, member: User, moderator: User
) -> None:
    room = await chat_rooms.direct_room(moderator, "maria")
    await chat.send_message(moderator, room["id"], "An earlier note")
    await blocks.block(member, {"username": moderator.username})
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(moderator) as mira,
    ):
        await _subscribe(maria, room["id"])
        await _subscribe(mira, room["id"])
        await _send(mira, room["id"], "A note from the moderators")
        heard = (await frames_until(maria, "message"))[-1]
    assert heard["message"]["body"] == "A note from the moderators"
    assert [m["blocked"] for m in await chat.history(member, room["id"])] == [False, False]


async def test_a_blocked_moderators_public_messages_are_hidden_like_anyones(
    lounge: dict[str, Any], member: User, moderator: User
) -> None:
    await chat.send_message(moderator, lounge["id"], "Room rules")
    await blocks.block(member, {"username": moderator.username})
    assert [m["blocked"] for m in await chat.history(member, lounge["id"])] == [True]


@pytest.mark.parametrize(("blocked", "told"), [(True, False), (False, True)])
async def test_a_mention_from_someone_you_blocked_does_not_notify_you(
    lounge: dict[str, Any], member: User, other_member: User, blocked: bool, told: bool
) -> None:
    if blocked:
        await blocks.block(member, {"username": "sam"})
    await chat.send_message(other_member, lounge["id"], "Hey @maria")
    kinds = [n["kind"] for n in (await notifications.list_notifications(member)).items]
    assert ("chat.mention" in kinds) is told
