"""JSON API for boards, topics and posts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, web
from forum.boards import posts, services
from forum.pagination import Page, clamp_limit


def board_json(board: dict[str, Any]) -> dict[str, Any]:
    return {name: board[name] for name in services.BOARD_COLUMNS}


def _author(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["author_id"],
        "username": row["author_username"],
        "display_name": row["author_display_name"] or row["author_username"],
    }


def topic_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "board": row["board_slug"],
        "title": row["title"],
        "author": _author(row),
        "created_at": clock.iso(row["created_at"]),
        "last_activity_at": clock.iso(row["last_activity_at"]),
        "post_count": row["post_count"],
        "locked": row["locked"],
        "pinned": row["pinned"],
    }


def post_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "topic_id": row["topic_id"],
        "author": _author(row),
        "body": row["body"],
        "body_html": row["body_html"],
        "created_at": clock.iso(row["created_at"]),
        "edited_at": clock.iso(row["edited_at"]),
        "status": row["status"],
    }


def _listing(page: Page[dict[str, Any]], serialize: Any) -> Response:
    return web.json_response(
        {"items": [serialize(r) for r in page.items], "next_cursor": page.next_cursor}
    )


def _page_args(request: Request) -> dict[str, Any]:
    return {
        "cursor": request.query_params.get("cursor"),
        "limit": clamp_limit(request.query_params.get("limit")),
    }


async def board_list(request: Request) -> Response:
    """Boards this user may read, in order."""
    page = await services.board_listing(request.state.user, **_page_args(request))
    return _listing(page, board_json)


async def board_create(request: Request) -> Response:
    """Create a board (admin)."""
    data = await web.read_json(request)
    board = await services.create_board(request.state.user, data)
    return web.json_response(board_json(board), 201)


async def board_update(request: Request) -> Response:
    """Edit a board's name, description, visibility or position (admin)."""
    data = await web.read_json(request)
    board = await services.update_board(request.state.user, request.path_params["id"], data)
    return web.json_response(board_json(board))


async def topic_list(request: Request) -> Response:
    """A board's topics, pinned first, then newest activity."""
    page = await services.list_topics(
        request.state.user, request.path_params["slug"], **_page_args(request)
    )
    return _listing(page, topic_json)


async def topic_create(request: Request) -> Response:
    """Start a topic; returns it with its first post."""
    data = await web.read_json(request)
    topic, post = await services.create_topic(request.state.user, request.path_params["slug"], data)
    return web.json_response({**topic_json(topic), "first_post": post_json(post)}, 201)


async def topic_detail(request: Request) -> Response:
    """One topic."""
    topic = await services.access_topic(request.state.user, request.path_params["id"])
    return web.json_response(topic_json(topic))


async def topic_update(request: Request) -> Response:
    """Retitle (author or moderator), lock or pin (moderator)."""
    data = await web.read_json(request)
    topic = await services.update_topic(request.state.user, request.path_params["id"], data)
    return web.json_response(topic_json(topic))


async def post_list(request: Request) -> Response:
    """A topic's posts, oldest first."""
    page = await posts.list_posts(
        request.state.user, request.path_params["id"], **_page_args(request)
    )
    return _listing(page, post_json)


async def post_create(request: Request) -> Response:
    """Reply to a topic (409 when it is locked)."""
    data = await web.read_json(request)
    post = await posts.reply(request.state.user, request.path_params["id"], data)
    return web.json_response(post_json(post), 201)


async def post_detail(request: Request) -> Response:
    """One post."""
    post = await posts.access_post(request.state.user, request.path_params["id"])
    return web.json_response(post_json(post))


async def post_update(request: Request) -> Response:
    """Edit a post (author or moderator); the earlier text is kept."""
    data = await web.read_json(request)
    post = await posts.edit_post(request.state.user, request.path_params["id"], data)
    return web.json_response(post_json(post))


async def post_delete(request: Request) -> Response:
    """Delete a post (author or moderator)."""
    await posts.delete_post(request.state.user, request.path_params["id"])
    return Response(status_code=204)


routes = [
    Route("/api/v1/boards", board_list, methods=["GET"], name="api:boards"),
    Route("/api/v1/boards", board_create, methods=["POST"], name="api:board_create"),
    Route("/api/v1/boards/{id:id}", board_update, methods=["PATCH"], name="api:board_update"),
    Route("/api/v1/boards/{slug}/topics", topic_list, methods=["GET"], name="api:topics"),
    Route("/api/v1/boards/{slug}/topics", topic_create, methods=["POST"], name="api:topic_create"),
    Route("/api/v1/topics/{id:id}", topic_detail, methods=["GET"], name="api:topic"),
    Route("/api/v1/topics/{id:id}", topic_update, methods=["PATCH"], name="api:topic_update"),
    Route("/api/v1/topics/{id:id}/posts", post_list, methods=["GET"], name="api:posts"),
    Route("/api/v1/topics/{id:id}/posts", post_create, methods=["POST"], name="api:post_create"),
    Route("/api/v1/posts/{id:id}", post_detail, methods=["GET"], name="api:post"),
    Route("/api/v1/posts/{id:id}", post_update, methods=["PATCH"], name="api:post_update"),
    Route("/api/v1/posts/{id:id}", post_delete, methods=["DELETE"], name="api:post_delete"),
]
