"""JSON API for boards, topics and posts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, openapi, web
from forum.accounts.api import AUTHOR
from forum.boards import forms, posts, services
from forum.boards.models import VISIBILITIES, PostStatus
from forum.openapi import BOOLEAN, INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record
from forum.pagination import Page

BOARD = Component(
    "Board",
    record(
        {
            "id": INTEGER,
            "slug": STRING,
            "name": STRING,
            "description": STRING,
            "visibility": enum(VISIBILITIES),
            "position": INTEGER,
        }
    ),
)
_TOPIC_FIELDS = {
    "id": INTEGER,
    "board": {"type": "string", "description": "The board's slug."},
    "title": STRING,
    "author": AUTHOR,
    "created_at": MOMENT,
    "last_activity_at": MOMENT,
    "post_count": INTEGER,
    "locked": BOOLEAN,
    "pinned": BOOLEAN,
}
TOPIC = Component("Topic", record(_TOPIC_FIELDS))
POST = Component(
    "Post",
    record(
        {
            "id": INTEGER,
            "topic_id": INTEGER,
            "author": AUTHOR,
            "body": {
                "type": "string",
                "description": "Markdown; empty unless this user may read it.",
            },
            "body_html": {"type": "string", "description": "The sanitized rendering."},
            "created_at": MOMENT,
            "edited_at": nullable(MOMENT),
            "status": enum(tuple(s.value for s in PostStatus)),
            "blocked": {
                "type": "boolean",
                "description": "Written by someone this user blocked: body and body_html empty.",
            },
        },
        {
            "notice": {
                "type": "string",
                "description": "Only when just written and held for review: why, for its author.",
            }
        },
    ),
)
NEW_TOPIC = Component("NewTopic", record({**_TOPIC_FIELDS, "first_post": POST}))
_POST_LINKS = {
    "read": Link("api:post", "get", {"id": "$response.body#/id"}),
    "edit": Link("api:post_update", "patch", {"id": "$response.body#/id"}),
    "delete": Link("api:post_delete", "delete", {"id": "$response.body#/id"}),
}
_TOPIC_LINKS = {
    "read": Link("api:topic", "get", {"id": "$response.body#/id"}),
    "posts": Link("api:posts", "get", {"id": "$response.body#/id"}),
    "reply": Link("api:post_create", "post", {"id": "$response.body#/id"}),
    "change": Link("api:topic_update", "patch", {"id": "$response.body#/id"}),
}
_BOARD_LINKS = {
    "topics": Link("api:topics", "get", {"slug": "$response.body#/slug"}),
    "start_topic": Link("api:topic_create", "post", {"slug": "$response.body#/slug"}),
    "change": Link("api:board_update", "patch", {"id": "$response.body#/id"}),
}


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
    # A blocked person's post is left out of the API, as a tombstone that keeps its place.
    blocked = bool(row.get("blocked"))
    return {
        "id": row["id"],
        "topic_id": row["topic_id"],
        "author": _author(row),
        "body": "" if blocked else row["body"],
        "body_html": "" if blocked else row["body_html"],
        "created_at": clock.iso(row["created_at"]),
        "edited_at": clock.iso(row["edited_at"]),
        "status": row["status"],
        "blocked": blocked,
        **({"notice": row["notice"]} if row.get("notice") else {}),
    }


def _listing(page: Page[dict[str, Any]], serialize: Any) -> Response:
    return web.json_response(
        {"items": [serialize(r) for r in page.items], "next_cursor": page.next_cursor}
    )


@openapi.operation({200: openapi.page(BOARD)}, paged=True)
async def board_list(request: Request) -> Response:
    """Boards this user may read, in order."""
    page = await services.board_listing(request.state.user, **web.page_args(request))
    return _listing(page, board_json)


@openapi.operation(
    {201: BOARD}, body=forms.BOARD, errors=(401, 403), signed_in=True, links=_BOARD_LINKS
)
async def board_create(request: Request) -> Response:
    """Create a board (admin)."""
    data = await web.read_json(request)
    board = await services.create_board(request.state.user, data)
    return web.json_response(board_json(board), 201)


@openapi.operation(
    {200: BOARD}, body=forms.BOARD_CHANGE, errors=(401, 403), signed_in=True, links=_BOARD_LINKS
)
async def board_update(request: Request) -> Response:
    """Edit a board's name, description, visibility or position (admin)."""
    data = await web.read_json(request)
    board = await services.update_board(request.state.user, request.path_params["id"], data)
    return web.json_response(board_json(board))


@openapi.operation({200: openapi.page(TOPIC)}, errors=(401,), paged=True)
async def topic_list(request: Request) -> Response:
    """A board's topics, pinned first, then newest activity."""
    page = await services.list_topics(
        request.state.user, request.path_params["slug"], **web.page_args(request)
    )
    return _listing(page, topic_json)


@openapi.operation(
    {201: NEW_TOPIC},
    body=forms.NEW_TOPIC,
    errors=(403, 429),
    signed_in=True,
    links={
        **_TOPIC_LINKS,
        "first_post": Link("api:post", "get", {"id": "$response.body#/first_post/id"}),
    },
)
async def topic_create(request: Request) -> Response:
    """Start a topic; returns it with its first post."""
    data = await web.read_json(request)
    topic, post = await services.create_topic(request.state.user, request.path_params["slug"], data)
    return web.json_response({**topic_json(topic), "first_post": post_json(post)}, 201)


@openapi.operation({200: TOPIC}, errors=(401,), links=_TOPIC_LINKS)
async def topic_detail(request: Request) -> Response:
    """One topic."""
    topic = await services.access_topic(request.state.user, request.path_params["id"])
    return web.json_response(topic_json(topic))


@openapi.operation(
    {200: TOPIC}, body=forms.TOPIC_CHANGE, errors=(403,), signed_in=True, links=_TOPIC_LINKS
)
async def topic_update(request: Request) -> Response:
    """Retitle (author or moderator), lock or pin (moderator)."""
    data = await web.read_json(request)
    topic = await services.update_topic(request.state.user, request.path_params["id"], data)
    return web.json_response(topic_json(topic))


@openapi.operation({200: openapi.page(POST)}, errors=(401,), paged=True)
async def post_list(request: Request) -> Response:
    """A topic's posts, oldest first."""
    page = await posts.list_posts(
        request.state.user, request.path_params["id"], **web.page_args(request)
    )
    return _listing(page, post_json)


@openapi.operation(
    {201: POST}, body=forms.POST, errors=(403, 409, 429), signed_in=True, links=_POST_LINKS
)
async def post_create(request: Request) -> Response:
    """Reply to a topic (409 when it is locked)."""
    data = await web.read_json(request)
    post = await posts.reply(request.state.user, request.path_params["id"], data)
    return web.json_response(post_json(post), 201)


@openapi.operation({200: POST}, errors=(401,))
async def post_detail(request: Request) -> Response:
    """One post."""
    post = await posts.access_post(request.state.user, request.path_params["id"])
    return web.json_response(post_json(post))


@openapi.operation(
    {200: POST}, body=forms.POST, errors=(403, 409, 429), signed_in=True, links=_POST_LINKS
)
async def post_update(request: Request) -> Response:
    """Edit a post (author or moderator); the earlier text is kept."""
    data = await web.read_json(request)
    post = await posts.edit_post(request.state.user, request.path_params["id"], data)
    return web.json_response(post_json(post))


@openapi.operation({204: None}, errors=(403, 409), signed_in=True)
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
