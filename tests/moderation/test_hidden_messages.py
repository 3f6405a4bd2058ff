"""A message a moderator hid is a tombstone to everyone else, in history, catch-up and live."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import User
from forum.chat import review as chat_review
from forum.chat import services as chat
from realtime import events


async def test_a_hidden_message_replays_as_a_tombstone_except_to_moderators(
    content: Any, member: User, moderator: User, recorded_events: list[events.Event]
) -> None:
    room, message = content.room, content.message
    assert await chat_review.set_message_hidden(message["id"], True)
    assert not await chat_review.set_message_hidden(message["id"], True)
    [seen] = await chat.history(member, room["id"])
    assert (seen["deleted"], seen["body"], seen["body_html"]) == (True, "", "")
    assert "hidden" not in seen
    [staff] = await chat.history(moderator, room["id"])
    assert (staff["deleted"], staff["hidden"], staff["body"]) == (False, True, "Wire me the money")
    _, missed, _ = await chat.catch_up(member, room, 0)
    assert missed[0]["deleted"] is True
    assert missed[0]["body"] == ""
    _, missed, _ = await chat.catch_up(moderator, room, 0)
    assert missed[0]["body"] == "Wire me the money"
    frames = [e.data["frame"] for e in recorded_events if e.name == "chat.message_reviewed"]
    assert frames == [{"type": "deleted", "room": room["id"], "seq": message["seq"]}]
    assert recorded_events[-1].audience == events.to_room(room["id"])


async def test_showing_a_hidden_message_again_sends_it_to_the_room(
    content: Any, member: User, recorded_events: list[events.Event]
) -> None:
    await chat_review.set_message_hidden(content.message["id"], True)
    await chat_review.set_message_hidden(content.message["id"], False)
    [seen] = await chat.history(member, content.room["id"])
    assert seen["body"] == "Wire me the money"
    frame = [e.data["frame"] for e in recorded_events if e.name == "chat.message_reviewed"][-1]
    assert frame["type"] == "message"
    assert frame["message"]["body"] == "Wire me the money"


async def test_a_subscriber_catching_up_gets_the_tombstone(
    live_server: Any, content: Any, member: User
) -> None:
    import json

    await chat_review.set_message_hidden(content.message["id"], True)
    socket = await live_server.connect(member)
    try:
        await socket.send(json.dumps({"type": "subscribe", "room": content.room["id"], "since": 0}))
        frames = []
        while len(frames) < 2:
            frames.append(json.loads(await socket.recv()))
        assert frames[0]["type"] == "subscribed"
        assert frames[1]["message"]["deleted"] is True
        assert frames[1]["message"]["body"] == ""
    finally:
        await socket.close()


async def test_the_room_page_marks_a_hidden_message_for_moderators_only(
    make_client: Any, content: Any, member: User, moderator: User
) -> None:
    from tests.forum.pages import sign_in

    await chat_review.set_message_hidden(content.message["id"], True)
    pages = {}
    for person in (member, moderator):
        http = make_client()
        await sign_in(http, person.username)
        pages[person.username] = (await http.get(f"/chat/{content.room['id']}")).text
    assert "Wire me the money" not in pages["maria"]
    assert "This message was deleted." in pages["maria"]
    assert "Hidden by a moderator" in pages["modmira"]
    assert "Wire me the money" in pages["modmira"]
