"""Post rules: replying, editing with history, soft deletion, and reading a topic's posts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Case, F, Value, When
from tortoise.transactions import in_transaction

from forum import clock, database
from forum.accounts.forms import FieldErrors
from forum.accounts.models import User
from forum.boards import forms
from forum.boards.models import Post, PostRevision, Topic
from forum.boards.services import (
    POST_SQL,
    POST_TIMES,
    POSTS_PER_PAGE,
    access_topic,
    page_of,
    post_row,
    render_body,
    require_member,
    writable_topic,
)
from forum.errors import Conflict, NotFound, PermissionDenied
from forum.pagination import Page, cursor_id, decode_cursor
from realtime import events

# Reading ----------------------------------------------------------------------------------------


def _viewable(row: dict[str, Any], actor: User | None) -> dict[str, Any]:
    """Hide what this viewer may not read: deleted posts are tombstones for everyone."""
    status = row["status"]
    staff = actor is not None and actor.is_staff
    own = actor is not None and actor.id == row["author_id"]
    if (
        status == "deleted"
        or (status == "hidden" and not staff)
        or (status == "pending" and not (staff or own))
    ):
        return {**row, "body": "", "body_html": ""}
    return row


async def list_posts(
    actor: User | None, topic_id: int, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """A topic's posts, oldest first."""
    await access_topic(actor, topic_id)
    after = decode_cursor(cursor, 1)
    last_id = cursor_id(after[0]) if after is not None else 0
    rows = await database.fetch(
        POST_SQL + "WHERE p.topic_id = ? AND p.id > ? ORDER BY p.id LIMIT ?",
        (topic_id, last_id, limit + 1),
        times=POST_TIMES,
        cached=True,
    )
    page = page_of(rows, limit, lambda r: (r["id"],))
    return Page([_viewable(r, actor) for r in page.items], page.next_cursor)


async def topic_page(
    actor: User | None, topic_id: int, page: int
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """A topic, one numbered page of its posts, and whether another page follows."""
    topic = await access_topic(actor, topic_id)
    rows = await database.fetch(
        POST_SQL + "WHERE p.topic_id = ? ORDER BY p.id LIMIT ? OFFSET ?",
        (topic_id, POSTS_PER_PAGE + 1, (page - 1) * POSTS_PER_PAGE),
        times=POST_TIMES,
        cached=True,
    )
    more = len(rows) > POSTS_PER_PAGE
    return topic, [_viewable(r, actor) for r in rows[:POSTS_PER_PAGE]], more


async def reply(actor: User | None, topic_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a post; a locked topic takes replies from moderators only."""
    author = require_member(actor)
    topic = await writable_topic(author, topic_id)
    if topic["locked"] and not author.is_staff:
        raise Conflict("This topic is locked; it takes no new replies.", code="topic_locked")
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    html = await render_body(body)
    async with in_transaction():
        post = await Post.create(topic_id=topic_id, author_id=author.id, body=body, body_html=html)
        # Counted in the database, not in Python: concurrent replies cannot lose an update, and
        # a reply that commits late cannot move last activity backwards.
        await Topic.filter(id=topic_id).update(
            post_count=F("post_count") + 1,
            version=F("version") + 1,
            last_activity_at=Case(
                # Tortoise's stubs omit Value from When's accepted types; it works on both engines.
                When(last_activity_at__lt=post.created_at, then=Value(post.created_at)),  # type: ignore[arg-type]
                default=F("last_activity_at"),
            ),
        )
    events.publish("boards.post_created", topic_id=topic_id, post_id=post.id)
    return post_row(post, author)


async def _stored_post(post_id: int) -> dict[str, Any]:
    rows = await database.fetch(POST_SQL + "WHERE p.id = ?", (post_id,), times=POST_TIMES)
    if not rows:
        raise NotFound("That post does not exist.")
    return rows[0]


async def access_post(actor: User | None, post_id: int) -> dict[str, Any]:
    """A post as this person may see it, if they may read the topic it belongs to."""
    row = await _stored_post(post_id)
    await access_topic(actor, row["topic_id"])
    return _viewable(row, actor)


async def _editable_post(actor: User | None, post_id: int) -> tuple[User, dict[str, Any]]:
    """The post as stored (never a viewer's blanked copy), if this person may change it."""
    user = require_member(actor)
    row = await _stored_post(post_id)
    await access_topic(user, row["topic_id"])
    if not (user.is_staff or row["author_id"] == user.id):
        raise PermissionDenied("Only the author or a moderator can change this post.")
    if row["status"] == "deleted":
        raise Conflict("That post has been deleted.", code="post_deleted")
    if row["status"] == "hidden" and not user.is_staff:
        raise Conflict(
            "A moderator has hidden this post; it cannot be changed.", code="post_hidden"
        )
    return user, row


async def edit_post(actor: User | None, post_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Change a post's text, keeping what it said before."""
    user, row = await _editable_post(actor, post_id)
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    if body == row["body"]:
        return row
    html = await render_body(body)
    now = clock.now()
    async with in_transaction():
        await PostRevision.create(post_id=post_id, editor_id=user.id, body=row["body"])
        await Post.filter(id=post_id).update(body=body, body_html=html, edited_at=now)
        await Topic.filter(id=row["topic_id"]).update(version=F("version") + 1)
    events.publish("boards.post_edited", topic_id=row["topic_id"], post_id=post_id)
    return {**row, "body": body, "body_html": html, "edited_at": now}


async def delete_post(actor: User | None, post_id: int) -> None:
    """Soft-delete: the text is kept for moderators, everyone else sees that it was removed."""
    _, row = await _editable_post(actor, post_id)
    async with in_transaction():
        changed = await Post.filter(id=post_id).exclude(status="deleted").update(status="deleted")
        if changed:
            await Topic.filter(id=row["topic_id"]).update(
                post_count=F("post_count") - 1, version=F("version") + 1
            )
    if changed:
        events.publish("boards.post_deleted", topic_id=row["topic_id"], post_id=post_id)


def may_see_history(actor: User | None, row: dict[str, Any]) -> bool:
    return actor is not None and (actor.is_staff or actor.id == row["author_id"])


async def post_history(actor: User | None, post_id: int) -> tuple[dict[str, Any], list[Any]]:
    """A post and its earlier versions, newest first: for its author and moderators only.

    People edit out what they regret sharing (a phone number, a street): that stays private.
    """
    row = await access_post(actor, post_id)
    if not row["body_html"] or not may_see_history(actor, row):
        raise NotFound("That post's history is not available.")
    revisions = (
        await PostRevision.filter(post_id=post_id)
        .order_by("-id")
        .values("id", "body", "created_at", editor_username="editor__username")
    )
    return row, revisions


async def locate_post(actor: User | None, post_id: int) -> tuple[int, int]:
    """The topic a post belongs to and the number of the topic_page that shows it."""
    row = await access_post(actor, post_id)
    # Deleted posts stay in the numbering as tombstones, so count every earlier post.
    earlier = await Post.filter(topic_id=row["topic_id"], id__lt=post_id).count()
    return row["topic_id"], earlier // POSTS_PER_PAGE + 1


async def editable_post(actor: User | None, post_id: int) -> dict[str, Any]:
    """A post this person may edit or delete (its author or a moderator), for those forms."""
    _, row = await _editable_post(actor, post_id)
    return row
