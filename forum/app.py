"""The composition root: builds the Starlette app from settings and wires every part."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from forum import database, health, openapi, pages, web
from forum.accounts import api as accounts_api
from forum.accounts import routes as accounts_routes
from forum.accounts.middleware import Authentication
from forum.boards import api as boards_api
from forum.boards import routes as boards_routes
from forum.errors import PorchlightError, RateLimited
from forum.settings import Settings
from moderation import ratelimits

log = logging.getLogger("porchlight")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


async def error_response(request: Request, exc: PorchlightError) -> Response:
    """One mapping from domain errors to JSON for the API and pages for browsers."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
    if web.is_api(request.scope):
        body = web.error_body(exc.code, exc.message, exc.fields)
        return web.json_response(body, exc.status_code, headers)
    if exc.status_code == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return web.render(request, "error.html", {"error": exc}, status_code=exc.status_code)


async def _porchlight_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PorchlightError)
    return await error_response(request, exc)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ratelimits.RateLimitExceeded)
    return await error_response(request, RateLimited(exc.retry_after))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {
        404: ("not_found", "That page or item does not exist."),
        405: ("method_not_allowed", "That method is not allowed here."),
    }
    code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
    error = PorchlightError(message, code=code)
    error.status_code = exc.status_code
    return await error_response(request, error)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    error = PorchlightError(
        "Something went wrong on our side. Please try again.", code="server_error"
    )
    error.status_code = 500
    return await error_response(request, error)


def _build_limiter(settings: Settings) -> ratelimits.RateLimiter:
    if settings.redis_url:
        from redis.asyncio import Redis

        counter: ratelimits.Counter = ratelimits.RedisCounter(Redis.from_url(settings.redis_url))
    else:
        counter = ratelimits.MemoryCounter()
    return ratelimits.RateLimiter(counter, enabled=settings.rate_limits)


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """The whole application; manage_database=False when a test already opened the database."""
    ratelimits.configure(_build_limiter(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        if not manage_database:
            yield {}
            return
        async with database.connected(settings, global_fallback=True):
            yield {}

    routes = [
        *health.routes,
        Route("/api/v1/openapi.json", openapi.document, methods=["GET"], name="api:openapi"),
        *accounts_api.routes,
        *boards_api.routes,
        *pages.routes,
        *accounts_routes.routes,
        *boards_routes.routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[
            Middleware(web.SecurityHeaders),
            Middleware(web.BodyLimit),
            Middleware(
                Authentication,
                secret=settings.secret_key,
                allowed_origins=settings.allowed_origins,
                on_error=error_response,
            ),
        ],
        exception_handlers={
            PorchlightError: _porchlight_error,
            ratelimits.RateLimitExceeded: _rate_limited,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
