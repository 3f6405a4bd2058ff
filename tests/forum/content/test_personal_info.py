"""A phone number or e-mail address in public writing is held with a friendly nudge."""

from __future__ import annotations

from typing import Any

import httpx

from forum.accounts.models import User
from forum.aid import responses, vocabularies
from forum.boards import posts
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.content.screening import PERSONAL_INFO_NOTICE
from tests import factories
from tests.conftest import RecordingReview
from tests.forum.pages import csrf_from, sign_in, submit

PHONE = "Call me on 555-123-4567 any evening."


async def test_a_public_topic_with_a_phone_number_is_held_with_the_nudge(
    client: httpx.AsyncClient, member: User, review: RecordingReview
) -> None:
    await factories.board(slug="general")
    await factories.bearer(client, member)
    made = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Lifts", "body": PHONE}
    )
    assert made.status_code == 201
    first = made.json()["first_post"]
    assert first["status"] == "pending"
    assert first["notice"] == PERSONAL_INFO_NOTICE
    assert review.held == [
        {
            "target_type": "topic",
            "target_id": made.json()["id"],
            "author_id": member.id,
            "reason": "personal_info",
        }
    ]


async def test_an_email_address_in_a_reply_is_held_and_plain_numbers_are_not(
    member: User, other_member: User, review: RecordingReview
) -> None:
    topic = await factories.topic(author=member)
    dated = await posts.reply(other_member, topic["id"], {"body": "See you 2026-12-05, $1,200"})
    mailed = await posts.reply(other_member, topic["id"], {"body": "write to sam@example.org"})
    assert dated["status"] == "visible"
    assert dated["notice"] is None
    assert mailed["status"] == "pending"
    assert mailed["notice"] == PERSONAL_INFO_NOTICE
    assert [h["target_id"] for h in review.held] == [mailed["id"]]


async def test_a_members_only_board_is_not_public_and_holds_nothing(
    member: User, review: RecordingReview
) -> None:
    await factories.board(slug="private", visibility="members")
    topic = await factories.topic(author=member, board_slug="private", body=PHONE)
    first = await posts.list_posts(member, topic["id"])
    assert first.items[0]["status"] == "visible"
    assert review.held == []


async def test_the_reply_page_shows_the_nudge_to_its_author(
    client: httpx.AsyncClient, member: User, review: RecordingReview
) -> None:
    topic = await factories.topic(author=member)
    await sign_in(client, "maria")
    page = await client.get(f"/t/{topic['id']}")
    sent = await submit(client, f"/t/{topic['id']}/reply", csrf_from(page.text), body=PHONE)
    assert "notice=personal_info" in sent.headers["location"]
    shown = await client.get(sent.headers["location"])
    assert "private hand-off thread instead" in shown.text


async def test_an_offer_with_a_phone_number_is_held_and_says_why(
    client: httpx.AsyncClient, member: User, review: RecordingReview
) -> None:
    await vocabularies.add_defaults()
    await factories.bearer(client, member)
    made = await client.post(
        "/api/v1/aid",
        json={
            "kind": "offer",
            "title": "Lifts",
            "body": PHONE,
            "category": "household",
            "area": "elm-street",
        },
    )
    assert made.json()["review"] == "pending"
    assert made.json()["notice"] == PERSONAL_INFO_NOTICE
    assert review.held[0]["reason"] == "personal_info"


async def test_chat_direct_messages_and_hand_off_threads_are_where_numbers_belong(
    member: User, other_member: User, moderator: User, review: RecordingReview
) -> None:
    await vocabularies.add_defaults()
    lounge = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    await chat.send_message(member, lounge["id"], PHONE)
    direct = await chat_rooms.direct_room(member, other_member.username)
    await chat.send_message(member, direct["id"], PHONE)
    aid: dict[str, Any] = await factories.aid(author=member)
    answer = await responses.respond(other_member, aid["id"], {"message": PHONE})
    await chat.send_message(member, answer["room_id"], "Mine is maria@example.org")
    assert review.held == []
    assert review.flagged == []


async def test_a_held_topic_stays_out_of_lists_and_opens_for_its_author_alone(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    review: RecordingReview,
) -> None:
    await factories.board(slug="general")
    await factories.bearer(client, member)
    made = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Call 555-123-4567", "body": "Lifts"}
    )
    topic_id = made.json()["id"]
    assert (await client.get(f"/api/v1/topics/{topic_id}")).status_code == 200
    for viewer in (other_member, None):
        if viewer is None:
            client.headers.pop("Authorization")
        else:
            await factories.bearer(client, viewer)
        assert (await client.get(f"/api/v1/topics/{topic_id}")).status_code == 404
        assert (await client.get("/api/v1/boards/general/topics")).json()["items"] == []
    await factories.bearer(client, moderator)
    listed = (await client.get("/api/v1/boards/general/topics")).json()["items"]
    assert [t["id"] for t in listed] == [topic_id]


async def test_the_new_offer_page_shows_the_nudge_and_that_it_waits(
    client: httpx.AsyncClient, member: User, review: RecordingReview
) -> None:
    await vocabularies.add_defaults()
    await sign_in(client, "maria")
    page = await client.get("/aid/new")
    fields = {
        "kind": "offer",
        "title": "Lifts",
        "body": PHONE,
        "category": "household",
        "area": "elm-street",
        "urgency": "normal",
    }
    sent = await submit(client, "/aid/new", csrf_from(page.text), **fields)
    assert sent.status_code == 303, sent.text[:300]
    assert sent.headers["location"].endswith("?notice=personal_info")
    shown = await client.get(sent.headers["location"])
    assert "private hand-off thread instead" in shown.text
    assert "Waiting for review" in shown.text
