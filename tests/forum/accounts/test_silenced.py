"""A silenced person reads but cannot write, on every path, until the silence ends; they can
still message the moderators."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from forum import clock, readcache
from forum.accounts import standing
from forum.accounts.models import User
from forum.aid import responses, vocabularies
from forum.aid import services as aid_services
from forum.boards import posts
from forum.boards.models import Post
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.chat.models import Message
from forum.errors import PermissionDenied
from tests import factories
from tests.forum.chat.conftest import frames_until, serving
from tests.forum.pages import csrf_from, sign_in, submit

AID = {
    "kind": "request",
    "title": "A crib",
    "body": "For a few months.",
    "category": "household",
    "area": "elm-street",
}


@pytest.fixture
async def world(member: User, other_member: User, moderator: User) -> dict[str, Any]:
    await vocabularies.add_defaults()
    topic = await factories.topic(author=member)
    post = await Post.get(topic_id=topic["id"])
    aid = await factories.aid(author=member)
    others_aid = await factories.aid(author=other_member, title="Lifts to the clinic")
    return {"topic": topic["id"], "post": post.id, "aid": aid["id"], "others_aid": others_aid["id"]}


async def _silence(person: User, hours: int = 2, *, app: Any = None) -> Any:
    """Silence as a moderator's request would: this app forgets the person's cached session."""
    until = clock.now() + timedelta(hours=hours)
    with readcache.using(app.state.read_caches if app is not None else {}):
        await standing.set_silenced(person.id, until)
    return until


WRITES = [
    ("POST", "/api/v1/boards/general/topics", {"title": "Hello there", "body": "Hi"}),
    ("POST", "/api/v1/topics/{topic}/posts", {"body": "Me too"}),
    ("PATCH", "/api/v1/posts/{post}", {"body": "Changed my mind"}),
    ("PATCH", "/api/v1/topics/{topic}", {"title": "A new title"}),
    ("POST", "/api/v1/aid", AID),
    ("PATCH", "/api/v1/aid/{aid}", {"body": "Still need it"}),
    ("POST", "/api/v1/aid/{aid}/status", {"status": "open"}),
    ("POST", "/api/v1/aid/{others_aid}/responses", {"message": "I can drive"}),
    ("PATCH", "/api/v1/me", {"bio": "Something new"}),
    ("PATCH", "/api/v1/me", {"display_name": "Another Name"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_a_silenced_member_is_refused_on_every_api_write(
    client: httpx.AsyncClient,
    member: User,
    world: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    await _silence(member)
    await factories.bearer(client, member)
    refused = await client.request(method, path.format(**world), json=body)
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "silenced"
    assert "until" in error["message"]
    assert "moderators" in error["message"]


async def test_the_same_writes_pass_for_a_member_who_is_not_silenced(
    client: httpx.AsyncClient, member: User, world: dict[str, Any]
) -> None:
    await factories.bearer(client, member)
    for method, path, body in WRITES:
        answered = await client.request(method, path.format(**world), json=body)
        assert answered.status_code in (200, 201), (path, answered.text)


async def test_a_silenced_member_may_still_read_and_change_settings(
    client: httpx.AsyncClient, member: User, world: dict[str, Any]
) -> None:
    await _silence(member)
    await factories.bearer(client, member)
    assert (await client.get(f"/api/v1/topics/{world['topic']}/posts")).status_code == 200
    assert (await client.patch("/api/v1/me", json={"dm_policy": "nobody"})).status_code == 200


async def test_the_reply_form_shows_the_refusal_with_the_draft_kept(
    app: Any, client: httpx.AsyncClient, member: User, world: dict[str, Any]
) -> None:
    await sign_in(client, "maria")
    page = await client.get(f"/t/{world['topic']}")
    await _silence(member, app=app)
    refused = await submit(
        client, f"/t/{world['topic']}/reply", csrf_from(page.text), body="My careful draft"
    )
    assert refused.status_code == 403
    assert "My careful draft" in refused.text
    assert "Error:" in refused.text
    assert "You can read but not post" in refused.text
    assert await Post.filter(topic_id=world["topic"]).count() == 1


async def test_the_new_aid_form_shows_the_refusal_with_the_draft_kept(
    app: Any, client: httpx.AsyncClient, member: User, world: dict[str, Any]
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/aid/new")
    await _silence(member, app=app)
    refused = await submit(client, "/aid/new", csrf_from(page.text), **{**AID, "title": "Pram"})
    assert refused.status_code == 403
    assert "Pram" in refused.text


async def test_a_silenced_member_cannot_thank_on_a_fulfilled_post(
    member: User, other_member: User, world: dict[str, Any]
) -> None:
    answer = await responses.respond(other_member, world["aid"], {"message": "Have one"})
    await responses.accept(member, world["aid"], answer["id"])
    await aid_services.set_status(member, world["aid"], "fulfilled")
    await _silence(member)
    silenced = await User.get(id=member.id)
    with pytest.raises(PermissionDenied) as refused:
        await aid_services.thank(silenced, world["aid"], {"thank_you": "Thank you!"})
    assert refused.value.code == "silenced"


async def test_the_silence_lifts_itself_when_its_time_passes(
    member: User, world: dict[str, Any]
) -> None:
    until = await _silence(member)
    silenced = await User.get(id=member.id)
    with pytest.raises(PermissionDenied):
        await posts.reply(silenced, world["topic"], {"body": "Too early"})
    with clock.fixed_at(until + timedelta(seconds=1)):
        added = await posts.reply(silenced, world["topic"], {"body": "Back again"})
    assert added["status"] == "visible"


async def test_chat_refuses_a_silenced_sender_but_not_a_message_to_the_moderators(
    app: Any, member: User, other_member: User, moderator: User
) -> None:
    lounge = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    to_neighbour = await chat_rooms.direct_room(member, other_member.username)
    to_moderator = await chat_rooms.direct_room(member, moderator.username)
    await _silence(member)
    async with serving(app) as server, await server.connect(member) as ws:
        results = {}
        for name, room in (("lounge", lounge), ("dm", to_neighbour), ("mod", to_moderator)):
            await ws.send(json.dumps({"type": "subscribe", "room": room["id"]}))
            await frames_until(ws, "subscribed")
            frame = {"type": "send", "room": room["id"], "body": "hello", "client_id": name}
            await ws.send(json.dumps(frame))
            seen = await frames_until(ws, "ack" if name == "mod" else "error")
            results[name] = seen[-1]
    assert results["lounge"]["code"] == "silenced"
    assert results["lounge"]["ref"] == "lounge"
    assert results["dm"]["code"] == "silenced"
    assert results["mod"]["message"]["body"] == "hello"
    assert await Message.filter(author_id=member.id).count() == 1


async def test_the_chat_form_refuses_a_silenced_member_with_the_message_kept(
    app: Any, client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    room = await chat_rooms.direct_room(member, other_member.username)
    await sign_in(client, "maria")
    page = await client.get(f"/chat/{room['id']}")
    await _silence(member, app=app)
    refused = await submit(client, f"/chat/{room['id']}/send", csrf_from(page.text), body="Hi Sam")
    assert refused.status_code == 403
    assert "Hi Sam" in refused.text
    assert await Message.filter(room_id=room["id"]).count() == 0


async def test_a_private_room_of_only_staff_counts_as_messaging_the_moderators(
    member: User, moderator: User, admin: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Help desk", "kind": "private"})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    await chat_rooms.add_member(moderator, room["id"], admin.username)
    await _silence(member)
    silenced = await User.get(id=member.id)
    sent, _ = await chat.send_message(silenced, room["id"], "Why was I silenced?")
    assert sent["body"] == "Why was I silenced?"
    neighbour = await factories.user(username="sam")
    await chat_rooms.add_member(moderator, room["id"], neighbour.username)
    with pytest.raises(PermissionDenied):
        await chat.send_message(silenced, room["id"], "And now?")
