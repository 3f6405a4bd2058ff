"""Shared web plumbing: templates, reading JSON and forms, security headers, body limits."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Hashable, Mapping, MutableMapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import jinja2
import orjson
from markupsafe import Markup
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Host, Match, Router
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import clock, localtime
from forum.errors import BadRequest, PayloadTooLarge, PorchlightError, UnsupportedMediaType
from forum.pagination import clamp_limit
from forum.validation import whole_number

MAX_BODY_BYTES = 1024 * 1024
_FORUM = Path(__file__).parent
CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


class IdConvertor(Convertor[int]):
    """Database ids: digits only, small enough for a 32-bit column, so no id overflows SQL."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


class IndexedRouter(Router):
    """Starlette's router, first trying only the routes that could match the path's first part.

    Starlette tries each of two hundred routes in turn, which cost a topic page a fifth of its
    time. Here a path meets only the routes whose first part is the same text, or a parameter,
    in the order given: the first that matches fully is the one Starlette's loop would find.
    Anything else (a 405, a slash redirect, a 404, an app mounted under a root path) goes
    through Starlette's own loop. The routes are fixed when the app is made.
    """

    def __init__(self, routes: list[BaseRoute], **options: Any) -> None:
        super().__init__(routes, **options)
        self._candidates: dict[str, tuple[BaseRoute, ...]] = {}
        heads = {_first_part(route) for route in self.routes}
        for head in heads - {None}:
            self._candidates[str(head)] = tuple(
                route for route in self.routes if _first_part(route) in (head, None)
            )
        self._anywhere = tuple(route for route in self.routes if _first_part(route) is None)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and not scope.get("root_path"):
            head = scope["path"].split("/", 2)[1]
            for route in self._candidates.get(head, self._anywhere):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)


def _first_part(route: BaseRoute) -> str | None:
    """The fixed text before a route's second slash, or None when it could be anything."""
    path = getattr(route, "path", None)
    if isinstance(route, Host) or not isinstance(path, str) or not path.startswith("/"):
        return None
    head = path.split("/", 2)[1]
    return None if "{" in head else head


def _template_dirs() -> list[Path]:
    return [_FORUM / "templates", *sorted(_FORUM.glob("*/templates"))]


def add_templates(folder: Path) -> None:
    """Let pages find the templates of a package beside forum/ (moderation's): the composition
    root calls it, so that this core module knows nothing of the layers above it."""
    loader = templates.env.loader
    assert isinstance(loader, jinja2.FileSystemLoader)
    if str(folder) not in loader.searchpath:
        loader.searchpath.append(str(folder))


_DICT_METHODS = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Looks keys up first for plain dicts, the rows services return for pages.

    Jinja tries an attribute first and a key after the AttributeError; for a page of posts that
    exception was the largest single cost of rendering.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A plain dict rather than Jinja's ChainMap, which every render walked key by key to
        # copy. The app sets its globals once, before any page (set_global clears the
        # templates loaded before a change).
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A key named like a dict method ("get", "items") must not hide the method.
        if type(obj) is dict and attribute in obj and attribute not in _DICT_METHODS:
            return obj[attribute]
        return super().getattr(obj, attribute)


templates = Jinja2Templates(
    env=_Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in _template_dirs()]),
        autoescape=True,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def set_global(name: str, value: Any) -> None:
    """A name every template sees; templates loaded before are loaded again to see it."""
    templates.env.globals[name] = value
    if templates.env.cache is not None:
        templates.env.cache.clear()


UTC_ZONE = ZoneInfo("UTC")


# Short confirmations after a redirect (?notice=KEY), chosen by key so that no text from the
# address is ever shown.
NOTICES = {
    "welcome": (
        "Welcome to Porchlight! You are signed in. You can add your neighbourhood and a few "
        "words about yourself in Settings."
    ),
    "signed_out": "You are signed out. See you soon.",
    "deleted": (
        "Your account has been deleted. Thank you for being part of the neighbourhood; you "
        "are welcome back any time."
    ),
    "saved": "Your changes are saved.",
    "password_changed": "Your password is changed. Any other devices have been signed out.",
    "revoked": "That session is signed out.",
    "approved": "The sign-up is approved; they can sign in now.",
    "refused": "The sign-up was turned away.",
    "board_created": "The board is ready.",
    "blocked": (
        "Blocked. You will not see their posts and messages, and neither of you can message "
        "the other. They are not told."
    ),
    "unblocked": "Unblocked. Their posts and messages show again.",
    "feed_reset": "Your feed has a new address; the old one no longer works.",
    "personal_info": (
        "Share phone numbers and addresses in the private hand-off thread instead, so only "
        "the person helping you sees them. A moderator will look at your post shortly; until "
        "then only you can see it."
    ),
    "held": (
        "Thank you! A moderator will look at your post shortly; until then only you and they "
        "can see it."
    ),
}


def _zone(context: jinja2.runtime.Context) -> ZoneInfo:
    zone = context.get("community_zone")
    return zone if isinstance(zone, ZoneInfo) else UTC_ZONE


@jinja2.pass_context
def _when(context: jinja2.runtime.Context, moment: datetime | None) -> str:
    """The full date and time in the community's zone: "24 Nov 2026, 18:00 GMT"."""
    return localtime.full(moment, _zone(context)) if moment else ""


@jinja2.pass_context
def _day(context: jinja2.runtime.Context, moment: datetime | None) -> str:
    return localtime.day(moment, _zone(context)) if moment else ""


def _ago(moment: datetime | None) -> str:
    """ "3 hours ago" for a time less than a day away, else "": computed as the page renders."""
    return (localtime.relative(moment, clock.now()) or "") if moment else ""


# Pages show times in the community's zone; the datetime attribute (and the API) stay in UTC.
templates.env.filters.update(iso=clock.iso, when=_when, day=_day, ago=_ago)


def _csrf_token(secret: str, binding: str) -> str:
    # Nothing to store: an HMAC of what the token is bound to, useless in another session.
    return hmac.new(secret.encode(), binding.encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=4096)  # asked on every request of a session: a pure function
def session_csrf_token(secret: str, key_hash: str) -> str:
    """The CSRF token of one session (cookie or token), from the hash of its key."""
    return _csrf_token(secret, "session:" + key_hash)


def anonymous_csrf_token(secret: str, browser: str) -> str:
    """The CSRF token of one anonymous browser, from its random form cookie."""
    return _csrf_token(secret, "anon:" + browser)


class Fragments:
    """Rendered pieces of pages, remembered by everything they are rendered from.

    A fragment template sees only the values it is called with (no request, no viewer, no form
    token), so the same values always render the same HTML: a changed row is a new key, and
    nothing needs forgetting. Callers pass what differs between viewers as plain values (may
    this viewer manage these posts?), never the viewer. Values must be hashable, or lists and
    dicts of them. Forms inside hold the form-token slot; a fragment is kept encoded, cut at
    those slots, so that render joins it into the page's bytes with the viewer's token.
    """

    def __init__(
        self, env: jinja2.Environment, *, max_entries: int = 4096, max_bytes: int = 16 * 2**20
    ) -> None:
        self.env = env
        self.max_entries = max_entries
        # A key holds about as much as its HTML (a post's source beside its rendering), so both
        # count; a fragment over a sixty-fourth of the budget (a refused 1 MiB draft) is
        # rendered every time rather than kept.
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[Hashable, Pieces] = OrderedDict()

    def __call__(self, name: str, **values: Any) -> Markup:
        pieces = self.pieces(name, values)
        page = _page_pieces.get()
        if page is None:  # outside render (inside another fragment, or a test)
            return Markup(_TOKEN_SLOT.join(piece.decode() for piece in pieces))  # noqa: S704
        page.append(pieces)
        return Markup(f"{_SPLICE}{len(page) - 1}\x00")  # noqa: S704

    def pieces(self, name: str, values: dict[str, Any]) -> Pieces:
        # Times under a day old read "5 minutes ago": a fragment is good for the minute it was
        # rendered in, so the minute is part of its key. The names come in the order the call
        # gives them: a template calls alike every time.
        minute = int(clock.now().timestamp() // 60)
        key: Hashable | None = (name, minute, *values, *map(_frozen, values.values()))
        try:
            found = self.entries.get(key)
        except TypeError:  # a value that cannot be a key (rows holding dicts): never kept
            found = key = None
        if found is not None:
            self.entries.move_to_end(key)  # the least recently used go first
            return found
        outer = _page_pieces.set(None)  # a fragment inside this one is text within it
        try:
            html = self.env.get_template(name).render(values)
        finally:
            _page_pieces.reset(outer)
        pieces = tuple(html.encode().split(_TOKEN_SLOT.encode()))
        if key is not None:
            self._keep(key, pieces)
        return pieces

    def _keep(self, key: Hashable, pieces: Pieces) -> None:
        size = 2 * sum(map(len, pieces))
        if size > self.max_bytes // 64:
            return
        self.entries[key] = pieces
        self.size += size
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.size -= 2 * sum(map(len, dropped))


# A rendered fragment as UTF-8, cut at its form-token slots.
Pieces = tuple[bytes, ...]


# List items frozen in place, without a call each: rows, and plain values (form options).
_PLAIN = frozenset({tuple, str, int, bool, type(None)})


def _frozen(value: Any) -> Hashable:
    if type(value) in _PLAIN:
        return cast(Hashable, value)
    if type(value) is dict:
        return tuple(value.items())
    if not isinstance(value, list) and isinstance(value, Sequence) and not isinstance(value, str):
        # Rows made only when read (database.Seen): keyed like Rows without making them.
        key = getattr(value, "key", None)
        if key is not None:
            return ("rows", key)
        value = list(value)
    if isinstance(value, list):
        # Rows that say what determines them (database.Rows) are keyed by that, not walked.
        key = getattr(value, "key", None)
        if key is not None:
            return ("rows", key)
        return tuple(
            [
                tuple(v.items()) if type(v) is dict else v if type(v) in _PLAIN else _frozen(v)
                for v in value
            ]
        )
    return cast(Hashable, value)


templates.env.globals["fragment"] = fragments = Fragments(templates.env)

# A form inside a shared fragment cannot carry the viewer's own token, so every form carries
# this slot and render fills it in as the page leaves. Unguessable, and never in stored text:
# names and titles refuse control characters, and the sanitizer turns NUL into U+FFFD.
_TOKEN_SLOT = "\x00" + secrets.token_hex(8) + "\x00"
_TOKEN_FIELD = Markup(f'<input type="hidden" name="csrf_token" value="{_TOKEN_SLOT}">')  # noqa: S704
templates.env.globals["form_token"] = lambda: _TOKEN_FIELD
templates.env.globals["csrf"] = lambda: _TOKEN_FIELD

# While render runs a page, the fragments it meets stay bytes: the page holds a mark in their
# place ("<_SPLICE>3<NUL>"), and render joins the page's own text, encoded, around them. A
# page of posts is not encoded again on every view.
_SPLICE = "\x00" + secrets.token_hex(8) + ":"
_page_pieces: ContextVar[list[Pieces] | None] = ContextVar("porchlight_page_pieces", default=None)


def render(
    request: Request, name: str, context: Mapping[str, Any] | None = None, status_code: int = 200
) -> Response:
    ctx = dict(context or {})
    ctx.setdefault("viewer", getattr(request.state, "user", None))
    ctx.setdefault("unread_notifications", getattr(request.state, "unread_notifications", 0))
    ctx.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    # What the moderators must tell this person on every page (moderation's middleware).
    ctx.setdefault("standing_notices", getattr(request.state, "standing_notices", ()))
    settings = getattr(request.app.state, "settings", None)
    ctx.setdefault("community_zone", getattr(settings, "timezone", UTC_ZONE))
    ctx["request"] = request
    # What the header and the notice need of the address, read once rather than in the template.
    here = request.scope["path"]
    ctx.update(here=here, section=here.split("/", 2)[1], **_site_header(ctx["viewer"], here))
    notice = query_params(request).get("notice", "") if request.scope.get("query_string") else ""
    ctx.setdefault("notice", NOTICES.get(notice) if notice else None)
    pieces: list[Pieces] = []
    outer = _page_pieces.set(pieces)
    try:
        page = templates.get_template(name).render(ctx)
    finally:
        _page_pieces.reset(outer)
    return HTMLResponse(_assemble(page, pieces, ctx["csrf_token"]), status_code=status_code)


def _site_header(viewer: Any, here: str) -> dict[str, Any]:
    """What the site header shows of this viewer (a fragment shared by everyone alike): their
    names and roles; the address only where it shows (the sign-in link, the home page)."""
    if viewer is None:
        return {"site_member": None, "header_here": here}
    member = {
        "username": viewer.username,
        "shown_name": viewer.shown_name,
        "is_staff": viewer.is_staff,
        "is_admin": viewer.is_admin,
    }
    return {"site_member": member, "header_here": here if here == "/" else ""}


def _assemble(page: str, fragments: list[Pieces], csrf_token: str) -> bytes:
    """The page's bytes: its text with the token in every slot, each fragment in its place."""
    token = csrf_token.encode()
    text, *marked = page.split(_SPLICE)
    out = [text.replace(_TOKEN_SLOT, csrf_token).encode()]
    for mark in marked:
        index, _, text = mark.partition("\x00")
        out.append(token.join(fragments[int(index)]))
        out.append(text.replace(_TOKEN_SLOT, csrf_token).encode())
    return b"".join(out)


def refused(
    request: Request, template: str, exc: PorchlightError, form: Mapping[str, str], **context: Any
) -> Response:
    """The same form again with what was typed (never a password) and each error by its field.

    Its title starts with "Error: " (refused), the first thing a screen reader says of the page.
    """
    kept = {k: v for k, v in form.items() if "password" not in k and k != "csrf_token"}
    return render(
        request,
        template,
        {**context, "form": kept, "errors": exc.fields, "problem": exc.message, "refused": True},
        status_code=exc.status_code,
    )


def redirect(url: str) -> RedirectResponse:
    """POST-redirect-GET: 303 so the browser fetches the next page with GET."""
    return RedirectResponse(url, status_code=303)


# Paths that never show a page: no form token, no shared page cache.
NOT_PAGES = ("/api/", "/static/", "/healthz", "/readyz")


def is_page(scope: Scope) -> bool:
    return not scope["path"].startswith(NOT_PAGES)


def is_api(scope: Scope) -> bool:
    return bool(scope.get("path", "").startswith("/api/"))


class _FastJSONResponse(JSONResponse):
    """Starlette's JSONResponse, encoded by orjson: about ten times faster on a page of posts.

    The same bytes for everything the API sends: UTF-8 without ASCII escapes, compact
    separators, keys in order. A lone surrogate is still refused; NaN would become null
    (the API sends no floats).
    """

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(
    data: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return _FastJSONResponse(data, status_code=status_code, headers=dict(headers or {}))


def error_body(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 415 / 400 that says what is wrong."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    raw = await request.body()
    try:
        data = json.loads(raw)
        # JSON may spell lone surrogates (\ud800) that no database can store: refuse them here.
        json.dumps(data, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError):
        raise BadRequest("The body is not valid JSON.", code="malformed_json") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    return data


async def read_form(request: Request) -> dict[str, str]:
    """A submitted form as plain strings (the last value wins for repeated names)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def page_args(request: Request) -> dict[str, Any]:
    """A list's cursor and limit from the query string (see clamp_limit)."""
    return {
        "cursor": request.query_params.get("cursor"),
        "limit": clamp_limit(request.query_params.get("limit")),
    }


# Lists and their filters come back with the same few query strings: each is parsed once.
_QUERY_CACHED_MAX = 512


@functools.lru_cache(maxsize=256)
def _parsed_query(raw: bytes) -> QueryParams:
    return QueryParams(raw)


def query_params(request: Request) -> QueryParams:
    """The request's query parameters (immutable, so a parse may be shared by requests)."""
    raw: bytes = request.scope.get("query_string", b"")
    return _parsed_query(raw) if len(raw) <= _QUERY_CACHED_MAX else request.query_params


def query_int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    number = whole_number(raw)
    if number is None:
        raise BadRequest(f"{name} must be a whole number.", code="invalid_query")
    return number


_SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Headers every response carries; no-store whenever someone is signed in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(scope, list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secured(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's own headers first (a route may set its own policy), then the rest."""
    present = {name.lower() for name, _ in headers}
    headers += [header for header in _SECURITY_HEADERS if header[0] not in present]
    # Signed-in pages, and anything that sets a cookie (a sign-in, a form token), must not be
    # kept by a browser cache or a proxy.
    if scope.get("state", {}).get("user") is not None or b"set-cookie" in present:
        headers = [h for h in headers if h[0].lower() != b"cache-control"]
        headers.append((b"cache-control", b"no-store"))
    return headers


class BodyLimit:
    """Refuse bodies over the limit with 413, from Content-Length or while streaming.

    The refusal is raised from receive(), inside the app, so the usual error pages answer it,
    and a declared oversize body is refused before a single byte of it is read.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            if declared is not None and declared > self.limit:
                raise PayloadTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise PayloadTooLarge()
            return message

        await self.app(scope, limited_receive, send)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
