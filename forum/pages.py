"""The front page: what this place is, its boards and the latest conversations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.boards import services


async def home(request: Request) -> Response:
    """Boards and recent topics, with a welcome for people who have not joined yet."""
    viewer = request.state.user
    boards = await services.list_boards(viewer)
    latest = await services.latest_topics(viewer)
    signup = request.app.state.settings.signup
    return web.render(request, "home.html", {"boards": boards, "latest": latest, "signup": signup})


routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"], name="pages:home"),
]
