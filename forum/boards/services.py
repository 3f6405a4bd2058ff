"""Board and topic rules: who may read, start and change what, and in which order topics come."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from forum import clock, database, events, ratelimits
from forum.accounts import blocks, standing, trust
from forum.accounts.models import User
from forum.accounts.services import is_owner_or_staff, is_staff, require_admin
from forum.boards import forms, notices
from forum.boards.models import Board, Post, PostStatus, Topic, TopicStatus, Visibility
from forum.content.sanitizer import render_markdown
from forum.errors import BadRequest, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from forum.guards import require_member
from forum.pagination import Page, cursor_id, cursor_time, decode_cursor, page_of
from forum.validation import FieldErrors, html_has_visible_text

POSTS_PER_PAGE = 20
POST_COLUMNS = (
    "id",
    "topic_id",
    "author_id",
    "body",
    "body_html",
    "created_at",
    "edited_at",
    "status",
)
BOARD_COLUMNS = ("id", "slug", "name", "description", "visibility", "position")
_BOARD_SQL = f"SELECT {', '.join(BOARD_COLUMNS)} FROM boards WHERE slug = ?"  # noqa: S608


# Who may do what: each rule written once, here; pages and the API ask, never re-derive. --------


_PUBLIC_ONLY = (Visibility.PUBLIC.value,)
_ALL_VISIBILITIES = tuple(v.value for v in Visibility)
_VISIBLE_ONLY = (TopicStatus.VISIBLE.value,)
_ALL_TOPIC_STATUSES = tuple(s.value for s in TopicStatus)


def readable_visibilities(actor: User | None) -> tuple[str, ...]:
    """Visitors read public boards; every signed-in member reads every board."""
    if actor is None:
        return _PUBLIC_ONLY
    return _ALL_VISIBILITIES


def readable_topic_statuses(actor: User | None) -> tuple[str, ...]:
    """What lists show: a topic a moderator hid, or one held for review, to moderators alone."""
    if is_staff(actor):
        return _ALL_TOPIC_STATUSES
    return _VISIBLE_ONLY


def may_read_topic(actor: User | None, topic: Mapping[str, Any]) -> bool:
    """Whether this person may read a topic row: its status and its board's visibility."""
    return topic["status"] in readable_topic_statuses(actor) and topic[
        "board_visibility"
    ] in readable_visibilities(actor)


def may_open_topic(actor: User | None, topic: Mapping[str, Any]) -> bool:
    """Lists' rule, and a held topic opens for its author too (to see that it waits)."""
    if topic["status"] in readable_topic_statuses(actor):
        return True
    return topic["status"] == TopicStatus.PENDING and is_owner_or_staff(actor, topic["author_id"])


def may_start_topic(actor: User | None) -> bool:
    return actor is not None


def may_retitle(actor: User | None, topic: Mapping[str, Any]) -> bool:
    return is_owner_or_staff(actor, topic["author_id"])


def may_lock_or_pin(actor: User | None) -> bool:
    return is_staff(actor)


def may_reply(actor: User | None, topic: Mapping[str, Any]) -> bool:
    """Members reply; a locked topic takes replies from moderators only."""
    return actor is not None and (not topic["locked"] or is_staff(actor))


def topic_abilities(actor: User | None, topic: Mapping[str, Any]) -> dict[str, bool]:
    """What this viewer may do with this topic, for its page to offer."""
    return {
        "can_retitle": may_retitle(actor, topic),
        "can_lock_or_pin": may_lock_or_pin(actor),
        "can_reply": may_reply(actor, topic),
    }


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in values)


def post_row(post: Post, author: User) -> dict[str, Any]:
    row = {name: getattr(post, name) for name in POST_COLUMNS}
    row.update(author_username=author.username, author_display_name=author.display_name)
    return row


# Read on every topic view: written by hand, the query builder would cost more than the query.
_TOPIC_SELECT = (
    "SELECT t.id, t.board_id, t.title, t.author_id, t.created_at, t.last_activity_at, "
    "t.post_count, t.locked, t.pinned, t.status, t.version, b.slug AS board_slug, "
    "b.name AS board_name, b.visibility AS board_visibility, u.username AS author_username, "
    "u.display_name AS author_display_name "
    "FROM topics t JOIN boards b ON b.id = t.board_id JOIN users u ON u.id = t.author_id "
)
# Keyset pagination in the list's own order: pinned first, newest activity, then id.
_AFTER_CURSOR = (
    "AND (t.pinned < ? OR (t.pinned = ? AND (t.last_activity_at < ? "
    "OR (t.last_activity_at = ? AND t.id < ?)))) "
)
_TOPIC_ORDER = "ORDER BY t.pinned DESC, t.last_activity_at DESC, t.id DESC LIMIT ?"
_TOPIC_TIMES = ("created_at", "last_activity_at")
_TOPIC_FLAGS = ("locked", "pinned")
POST_SQL = (
    "SELECT p.id, p.topic_id, p.author_id, p.body, p.body_html, p.created_at, p.edited_at, "
    "p.status, u.username AS author_username, u.display_name AS author_display_name "
    "FROM posts p JOIN users u ON u.id = p.author_id "
)
POST_TIMES = ("created_at", "edited_at")


async def render_body(body: str) -> str:
    """A post's HTML, rendered off the event loop (a long post takes a while to sanitize)."""
    html = await asyncio.to_thread(render_markdown, body)
    if not html_has_visible_text(html):
        raise InvalidInput(fields={"body": "This would show as nothing; write a few words."})
    return html


# Boards ---------------------------------------------------------------------------------------


async def list_boards(actor: User | None) -> list[dict[str, Any]]:
    """Boards this person may read, in the order administrators chose."""
    query = Board.filter(visibility__in=readable_visibilities(actor))
    return await query.order_by("position", "id").values(*BOARD_COLUMNS)


async def board_listing(
    actor: User | None, *, cursor: str | None = None, limit: int = 100
) -> Page[dict[str, Any]]:
    """One page of the boards this person may read (a community has a few dozen at most)."""
    boards = await list_boards(actor)
    after = decode_cursor(cursor, 1)
    start = 0
    if after is not None:
        last_id = cursor_id(after[0])
        start = next((i + 1 for i, b in enumerate(boards) if b["id"] == last_id), len(boards))
    return page_of(boards[start : start + limit + 1], limit, lambda b: (b["id"],))


def _refuse_unreadable_board(actor: User | None, visibility: str) -> None:
    if visibility not in readable_visibilities(actor):
        raise NotAuthenticated("This board is for members; please sign in to read it.")


async def access_board(actor: User | None, slug: str) -> dict[str, Any]:
    """The board as a row, if it exists and this person may read it."""
    well_formed = len(slug) <= forms.SLUG_MAX and forms.SLUG_RE.fullmatch(slug)
    # Every change to a board publishes a boards event, which clears the content cache.
    found = await database.fetch(_BOARD_SQL, (slug,), cached=True) if well_formed else []
    if not found:
        raise NotFound("There is no board by that name.")
    board = found[0]
    _refuse_unreadable_board(actor, board["visibility"])
    board["can_start_topic"] = may_start_topic(actor)
    return board


async def create_board(actor: User | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a board at the end of the list (administrators)."""
    require_admin(actor)
    errors = FieldErrors()
    values = forms.board(data, errors)
    errors.raise_if_any()
    if "position" not in values:
        last = await Board.all().order_by("-position").first().values("position")
        values["position"] = (last["position"] + 1) if last else 0
    try:
        async with database.transaction():
            board = await Board.create(**values)
            await events.publish("boards.board_created", events.EVERYONE, board_id=board.id)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "A board already uses that address."}) from None
    return _board_row(board)


def _board_row(board: Board) -> dict[str, Any]:
    return {name: getattr(board, name) for name in BOARD_COLUMNS}


async def update_board(
    actor: User | None, board_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Change a board's address, name, description, visibility or position (administrators)."""
    require_admin(actor)
    board = await Board.get_or_none(id=board_id)
    if board is None:
        raise NotFound("There is no such board.")
    errors = FieldErrors()
    values = forms.board(data, errors, partial=True)
    errors.raise_if_any()
    board.update_from_dict(values)
    try:
        async with database.transaction():
            await board.save()
            await events.publish("boards.board_updated", events.EVERYONE, board_id=board.id)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "A board already uses that address."}) from None
    return _board_row(board)


async def move_board(actor: User | None, board_id: int, step: object) -> None:
    """Swap a board with its neighbour above (step -1) or below (step 1)."""
    require_admin(actor)
    if step not in (-1, 1, "-1", "1"):
        raise BadRequest("Move a board by -1 or 1.", code="invalid_step")
    ids = await Board.all().order_by("position", "id").values_list("id", flat=True)
    ordered: list[int] = list(cast(list[int], ids))
    if board_id not in ordered:
        raise NotFound("There is no such board.")
    index = ordered.index(board_id)
    other = index + (-1 if step in (-1, "-1") else 1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    async with database.transaction():
        for position, bid in enumerate(ordered):
            await Board.filter(id=bid).update(position=position)
        await events.publish("boards.board_moved", events.EVERYONE, board_id=board_id)


# Topics ---------------------------------------------------------------------------------------


async def list_topics(
    actor: User | None, slug: str, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """A board's topics: pinned first, then the most recently active."""
    _, page = await board_page(actor, slug, cursor=cursor, limit=limit)
    return page


async def board_page(
    actor: User | None, slug: str, *, cursor: str | None = None, limit: int = 20
) -> tuple[dict[str, Any], Page[dict[str, Any]]]:
    """A board and one page of its topics, pinned first, then the most recently active."""
    board = await access_board(actor, slug)
    statuses = readable_topic_statuses(actor)
    where = f"WHERE t.board_id = ? AND t.status IN ({_sql_list(statuses)}) "
    where += await _not_by_blocked(actor)
    after = decode_cursor(cursor, 3)
    # The rows only pass through to a page or a serializer, which make new ones of them: the
    # cache's own will do, and they keep the key the page's fragment is remembered by.
    if after is None:
        rows = await _topics(where + _TOPIC_ORDER, (board["id"], *statuses, limit + 1), shared=True)
    else:
        pinned, moment, last_id = after
        if not isinstance(pinned, bool):
            raise BadRequest("That page link is not valid.", code="invalid_cursor")
        when, last_id = cursor_time(moment), cursor_id(last_id)
        rows = await _topics(
            where + _AFTER_CURSOR + _TOPIC_ORDER,
            (board["id"], *statuses, pinned, pinned, when, when, last_id, limit + 1),
            shared=True,
        )
    page = page_of(rows, limit, lambda r: (r["pinned"], r["last_activity_at"].isoformat(), r["id"]))
    return board, Page(rows.derived(page.items, limit), page.next_cursor)


async def latest_topics(actor: User | None, limit: int = 10) -> list[dict[str, Any]]:
    """The most recently active topics across the boards this person may read."""
    boards, statuses = readable_visibilities(actor), readable_topic_statuses(actor)
    where = f"WHERE b.visibility IN ({_sql_list(boards)}) AND t.status IN ({_sql_list(statuses)}) "
    where += await _not_by_blocked(actor)
    return await _topics(
        where + "ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?", (*boards, *statuses, limit)
    )


async def _not_by_blocked(actor: User | None) -> str:
    """Lists leave out the topics of people this viewer blocked (a direct link still opens)."""
    return f"AND {blocks.not_written_by('t.author_id', await blocks.blocked_ids(actor))} "


async def _topics(
    condition: str, params: tuple[Any, ...], *, shared: bool = False
) -> database.Rows:
    # Every change to what this reads publishes a boards or accounts event: cacheable.
    return await database.fetch(
        _TOPIC_SELECT + condition,
        params,
        times=_TOPIC_TIMES,
        flags=_TOPIC_FLAGS,
        cached=True,
        shared=shared,
    )


async def access_topic(
    actor: User | None, topic_id: int, *, to_retitle: bool = False
) -> dict[str, Any]:
    """A topic as a row (with its board and this viewer's abilities), if this person may read it.

    to_retitle also requires that they may change its title (its author or a moderator).
    """
    rows = await _topics("WHERE t.id = ?", (topic_id,))
    if not rows or not may_open_topic(actor, rows[0]):
        raise NotFound("That topic does not exist.")
    topic = rows[0]
    _refuse_unreadable_board(actor, topic["board_visibility"])
    topic.update(topic_abilities(actor, topic))
    if to_retitle and not topic["can_retitle"]:
        if actor is None:
            raise NotAuthenticated()
        raise PermissionDenied("Only the author or a moderator can change the title.")
    return topic


async def create_topic(
    actor: User | None, slug: str, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a topic with its first post."""
    author = require_member(actor)
    board = await access_board(author, slug)
    errors = FieldErrors()
    title = forms.title(data, errors)
    body = forms.body(data, errors)
    errors.raise_if_any()
    standing.require_voice(author)
    await ratelimits.check_action("topic", actor_id=author.id)
    html = await render_body(body)
    verdict = await trust.screen_writing(
        author,
        {"title": title, "body": body},
        html={"body": html},
        public=board["visibility"] == Visibility.PUBLIC,
    )
    # A held topic waits with its first post: lists leave it out (its title could be what was
    # held), its author and moderators open it. Approving it makes both visible.
    status = PostStatus.PENDING if verdict.held else PostStatus.VISIBLE
    async with database.transaction():
        topic = await Topic.create(
            board_id=board["id"],
            author_id=author.id,
            title=title,
            last_activity_at=clock.now(),
            post_count=1,
            status=TopicStatus.PENDING if verdict.held else TopicStatus.VISIBLE,
        )
        post = await Post.create(
            topic_id=topic.id, author_id=author.id, body=body, body_html=html, status=status
        )
        await verdict.record(target_type="topic", target_id=topic.id, author_id=author.id)
        await events.publish(
            "boards.topic_created", events.EVERYONE, topic_id=topic.id, board_id=board["id"]
        )
    created, first = await access_topic(author, topic.id), post_row(post, author)
    if not verdict.held:  # a held topic tells nobody until a moderator lets it out
        await notices.tell_of_post(author, created, first, may_read_topic, is_reply=False)
    return created, {**first, "notice": verdict.notice, "held": verdict.held}


@trust.counts_activity
async def post_activity(user_id: int, since: datetime) -> trust.Activity:
    """A person's posts (a topic counts through its first post), for the trust rules."""
    mine = Post.filter(author_id=user_id)
    return trust.Activity(
        total=await mine.count(),
        since=await mine.filter(created_at__gte=since).count(),
        visible=await mine.filter(status=PostStatus.VISIBLE).count(),
    )


async def update_topic(
    actor: User | None, topic_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Authors and moderators retitle; only moderators lock and pin."""
    user = require_member(actor)
    topic = await access_topic(user, topic_id)
    errors = FieldErrors()
    changes = forms.TOPIC_CHANGE.read(data, errors)
    errors.raise_if_any()
    if ("locked" in changes or "pinned" in changes) and not topic["can_lock_or_pin"]:
        raise PermissionDenied("Only moderators can lock or pin topics.")
    if "title" in changes and not topic["can_retitle"]:
        raise PermissionDenied("Only the author or a moderator can change the title.")
    verdict = None
    if "title" in changes:
        # A topic already shown cannot go back to waiting: a held word in a new title flags it.
        verdict = await trust.screen_writing(
            user, {"title": changes["title"]}, new_item=False, can_hold=False
        )
    if changes:
        async with database.transaction():
            await Topic.filter(id=topic_id).update(**changes, version=F("version") + 1)
            if verdict is not None:
                await verdict.record(target_type="topic", target_id=topic_id, author_id=user.id)
            await events.publish(
                "boards.topic_updated", events.EVERYONE, topic_id=topic_id, changes=sorted(changes)
            )
    return await access_topic(user, topic_id)


async def access_board_for_admin(actor: User | None, board_id: int) -> dict[str, Any]:
    """A board by id as a row, for administrators editing it."""
    require_admin(actor)
    board = await Board.filter(id=board_id).first().values(*BOARD_COLUMNS)
    if board is None:
        raise NotFound("There is no such board.")
    return board
