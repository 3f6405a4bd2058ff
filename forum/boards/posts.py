"""Post rules: who reads and changes a post, replying, editing with history, soft deletion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.expressions import Case, F, Value, When

from forum import clock, database, events, ratelimits
from forum.accounts import blocks, standing, trust
from forum.accounts.models import User
from forum.accounts.services import is_owner_or_staff, is_staff
from forum.boards import forms, notices
from forum.boards.models import Post, PostRevision, PostStatus, Topic, Visibility
from forum.boards.services import (
    POST_SQL,
    POST_TIMES,
    POSTS_PER_PAGE,
    access_topic,
    may_read_topic,
    post_row,
    render_body,
)
from forum.errors import Conflict, NotFound, PermissionDenied, PorchlightError
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

# Who may do what with a post: each rule written once, here. ------------------------------------


def may_read_body(actor: User | None, post: Mapping[str, Any]) -> bool:
    """Deleted posts are tombstones for everyone; hidden ones are for moderators; pending ones
    for their author and moderators."""
    status = post["status"]
    if status == PostStatus.VISIBLE:  # nearly every post: asked first, it keeps pages quick
        return True
    if status == PostStatus.HIDDEN:
        return is_staff(actor)
    if status == PostStatus.PENDING:
        return is_owner_or_staff(actor, post["author_id"])
    return False  # deleted


def may_change(actor: User | None, post: Mapping[str, Any]) -> bool:
    """Edit and delete are for the author and moderators; a deleted post for nobody, a hidden
    one for moderators only. Asked once per post on every page, so it builds nothing."""
    if not is_owner_or_staff(actor, post["author_id"]):
        return False
    status = post["status"]
    return status != PostStatus.DELETED and (status != PostStatus.HIDDEN or is_staff(actor))


def _change_refused(actor: User | None, post: Mapping[str, Any]) -> PorchlightError | None:
    """Why may_change refuses this person this post, or None when it allows them."""
    if may_change(actor, post):
        return None
    if not is_owner_or_staff(actor, post["author_id"]):
        return PermissionDenied("Only the author or a moderator can change this post.")
    if post["status"] == PostStatus.DELETED:
        return Conflict("That post has been deleted.", code="post_deleted")
    return Conflict("A moderator has hidden this post; it cannot be changed.", code="post_hidden")


def may_see_history(actor: User | None, post: Mapping[str, Any]) -> bool:
    """Earlier versions are for the author and moderators, and only of a post they can read.

    People edit out what they regret sharing (a phone number, a street): that stays private.
    """
    return is_owner_or_staff(actor, post["author_id"]) and may_read_body(actor, post)


def as_seen_by(
    actor: User | None, post: dict[str, Any], blocked: frozenset[int] = frozenset()
) -> dict[str, Any]:
    """The post as this viewer may see it, with what they may do with it: a new row, as the one
    given may be the content cache's own.

    blocked holds the people this viewer blocked: their posts are marked, for pages to fold
    away and the API to leave out (the body stays here, so a page can still open one).
    """
    seen = post if may_read_body(actor, post) else {**post, "body": "", "body_html": ""}
    return {
        **seen,
        "blocked": post["author_id"] in blocked,
        "can_change": may_change(actor, post),
        "can_see_history": may_see_history(actor, post),
    }


# Reading ----------------------------------------------------------------------------------------


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
        shared=True,  # they only pass through as_seen_by, which makes new rows
    )
    page = page_of(rows, limit, lambda r: (r["id"],))
    hidden = await blocks.blocked_ids(actor)
    return Page([as_seen_by(actor, r, hidden) for r in page.items], page.next_cursor)


async def topic_page(
    actor: User | None, topic_id: int, page: int
) -> tuple[dict[str, Any], Sequence[dict[str, Any]], bool]:
    """A topic, one numbered page of its posts as this viewer sees them, and whether another
    page follows."""
    topic = await access_topic(actor, topic_id)
    rows = await database.fetch(
        POST_SQL + "WHERE p.topic_id = ? ORDER BY p.id LIMIT ? OFFSET ?",
        (topic_id, POSTS_PER_PAGE + 1, (page - 1) * POSTS_PER_PAGE),
        times=POST_TIMES,
        cached=True,
        shared=True,  # they only pass through as_seen_by, which makes new rows
    )
    more = len(rows) > POSTS_PER_PAGE
    hidden = await blocks.blocked_ids(actor)
    # The page's posts are made for this viewer only if its fragment is not already rendered
    # for someone who sees them alike (most views): standing decides all that as_seen_by does.
    shown = rows.seen(
        lambda row: as_seen_by(actor, row, hidden),
        *viewer_standing(actor, rows[:POSTS_PER_PAGE], hidden),
        limit=POSTS_PER_PAGE,
    )
    return topic, shown, more


def viewer_standing(
    actor: User | None, posts: Sequence[Mapping[str, Any]], blocked: frozenset[int]
) -> tuple[bool, int | None, frozenset[int]]:
    """All that sets one viewer's as_seen_by of these posts apart from another's.

    Whether they are staff, which posts are their own, and whose they blocked: two viewers
    alike in these see every one of the posts alike (tests/forum/boards/test_viewer_standing.py
    checks it over every status and viewer).
    """
    authors = {post["author_id"] for post in posts}
    own = actor.id if actor is not None and actor.id in authors else None
    return is_staff(actor), own, frozenset(authors & blocked) if blocked else frozenset()


async def _stored_post(post_id: int) -> dict[str, Any]:
    rows = await database.fetch(POST_SQL + "WHERE p.id = ?", (post_id,), times=POST_TIMES)
    if not rows:
        raise NotFound("That post does not exist.")
    return rows[0]


async def access_post(
    actor: User | None, post_id: int, *, to_change: bool = False
) -> dict[str, Any]:
    """A post as this person may see it, if they may read the topic it belongs to.

    to_change also requires that they may edit or delete it, and returns it as stored.
    """
    row = await _stored_post(post_id)
    await access_topic(actor, row["topic_id"])
    if not to_change:
        return as_seen_by(actor, row, await blocks.blocked_ids(actor))
    require_member(actor)
    refused = _change_refused(actor, row)
    if refused is not None:
        raise refused
    return row


# Writing ----------------------------------------------------------------------------------------


async def reply(actor: User | None, topic_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a post; a locked topic takes replies from moderators only."""
    author = require_member(actor)
    topic = await access_topic(author, topic_id)
    if not topic["can_reply"]:
        raise Conflict("This topic is locked; it takes no new replies.", code="topic_locked")
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    standing.require_voice(author)
    await ratelimits.check_action("post", actor_id=author.id)
    html = await render_body(body)
    verdict = await trust.screen_writing(
        author,
        {"body": body},
        html={"body": html},
        public=topic["board_visibility"] == Visibility.PUBLIC,
    )
    status = PostStatus.PENDING if verdict.held else PostStatus.VISIBLE
    async with database.transaction():
        post = await Post.create(
            topic_id=topic_id, author_id=author.id, body=body, body_html=html, status=status
        )
        await verdict.record(target_type="post", target_id=post.id, author_id=author.id)
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
        await events.publish(
            "boards.post_created", events.EVERYONE, topic_id=topic_id, post_id=post.id
        )
    row = post_row(post, author)
    if not verdict.held:  # a held reply tells nobody until a moderator lets it out
        await notices.tell_of_post(author, topic, row, may_read_topic, is_reply=True)
    return {**as_seen_by(author, row), "notice": verdict.notice, "held": verdict.held}


async def edit_post(actor: User | None, post_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Change a post's text, keeping what it said before."""
    row = await access_post(actor, post_id, to_change=True)
    editor = require_member(actor)
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    standing.require_voice(editor)
    if body == row["body"]:
        return as_seen_by(editor, row)
    await ratelimits.check_action("edit", actor_id=editor.id)
    html = await render_body(body)
    topic = await access_topic(editor, row["topic_id"])
    verdict = await trust.screen_writing(
        editor,
        {"body": body},
        html={"body": html},
        public=topic["board_visibility"] == Visibility.PUBLIC,
        new_item=False,
    )
    # An edit that screening holds goes back to waiting; a moderator's own edit never does.
    status = PostStatus.PENDING if verdict.held else row["status"]
    now = clock.now()
    async with database.transaction():
        await PostRevision.create(post_id=post_id, editor_id=editor.id, body=row["body"])
        await Post.filter(id=post_id).update(
            body=body, body_html=html, edited_at=now, status=status
        )
        await verdict.record(target_type="post", target_id=post_id, author_id=row["author_id"])
        await Topic.filter(id=row["topic_id"]).update(version=F("version") + 1)
        await events.publish(
            "boards.post_edited", events.EVERYONE, topic_id=row["topic_id"], post_id=post_id
        )
    edited = {**row, "body": body, "body_html": html, "edited_at": now, "status": status}
    # The post's writer mentions people, whoever edits it (a moderator tidying it up).
    writer = await User.get_or_none(id=row["author_id"])
    if writer is not None and status == PostStatus.VISIBLE:
        topic = await access_topic(editor, row["topic_id"])
        await notices.tell_of_post(writer, topic, edited, may_read_topic, is_reply=False)
    return {**as_seen_by(editor, edited), "notice": verdict.notice, "held": verdict.held}


async def delete_post(actor: User | None, post_id: int) -> None:
    """Soft-delete: the text is kept for moderators, everyone else sees that it was removed."""
    row = await access_post(actor, post_id, to_change=True)
    async with database.transaction():
        changed = (
            await Post.filter(id=post_id)
            .exclude(status=PostStatus.DELETED)
            .update(status=PostStatus.DELETED)
        )
        if changed:
            await Topic.filter(id=row["topic_id"]).update(
                post_count=F("post_count") - 1, version=F("version") + 1
            )
            await events.publish(
                "boards.post_deleted", events.EVERYONE, topic_id=row["topic_id"], post_id=post_id
            )


async def post_history(actor: User | None, post_id: int) -> tuple[dict[str, Any], list[Any]]:
    """A post and its earlier versions, newest first: for its author and moderators only."""
    row = await access_post(actor, post_id)
    if not row["can_see_history"]:
        raise NotFound("That post's history is not available.")
    revisions = (
        await PostRevision.filter(post_id=post_id)
        .order_by("-id")
        .values("id", "body", "created_at", editor_username="editor__username")
    )
    return row, revisions


async def has_replied_to(recipient_id: int, sender_id: int) -> bool:
    """Whether the recipient replied in a topic the sender started: what boards count as
    having interacted, for who may message whom (forum.accounts.blocks)."""
    found = await database.fetch(
        "SELECT 1 AS replied FROM posts p JOIN topics t ON t.id = p.topic_id "
        "WHERE p.author_id = ? AND t.author_id = ? AND p.status <> ? LIMIT 1",
        (recipient_id, sender_id, PostStatus.DELETED.value),
    )
    return bool(found)


async def locate_post(actor: User | None, post_id: int) -> tuple[int, int]:
    """The topic a post belongs to and the number of the topic_page that shows it."""
    row = await access_post(actor, post_id)
    # Deleted posts stay in the numbering as tombstones, so count every earlier post.
    earlier = await Post.filter(topic_id=row["topic_id"], id__lt=post_id).count()
    return row["topic_id"], earlier // POSTS_PER_PAGE + 1
