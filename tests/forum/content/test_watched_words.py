"""Watched words end to end: moderators keep the list; every write path blocks, holds or flags."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.aid import vocabularies
from forum.aid.models import Aid
from forum.boards.models import Post
from forum.chat import rooms as chat_rooms
from forum.content import services as content
from forum.errors import InvalidInput
from tests import factories
from tests.conftest import RecordingReview
from tests.forum.chat.conftest import frames_until, serving
from tests.forum.pages import csrf_from, sign_in, submit

WORDS = "/api/v1/moderation/watched-words"


async def _watch(moderator: User, pattern: str, action: str) -> dict[str, Any]:
    return await content.add_word({"pattern": pattern, "action": action}, moderator.id)


@pytest.fixture
async def general(member: User) -> dict[str, Any]:
    return await factories.board(slug="general")


@pytest.mark.parametrize(
    ("role", "listed", "added", "removed"),
    [
        (None, 401, 401, 401),
        ("member", 403, 403, 403),
        ("moderator", 200, 201, 204),
        ("admin", 200, 201, 204),
    ],
)
async def test_only_moderators_list_add_and_remove_watched_words(
    client: httpx.AsyncClient,
    moderator: User,
    role: str | None,
    listed: int,
    added: int,
    removed: int,
) -> None:
    word = await _watch(moderator, "lottery", "hold")
    if role is not None:
        person = await factories.user(username=f"a{role}", role=role)
        await factories.bearer(client, person)
    assert (await client.get(WORDS)).status_code == listed
    made = await client.post(WORDS, json={"pattern": "wire money", "action": "block"})
    assert made.status_code == added, made.text
    assert (await client.delete(f"{WORDS}/{word['id']}")).status_code == removed


async def test_a_moderator_adds_lists_and_removes_a_word_through_the_api(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await factories.bearer(client, moderator)
    made = await client.post(WORDS, json={"pattern": "  Crypto*   coins ", "action": "flag"})
    assert made.status_code == 201
    word = made.json()
    assert word["pattern"] == "Crypto* coins"
    assert word["action"] == "flag"
    assert word["created_by"] == moderator.id
    listed = (await client.get(WORDS)).json()
    assert [w["id"] for w in listed["items"]] == [word["id"]]
    assert listed["next_cursor"] is None
    assert (await client.delete(f"{WORDS}/{word['id']}")).status_code == 204
    assert (await client.delete(f"{WORDS}/{word['id']}")).status_code == 404
    assert (await client.get(WORDS)).json()["items"] == []
    # Every change is in the moderation log, and the public log does not teach the list.
    logged = (await client.get("/api/v1/moderation/public-log")).json()["items"]
    assert [(e["action"], e["target_id"]) for e in logged] == [
        ("unwatch_word", word["id"]),
        ("watch_word", word["id"]),
    ]
    assert "rypto" not in json.dumps(logged)


ALREADY = (
    "“Crypto* coins” is watched already (flag):"
    " remove it from the list first to change what happens."
)


@pytest.mark.parametrize(
    "again",
    ["Crypto* coins", "crypto*  COINS", " Crýpto* coins ", "Ｃrypto* coins"],
)
async def test_a_pattern_watched_already_is_a_422_on_the_field_and_adds_no_row(
    client: httpx.AsyncClient, moderator: User, again: str
) -> None:
    await factories.bearer(client, moderator)
    first = await client.post(WORDS, json={"pattern": "Crypto* coins", "action": "flag"})
    assert first.status_code == 201
    refused = await client.post(WORDS, json={"pattern": again, "action": "block"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["fields"] == {"pattern": ALREADY}
    assert [(w["id"], w["action"]) for w in await content.list_words()] == [
        (first.json()["id"], "flag")
    ]


async def test_a_pattern_that_spells_out_too_long_is_a_422_not_a_500(
    client: httpx.AsyncClient, moderator: User
) -> None:
    # One ligature, 18 characters once spelt out (as matching reads it): 30 of them fit the
    # 100-character field, but not the key.
    await factories.bearer(client, moderator)
    refused = await client.post(WORDS, json={"pattern": "\ufdfa" * 30, "action": "block"})
    assert refused.status_code == 422, refused.text
    assert list(refused.json()["error"]["fields"]) == ["pattern"]
    assert await content.list_words() == []


async def test_two_moderators_adding_one_pattern_at_once_store_it_once(
    moderator: User, admin: User
) -> None:
    results = await asyncio.gather(
        content.add_word({"pattern": "lottery", "action": "hold"}, moderator.id),
        content.add_word({"pattern": "Lottery", "action": "block"}, admin.id),
        return_exceptions=True,
    )
    stored = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(stored) == len(refused) == 1, results
    assert list(refused[0].fields) == ["pattern"]
    assert len(await content.list_words()) == 1


async def test_a_pattern_watched_already_keeps_the_page_form_with_the_message(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await content.add_word({"pattern": "Crypto* coins", "action": "flag"}, moderator.id)
    await sign_in(client, "modmira")
    csrf = csrf_from((await client.get("/moderation/watched-words")).text)
    refused = await submit(
        client, "/moderation/watched-words", csrf, pattern="CRYPTO* coins", action="block"
    )
    assert refused.status_code == 422
    assert "Error:" in refused.text
    assert "is watched already (flag)" in refused.text
    assert 'value="CRYPTO* coins"' in refused.text
    assert len(await content.list_words()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pattern": "*", "action": "block"}, "pattern"),
        ({"pattern": "<script>", "action": "block"}, "pattern"),
        ({"pattern": "x" * 101, "action": "block"}, "pattern"),
        ({"pattern": "scam", "action": "delete"}, "action"),
        ({"action": "hold"}, "pattern"),
        ({"pattern": 5, "action": "hold"}, "pattern"),
    ],
)
async def test_a_bad_watched_word_is_a_422_naming_the_field(
    client: httpx.AsyncClient, moderator: User, body: dict[str, Any], field: str
) -> None:
    await factories.bearer(client, moderator)
    refused = await client.post(WORDS, json=body)
    assert refused.status_code == 422
    assert field in refused.json()["error"]["fields"]


async def test_the_moderators_page_lists_adds_and_removes_words(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await sign_in(client, "modmira")
    page = await client.get("/moderation/watched-words")
    assert page.status_code == 200
    assert "No words are watched yet" in page.text
    csrf = csrf_from(page.text)
    added = await submit(
        client, "/moderation/watched-words", csrf, pattern="lottery", action="hold"
    )
    assert added.status_code == 303
    page = await client.get("/moderation/watched-words")
    assert "lottery" in page.text
    refused = await submit(client, "/moderation/watched-words", csrf, pattern="*", action="hold")
    assert refused.status_code == 422
    assert "Error:" in refused.text
    [word] = await content.list_words()
    removed = await submit(client, f"/moderation/watched-words/{word['id']}/delete", csrf)
    assert removed.status_code == 303
    assert await content.list_words() == []


async def test_members_cannot_open_the_watched_words_page(
    client: httpx.AsyncClient, member: User
) -> None:
    assert (await client.get("/moderation/watched-words")).status_code == 303  # to sign in
    await sign_in(client, "maria")
    assert (await client.get("/moderation/watched-words")).status_code == 403


@pytest.mark.parametrize(
    "written", ["a SCAM here", "a scám here", "a s\u200bcam here", "a ｓcam here"]
)
async def test_a_blocked_word_refuses_a_topic_naming_the_field_even_when_disguised(
    client: httpx.AsyncClient, member: User, moderator: User, general: Any, written: str
) -> None:
    await _watch(moderator, "scam", "block")
    await factories.bearer(client, member)
    refused = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Hello", "body": written}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "watched_word"
    assert list(refused.json()["error"]["fields"]) == ["body"]
    assert await Post.all().count() == 0


async def test_a_blocked_word_in_a_title_keeps_the_page_form(
    client: httpx.AsyncClient, member: User, moderator: User, general: Any
) -> None:
    await _watch(moderator, "scam", "block")
    await sign_in(client, "maria")
    form = await client.get("/b/general/new")
    refused = await submit(
        client, "/b/general/new", csrf_from(form.text), title="Big Scam", body="My draft text"
    )
    assert refused.status_code == 422
    assert "My draft text" in refused.text
    assert "Error:" in refused.text


async def test_a_held_word_stores_the_post_pending_and_sends_it_to_the_queue(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    review: RecordingReview,
) -> None:
    topic = await factories.topic(author=member)
    await _watch(moderator, "lottery", "hold")
    await factories.bearer(client, other_member)
    made = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "Lottery win!"})
    assert made.status_code == 201
    post = made.json()
    assert post["status"] == "pending"
    assert post["notice"]
    assert review.held == [
        {
            "target_type": "post",
            "target_id": post["id"],
            "author_id": other_member.id,
            "reason": "watched_word:lottery",
        }
    ]
    # Others do not read it; its author does.
    await factories.bearer(client, member)
    shown = (await client.get(f"/api/v1/posts/{post['id']}")).json()
    assert shown["body"] == ""


async def test_a_flagged_word_publishes_and_reports(
    client: httpx.AsyncClient,
    member: User,
    moderator: User,
    general: Any,
    review: RecordingReview,
) -> None:
    await _watch(moderator, "crypto*", "flag")
    await factories.bearer(client, member)
    made = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Cryptocurrency", "body": "Tips"}
    )
    assert made.status_code == 201
    assert made.json()["first_post"]["status"] == "visible"
    assert "notice" not in made.json()["first_post"]
    assert review.flagged == [
        {
            "target_type": "topic",
            "target_id": made.json()["id"],
            "author_id": member.id,
            "reason": "watched_word:crypto*",
        }
    ]
    assert review.held == []


async def test_an_edit_with_a_held_word_goes_back_to_waiting(
    client: httpx.AsyncClient, member: User, moderator: User, review: RecordingReview
) -> None:
    topic = await factories.topic(author=member)
    post = await Post.get(topic_id=topic["id"])
    await _watch(moderator, "lottery", "hold")
    await factories.bearer(client, member)
    edited = await client.patch(f"/api/v1/posts/{post.id}", json={"body": "lottery tickets"})
    assert edited.json()["status"] == "pending"
    assert (await Post.get(id=post.id)).status == "pending"
    assert review.held[0]["reason"] == "watched_word:lottery"


async def test_aid_posts_are_screened_hold_makes_them_pending(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    review: RecordingReview,
) -> None:
    await vocabularies.add_defaults()
    await _watch(moderator, "lottery", "hold")
    await factories.bearer(client, member)
    made = await client.post(
        "/api/v1/aid",
        json={
            "kind": "offer",
            "title": "Lottery tickets",
            "body": "Spare ones",
            "category": "household",
            "area": "elm-street",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["review"] == "pending"
    assert (await Aid.get(id=made.json()["id"])).review == "pending"
    assert review.held[0]["target_type"] == "aid"
    # A held post is for its owner and moderators until a moderator lets it out.
    await factories.bearer(client, other_member)
    assert (await client.get(f"/api/v1/aid/{made.json()['id']}")).status_code == 404
    assert (await client.get("/api/v1/aid")).json()["items"] == []


async def test_in_chat_hold_acts_as_flag_and_block_refuses_the_send(
    app: Any, member: User, moderator: User, review: RecordingReview
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    await _watch(moderator, "lottery", "hold")
    await _watch(moderator, "scam", "block")
    async with serving(app) as server, await server.connect(member) as ws:
        await ws.send(json.dumps({"type": "subscribe", "room": room["id"]}))
        await frames_until(ws, "subscribed")
        await ws.send(
            json.dumps({"type": "send", "room": room["id"], "body": "lottery!", "client_id": "c1"})
        )
        ack = (await frames_until(ws, "ack"))[-1]
        await ws.send(
            json.dumps(
                {"type": "send", "room": room["id"], "body": "a sc\u200bam", "client_id": "c2"}
            )
        )
        error = (await frames_until(ws, "error"))[-1]
    assert review.flagged == [
        {
            "target_type": "message",
            "target_id": ack["message"]["id"],
            "author_id": member.id,
            "reason": "watched_word:lottery",
        }
    ]
    assert review.held == []
    assert error["code"] == "watched_word"
    assert error["ref"] == "c2"


async def test_profiles_are_only_ever_blocked(
    client: httpx.AsyncClient, member: User, moderator: User, review: RecordingReview
) -> None:
    await _watch(moderator, "scam", "block")
    await _watch(moderator, "lottery", "hold")
    await factories.bearer(client, member)
    refused = await client.patch("/api/v1/me", json={"bio": "I run a scam"})
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["bio"]
    saved = await client.patch("/api/v1/me", json={"display_name": "Lottery Lou"})
    assert saved.status_code == 200
    assert review.held == review.flagged == []


async def test_a_new_word_applies_at_once_in_this_process(
    client: httpx.AsyncClient, member: User, moderator: User, general: Any
) -> None:
    await factories.bearer(client, member)
    first = await client.post(
        "/api/v1/boards/general/topics", json={"title": "First one", "body": "scam"}
    )
    assert first.status_code == 201, first.text  # the empty list is now cached for this app
    mod = await factories.user(username="othermod", role="moderator")
    mod_client = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    await factories.bearer(mod_client, mod)
    assert (
        await mod_client.post(WORDS, json={"pattern": "scam", "action": "block"})
    ).status_code == 201
    second = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Second one", "body": "scam"}
    )
    assert second.status_code == 422
    [word] = (await mod_client.get(WORDS)).json()["items"]
    await mod_client.delete(f"{WORDS}/{word['id']}")
    third = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Third one", "body": "scam"}
    )
    assert third.status_code == 201
