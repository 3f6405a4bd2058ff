"""Notifications: stored, live on the person's own channel, counted, listed and marked read."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.notifications import services as notifications
from realtime.events import Event, to_user
from tests import factories
from tests.forum.pages import sign_in


async def test_a_mention_notifies_the_person_mentioned_and_only_on_their_channel(
    member: User, other_member: User, moderator: User, recorded_events: list[Event]
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    await chat.send_message(member, room["id"], "Thanks @sam, and @nobody-here and @maria")
    listed = await notifications.list_notifications(other_member)
    assert [n["kind"] for n in listed.items] == ["chat.mention"]
    assert listed.items[0]["url"] == f"/chat/{room['id']}#m-1"
    assert (await notifications.list_notifications(member)).items == []  # not for yourself
    live = [e for e in recorded_events if e.name == "notifications.created"]
    assert [e.audience for e in live] == [to_user(other_member.id)]
    assert live[0].data["frame"]["type"] == "notification"


async def test_a_mention_in_a_private_room_does_not_notify_someone_outside_it(
    member: User, other_member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Volunteers", "kind": "private"})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    await chat.send_message(member, room["id"], "ask @sam about it")
    assert (await notifications.list_notifications(other_member)).items == []


async def test_the_api_lists_unread_and_marks_them_read(
    client: httpx.AsyncClient, member: User
) -> None:
    for n in range(3):
        await notifications.notify([member.id], "tests.note", f"note {n}", "/")
    http = await factories.bearer(client, member)
    me = (await http.get("/api/v1/me")).json()
    assert me["unread_notifications"] == 3
    unread = (await http.get("/api/v1/notifications?unread=true&limit=2")).json()
    assert [n["text"] for n in unread["items"]] == ["note 2", "note 1"]
    assert unread["next_cursor"] is not None
    first = unread["items"][0]["id"]
    assert (await http.post("/api/v1/notifications/read", json={"ids": [first]})).status_code == 204
    assert (await http.get("/api/v1/me")).json()["unread_notifications"] == 2
    assert (await http.post("/api/v1/notifications/read", json={"all": True})).status_code == 204
    assert (await http.get("/api/v1/notifications?unread=true")).json()["items"] == []


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["1"]}, {"ids": [True]}, {"all": "yes"}])
async def test_marking_read_with_nonsense_is_a_422(
    client: httpx.AsyncClient, member: User, body: dict[str, object]
) -> None:
    http = await factories.bearer(client, member)
    response = await http.post("/api/v1/notifications/read", json=body)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields
    assert set(fields) <= {"ids", "all"}


async def test_someone_elses_notifications_cannot_be_marked_read(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await notifications.notify([other_member.id], "tests.note", "for sam", "/")
    theirs = (await notifications.list_notifications(other_member)).items[0]["id"]
    http = await factories.bearer(client, member)
    await http.post("/api/v1/notifications/read", json={"ids": [theirs]})
    assert await notifications.unread_count(other_member) == 1


async def test_every_signed_in_page_shows_the_unread_count_and_the_page_lists_them(
    client: httpx.AsyncClient, member: User
) -> None:
    await notifications.notify([member.id], "tests.note", "Sam replied to you", "/t/1")
    await sign_in(client, "maria")
    home = await client.get("/")
    assert "data-unread-notifications>1<" in home.text
    page = await client.get("/notifications")
    assert "Sam replied to you" in page.text
    assert (await client.get("/api/v1/notifications")).status_code == 200


async def test_the_count_on_the_persons_row_follows_every_write_and_read(
    member: User, other_member: User
) -> None:
    """Pages read the bell's number from the row (no query): it must never drift."""
    for n in range(3):
        await notifications.notify([member.id, other_member.id], "tests.note", f"note {n}", "/")
    await notifications.notify([member.id, member.id], "tests.note", "once", "/")  # one each
    assert await notifications.unread_count(member) == 4
    ids = [n["id"] for n in (await notifications.list_notifications(member)).items]
    await notifications.mark_read(member, {"ids": ids[:2]})
    await notifications.mark_read(member, {"ids": ids[:3]})  # two already read: one less only
    assert await notifications.unread_count(member) == 1
    await notifications.mark_read(member, {"all": True})
    await notifications.mark_read(member, {"all": True})
    assert await notifications.unread_count(member) == 0
    assert await notifications.unread_count(other_member) == 3


async def test_the_bell_changes_on_the_next_page_though_the_session_row_is_cached(
    client: httpx.AsyncClient, member: User
) -> None:
    await notifications.notify([member.id], "tests.note", "hello", "/")
    await sign_in(client, "maria")
    assert "data-unread-notifications>1<" in (await client.get("/")).text
    me = (await client.get("/api/v1/me")).json()
    headers = {"X-CSRF-Token": me["csrf_token"]}
    read = await client.post("/api/v1/notifications/read", json={"all": True}, headers=headers)
    assert read.status_code == 204
    assert "data-unread-notifications hidden>0<" in (await client.get("/")).text
