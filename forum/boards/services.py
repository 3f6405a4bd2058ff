"""Board and topic rules: who may read and start what, and in which order topics come."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from forum import clock, database
from forum.accounts.forms import FieldErrors
from forum.accounts.models import User
from forum.accounts.services import require_admin
from forum.boards import forms
from forum.boards.models import Board, Post, Topic
from forum.errors import BadRequest, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from forum.pagination import Page, cursor_id, decode_cursor, encode_cursor
from moderation.sanitizing import render_markdown
from realtime import events

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


def _can_see_board(actor: User | None, visibility: str) -> bool:
    return visibility == "public" or actor is not None


def require_member(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    return actor


def post_row(post: Post, author: User) -> dict[str, Any]:
    row = {name: getattr(post, name) for name in POST_COLUMNS}
    row.update(author_username=author.username, author_display_name=author.display_name)
    return row


# Read on every topic view: written by hand, the query builder would cost more than the query.
_TOPIC_SELECT = (
    "SELECT t.id, t.board_id, t.title, t.author_id, t.created_at, t.last_activity_at, "
    "t.post_count, t.locked, t.pinned, t.version, b.slug AS board_slug, b.name AS board_name, "
    "b.visibility AS board_visibility, u.username AS author_username, "
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
    if not html.strip():
        raise InvalidInput(fields={"body": "This would show as nothing; write a few words."})
    return html


# Boards ---------------------------------------------------------------------------------------


async def list_boards(actor: User | None) -> list[dict[str, Any]]:
    """Boards this person may read, in the order administrators chose."""
    query = Board.all() if actor is not None else Board.filter(visibility="public")
    return await query.order_by("position", "id").values(
        "id", "slug", "name", "description", "visibility", "position"
    )


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


async def access_board(actor: User | None, slug: str) -> Board:
    """The board, if it exists and this person may read it."""
    well_formed = len(slug) <= forms.SLUG_MAX and forms.SLUG_RE.fullmatch(slug)
    board = await Board.get_or_none(slug=slug) if well_formed else None
    if board is None:
        raise NotFound("There is no board by that name.")
    if not _can_see_board(actor, board.visibility):
        raise NotAuthenticated("This board is for members; please sign in to read it.")
    return board


async def create_board(actor: User | None, data: Mapping[str, Any]) -> Board:
    require_admin(actor)
    errors = FieldErrors()
    values = forms.board(data, errors)
    errors.raise_if_any()
    if "position" not in values:
        last = await Board.all().order_by("-position").first().values("position")
        values["position"] = (last["position"] + 1) if last else 0
    try:
        board = await Board.create(**values)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "A board already uses that address."}) from None
    events.publish("boards.board_created", board_id=board.id)
    return board


async def update_board(actor: User | None, board_id: int, data: Mapping[str, Any]) -> Board:
    require_admin(actor)
    board = await Board.get_or_none(id=board_id)
    if board is None:
        raise NotFound("There is no such board.")
    errors = FieldErrors()
    values = forms.board(data, errors, partial=True)
    errors.raise_if_any()
    board.update_from_dict(values)
    try:
        await board.save()
    except IntegrityError:
        raise InvalidInput(fields={"slug": "A board already uses that address."}) from None
    events.publish("boards.board_updated", board_id=board.id)
    return board


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
    async with in_transaction():
        for position, bid in enumerate(ordered):
            await Board.filter(id=bid).update(position=position)
    events.publish("boards.board_moved", board_id=board_id)


# Topics ---------------------------------------------------------------------------------------


async def list_topics(
    actor: User | None, slug: str, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """A board's topics: pinned first, then the most recently active."""
    _, page = await board_page(actor, slug, cursor=cursor, limit=limit)
    return page


async def board_page(
    actor: User | None, slug: str, *, cursor: str | None = None, limit: int = 20
) -> tuple[Board, Page[dict[str, Any]]]:
    """A board and one page of its topics, pinned first, then the most recently active."""
    board = await access_board(actor, slug)
    after = decode_cursor(cursor, 3)
    if after is None:
        rows = await _topics("WHERE t.board_id = ? " + _TOPIC_ORDER, (board.id, limit + 1))
    else:
        pinned, moment, last_id = after
        if not isinstance(pinned, bool):
            raise BadRequest("That page link is not valid.", code="invalid_cursor")
        when, last_id = _cursor_time(moment), cursor_id(last_id)
        rows = await _topics(
            "WHERE t.board_id = ? " + _AFTER_CURSOR + _TOPIC_ORDER,
            (board.id, pinned, pinned, when, when, last_id, limit + 1),
        )
    return board, page_of(
        rows, limit, lambda r: (r["pinned"], r["last_activity_at"].isoformat(), r["id"])
    )


async def latest_topics(actor: User | None, limit: int = 10) -> list[dict[str, Any]]:
    """The most recently active topics across the boards this person may read."""
    where = "" if actor is not None else "WHERE b.visibility = 'public' "
    return await _topics(where + "ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?", (limit,))


async def _topics(condition: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    # Every change to what this reads publishes a boards or accounts event: cacheable.
    return await database.fetch(
        _TOPIC_SELECT + condition, params, times=_TOPIC_TIMES, flags=_TOPIC_FLAGS, cached=True
    )


def _cursor_time(raw: object) -> datetime:
    try:
        if not isinstance(raw, str):
            raise ValueError
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(UTC)
    except ValueError:
        raise BadRequest("That page link is not valid.", code="invalid_cursor") from None


def page_of(rows: list[dict[str, Any]], limit: int, key: Any) -> Page[dict[str, Any]]:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(*key(rows[-1])) if more and rows else None)


async def access_topic(actor: User | None, topic_id: int) -> dict[str, Any]:
    """A topic as a row (with its board), if this person may read it."""
    rows = await _topics("WHERE t.id = ?", (topic_id,))
    if not rows:
        raise NotFound("That topic does not exist.")
    row = rows[0]
    if not _can_see_board(actor, row["board_visibility"]):
        raise NotAuthenticated("This board is for members; please sign in to read it.")
    return row


async def writable_topic(actor: User, topic_id: int) -> dict[str, Any]:
    """Just what a reply needs to know about its topic (members may read every board)."""
    row: dict[str, Any] | None = await Topic.filter(id=topic_id).first().values("locked")
    if row is None:
        raise NotFound("That topic does not exist.")
    return row


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
    html = await render_body(body)
    async with in_transaction():
        topic = await Topic.create(
            board_id=board.id,
            author_id=author.id,
            title=title,
            last_activity_at=clock.now(),
            post_count=1,
        )
        post = await Post.create(topic_id=topic.id, author_id=author.id, body=body, body_html=html)
    events.publish("boards.topic_created", topic_id=topic.id, board_id=board.id)
    return await access_topic(author, topic.id), post_row(post, author)


async def update_topic(
    actor: User | None, topic_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Authors and moderators retitle; only moderators lock and pin."""
    user = require_member(actor)
    topic = await access_topic(user, topic_id)
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = forms.title(data, errors)
    for name in ("locked", "pinned"):
        value = forms.flag(data, name, errors)
        if value is not None:
            changes[name] = value
    errors.raise_if_any()
    if ("locked" in changes or "pinned" in changes) and not user.is_staff:
        raise PermissionDenied("Only moderators can lock or pin topics.")
    if "title" in changes and not (user.is_staff or topic["author_id"] == user.id):
        raise PermissionDenied("Only the author or a moderator can change the title.")
    if changes:
        await Topic.filter(id=topic_id).update(**changes, version=F("version") + 1)
        events.publish("boards.topic_updated", topic_id=topic_id, changes=sorted(changes))
    return await access_topic(user, topic_id)


async def editable_topic(actor: User | None, topic_id: int) -> dict[str, Any]:
    """A topic this person may retitle (its author or a moderator), for the edit form."""
    user = require_member(actor)
    topic = await access_topic(user, topic_id)
    if not (user.is_staff or topic["author_id"] == user.id):
        raise PermissionDenied("Only the author or a moderator can change the title.")
    return topic


async def board_for_admin(actor: User | None, board_id: int) -> Board:
    """A board by id, for administrators editing it."""
    require_admin(actor)
    board = await Board.get_or_none(id=board_id)
    if board is None:
        raise NotFound("There is no such board.")
    return board
