"""Moderators' hand on boards: reading a post or topic as stored, and changing its status.

Moderation calls these after its own checks (who may act is decided there, on its queue); they
take no actor because automatic actions (a hold, an auto-hide) have none. Every change is a
conditional UPDATE, so two moderators (or a moderator and the system) change a row once, and
each publishes a boards event, so the page and read caches forget what they kept.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from forum import database, events
from forum.boards.models import Post, PostStatus, Topic, TopicStatus
from forum.boards.services import POST_SQL, POST_TIMES


async def stored_post(post_id: int) -> dict[str, Any] | None:
    """A post as stored (whatever its status), with its topic's title, or None."""
    rows = await database.fetch(
        POST_SQL.replace("FROM posts p", ", t.title AS topic_title FROM posts p")
        + "JOIN topics t ON t.id = p.topic_id WHERE p.id = ?",
        (post_id,),
        times=POST_TIMES,
    )
    return rows[0] if rows else None


async def stored_topic(topic_id: int) -> dict[str, Any] | None:
    """A topic as stored (whatever its status), with its first post's id, body and status."""
    topic = (
        await Topic.filter(id=topic_id)
        .first()
        .values(
            "id",
            "title",
            "author_id",
            "status",
            "locked",
            "created_at",
            author_username="author__username",
            board_slug="board__slug",
        )
    )
    if topic is None:
        return None
    first = (
        await Post.filter(topic_id=topic_id).order_by("id").first().values("id", "body", "status")
    )
    topic["first_post"] = first
    return topic


async def set_post_status(
    post_id: int, status: PostStatus, *, only_from: tuple[str, ...] = ()
) -> bool:
    """Move a post to status (from one of only_from, when given); False if nothing changed.

    A topic's post_count counts its posts that are not deleted, as delete_post keeps it.
    """
    async with database.transaction():
        row = await Post.filter(id=post_id).first().values("status", "topic_id")
        if row is None or row["status"] == status or (only_from and row["status"] not in only_from):
            return False
        changed = await Post.filter(id=post_id, status=row["status"]).update(status=status)
        if not changed:
            return False
        was_deleted, now_deleted = row["status"] == PostStatus.DELETED, status == PostStatus.DELETED
        step = (
            -1 if now_deleted and not was_deleted else 1 if was_deleted and not now_deleted else 0
        )
        await Topic.filter(id=row["topic_id"]).update(
            post_count=F("post_count") + step, version=F("version") + 1
        )
        await events.publish(
            "boards.post_reviewed", events.EVERYONE, topic_id=row["topic_id"], post_id=post_id
        )
    return True


async def set_topic_status(topic_id: int, status: TopicStatus) -> bool:
    """Hide a topic from everyone but moderators, or show it again; False if nothing changed."""
    async with database.transaction():
        changed = (
            await Topic.filter(id=topic_id)
            .exclude(status=status)
            .update(status=status, version=F("version") + 1)
        )
        if changed:
            await events.publish("boards.topic_reviewed", events.EVERYONE, topic_id=topic_id)
    return bool(changed)


async def set_topic_locked(topic_id: int, locked: bool) -> bool:
    """Lock a topic against replies from members (or open it again); False if nothing changed."""
    async with database.transaction():
        changed = await Topic.filter(id=topic_id, locked=not locked).update(
            locked=locked, version=F("version") + 1
        )
        if changed:
            await events.publish(
                "boards.topic_updated", events.EVERYONE, topic_id=topic_id, changes=["locked"]
            )
    return bool(changed)
