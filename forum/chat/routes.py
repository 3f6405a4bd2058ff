"""Chat pages: the rooms, one room with its latest messages, sending without JavaScript, and
who is in a private room (its owner invites and removes people)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts.middleware import require_user
from forum.chat import rooms as chat_rooms
from forum.chat import services
from forum.errors import Conflict, InvalidInput, NotFound, PermissionDenied

PAGE_MESSAGES = 50
MEMBERS_DONE = {"added": "They are in the room now.", "removed": "They are out of the room now."}


async def _room_context(request: Request, room_id: int) -> dict[str, Any]:
    user = require_user(request)
    room = await chat_rooms.access_room(user, room_id)
    rooms = await chat_rooms.list_rooms(user)
    messages = await services.history(user, room_id, limit=PAGE_MESSAGES)
    for listed in rooms.items:
        if listed["id"] == room_id:
            room["name"] = listed["name"]
            listed["unread"] = 0  # this page shows them all
    return {
        "room": room,
        "rooms": rooms.items,
        "messages": messages,
        "body_max": services.MESSAGE_MAX,
    }


async def chat_home(request: Request) -> Response:
    """Every room this person may read, with unread counts, and a way to message someone."""
    rooms = await chat_rooms.list_rooms(require_user(request))
    return web.render(request, "chat/rooms.html", {"rooms": rooms.items, "form": {}})


async def room_page(request: Request) -> Response:
    """One room: its latest messages, live when JavaScript runs, and the form to write."""
    context = await _room_context(request, request.path_params["id"])
    context["form"] = {}
    if context["messages"]:
        await services.mark_read(
            request.state.user, context["room"]["id"], {"seq": context["room"]["last_seq"]}
        )
    return web.render(request, "chat/room.html", context)


async def room_send(request: Request) -> Response:
    """Send from the form (without JavaScript): store it, then show the room again."""
    room_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await services.send_message(request.state.user, room_id, form.get("body"))
    except (InvalidInput, PermissionDenied) as exc:
        context = await _room_context(request, room_id)
        return web.refused(request, "chat/room.html", exc, form, **context)
    return web.redirect(f"/chat/{room_id}#latest")


async def direct_open(request: Request) -> Response:
    """Open (or find) the direct room with someone, from the form on the rooms page."""
    form = await web.read_form(request)
    try:
        room = await chat_rooms.direct_room(request.state.user, form.get("username"))
    except (InvalidInput, PermissionDenied) as exc:
        rooms = await chat_rooms.list_rooms(require_user(request))
        return web.refused(request, "chat/rooms.html", exc, form, rooms=rooms.items)
    return web.redirect(f"/chat/{room['id']}")


async def _members_context(request: Request, room_id: int) -> dict[str, Any]:
    """The room and its people; refused (403, or 404 to outsiders) to anyone but its manager."""
    user = require_user(request)
    members = await chat_rooms.list_members(user, room_id)
    return {"room": await chat_rooms.access_room(user, room_id), "members": members}


async def members_page(request: Request) -> Response:
    """Who is in a private room, with the forms to invite someone and to remove someone."""
    context = await _members_context(request, request.path_params["id"])
    done = MEMBERS_DONE.get(request.query_params.get("done", ""))
    return web.render(request, "chat/members.html", {**context, "form": {}, "done": done})


async def member_invite(request: Request) -> Response:
    """Invite someone by username (the API's rules: chat_rooms.add_member)."""
    room_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await chat_rooms.add_member(request.state.user, room_id, form.get("username"))
    except (InvalidInput, PermissionDenied) as exc:
        # Someone who may not manage the room is refused again here, as the API refuses them.
        context = await _members_context(request, room_id)
        return web.refused(request, "chat/members.html", exc, form, **context)
    return web.redirect(f"/chat/{room_id}/members?done=added")


async def member_remove(request: Request) -> Response:
    """Take someone out of the room (the API's rules: chat_rooms.remove_member)."""
    room_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await chat_rooms.remove_member(request.state.user, room_id, form.get("username", ""))
    except (InvalidInput, PermissionDenied, NotFound, Conflict) as exc:
        context = await _members_context(request, room_id)
        return web.refused(request, "chat/members.html", exc, {}, **context)
    return web.redirect(f"/chat/{room_id}/members?done=removed")


routes: list[BaseRoute] = [
    Route("/chat", chat_home, methods=["GET"], name="chat:rooms"),
    Route("/chat/direct", direct_open, methods=["POST"], name="chat:direct"),
    Route("/chat/{id:id}", room_page, methods=["GET"], name="chat:room"),
    Route("/chat/{id:id}/send", room_send, methods=["POST"], name="chat:send"),
    Route("/chat/{id:id}/members", members_page, methods=["GET"], name="chat:members"),
    Route("/chat/{id:id}/members", member_invite, methods=["POST"], name="chat:member_invite"),
    Route(
        "/chat/{id:id}/members/remove",
        member_remove,
        methods=["POST"],
        name="chat:member_remove",
    ),
]
