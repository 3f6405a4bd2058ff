"""The composition root: builds the Starlette app from settings and wires every part."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Route, WebSocketRoute

from forum import (
    database,
    health,
    openapi,
    pagecache,
    pages,
    ratelimits,
    readcache,
    staticfiles,
    web,
)
from forum.accounts import api as accounts_api
from forum.accounts import blocks, passwords, standing
from forum.accounts import routes as accounts_routes
from forum.accounts.middleware import Authentication
from forum.aid import api as aid_api
from forum.aid import expiry as aid_expiry
from forum.aid import routes as aid_routes
from forum.boards import api as boards_api
from forum.boards import posts as boards_posts
from forum.boards import routes as boards_routes
from forum.chat import api as chat_api
from forum.chat import frames as chat_frames
from forum.chat import rooms as chat_rooms
from forum.chat import routes as chat_routes
from forum.content import screening
from forum.content import services as content_services
from forum.errors import InvalidInput, PorchlightError, RateLimited, ServiceUnavailable
from forum.notifications import api as notifications_api
from forum.notifications import routes as notifications_routes
from forum.notifications.middleware import UnreadCount
from forum.settings import Settings
from moderation import api as moderation_api
from moderation import (
    appeals,
    sanction_expiry,
    sanctions,
    sanctions_api,
    sanctions_routes,
    watched_words,
)
from moderation import queue as moderation_queue
from moderation import routes as moderation_routes
from moderation.models import ItemKind
from moderation.notices import SanctionNotices
from moderation.screening_port import ReviewQueue
from realtime import events
from realtime.broker import Broker, MemoryBroker, RedisBroker
from realtime.hub import Hub
from realtime.socket import LiveChannel

log = logging.getLogger("porchlight")
# A committed symlink to the top-level static/ in a checkout, a real folder in an installed wheel.
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Moderation is a package of its own beside forum/, with its templates inside it.
MODERATION_TEMPLATES = Path(moderation_routes.__file__).resolve().parent / "templates"


async def error_response(
    request: Request, exc: PorchlightError, headers: Mapping[str, str] | None = None
) -> Response:
    """One mapping from domain errors to JSON for the API and pages for browsers."""
    headers = dict(headers or {})
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
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
    page = web.render(request, "error.html", {"error": exc}, status_code=exc.status_code)
    page.headers.update(headers)
    return page


async def _porchlight_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PorchlightError)
    return await error_response(request, exc)


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
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return await error_response(request, error, headers)


def _allowed_methods(request: Request) -> str:
    """Every method the path offers: Starlette's Allow names only the first route's methods,
    and a path served by several routes (GET and POST /api/v1/boards) offers them all."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    error = PorchlightError(
        "Something went wrong on our side. Please try again.", code="server_error"
    )
    error.status_code = 500
    return await error_response(request, error)


def _build_limiter(settings: Settings, redis: Redis | None) -> ratelimits.RateLimiter:
    counter: ratelimits.Counter = (
        ratelimits.RedisCounter(redis, prefix=settings.redis_prefix + "rl:")
        if redis is not None
        else ratelimits.MemoryCounter()
    )
    return ratelimits.RateLimiter(counter, enabled=settings.rate_limits)


async def close_resources(app: Starlette) -> None:
    """Close what create_app opened (the lifespan does this; tests call it directly)."""
    redis: Redis | None = app.state.redis
    if redis is not None:
        await redis.aclose()


def create_app(
    settings: Settings, *, manage_database: bool = True, bus: events.EventBus | None = None
) -> Starlette:
    """The whole application; manage_database=False when a test already opened the database.

    The app owns its event bus (a test may hand in its own to record what is published).
    """
    # Connects lazily: building the app opens no socket.
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=2, health_check_interval=30)
        if settings.redis_url
        else None
    )
    ratelimits.configure(_build_limiter(settings, redis))
    web.add_templates(MODERATION_TEMPLATES)
    # What counts as two people having interacted, for the "interacted" message setting: the
    # features know, accounts asks through this port.
    blocks.count_as_interaction("chat.written_to", chat_rooms.has_written_to)
    blocks.count_as_interaction("boards.replied_to", boards_posts.has_replied_to)
    bus = bus or events.EventBus()
    # Read and hashed once: pages link each file under a name that changes with its content.
    assets = staticfiles.Assets(STATIC_DIR)
    web.set_global("static_url", assets.url)
    web.set_global("asset_urls", assets.urls)
    pages_seen_anonymously = pagecache.PageStore()
    # Hot reads for everyone, signed in or not: sessions are forgotten by the session rules
    # themselves, content (topics, posts, who wrote them) on every event that could change it.
    read_caches: dict[str, readcache.TimedCache[Any]] = {
        readcache.SESSIONS: readcache.TimedCache(),
        readcache.CONTENT: readcache.TimedCache(),
        readcache.BLOCKS: readcache.TimedCache(),
        # What each person's pages must say (a warning, a silence): forgotten by the sanctions.
        sanctions.NOTICES_CACHE: readcache.TimedCache(),
        # Read by every write: another worker's change to the list shows within its ttl.
        content_services.CACHE: readcache.TimedCache(ttl=content_services.CACHE_TTL),
    }
    # Sign-in tells a suspended person why: accounts asks moderation through this port.
    standing.explain_suspensions(sanctions.suspension_reason)
    # What screening holds or flags (watched words, personal details, new members) reaches
    # the one review queue through the content pipeline's port.
    screening.wire(ReviewQueue())
    # An appeal waits in the one queue; resolving it there decides it (approve overturns).
    moderation_queue.register_resolver(ItemKind.APPEAL, appeals.resolve_appeal)
    for prefix in ("boards.", "accounts."):
        bus.subscribe(prefix, pages_seen_anonymously.forget_on)
        bus.subscribe(prefix, read_caches[readcache.CONTENT].forget_on)
    # The block services forget what they change; this also covers a change made outside a
    # request of this app (a command, a test calling the services).
    bus.subscribe(blocks.CHANGED_EVENT, read_caches[readcache.BLOCKS].forget_on)
    # Offers, requests and their vocabularies are for members only (never in the page cache).
    bus.subscribe("aid.", read_caches[readcache.CONTENT].forget_on)
    hub = Hub()
    broker: Broker = (
        RedisBroker(hub, redis, prefix=settings.redis_prefix + "rt:")
        if redis is not None
        else MemoryBroker(hub)
    )
    live = LiveChannel(
        broker=broker,
        allowed_origins=settings.allowed_origins,
        authenticate=chat_frames.authenticate,
        handle_frame=chat_frames.handle,
    )
    # Events that carry a frame (a chat message, a notification) go live to their audience.
    bus.subscribe("", live.forward)
    bus.subscribe("chat.message_created", chat_frames.notify_absent(live))
    # A suspension closes every socket of that person, on every worker, within a second.
    bus.subscribe(standing.SUSPENDED_EVENT, chat_frames.close_suspended(live))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        try:
            if not manage_database:
                async with live.running():
                    yield {}
                return
            async with (
                database.connected(settings, global_fallback=True),
                live.running(),
                asyncio.TaskGroup() as tasks,
            ):
                await passwords.warm_up()
                # Every worker runs it: its conditional updates make each change exactly once.
                expiring = tasks.create_task(aid_expiry.run_forever(), name="aid-expiry")
                # The same with sanctions: each expiry is recorded once, whichever worker sees it.
                ending = tasks.create_task(sanction_expiry.run_forever(), name="sanction-expiry")
                try:
                    yield {}
                finally:
                    expiring.cancel()
                    ending.cancel()
        finally:
            await close_resources(app)

    # Starlette tries routes in order, a regex each: the most read pages and API reads come
    # first (no two of these groups share a path, so the order changes nothing else).
    routes = [
        *health.routes,
        *boards_routes.routes,
        *boards_api.routes,
        *chat_api.routes,
        *notifications_api.routes,
        *aid_api.routes,
        *moderation_api.routes,
        *sanctions_api.routes,
        WebSocketRoute("/ws", live.endpoint, name="realtime:ws"),
        *pages.routes,
        Route("/api/v1/openapi.json", openapi.document, methods=["GET"], name="api:openapi"),
        *accounts_api.routes,
        *accounts_routes.routes,
        *boards_routes.routes,
        *chat_routes.routes,
        *notifications_routes.routes,
        *aid_routes.routes,
        *moderation_routes.routes,
        *sanctions_routes.routes,
        *watched_words.routes,
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[
            Middleware(events.BindBus, bus=bus),
            Middleware(web.SecurityHeaders),
            Middleware(staticfiles.ServeAssets, assets=assets),
            Middleware(web.BodyLimit),
            Middleware(readcache.ActiveCaches, caches=read_caches),
            # Before authentication: its session lookups and sign-in attempts are per address too.
            Middleware(ratelimits.ClientAddress),
            Middleware(
                Authentication,
                secret=settings.secret_key,
                allowed_origins=settings.allowed_origins,
                on_error=error_response,
            ),
            Middleware(UnreadCount),
            Middleware(SanctionNotices),
            Middleware(pagecache.AnonymousPageCache, store=pages_seen_anonymously),
        ],
        exception_handlers={
            PorchlightError: _porchlight_error,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            database.FieldRefused: _field_too_long,
            **{error: _database_unavailable for error in database.UNAVAILABLE},
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.router = web.IndexedRouter(routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.redis = redis
    app.state.bus = bus
    app.state.live = live
    # /api/v1/me belongs to accounts, which knows nothing above it: features add their fields.
    app.state.me_fields = [notifications_api.me_fields]
    app.state.read_caches = read_caches
    return app
