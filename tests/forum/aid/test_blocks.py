"""Blocks in mutual aid: no responses between two people apart, no suggestions, no alerts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts import blocks
from forum.accounts.models import User
from forum.aid import alerts, listing, responses, services
from forum.aid.models import AidResponse
from forum.chat import services as chat
from forum.errors import PermissionDenied
from forum.notifications import services as notifications
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit


@pytest.mark.parametrize("blocker", ["owner", "responder"])
async def test_no_response_between_two_people_apart_by_a_block(
    client: httpx.AsyncClient, member: User, other_member: User, blocker: str
) -> None:
    aid = await factories.aid(author=member)
    if blocker == "owner":
        await blocks.block(member, {"username": "sam"})
    else:
        await blocks.block(other_member, {"username": "maria"})
    await factories.bearer(client, other_member)
    answer = await client.post(f"/api/v1/aid/{aid['id']}/responses", json={"message": "I can"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "cannot_message"
    if blocker == "owner":
        # The one blocked meets the same neutral refusal as anyone who cannot respond.
        assert answer.json()["error"]["message"] == "You can't respond to this post."
    assert not await AidResponse.exists()
    assert [n["kind"] for n in (await notifications.list_notifications(member)).items] == []


async def test_the_respond_form_is_refused_neutrally(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member)
    await blocks.block(member, {"username": "sam"})
    await sign_in(client, "sam")
    page = await client.get(f"/aid/{aid['id']}")
    # The form is still offered: its absence would tell Sam he was blocked.
    assert f'action="/aid/{aid["id"]}/respond"' in page.text
    refused = await submit(
        client, f"/aid/{aid['id']}/respond", csrf_from(page.text), message="I can help"
    )
    assert refused.status_code == 403
    assert "You can&#39;t respond to this post." in refused.text
    assert not await AidResponse.exists()


async def test_a_hand_off_thread_takes_no_messages_once_either_blocks(
    member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member)
    made = await responses.respond(other_member, aid["id"], {"message": "Mine fits"})
    await blocks.block(member, {"username": "sam"})
    for person in (member, other_member):
        with pytest.raises(PermissionDenied) as refused:
            await chat.send_message(person, made["room_id"], "About Tuesday")
        assert refused.value.code == "cannot_message"
    await blocks.unblock(member, "sam")
    assert (await chat.send_message(member, made["room_id"], "About Tuesday"))[0]["seq"] == 2


@pytest.mark.parametrize("blocker", ["viewer", "author"])
async def test_matches_leave_out_people_apart_by_a_block(
    member: User, other_member: User, blocker: str
) -> None:
    request = await factories.aid(author=member, category="meals")
    offer = await factories.aid(author=other_member, kind="offer", title="Soup", category="meals")
    assert [m["id"] for m in await listing.matches(member, request["id"])] == [offer["id"]]
    if blocker == "viewer":
        await blocks.block(member, {"username": "sam"})
    else:
        await blocks.block(other_member, {"username": "maria"})
    assert await listing.matches(member, request["id"]) == []
    third = await factories.user(username="olu")
    # Others still see the suggestion.
    assert [m["id"] for m in await listing.matches(third, request["id"])] == [offer["id"]]


async def test_an_alert_does_not_tell_someone_of_a_post_by_a_person_they_blocked(
    member: User, other_member: User
) -> None:
    await alerts.save_alert(member, {"category": "meals"})
    await blocks.block(member, {"username": "sam"})
    await factories.aid(author=other_member, kind="offer", title="Soup", category="meals")
    await blocks.unblock(member, "sam")
    shown = await factories.aid(author=other_member, kind="offer", title="Stew", category="meals")
    found = (await notifications.list_notifications(member)).items
    assert [n["url"] for n in found if n["kind"] == "aid.alert_matched"] == [f"/aid/{shown['id']}"]


async def test_the_aid_lists_leave_out_a_blocked_persons_posts_for_the_blocker_only(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    third = await factories.user(username="olu")
    mine = await factories.aid(author=member, title="Maria needs a ladder")
    sams = await factories.aid(author=other_member, title="Sam offers soup", kind="offer")
    await blocks.block(member, {"username": "sam"})
    await factories.bearer(client, member)
    listed = (await client.get("/api/v1/aid")).json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]
    page = make_client()
    await sign_in(page, "maria")
    board = (await page.get("/aid")).text
    assert "Maria needs a ladder" in board
    assert "Sam offers soup" not in board
    # Sam is not told, and Olu sees both.
    for person in (other_member, third):
        http, page = make_client(), make_client()
        await factories.bearer(http, person)
        assert {a["id"] for a in (await http.get("/api/v1/aid")).json()["items"]} == {
            mine["id"],
            sams["id"],
        }
        await sign_in(page, person.username)
        assert "Sam offers soup" in (await page.get("/aid")).text


async def test_the_gratitude_page_leaves_out_a_blocked_persons_thank_you(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    helper = await factories.user(username="olu")
    asked = await factories.aid(author=other_member, title="A crib please")
    made = await responses.respond(helper, asked["id"], {"message": "I have one"})
    await responses.accept(other_member, asked["id"], made["id"])
    await services.set_status(other_member, asked["id"], "fulfilled")
    await services.thank(other_member, asked["id"], {"thank_you": "Thanks from Sam, Olu!"})
    await sign_in(client, "maria")
    assert "Thanks from Sam, Olu!" in (await client.get("/aid/gratitude")).text
    await blocks.block(member, {"username": "sam"})
    assert "Thanks from Sam, Olu!" not in (await client.get("/aid/gratitude")).text
