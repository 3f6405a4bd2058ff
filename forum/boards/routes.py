"""Board pages: topic lists, topics and their posts, writing and editing, board admin."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts import services as accounts_services
from forum.accounts.middleware import require_user
from forum.boards import posts, services
from forum.boards.forms import BODY_MAX, TITLE_MAX
from forum.boards.models import Visibility
from forum.content.screening import notice_key
from forum.errors import InvalidInput, NotFound, WriteRefused

MAX_PAGE = 100_000
LIMITS = {"title_max": TITLE_MAX, "body_max": BODY_MAX, "per_page": services.POSTS_PER_PAGE}


def _page_number(request: Request) -> int:
    page = web.query_int(request, "page", 1)
    if page is None or not 1 <= page <= MAX_PAGE:
        raise NotFound("There is no such page in this topic.")
    return page


def _flag(raw: str | None) -> bool | str | None:
    """A button's "true" or "false" as a bool; anything else as is, for the service to refuse."""
    return {"true": True, "false": False}.get(raw or "", raw)


def _with_notice(url: str, post: dict[str, Any]) -> str:
    """Tell the author when screening held what they wrote (by key: no text in the URL)."""
    key = notice_key(post.get("held"))
    return f"{url}{'&' if '?' in url else '?'}notice={key}" if key else url


# Reading --------------------------------------------------------------------------------------


async def board(request: Request) -> Response:
    """A board's topics: pinned first, then the most recently active."""
    slug, cursor = request.path_params["slug"], request.query_params.get("cursor")
    found, page = await services.board_page(request.state.user, slug, cursor=cursor)
    return web.render(
        request,
        "boards/board.html",
        {"board": found, "topics": page.items, "next_cursor": page.next_cursor, "older": cursor},
    )


async def topic(request: Request) -> Response:
    """One numbered page of a topic's posts, with the reply form at the bottom."""
    page = _page_number(request)
    found, shown, more = await posts.topic_page(request.state.user, request.path_params["id"], page)
    if page > 1 and not shown:
        raise NotFound("There is no such page in this topic.")
    return web.render(
        request,
        "boards/topic.html",
        {"topic": found, "posts": shown, "more": more, "page": page, "form": {}, **LIMITS},
    )


async def post(request: Request) -> Response:
    """A post's permanent link: the topic page that shows it, scrolled to it."""
    topic_id, page = await posts.locate_post(request.state.user, request.path_params["id"])
    return web.redirect(f"/t/{topic_id}?page={page}#post-{request.path_params['id']}")


async def history(request: Request) -> Response:
    """A post as it reads now and every earlier version of its text."""
    current, revisions = await posts.post_history(request.state.user, request.path_params["id"])
    return web.render(
        request, "boards/post_history.html", {"post": current, "revisions": revisions}
    )


# Writing --------------------------------------------------------------------------------------


async def topic_new_form(request: Request) -> Response:
    """The form to start a topic."""
    found = await services.access_board(require_user(request), request.path_params["slug"])
    return web.render(request, "boards/topic_new.html", {"board": found, "form": {}, **LIMITS})


async def topic_new(request: Request) -> Response:
    """Start a topic, then show it."""
    form = await web.read_form(request)
    slug = request.path_params["slug"]
    try:
        created, first = await services.create_topic(request.state.user, slug, form)
    except (InvalidInput, WriteRefused) as exc:
        found = await services.access_board(request.state.user, slug)
        return web.refused(request, "boards/topic_new.html", exc, form, board=found, **LIMITS)
    return web.redirect(_with_notice(f"/t/{created['id']}", first))


async def reply(request: Request) -> Response:
    """Add a reply and land on it; a refused reply comes back with its draft kept."""
    topic_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        added = await posts.reply(request.state.user, topic_id, form)
    except (InvalidInput, WriteRefused) as exc:
        page = _page_number(request)
        found, shown, more = await posts.topic_page(request.state.user, topic_id, page)
        return web.refused(
            request,
            "boards/topic.html",
            exc,
            form,
            topic=found,
            posts=shown,
            more=more,
            page=page,
            **LIMITS,
        )
    _, page = await posts.locate_post(request.state.user, added["id"])
    return web.redirect(_with_notice(f"/t/{topic_id}?page={page}", added) + f"#post-{added['id']}")


async def topic_edit_form(request: Request) -> Response:
    """The form to change a topic's title."""
    found = await services.access_topic(
        request.state.user, request.path_params["id"], to_retitle=True
    )
    return web.render(
        request,
        "boards/topic_edit.html",
        {"topic_id": found["id"], "form": {"title": found["title"]}, **LIMITS},
    )


async def topic_edit(request: Request) -> Response:
    """Save a new title."""
    topic_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await services.update_topic(request.state.user, topic_id, {"title": form.get("title")})
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(
            request, "boards/topic_edit.html", exc, form, topic_id=topic_id, **LIMITS
        )
    return web.redirect(f"/t/{topic_id}")


async def moderate(request: Request) -> Response:
    """Lock, unlock, pin or unpin a topic (moderators)."""
    topic_id = request.path_params["id"]
    form = await web.read_form(request)
    changes: dict[str, Any] = {n: _flag(form.get(n)) for n in ("locked", "pinned") if n in form}
    await services.update_topic(request.state.user, topic_id, changes)
    return web.redirect(f"/t/{topic_id}")


async def post_edit_form(request: Request) -> Response:
    """The form to change a post's text."""
    found = await posts.access_post(request.state.user, request.path_params["id"], to_change=True)
    return web.render(
        request, "boards/post_edit.html", {"post": found, "form": {"body": found["body"]}, **LIMITS}
    )


async def post_edit(request: Request) -> Response:
    """Save the new text; the old one stays in the post's history."""
    post_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        edited = await posts.edit_post(request.state.user, post_id, {"body": form.get("body")})
    except (InvalidInput, WriteRefused) as exc:
        found = await posts.access_post(request.state.user, post_id, to_change=True)
        return web.refused(request, "boards/post_edit.html", exc, form, post=found, **LIMITS)
    if not edited.get("held"):
        return web.redirect(f"/p/{post_id}")
    topic_id, page = await posts.locate_post(request.state.user, post_id)
    return web.redirect(_with_notice(f"/t/{topic_id}?page={page}", edited) + f"#post-{post_id}")


async def post_delete_form(request: Request) -> Response:
    """Ask before deleting a post."""
    found = await posts.access_post(request.state.user, request.path_params["id"], to_change=True)
    return web.render(request, "boards/post_delete.html", {"post": found})


async def post_delete(request: Request) -> Response:
    """Delete a post; it stays in the topic as a tombstone."""
    await posts.delete_post(request.state.user, request.path_params["id"])
    return web.redirect(f"/p/{request.path_params['id']}")


# Board administration -------------------------------------------------------------------------


async def admin_boards(request: Request) -> Response:
    """Every board, in order, with the form to add one (administrators)."""
    boards = await services.list_boards(accounts_services.require_admin(request.state.user))
    return web.render(
        request,
        "boards/admin_boards.html",
        {"boards": boards, "form": {"visibility": Visibility.PUBLIC.value}},
    )


async def admin_board_create(request: Request) -> Response:
    """Add a board at the end of the list."""
    form = await web.read_form(request)
    try:
        await services.create_board(request.state.user, form)
    except (InvalidInput, WriteRefused) as exc:
        boards = await services.list_boards(request.state.user)
        return web.refused(request, "boards/admin_boards.html", exc, form, boards=boards)
    return web.redirect("/admin/boards?notice=board_created")


async def admin_board_move(request: Request) -> Response:
    """Move a board one place up (step -1) or down (step 1)."""
    form = await web.read_form(request)
    await services.move_board(request.state.user, request.path_params["id"], form.get("step"))
    return web.redirect("/admin/boards")


async def admin_board_edit_form(request: Request) -> Response:
    """The form to change a board."""
    found = await services.access_board_for_admin(request.state.user, request.path_params["id"])
    form = {name: found[name] for name in ("slug", "name", "description", "visibility")}
    return web.render(
        request, "boards/admin_board_edit.html", {"board_id": found["id"], "form": form}
    )


async def admin_board_edit(request: Request) -> Response:
    """Save a board's address, name, description and visibility."""
    board_id = request.path_params["id"]
    form = await web.read_form(request)
    fields = ("slug", "name", "description", "visibility")
    try:
        await services.update_board(
            request.state.user, board_id, {k: v for k, v in form.items() if k in fields}
        )
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "boards/admin_board_edit.html", exc, form, board_id=board_id)
    return web.redirect("/admin/boards?notice=saved")


routes: list[BaseRoute] = [
    Route("/b/{slug}", board, methods=["GET"], name="boards:board"),
    Route("/b/{slug}/new", topic_new_form, methods=["GET"], name="boards:topic_new"),
    Route("/b/{slug}/new", topic_new, methods=["POST"], name="boards:topic_new_submit"),
    Route("/t/{id:id}", topic, methods=["GET"], name="boards:topic"),
    Route("/t/{id:id}/reply", reply, methods=["POST"], name="boards:reply"),
    Route("/t/{id:id}/edit", topic_edit_form, methods=["GET"], name="boards:topic_edit"),
    Route("/t/{id:id}/edit", topic_edit, methods=["POST"], name="boards:topic_edit_submit"),
    Route("/t/{id:id}/moderate", moderate, methods=["POST"], name="boards:moderate"),
    Route("/p/{id:id}", post, methods=["GET"], name="boards:post"),
    Route("/p/{id:id}/edit", post_edit_form, methods=["GET"], name="boards:post_edit"),
    Route("/p/{id:id}/edit", post_edit, methods=["POST"], name="boards:post_edit_submit"),
    Route("/p/{id:id}/delete", post_delete_form, methods=["GET"], name="boards:post_delete"),
    Route("/p/{id:id}/delete", post_delete, methods=["POST"], name="boards:post_delete_submit"),
    Route("/p/{id:id}/history", history, methods=["GET"], name="boards:post_history"),
    Route("/admin/boards", admin_boards, methods=["GET"], name="boards:admin"),
    Route("/admin/boards", admin_board_create, methods=["POST"], name="boards:admin_create"),
    Route(
        "/admin/boards/{id:id}/move", admin_board_move, methods=["POST"], name="boards:admin_move"
    ),
    Route(
        "/admin/boards/{id:id}/edit",
        admin_board_edit_form,
        methods=["GET"],
        name="boards:admin_edit",
    ),
    Route(
        "/admin/boards/{id:id}/edit",
        admin_board_edit,
        methods=["POST"],
        name="boards:admin_edit_submit",
    ),
]
