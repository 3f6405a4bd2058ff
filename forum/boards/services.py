"""Board, topic and post rules: who may read and write what, counts kept exact."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from forum import clock
from forum.accounts.forms import FieldErrors
from forum.accounts.models import User
from forum.boards import forms
from forum.boards.models import Board, Post, PostRevision, Topic
from forum.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from forum.pagination import Page, decode_cursor, encode_cursor
from moderation.sanitizing import render_markdown

POSTS_PER_PAGE = 20
_TOPIC_FIELDS = dict(
    board_slug="board__slug",
    author_username="author__username",
    author_display_name="author__display_name",
)
_TOPIC_COLUMNS = (
    "id",
    "board_id",
    "title",
    "author_id",
    "created_at",
    "last_activity_at",
    "post_count",
    "locked",
    "pinned",
    "version",
)
_POST_FIELDS = dict(author_username="author__username", author_display_name="author__display_name")
_POST_COLUMNS = (
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


def _require_member(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    return actor


def _require_staff(actor: User | None) -> User:
    user = _require_member(actor)
    if not user.is_staff:
        raise PermissionDenied("Only moderators can do that.")
    return user


# Boards ---------------------------------------------------------------------------------------


async def list_boards(actor: User | None) -> list[dict[str, Any]]:
    """Boards this person may read, in the order administrators chose."""
    query = Board.all() if actor is not None else Board.filter(visibility="public")
    return await query.order_by("position", "id").values(
        "id", "slug", "name", "description", "visibility", "position"
    )


async def access_board(actor: User | None, slug: str) -> Board:
    """The board, if it exists and this person may read it."""
    board = await Board.get_or_none(slug=slug) if forms.SLUG_RE.fullmatch(slug) else None
    if board is None:
        raise NotFound("There is no board by that name.")
    if not _can_see_board(actor, board.visibility):
        raise NotAuthenticated("This board is for members; please sign in to read it.")
    return board


async def create_board(actor: User | None, data: Mapping[str, Any]) -> Board:
    _require_admin(actor)
    errors = FieldErrors()
    values = forms.board(data, errors)
    errors.raise_if_any()
    if "position" not in values:
        last = await Board.all().order_by("-position").first().values("position")
        values["position"] = (last["position"] + 1) if last else 0
    try:
        return await Board.create(**values)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "A board already uses that address."}) from None


async def update_board(actor: User | None, board_id: int, data: Mapping[str, Any]) -> Board:
    _require_admin(actor)
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
    return board


async def move_board(actor: User | None, board_id: int, step: int) -> None:
    """Swap a board with its neighbour above (step -1) or below (step 1)."""
    _require_admin(actor)
    ids = await Board.all().order_by("position", "id").values_list("id", flat=True)
    ordered: list[int] = list(cast(list[int], ids))
    if board_id not in ordered:
        raise NotFound("There is no such board.")
    index = ordered.index(board_id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    async with in_transaction():
        for position, bid in enumerate(ordered):
            await Board.filter(id=bid).update(position=position)


def _require_admin(actor: User | None) -> User:
    user = _require_member(actor)
    if not user.is_admin:
        raise PermissionDenied("Only administrators can do that.")
    return user


# Topics ---------------------------------------------------------------------------------------


def _topic_query(actor: User | None) -> Any:
    query = Topic.all()
    if actor is None:
        query = query.filter(board__visibility="public")
    return query


async def list_topics(
    actor: User | None, slug: str, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """A board's topics: pinned first, then the most recently active."""
    board = await access_board(actor, slug)
    query = Topic.filter(board_id=board.id)
    after = decode_cursor(cursor, 3)
    if after is not None:
        pinned, moment, last_id = after
        when = _cursor_time(moment)
        if not isinstance(pinned, bool) or not isinstance(last_id, int):
            raise InvalidInput("That page link is not valid.", code="invalid_cursor")
        query = query.filter(
            Q(pinned__lt=pinned)
            | Q(pinned=pinned, last_activity_at__lt=when)
            | Q(pinned=pinned, last_activity_at=when, id__lt=last_id)
        )
    rows = (
        await query.order_by("-pinned", "-last_activity_at", "-id")
        .limit(limit + 1)
        .values(*_TOPIC_COLUMNS, **_TOPIC_FIELDS)
    )
    return _page(rows, limit, lambda r: (r["pinned"], r["last_activity_at"].isoformat(), r["id"]))


async def latest_topics(actor: User | None, limit: int = 10) -> list[dict[str, Any]]:
    """The most recently active topics across the boards this person may read."""
    rows: list[dict[str, Any]] = (
        await _topic_query(actor)
        .order_by("-last_activity_at", "-id")
        .limit(limit)
        .values(*_TOPIC_COLUMNS, **_TOPIC_FIELDS, board_name="board__name")
    )
    return rows


def _cursor_time(raw: object) -> datetime:
    try:
        if not isinstance(raw, str):
            raise ValueError
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("That page link is not valid.", code="invalid_cursor") from None


def _page(rows: list[dict[str, Any]], limit: int, key: Any) -> Page[dict[str, Any]]:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(*key(rows[-1])) if more and rows else None)


async def access_topic(actor: User | None, topic_id: int) -> dict[str, Any]:
    """A topic as a row (with its board), if this person may read it."""
    row = (
        await Topic.filter(id=topic_id)
        .first()
        .values(
            *_TOPIC_COLUMNS,
            **_TOPIC_FIELDS,
            board_name="board__name",
            board_visibility="board__visibility",
        )
    )
    if row is None:
        raise NotFound("That topic does not exist.")
    if not _can_see_board(actor, row["board_visibility"]):
        raise NotAuthenticated("This board is for members; please sign in to read it.")
    return row


async def create_topic(
    actor: User | None, slug: str, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a topic with its first post."""
    author = _require_member(actor)
    board = await access_board(author, slug)
    errors = FieldErrors()
    title = forms.title(data, errors)
    body = forms.body(data, errors)
    errors.raise_if_any()
    html = render_markdown(body)
    async with in_transaction():
        topic = await Topic.create(
            board_id=board.id,
            author_id=author.id,
            title=title,
            last_activity_at=clock.now(),
            post_count=1,
        )
        post = await Post.create(topic_id=topic.id, author_id=author.id, body=body, body_html=html)
    return await access_topic(author, topic.id), _post_row(post, author)


async def update_topic(
    actor: User | None, topic_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Authors and moderators retitle; only moderators lock and pin."""
    user = _require_member(actor)
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
    return await access_topic(user, topic_id)


# Posts ----------------------------------------------------------------------------------------


def _post_row(post: Post, author: User) -> dict[str, Any]:
    row = {name: getattr(post, name) for name in _POST_COLUMNS}
    row.update(author_username=author.username, author_display_name=author.display_name)
    return row


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
    query = Post.filter(topic_id=topic_id)
    if after is not None:
        if not isinstance(after[0], int):
            raise InvalidInput("That page link is not valid.", code="invalid_cursor")
        query = query.filter(id__gt=after[0])
    rows = await query.order_by("id").limit(limit + 1).values(*_POST_COLUMNS, **_POST_FIELDS)
    page = _page(rows, limit, lambda r: (r["id"],))
    return Page([_viewable(r, actor) for r in page.items], page.next_cursor)


async def topic_page(
    actor: User | None, topic_id: int, page: int
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """A topic, one numbered page of its posts, and whether another page follows."""
    topic = await access_topic(actor, topic_id)
    rows = (
        await Post.filter(topic_id=topic_id)
        .order_by("id")
        .offset((page - 1) * POSTS_PER_PAGE)
        .limit(POSTS_PER_PAGE + 1)
        .values(*_POST_COLUMNS, **_POST_FIELDS)
    )
    more = len(rows) > POSTS_PER_PAGE
    return topic, [_viewable(r, actor) for r in rows[:POSTS_PER_PAGE]], more


async def reply(actor: User | None, topic_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a post; a locked topic takes replies from moderators only."""
    author = _require_member(actor)
    topic = await access_topic(author, topic_id)
    if topic["locked"] and not author.is_staff:
        raise Conflict("This topic is locked; it takes no new replies.", code="topic_locked")
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    html = render_markdown(body)
    async with in_transaction():
        post = await Post.create(topic_id=topic_id, author_id=author.id, body=body, body_html=html)
        now = post.created_at
        # Counted in the database, not in Python: concurrent replies cannot lose an update.
        await Topic.filter(id=topic_id).update(
            post_count=F("post_count") + 1, version=F("version") + 1
        )
        await Topic.filter(id=topic_id, last_activity_at__lt=now).update(last_activity_at=now)
    return _post_row(post, author)


async def access_post(actor: User | None, post_id: int) -> dict[str, Any]:
    """A post as a row, if this person may read the topic it belongs to."""
    row = await Post.filter(id=post_id).first().values(*_POST_COLUMNS, **_POST_FIELDS)
    if row is None:
        raise NotFound("That post does not exist.")
    await access_topic(actor, row["topic_id"])
    return _viewable(row, actor)


async def _editable_post(actor: User | None, post_id: int) -> tuple[User, dict[str, Any]]:
    user = _require_member(actor)
    row = await access_post(user, post_id)
    if row["status"] == "deleted":
        raise Conflict("That post has been deleted.", code="post_deleted")
    if not (user.is_staff or row["author_id"] == user.id):
        raise PermissionDenied("Only the author or a moderator can change this post.")
    return user, row


async def edit_post(actor: User | None, post_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Change a post's text, keeping what it said before."""
    user, row = await _editable_post(actor, post_id)
    errors = FieldErrors()
    body = forms.body(data, errors)
    errors.raise_if_any()
    if body == row["body"]:
        return row
    html = render_markdown(body)
    now = clock.now()
    async with in_transaction():
        await PostRevision.create(post_id=post_id, editor_id=user.id, body=row["body"])
        await Post.filter(id=post_id).update(body=body, body_html=html, edited_at=now)
        await Topic.filter(id=row["topic_id"]).update(version=F("version") + 1)
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


async def post_history(actor: User | None, post_id: int) -> tuple[dict[str, Any], list[Any]]:
    """A post and its earlier versions, newest first (not for deleted or hidden posts)."""
    row = await access_post(actor, post_id)
    if not row["body_html"]:
        raise NotFound("That post's history is not available.")
    revisions = (
        await PostRevision.filter(post_id=post_id)
        .order_by("-id")
        .values("id", "body", "created_at", editor_username="editor__username")
    )
    return row, revisions


# Pages ----------------------------------------------------------------------------------------


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


async def editable_topic(actor: User | None, topic_id: int) -> dict[str, Any]:
    """A topic this person may retitle (its author or a moderator), for the edit form."""
    user = _require_member(actor)
    topic = await access_topic(user, topic_id)
    if not (user.is_staff or topic["author_id"] == user.id):
        raise PermissionDenied("Only the author or a moderator can change the title.")
    return topic


async def board_for_admin(actor: User | None, board_id: int) -> Board:
    """A board by id, for administrators editing it."""
    _require_admin(actor)
    board = await Board.get_or_none(id=board_id)
    if board is None:
        raise NotFound("There is no such board.")
    return board
