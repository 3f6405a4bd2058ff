"""The notifications page: what happened for me, newest first, and marking it all read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts.middleware import require_user
from forum.notifications import services


async def notifications_page(request: Request) -> Response:
    """Everything I was told of, newest first, with older pages."""
    page = await services.list_notifications(
        require_user(request), cursor=request.query_params.get("cursor")
    )
    return web.render(
        request,
        "notifications/list.html",
        {"notifications": page.items, "next_cursor": page.next_cursor},
    )


async def notifications_read(request: Request) -> Response:
    """Mark every notification read."""
    await services.mark_read(require_user(request), {"all": True})
    return web.redirect("/notifications")


routes: list[BaseRoute] = [
    Route("/notifications", notifications_page, methods=["GET"], name="notifications:list"),
    Route("/notifications/read", notifications_read, methods=["POST"], name="notifications:read"),
]
