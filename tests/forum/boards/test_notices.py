"""Replies to my topics and @mentions in posts notify the right people, once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum import events
from forum.accounts import standing
from forum.accounts.models import User
from forum.boards import notices, posts
from forum.boards import services as boards
from forum.boards.models import Post, Topic
from forum.notifications import services as notifications
from tests import factories


async def _told(person: User, kind: str) -> list[str]:
    found = (await notifications.list_notifications(person, limit=100)).items
    return [n["url"] for n in found if n["kind"] == kind]


async def test_the_topic_owner_hears_of_a_reply_by_someone_else(
    topic: dict[str, Any], member: User, other_member: User
) -> None:
    reply = await factories.reply(author=other_member, topic_id=topic["id"], body="Me too")
    assert await _told(member, "boards.reply") == [f"/p/{reply['id']}"]
    note = (await notifications.list_notifications(member)).items[0]
    assert note["text"] == "Sam replied to “Lifts to the clinic”"


async def test_the_owner_is_not_told_of_their_own_reply(
    topic: dict[str, Any], member: User
) -> None:
    await factories.reply(author=member, topic_id=topic["id"], body="Any takers?")
    assert await _told(member, "boards.reply") == []


async def test_a_mention_notifies_the_person_named_and_not_the_writer(
    topic: dict[str, Any], member: User, other_member: User, moderator: User
) -> None:
    reply = await factories.reply(
        author=other_member, topic_id=topic["id"], body=f"Ask @{moderator.username} and @sam"
    )
    assert await _told(moderator, "boards.mention") == [f"/p/{reply['id']}"]
    assert await _told(other_member, "boards.mention") == []
    # The owner is told of the reply once, as a reply (they were not mentioned).
    assert await _told(member, "boards.reply") == [f"/p/{reply['id']}"]
    assert await _told(member, "boards.mention") == []


async def test_a_mentioned_owner_hears_once_not_twice(
    topic: dict[str, Any], member: User, other_member: User
) -> None:
    reply = await factories.reply(
        author=other_member, topic_id=topic["id"], body="@MARIA I can drive on Tuesdays"
    )
    assert await _told(member, "boards.mention") == [f"/p/{reply['id']}"]
    assert await _told(member, "boards.reply") == []


async def test_a_mention_in_a_new_topic_notifies(member: User, other_member: User) -> None:
    created = await factories.topic(author=member, title="Garden day", body="@sam you in?")
    first = await Post.filter(topic_id=created["id"]).first()
    assert first is not None
    assert await _told(other_member, "boards.mention") == [f"/p/{first.id}"]
    assert await _told(member, "boards.reply") == []


async def test_an_email_address_is_not_a_mention(
    topic: dict[str, Any], member: User, other_member: User
) -> None:
    await factories.reply(author=member, topic_id=topic["id"], body="Write to info@sam.org")
    assert await _told(other_member, "boards.mention") == []


async def test_only_people_who_can_read_the_topic_hear_of_a_mention(
    topic: dict[str, Any], member: User, other_member: User, moderator: User
) -> None:
    await Topic.filter(id=topic["id"]).update(status="hidden")
    await posts.reply(
        moderator, topic["id"], {"body": f"@{other_member.username} @{member.username} see this"}
    )
    # A topic moderators hid is theirs alone: neither member, owner or not, hears of it.
    assert await _told(other_member, "boards.mention") == []
    assert await _told(member, "boards.mention") == []
    assert await _told(member, "boards.reply") == []


async def test_a_suspended_person_is_not_told(
    topic: dict[str, Any], member: User, other_member: User
) -> None:
    await standing.set_suspended(member.id, standing.FOREVER)
    await factories.reply(author=other_member, topic_id=topic["id"], body="@maria hello")
    assert await _told(member, "boards.mention") == []
    assert await _told(member, "boards.reply") == []


async def test_an_edit_tells_the_newly_mentioned_once(
    topic: dict[str, Any], member: User, other_member: User, moderator: User
) -> None:
    reply = await factories.reply(author=other_member, topic_id=topic["id"], body="Hello all")
    await posts.edit_post(other_member, reply["id"], {"body": f"Hello @{moderator.username}"})
    await posts.edit_post(other_member, reply["id"], {"body": f"Hi @{moderator.username}!"})
    await posts.edit_post(other_member, reply["id"], {"body": "Hi"})
    await posts.edit_post(other_member, reply["id"], {"body": f"Hi @{moderator.username}"})
    assert await _told(moderator, "boards.mention") == [f"/p/{reply['id']}"]
    # An edit is not a new reply: the owner heard of it once.
    assert await _told(member, "boards.reply") == [f"/p/{reply['id']}"]


async def test_a_post_tells_at_most_a_few_people_the_first_it_names(
    topic: dict[str, Any], member: User, other_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert notices.MENTIONS_MAX == 10
    monkeypatch.setattr(notices, "MENTIONS_MAX", 3)  # sign-ups are rate limited to 10 an hour
    people = [await factories.user(username=f"neighbour{n:02}") for n in range(5)]
    body = "@neighbour00 @Neighbour00 " + " ".join(f"@{p.username}" for p in people)
    await factories.reply(author=other_member, topic_id=topic["id"], body=body)
    told = [bool(await _told(p, "boards.mention")) for p in people]
    assert told == [True] * 3 + [False] * 2


async def test_a_post_held_for_review_tells_nobody(
    topic: dict[str, Any], member: User, other_member: User
) -> None:
    reply = await factories.reply(author=other_member, topic_id=topic["id"], body="Hello")
    await Post.filter(id=reply["id"]).update(status="pending")
    await posts.edit_post(other_member, reply["id"], {"body": "Hello @maria"})
    assert await _told(member, "boards.mention") == []


async def test_a_reply_through_the_api_notifies_live_to_the_owner(
    client: httpx.AsyncClient,
    topic: dict[str, Any],
    member: User,
    other_member: User,
    recorded_events: list[Any],
) -> None:
    http = await factories.bearer(client, other_member)
    answer = await http.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "On my way"})
    assert answer.status_code == 201
    live = [e for e in recorded_events if e.name == "notifications.created"]
    assert [e.audience for e in live] == [events.to_user(member.id)]
    assert live[0].data["frame"]["notification"]["kind"] == "boards.reply"


async def test_may_read_topic_is_the_read_rule(
    topic: dict[str, Any], member: User, moderator: User
) -> None:
    row = await boards.access_topic(member, topic["id"])
    assert boards.may_read_topic(member, row)
    hidden = {**row, "status": "hidden"}
    assert not boards.may_read_topic(member, hidden)
    assert boards.may_read_topic(moderator, hidden)
