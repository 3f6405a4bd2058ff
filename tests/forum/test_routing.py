"""web.IndexedRouter finds what Starlette's own router finds, only sooner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route

from forum import web


def _says(text: str) -> Callable[[Request], Awaitable[PlainTextResponse]]:
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{text} {dict(request.path_params)}")

    return endpoint


# Overlaps on purpose: a fixed path before a parameter, a parameter in the first part, a mount,
# the root, and a path taking one method only.
ROUTES: list[BaseRoute] = [
    Route("/", _says("home")),
    Route("/t/new", _says("new topic")),
    Route("/t/{id:int}", _says("topic")),
    Route("/t/{id:int}/reply", _says("reply"), methods=["POST"]),
    Route("/{slug}/about", _says("about a page")),
    Route("/aid", _says("aid board")),
    Route("/aid/{id:int}", _says("aid post")),
    Mount("/static", routes=[Route("/{name}", _says("asset"))]),
    Route("/{slug}", _says("any page")),
]

REQUESTS = [
    ("GET", "/"),
    ("GET", "/t/new"),
    ("GET", "/t/7"),
    ("POST", "/t/7/reply"),
    ("GET", "/t/7/reply"),  # 405 with Allow
    ("GET", "/aid"),
    ("GET", "/aid/3"),
    ("GET", "/aid/about"),  # the parameter route that comes first
    ("GET", "/aid/"),  # a slash redirect
    ("GET", "/static/site.css"),
    ("GET", "/welcome"),
    ("GET", "/t/"),
    ("GET", "/nowhere/at/all"),  # 404
]


def _app(indexed: bool) -> Starlette:
    app = Starlette(routes=ROUTES)
    if indexed:
        app.router = web.IndexedRouter(ROUTES)
    return app


@pytest.mark.parametrize(("method", "path"), REQUESTS)
async def test_the_indexed_router_answers_as_starlettes_does(method: str, path: str) -> None:
    answers = []
    for indexed in (False, True):
        transport = httpx.ASGITransport(app=_app(indexed))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.request(method, path, follow_redirects=False)
        answers.append((response.status_code, response.headers.get("allow"), response.text))
    assert answers[0] == answers[1]


def test_a_path_meets_only_the_routes_that_could_match_it() -> None:
    router = web.IndexedRouter(ROUTES)
    paths = [getattr(route, "path", "") for route in router._candidates["t"]]
    assert paths == ["/t/new", "/t/{id:int}", "/t/{id:int}/reply", "/{slug}/about", "/{slug}"]
