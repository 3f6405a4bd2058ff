"""The unread count every signed-in page shows beside its bell."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from forum import web


class UnreadCount:
    """Puts a signed-in person's unread count where pages find it (pages only).

    No query: forum/notifications keeps the count on the person's own row, which the session
    brought (at most a second old, and forgotten here whenever this process changes it).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        user = state.get("user")
        if scope["type"] == "http" and user is not None and web.is_page(scope):
            state["unread_notifications"] = user.unread_notifications
        await self.app(scope, receive, send)
