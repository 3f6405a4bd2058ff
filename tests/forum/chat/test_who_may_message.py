"""Who may message whom: blocks and the message setting, on the API, the pages and the socket."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum.accounts import blocks
from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.chat.models import Message
from forum.errors import PermissionDenied
from tests import factories
from tests.forum.chat.conftest import LiveServer, frames_until
from tests.forum.pages import csrf_from, sign_in, submit

NEUTRAL = "You can't message this person."
NEUTRAL_HTML = "You can&#39;t message this person."


async def _set_policy(person: User, policy: str) -> None:
    await accounts.update_profile(person, {"dm_policy": policy})


async def _open_direct(client: httpx.AsyncClient, sender: User, to: str) -> httpx.Response:
    await factories.bearer(client, sender)
    return await client.post("/api/v1/rooms/direct", json={"username": to})


@pytest.mark.parametrize(
    ("policy", "status"), [("everyone", 200), ("interacted", 403), ("nobody", 403)]
)
async def test_starting_a_conversation_follows_the_recipients_setting(
    client: httpx.AsyncClient, member: User, other_member: User, policy: str, status: int
) -> None:
    await _set_policy(other_member, policy)
    answer = await _open_direct(client, member, "sam")
    assert answer.status_code == status
    if status == 403:
        assert answer.json()["error"]["code"] == "cannot_message"
        assert answer.json()["error"]["message"] == NEUTRAL


@pytest.mark.parametrize("policy", ["interacted", "nobody"])
async def test_moderators_can_always_message_a_member(
    client: httpx.AsyncClient, app: Starlette, member: User, moderator: User, policy: str
) -> None:
    await _set_policy(member, policy)
    await blocks.block(member, {"username": moderator.username})
    answer = await _open_direct(client, moderator, "maria")
    assert answer.status_code == 200
    message, _ = await chat.send_message(moderator, answer.json()["id"], "A note from the mods")
    assert message["seq"] == 1
    # And the member can write back to the moderators, whatever they blocked.
    await chat.send_message(member, answer.json()["id"], "Thank you")


async def test_interacted_lets_in_someone_the_recipient_wrote_to(
    app: Starlette, member: User, other_member: User
) -> None:
    await _set_policy(member, "interacted")
    with pytest.raises(PermissionDenied):
        await chat_rooms.direct_room(other_member, "maria")
    room = await chat_rooms.direct_room(member, "sam")
    # Maria opened the room but has not written yet: Sam still cannot.
    with pytest.raises(PermissionDenied):
        await chat.send_message(other_member, room["id"], "hi")
    await chat.send_message(member, room["id"], "Hello Sam")
    message, _ = await chat.send_message(other_member, room["id"], "Hello Maria")
    assert message["seq"] == 2
    assert (await chat_rooms.direct_room(other_member, "maria"))["id"] == room["id"]


async def test_interacted_counts_replying_in_their_topic_but_not_their_reply_in_yours(
    app: Starlette, member: User, other_member: User
) -> None:
    await _set_policy(member, "interacted")
    mine = await factories.topic(author=member, title="Maria's topic")
    await factories.reply(author=other_member, topic_id=mine["id"])
    # A stranger cannot earn the right to message someone by replying to them.
    with pytest.raises(PermissionDenied):
        await chat_rooms.direct_room(other_member, "maria")
    theirs = await factories.topic(author=other_member, title="Sam's topic")
    await factories.reply(author=member, topic_id=theirs["id"])
    assert await chat_rooms.direct_room(other_member, "maria")


async def test_interacted_counts_a_shared_hand_off_thread(
    app: Starlette, member: User, other_member: User
) -> None:
    await _set_policy(member, "interacted")
    assert not await blocks.have_interacted(member.id, other_member.id)
    await chat_rooms.open_linked_room([member, other_member], name="Hand-off: a crib", aid_id=1)
    assert await blocks.have_interacted(member.id, other_member.id)
    assert await chat_rooms.direct_room(other_member, "maria")


async def test_nobody_refuses_even_people_written_to_and_a_change_applies_to_old_rooms(
    app: Starlette, member: User, other_member: User
) -> None:
    room = await chat_rooms.direct_room(other_member, "maria")
    await chat.send_message(member, room["id"], "Hi Sam")
    await chat.send_message(other_member, room["id"], "Hi Maria")
    await _set_policy(member, "nobody")
    with pytest.raises(PermissionDenied) as refused:
        await chat.send_message(other_member, room["id"], "Are you there?")
    assert refused.value.code == "cannot_message"
    with pytest.raises(PermissionDenied):
        await chat_rooms.direct_room(other_member, "maria")
    assert await Message.filter(room_id=room["id"]).count() == 2


@pytest.mark.parametrize("blocker", ["maria", "sam"])
async def test_a_block_stops_direct_messages_both_ways(
    client: httpx.AsyncClient, member: User, other_member: User, blocker: str
) -> None:
    room = await chat_rooms.direct_room(member, "sam")
    people = {"maria": member, "sam": other_member}
    who_blocks = people[blocker]
    blocked = other_member if who_blocks is member else member
    await blocks.block(who_blocks, {"username": blocked.username})
    answer = await _open_direct(client, blocked, who_blocks.username)
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "cannot_message",
        "message": NEUTRAL,
        "fields": {},
    }
    with pytest.raises(PermissionDenied) as theirs:
        await chat.send_message(blocked, room["id"], "hello?")
    assert theirs.value.message == NEUTRAL
    # The blocker cannot write either until they unblock, and is told why.
    with pytest.raises(PermissionDenied) as own:
        await chat.send_message(who_blocks, room["id"], "hello")
    assert own.value.code == "cannot_message"
    assert "unblock" in own.value.message
    await blocks.unblock(who_blocks, blocked.username)
    assert (await chat.send_message(blocked, room["id"], "hello again"))[0]["seq"] == 1


async def test_a_block_does_not_stop_writing_in_a_public_room(
    app: Starlette, member: User, other_member: User, lounge: dict[str, Any]
) -> None:
    await blocks.block(member, {"username": "sam"})
    assert (await chat.send_message(other_member, lounge["id"], "Hi all"))[0]["seq"] == 1


@pytest.mark.parametrize(
    ("policy", "status"), [("everyone", 303), ("interacted", 403), ("nobody", 403)]
)
async def test_the_direct_message_form_follows_the_setting(
    client: httpx.AsyncClient, member: User, other_member: User, policy: str, status: int
) -> None:
    await _set_policy(other_member, policy)
    await sign_in(client, "maria")
    page = await client.get("/chat")
    opened = await submit(client, "/chat/direct", csrf_from(page.text), username="sam")
    assert opened.status_code == status
    if status == 403:
        assert NEUTRAL_HTML in opened.text
        assert 'value="sam"' in opened.text  # the form comes back with what was typed


@pytest.mark.parametrize(
    ("policy", "status"), [("everyone", 303), ("interacted", 403), ("nobody", 403)]
)
async def test_the_room_send_form_follows_the_setting(
    client: httpx.AsyncClient, member: User, other_member: User, policy: str, status: int
) -> None:
    room = await chat_rooms.direct_room(member, "sam")
    await _set_policy(other_member, policy)
    await sign_in(client, "maria")
    page = await client.get(f"/chat/{room['id']}")
    sent = await submit(client, f"/chat/{room['id']}/send", csrf_from(page.text), body="Hi")
    assert sent.status_code == status
    if status == 403:
        assert NEUTRAL_HTML in sent.text
    assert await Message.filter(room_id=room["id"]).count() == (1 if status == 303 else 0)


@pytest.mark.parametrize(
    ("policy", "refused"), [("everyone", False), ("interacted", True), ("nobody", True)]
)
async def test_the_socket_send_follows_the_setting(
    live_server: LiveServer, member: User, other_member: User, policy: str, refused: bool
) -> None:
    room = await chat_rooms.direct_room(member, "sam")
    await _set_policy(other_member, policy)
    cid = uuid.uuid4().hex
    async with await live_server.connect(member) as maria:
        await maria.send(json.dumps({"type": "subscribe", "room": room["id"]}))
        await frames_until(maria, "subscribed")
        await maria.send(
            json.dumps({"type": "send", "room": room["id"], "body": "Hi", "client_id": cid})
        )
        answer = (await frames_until(maria, "error" if refused else "ack"))[-1]
    if refused:
        assert answer == {"type": "error", "code": "cannot_message", "message": NEUTRAL, "ref": cid}
    else:
        assert answer["message"]["body"] == "Hi"


async def test_the_socket_send_to_someone_who_blocked_you_is_refused(
    live_server: LiveServer, member: User, other_member: User
) -> None:
    room = await chat_rooms.direct_room(member, "sam")
    await blocks.block(other_member, {"username": "maria"})
    async with await live_server.connect(member) as maria:
        await maria.send(json.dumps({"type": "subscribe", "room": room["id"]}))
        await frames_until(maria, "subscribed")
        await maria.send(
            json.dumps({"type": "send", "room": room["id"], "body": "Hi", "client_id": "c1"})
        )
        answer = (await frames_until(maria, "error"))[-1]
    assert answer["code"] == "cannot_message"
    assert answer["message"] == NEUTRAL


async def test_the_settings_page_saves_the_message_setting(
    client: httpx.AsyncClient, member: User
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/settings")
    assert '<option value="everyone" selected>' in page.text
    saved = await submit(
        client,
        "/settings",
        csrf_from(page.text),
        display_name="Maria",
        area="",
        bio="",
        dm_policy="interacted",
    )
    assert saved.status_code == 303
    assert (await User.get(id=member.id)).dm_policy == "interacted"
    page = await client.get("/settings")
    assert '<option value="interacted" selected>' in page.text
    refused = await submit(
        client, "/settings", csrf_from(page.text), display_name="Maria", dm_policy="strangers"
    )
    assert refused.status_code == 422
    assert (await User.get(id=member.id)).dm_policy == "interacted"


async def test_the_api_stores_the_message_setting(client: httpx.AsyncClient, member: User) -> None:
    await factories.bearer(client, member)
    answer = await client.patch("/api/v1/me", json={"dm_policy": "nobody"})
    assert answer.json()["user"]["dm_policy"] == "nobody"
    assert (await client.patch("/api/v1/me", json={"dm_policy": "x"})).status_code == 422
    assert (await User.get(id=member.id)).dm_policy == "nobody"
