"""Services announce what happened, after it is committed, and only then."""

from __future__ import annotations

import pytest

from forum.accounts.models import User
from forum.boards import posts, services
from forum.errors import Conflict, InvalidInput
from realtime.events import EVERYONE, Event
from tests import factories

Recorded = list[Event]


async def test_topic_and_reply_are_announced(recorded_events: Recorded, member: User) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"])
    names = [event.name for event in recorded_events]
    assert names[-2:] == ["boards.topic_created", "boards.post_created"]
    assert recorded_events[-1].data == {"topic_id": topic["id"], "post_id": post["id"]}
    assert recorded_events[-1].audience == EVERYONE


async def test_refused_writes_announce_nothing(
    recorded_events: Recorded, member: User, moderator: User
) -> None:
    topic = await factories.topic(author=member)
    await services.update_topic(moderator, topic["id"], {"locked": True})
    before = list(recorded_events)
    with pytest.raises(Conflict):
        await posts.reply(member, topic["id"], {"body": "too late"})
    with pytest.raises(InvalidInput):
        await posts.reply(moderator, topic["id"], {"body": ""})
    assert recorded_events == before


async def test_edit_and_delete_are_announced_once(recorded_events: Recorded, member: User) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"])
    await posts.edit_post(member, post["id"], {"body": "edited text"})
    await posts.edit_post(member, post["id"], {"body": "edited text"})  # no change, no event
    await posts.delete_post(member, post["id"])
    names = [e.name for e in recorded_events if e.name.startswith("boards.post_")]
    assert names == ["boards.post_created", "boards.post_edited", "boards.post_deleted"]
