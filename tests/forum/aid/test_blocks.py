"""Blocks in mutual aid: no responses between two people apart, no suggestions, no alerts."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts import blocks
from forum.accounts.models import User
from forum.aid import alerts, listing, responses
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
