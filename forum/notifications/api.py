"""JSON API for notifications: the list, and marking them read."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import openapi, web
from forum.accounts.models import User
from forum.notifications import services
from forum.openapi import BOOLEAN, INTEGER, MOMENT, STRING, Component, record
from forum.pagination import clamp_limit


async def me_fields(user: User) -> dict[str, Any]:
    """What GET /api/v1/me adds: the unread count."""
    return {"unread_notifications": await services.unread_count(user)}


NOTIFICATION = Component(
    "Notification",
    record(
        {
            "id": INTEGER,
            "kind": STRING,
            "text": STRING,
            "url": STRING,
            "created_at": MOMENT,
            "read": BOOLEAN,
        }
    ),
)


@openapi.operation({200: openapi.page(NOTIFICATION)}, signed_in=True, paged=True)
async def notification_list(request: Request) -> Response:
    """This person's notifications, newest first (?unread=true for the unread ones)."""
    page = await services.list_notifications(
        request.state.user,
        unread_only=request.query_params.get("unread") in ("true", "1"),
        cursor=request.query_params.get("cursor"),
        limit=clamp_limit(request.query_params.get("limit")),
    )
    return web.json_response(
        {
            "items": [services.notification_json(r) for r in page.items],
            "next_cursor": page.next_cursor,
        }
    )


@openapi.operation({204: None}, body=services.READ, signed_in=True)
async def notification_read(request: Request) -> Response:
    """Mark notifications read: {ids: [...]} or {all: true}."""
    await services.mark_read(request.state.user, await web.read_json(request))
    return Response(status_code=204)


routes = [
    Route("/api/v1/notifications", notification_list, methods=["GET"], name="api:notifications"),
    Route(
        "/api/v1/notifications/read",
        notification_read,
        methods=["POST"],
        name="api:notifications_read",
    ),
]
