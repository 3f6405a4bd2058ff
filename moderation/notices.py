"""The moderators' word on every page: an unacknowledged warning, or a silence in force."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from forum import web
from moderation import sanctions


class SanctionNotices:
    """Finds what a signed-in person's page must tell them (pages read with GET only).

    Cheap on the hot path: the silence comes from the User row the session already loaded,
    and the warnings from a per-process cache of a second (see sanctions.notices_for).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        user = state.get("user")
        if (
            scope["type"] == "http"
            and user is not None
            and scope["method"] in ("GET", "HEAD")
            and web.is_page(scope)
        ):
            state["standing_notices"] = await sanctions.notices_for(user)
        await self.app(scope, receive, send)
