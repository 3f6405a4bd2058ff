"""Counts and last activity stay exact when replies arrive at once."""

from __future__ import annotations

import asyncio

from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, Topic
from tests import factories


async def test_concurrent_replies_keep_post_count_exact(member: User, other_member: User) -> None:
    topic = await factories.topic(author=member)
    writers = [member, other_member] * 15
    created = await asyncio.gather(
        *(
            posts.reply(person, topic["id"], {"body": f"reply {i}"})
            for i, person in enumerate(writers)
        )
    )
    row = await Topic.get(id=topic["id"])
    assert row.post_count == 1 + len(writers) == await Post.filter(topic_id=topic["id"]).count()
    newest = max(post["created_at"] for post in created)
    assert row.last_activity_at == newest


async def test_concurrent_deletes_of_one_post_count_once(member: User, moderator: User) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"])
    results = await asyncio.gather(
        posts.delete_post(member, post["id"]),
        posts.delete_post(moderator, post["id"]),
        return_exceptions=True,
    )
    assert sum(1 for r in results if r is None) >= 1
    assert (await Topic.get(id=topic["id"])).post_count == 1
