"""The composition root: builds the Starlette app from settings and wires every part."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from forum import database, health, openapi, pagecache, pages, readcache, web
from forum.accounts import api as accounts_api
from forum.accounts import passwords
from forum.accounts import routes as accounts_routes
from forum.accounts.middleware import Authentication
from forum.boards import api as boards_api
from forum.boards import routes as boards_routes
from forum.errors import InvalidInput, PorchlightError, RateLimited, ServiceUnavailable
from forum.settings import Settings
from moderation import ratelimits
from realtime import events

log = logging.getLogger("porchlight")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


async def error_response(request: Request, exc: PorchlightError) -> Response:
    """One mapping from domain errors to JSON for the API and pages for browsers."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
    if web.is_api(request.scope):
        body = web.error_body(exc.code, exc.message, exc.fields)
        return web.json_response(body, exc.status_code, headers)
    if exc.status_code == 401:
        # After signing in, come back to the page; a refused POST has no page to come back to.
        url = (
            request.url
            if request.method == "GET"
            else urlsplit(request.headers.get("referer", "/"))
        )
        target = url.path + (f"?{url.query}" if url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target}, safe='/')}", status_code=303)
    return web.render(request, "error.html", {"error": exc}, status_code=exc.status_code)


async def _porchlight_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PorchlightError)
    return await error_response(request, exc)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ratelimits.RateLimitExceeded)
    return await error_response(request, RateLimited(exc.retry_after))


async def _field_too_long(request: Request, exc: Exception) -> Response:
    # A safety net: services check lengths first, so reaching here means a missed check.
    log.warning("database validation refused input on %s: %s", request.url.path, exc)
    return await error_response(request, InvalidInput("A value is too long or malformed."))


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    log.error("database unavailable on %s: %s", request.url.path, exc)
    return await error_response(request, ServiceUnavailable())


async def _client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up while sending its body: nobody is left to answer, nothing was written.
    return Response(status_code=400)


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


def _build_limiter(settings: Settings, redis: Redis | None) -> ratelimits.RateLimiter:
    counter: ratelimits.Counter = (
        ratelimits.RedisCounter(redis) if redis is not None else ratelimits.MemoryCounter()
    )
    return ratelimits.RateLimiter(counter, enabled=settings.rate_limits)


async def close_resources(app: Starlette) -> None:
    """Close what create_app opened (the lifespan does this; tests call it directly)."""
    redis: Redis | None = app.state.redis
    if redis is not None:
        await redis.aclose()


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """The whole application; manage_database=False when a test already opened the database."""
    # Connects lazily: building the app opens no socket.
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    ratelimits.configure(_build_limiter(settings, redis))
    bus = events.EventBus()
    events.configure(bus)
    pages_seen_anonymously = pagecache.PageStore()
    # Hot reads for everyone, signed in or not: sessions are forgotten by the session rules
    # themselves, content (topics, posts, who wrote them) on every event that could change it.
    read_caches: dict[str, readcache.TimedCache[Any]] = {
        readcache.SESSIONS: readcache.TimedCache(),
        readcache.CONTENT: readcache.TimedCache(),
    }
    for prefix in ("boards.", "accounts."):
        bus.subscribe(prefix, pages_seen_anonymously.clear)
        bus.subscribe(prefix, read_caches[readcache.CONTENT].clear)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        try:
            if not manage_database:
                yield {}
                return
            async with database.connected(settings, global_fallback=True):
                await passwords.warm_up()
                yield {}
        finally:
            await close_resources(app)

    # Starlette tries routes in order, a regex each: the most read pages and API reads come
    # first (no two of these groups share a path, so the order changes nothing else).
    routes = [
        *health.routes,
        *boards_routes.routes,
        *boards_api.routes,
        *pages.routes,
        Route("/api/v1/openapi.json", openapi.document, methods=["GET"], name="api:openapi"),
        *accounts_api.routes,
        *accounts_routes.routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[
            Middleware(web.SecurityHeaders),
            Middleware(web.BodyLimit),
            Middleware(readcache.ActiveCaches, caches=read_caches),
            Middleware(
                Authentication,
                secret=settings.secret_key,
                allowed_origins=settings.allowed_origins,
                on_error=error_response,
            ),
            Middleware(pagecache.AnonymousPageCache, store=pages_seen_anonymously),
        ],
        exception_handlers={
            PorchlightError: _porchlight_error,
            ratelimits.RateLimitExceeded: _rate_limited,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            database.FieldRefused: _field_too_long,
            **{error: _database_unavailable for error in database.UNAVAILABLE},
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.redis = redis
    app.state.read_caches = read_caches
    return app
