"""Who is asking: session cookie or bearer token on every request, and the CSRF/Origin guard."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import database, web
from forum.accounts import sessions
from forum.accounts.models import User
from forum.errors import NotAuthenticated, PermissionDenied, PorchlightError, ServiceUnavailable

SESSION_COOKIE = "porchlight_session"
ANON_COOKIE = "porchlight_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
COOKIE_LIFETIME = timedelta(days=400)

ErrorResponder = Callable[[Request, PorchlightError], Awaitable[Response]]


def session_cookie_header(key: str, *, secure: bool, max_age: int) -> str:
    cookie = SimpleCookie()
    cookie[SESSION_COOKIE] = key
    morsel = cookie[SESSION_COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    morsel["max-age"] = max_age
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


def require_user(request: Request) -> User:
    """The signed-in user, or NotAuthenticated (401 / the sign-in page)."""
    user: User | None = request.state.user
    if user is None:
        raise NotAuthenticated()
    return user


def client_address(request: Request) -> str:
    """The caller's address, as rate limits key it (the proxy's view when behind one)."""
    return request.client.host if request.client else ""


def set_session_cookie(request: Request, response: Response, key: str) -> Response:
    # The browser may keep the cookie long; the server ends the session after 30 idle days.
    max_age = int(COOKIE_LIFETIME.total_seconds())
    cookie = session_cookie_header(key, secure=request.url.scheme == "https", max_age=max_age)
    response.headers.append("set-cookie", cookie)
    return response


def _cookies(scope: Scope) -> dict[str, str]:
    # Starlette's parser, as request.cookies reads them: lenient as browsers are, never raising
    # on a mangled header, and several times quicker than http.cookies on every request.
    for name, value in scope["headers"]:
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class Authentication:
    """Puts user, session, how they signed in and the CSRF token into request.state."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: str,
        allowed_origins: tuple[str, ...],
        on_error: ErrorResponder,
    ) -> None:
        self.app = app
        self.secret = secret
        self.allowed_origins = frozenset(allowed_origins)
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        cookies = _cookies(scope)
        state.update(user=None, session=None, via=None)
        authorization = _header(scope, b"authorization") or ""
        bearer = authorization[:7].lower() == "bearer "
        via = "bearer" if bearer else "cookie"
        key = authorization[7:].strip() if bearer else cookies.get(SESSION_COOKIE, "")
        try:
            found = await sessions.authenticate(key)
        except database.UNAVAILABLE:
            # Out here the app's exception handlers cannot see it: answer the outage ourselves.
            if scope["type"] == "http":
                response = await self.on_error(Request(scope, receive), ServiceUnavailable())
                await response(scope, receive, send)
            return
        if found is not None:
            state["user"], state["session"] = found
            state["via"] = via
        new_anon = None
        if found is not None:
            state["csrf_token"] = web.session_csrf_token(self.secret, found[1].key_hash)
        else:
            anon = cookies.get(ANON_COOKIE, "")
            if (not anon or len(anon) > 64) and web.is_page(scope):
                anon = new_anon = secrets.token_urlsafe(24)
            state["csrf_token"] = web.anonymous_csrf_token(self.secret, anon)
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            try:
                guarded = await self._guard(scope, receive, send, cookies)
            except PorchlightError as exc:  # an oversize form, refused while looking for a token
                response = await self.on_error(Request(scope, receive), exc)
                await response(scope, receive, send)
                return
            if guarded is None:
                return
            receive = guarded
        if new_anon is None:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                secure = scope.get("scheme") == "https"
                headers.append(
                    "set-cookie",
                    f"{ANON_COOKIE}={new_anon}; Path=/; HttpOnly; "
                    f"SameSite=Lax{'; Secure' if secure else ''}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _guard(
        self, scope: Scope, receive: Receive, send: Send, cookies: dict[str, str]
    ) -> Receive | None:
        """Check Origin and CSRF on an unsafe request; answer it and return None if they fail."""
        state = scope["state"]
        via = state["via"]
        origin = _header(scope, b"origin")
        api = web.is_api(scope)
        if (
            origin is not None
            and (via == "cookie" or not api)
            and (origin.rstrip("/") not in self.allowed_origins)
        ):
            await self._refuse(scope, receive, send, "This request came from another site.")
            return None
        if via == "bearer" or (api and via is None):
            return receive
        if not api and via is None and ANON_COOKIE not in cookies:
            await self._refuse(
                scope,
                receive,
                send,
                "Your browser did not keep our form cookie. "
                "Please allow cookies for this site, reload and try again.",
            )
            return None
        sent = _header(scope, CSRF_HEADER.encode())
        replay = receive
        if sent is None and not api:
            sent, replay = await self._token_from_form(scope, receive)
        # Compared as bytes: compare_digest refuses str with non-ASCII characters.
        expected = state["csrf_token"].encode()
        if not sent or not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected):
            message = (
                "The security token is missing or wrong."
                if api
                else "This form has expired. Go back, reload the page and try again."
            )
            await self._refuse(scope, replay, send, message)
            return None
        return replay

    async def _token_from_form(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        """Read an urlencoded form to find its token, then hand the same body on."""
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return None, receive
        chunks = []
        more = True
        while more:
            message = await receive()  # BodyLimit's receive: bounded to 1 MiB
            if message["type"] != "http.request":
                return None, receive
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD, [])
        sent_body = False

        async def replay() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return (values[-1] if values else None), replay

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        request = Request(scope, receive)
        response = await self.on_error(request, PermissionDenied(message, code="csrf_failed"))
        await response(scope, receive, send)
