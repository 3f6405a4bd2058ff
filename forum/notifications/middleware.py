"""The unread count every signed-in page shows beside its bell."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from forum import web
from forum.notifications import services


class UnreadCount:
    """Counts a signed-in person's unread notifications before a page renders (pages only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        user = state.get("user")
        if scope["type"] == "http" and user is not None and web.is_page(scope):
            state["unread_notifications"] = await services.unread_count(user)
        await self.app(scope, receive, send)
