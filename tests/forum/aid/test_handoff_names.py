"""A hidden-name owner stays "a neighbour in <area>" in the hand-off thread until they accept.

Issue 7: the responder learns the name only in the thread, once the owner accepts. Before that
the owner's messages, the thread's history, catch-up, live frames, typing and presence show
the area, never a name, username or id.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from forum import events
from forum.accounts.models import User
from forum.aid import responses
from forum.chat import services as chat
from tests import factories
from tests.forum.chat.conftest import frames_until, serving
from tests.forum.pages import sign_in

WITHHELD = {"id": None, "username": None, "display_name": "a neighbour in Mill Lane"}


async def _thread(owner: User, helper: User, *, show_name: bool) -> tuple[dict[str, Any], int]:
    aid = await factories.aid(author=owner, area="mill-lane", show_name=show_name)
    response = await responses.respond(helper, aid["id"], {"message": "I have a spare crib"})
    await chat.send_message(owner, response["room_id"], "Thank you! Pick-up by the library?")
    return response, int(response["room_id"])


async def _authors(http: httpx.AsyncClient, room_id: int) -> list[Any]:
    answer = await http.get(f"/api/v1/rooms/{room_id}/messages")
    assert answer.status_code == 200, answer.text
    return [m["author"] for m in answer.json()["items"]]


async def test_the_responder_sees_the_owner_as_a_neighbour_until_accepted(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    response, room_id = await _thread(member, other_member, show_name=False)
    helper = await factories.bearer(client, other_member)
    helper_view = await _authors(helper, room_id)
    assert helper_view[1] == WITHHELD
    assert helper_view[0]["username"] == other_member.username  # their own name stays
    owner_view = await _authors(await factories.bearer(make_client(), member), room_id)
    assert owner_view[1]["username"] == member.username  # the owner sees themselves

    await responses.accept(member, response["aid_id"], response["id"])
    after = await _authors(helper, room_id)
    assert after[1]["username"] == member.username  # accepted: the thread names them


async def test_the_thread_page_does_not_name_the_owner_before_acceptance(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    _, room_id = await _thread(member, other_member, show_name=False)
    await sign_in(client, other_member.username)
    page = (await client.get(f"/chat/{room_id}")).text
    assert "a neighbour in Mill Lane" in page
    assert "Pick-up by the library" in page
    assert "maria" not in page.casefold()


async def test_a_post_that_shows_its_name_names_the_owner_from_the_start(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    _, room_id = await _thread(member, other_member, show_name=True)
    authors = await _authors(await factories.bearer(client, other_member), room_id)
    assert authors[1]["username"] == member.username


async def test_the_live_frame_withholds_the_owner_and_the_ack_does_not(
    member: User, other_member: User, recorded_events: list[events.Event]
) -> None:
    aid = await factories.aid(author=member, area="mill-lane", show_name=False)
    response = await responses.respond(other_member, aid["id"], {"message": "I can help"})
    recorded_events.clear()
    mine, _ = await chat.send_message(member, response["room_id"], "Hello @sam")
    assert mine["author"]["username"] == member.username
    (heard,) = [e for e in recorded_events if e.name == "chat.message_created"]
    assert heard.data["frame"]["message"]["author"] == WITHHELD
    # A mention of the helper tells them who mentioned them as the thread does: by area.
    notes = [e for e in recorded_events if e.name == "notifications.created"]
    assert [n.data["frame"]["notification"]["text"] for n in notes] == [
        "a neighbour in Mill Lane mentioned you in Hand-off: A crib for a newborn"
    ]


async def test_catch_up_typing_and_presence_withhold_the_owner(
    app: Any, member: User, other_member: User
) -> None:
    _, room_id = await _thread(member, other_member, show_name=False)
    async with (
        serving(app) as server,
        await server.connect(other_member) as helper,
        await server.connect(member) as owner,
    ):
        await helper.send(json.dumps({"type": "subscribe", "room": room_id, "since": 0}))
        caught_up = await frames_until(helper, "presence")
        await owner.send(json.dumps({"type": "subscribe", "room": room_id}))
        presence = (await frames_until(helper, "presence"))[-1]
        while len(presence["users"]) < 2:  # the helper's own presence frame came first
            presence = (await frames_until(helper, "presence"))[-1]
        await owner.send(json.dumps({"type": "typing", "room": room_id}))
        typing = (await frames_until(helper, "typing"))[-1]
    replayed = [f["message"]["author"] for f in caught_up if f["type"] == "message"]
    assert replayed[1] == WITHHELD
    assert WITHHELD in presence["users"]
    assert member.username not in json.dumps(presence)
    assert typing["user"] == WITHHELD
