"""The chat pages: rooms, a room with its messages, and sending without JavaScript."""

from __future__ import annotations

import httpx

from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from tests.forum.pages import csrf_from, sign_in, submit


async def test_the_room_page_shows_messages_and_sends_without_javascript(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    await chat.send_message(moderator, room["id"], "Welcome <b>in</b>")
    await sign_in(client, "maria")
    page = await client.get(f"/chat/{room['id']}")
    assert page.status_code == 200
    assert "Welcome" in page.text
    assert "<b>in</b>" not in page.text  # the sanitizer's rendering, never raw HTML
    assert 'aria-live="polite"' in page.text
    sent = await submit(client, f"/chat/{room['id']}/send", csrf_from(page.text), body="Hi all")
    assert sent.status_code == 303
    again = await client.get(f"/chat/{room['id']}")
    assert "Hi all" in again.text


async def test_an_empty_message_comes_back_with_the_form_and_an_error(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    await sign_in(client, "maria")
    page = await client.get(f"/chat/{room['id']}")
    refused = await submit(client, f"/chat/{room['id']}/send", csrf_from(page.text), body="  ")
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert await chat.history(member, room["id"]) == []


async def test_chat_pages_need_signing_in_and_private_rooms_stay_hidden(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Volunteers", "kind": "private"})
    anonymous = await client.get("/chat")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    await sign_in(client, "maria")
    assert (await client.get(f"/chat/{room['id']}")).status_code == 404
    rooms = await client.get("/chat")
    assert "Volunteers" not in rooms.text


async def test_the_direct_message_form_opens_the_conversation(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/chat")
    opened = await submit(client, "/chat/direct", csrf_from(page.text), username="sam")
    assert opened.status_code == 303
    room_page = await client.get(opened.headers["location"])
    assert "Sam" in room_page.text
    unknown = await submit(client, "/chat/direct", csrf_from(page.text), username="nobody-here")
    assert unknown.status_code == 422
    assert 'value="nobody-here"' in unknown.text
