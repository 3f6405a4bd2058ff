"""JSON API for chat: rooms, direct rooms, members and message history."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import openapi, web
from forum.accounts.api import AUTHOR
from forum.chat import forms, services
from forum.chat import rooms as chat_rooms
from forum.chat.models import RoomKind
from forum.errors import BadRequest
from forum.openapi import BOOLEAN, INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record
from forum.pagination import clamp_limit
from forum.validation import whole_number

ROOM = Component(
    "Room",
    record(
        {
            "id": INTEGER,
            "kind": enum(tuple(k.value for k in RoomKind)),
            "name": STRING,
            "aid_id": nullable(INTEGER),
            "last_seq": INTEGER,
        },
        {"unread": INTEGER},
    ),
)
# An aid hand-off withholds a hidden-name owner from the responder until they accept.
WITHHELD = Component(
    "WithheldAuthor",
    record(
        {
            "id": {"type": "null"},
            "username": {"type": "null"},
            "display_name": {"type": "string", "description": 'Like "a neighbour in Elm Street".'},
        }
    ),
)
MESSAGE = Component(
    "Message",
    record(
        {
            "id": INTEGER,
            "room_id": INTEGER,
            "seq": INTEGER,
            "author": {"anyOf": [AUTHOR, WITHHELD]},
            "body": STRING,
            "body_html": STRING,
            "created_at": MOMENT,
            "client_id": nullable(STRING),
            "deleted": BOOLEAN,
            "blocked": {
                "type": "boolean",
                "description": "From someone this user blocked: body and body_html empty.",
            },
        },
        # Only moderators read a message a moderator hid; to everyone else it is deleted.
        {"hidden": BOOLEAN},
    ),
)
_ROOM_LINKS = {
    "messages": Link("api:messages", "get", {"id": "$response.body#/id"}),
    "room": Link("api:room", "get", {"id": "$response.body#/id"}),
}


def room_json(room: dict[str, Any]) -> dict[str, Any]:
    shown = {name: room[name] for name in ("id", "kind", "name", "aid_id", "last_seq")}
    if "unread" in room:
        shown["unread"] = room["unread"]
    return shown


@openapi.operation({200: openapi.page(ROOM)}, signed_in=True, paged=True)
async def room_list(request: Request) -> Response:
    """Rooms this person may read, with their unread counts."""
    page = await chat_rooms.list_rooms(
        request.state.user,
        cursor=request.query_params.get("cursor"),
        limit=clamp_limit(request.query_params.get("limit"), default=100),
    )
    return web.json_response(
        {"items": [room_json(r) for r in page.items], "next_cursor": page.next_cursor}
    )


@openapi.operation({201: ROOM}, body=forms.ROOM, errors=(403,), signed_in=True, links=_ROOM_LINKS)
async def room_create(request: Request) -> Response:
    """Open a public or private room (moderators)."""
    room = await chat_rooms.create_room(request.state.user, await web.read_json(request))
    return web.json_response(room_json(room), 201)


@openapi.operation(
    {200: ROOM}, body=forms.PERSON, errors=(403, 429), signed_in=True, links=_ROOM_LINKS
)
async def room_direct(request: Request) -> Response:
    """The direct room with someone, opened the first time; 403 `cannot_message` when a block
    or their message setting does not let this person write to them."""
    data = await web.read_json(request)
    room = await chat_rooms.direct_room(request.state.user, data.get("username"))
    return web.json_response(room_json(room))


@openapi.operation({200: ROOM}, signed_in=True)
async def room_detail(request: Request) -> Response:
    """One room."""
    room = await chat_rooms.access_room(request.state.user, request.path_params["id"])
    return web.json_response(room_json(room))


def _before_seq(request: Request) -> int | None:
    """Where the page ends: before_seq, or the cursor of the previous page (a seq too)."""
    raw = request.query_params.get("before_seq") or request.query_params.get("cursor")
    if raw is None or raw == "":
        return None
    seq = whole_number(raw)
    if seq is None or not 1 <= seq <= forms.SEQ_MAX:
        raise BadRequest("before_seq must be a positive whole number.", code="invalid_query")
    return seq


@openapi.operation({200: openapi.page(MESSAGE)}, signed_in=True, paged=True)
async def message_list(request: Request) -> Response:
    """Messages just before before_seq (the latest without it), in ascending seq."""
    messages = await services.history(
        request.state.user,
        request.path_params["id"],
        before_seq=_before_seq(request),
        limit=clamp_limit(request.query_params.get("limit"), default=50),
    )
    # Paging goes back in time: the next page ends just before the oldest message here.
    more = bool(messages) and messages[0]["seq"] > 1
    next_cursor = str(messages[0]["seq"]) if more else None
    return web.json_response({"items": messages, "next_cursor": next_cursor})


@openapi.operation({204: None}, body=forms.READ, signed_in=True)
async def room_read(request: Request) -> Response:
    """Remember how far this person has read a room."""
    data = await web.read_json(request)
    await services.mark_read(request.state.user, request.path_params["id"], data)
    return Response(status_code=204)


@openapi.operation({204: None}, body=forms.PERSON, errors=(403,), signed_in=True)
async def member_add(request: Request) -> Response:
    """Invite someone into a private room (its owner or a moderator)."""
    data = await web.read_json(request)
    await chat_rooms.add_member(request.state.user, request.path_params["id"], data.get("username"))
    return Response(status_code=204)


@openapi.operation({204: None}, errors=(403, 409, 422), signed_in=True)
async def member_remove(request: Request) -> Response:
    """Take someone out of a private room (its owner or a moderator)."""
    room_id, username = request.path_params["id"], request.path_params["username"]
    await chat_rooms.remove_member(request.state.user, room_id, username)
    return Response(status_code=204)


@openapi.operation({204: None}, errors=(403,), signed_in=True)
async def message_delete(request: Request) -> Response:
    """Delete a message (its author or a moderator); it stays as a tombstone."""
    await services.delete_message(request.state.user, request.path_params["id"])
    return Response(status_code=204)


routes = [
    Route("/api/v1/rooms", room_list, methods=["GET"], name="api:rooms"),
    Route("/api/v1/rooms", room_create, methods=["POST"], name="api:room_create"),
    Route("/api/v1/rooms/direct", room_direct, methods=["POST"], name="api:room_direct"),
    Route("/api/v1/rooms/{id:id}", room_detail, methods=["GET"], name="api:room"),
    Route("/api/v1/rooms/{id:id}/messages", message_list, methods=["GET"], name="api:messages"),
    Route("/api/v1/rooms/{id:id}/read", room_read, methods=["POST"], name="api:room_read"),
    Route("/api/v1/rooms/{id:id}/members", member_add, methods=["POST"], name="api:member_add"),
    Route(
        "/api/v1/rooms/{id:id}/members/{username}",
        member_remove,
        methods=["DELETE"],
        name="api:member_remove",
    ),
    Route(
        "/api/v1/messages/{id:id}", message_delete, methods=["DELETE"], name="api:message_delete"
    ),
]
