"""A micro-cache of the pages anonymous visitors see, so a busy topic renders once, not per view.

Everyone who is not signed in sees the same public page, so its HTML can be shared. Entries
live for a second or two and are dropped at once when this process publishes a boards event;
other workers' copies age out within the TTL. Signed-in people always get a fresh page.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import web
from realtime.events import Event

DEFAULT_TTL = 2.0
MAX_ENTRIES = 2048
MAX_BODY = 256 * 1024
_KEPT_HEADERS = {b"content-type", b"content-length"}


Entry = tuple[float, list[tuple[bytes, bytes]], bytes]


class PageStore:
    """The cached pages of one process, least recently stored dropped first."""

    def __init__(self, *, ttl: float = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        # Pages being rendered right now: one render per page, however many ask at once.
        self.filling: dict[bytes, asyncio.Event] = {}

    def clear(self) -> None:
        """Forget every page."""
        self.entries.clear()

    async def forget_on(self, event: Event) -> None:
        """An event subscriber: any change may show on any page, so forget them all."""
        self.clear()

    def put(self, key: bytes, entry: Entry) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


class AnonymousPageCache:
    """Serves anonymous GETs of pages from memory; must sit inside the Authentication middleware."""

    def __init__(self, app: ASGIApp, *, store: PageStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        now = time.monotonic()
        filling = self.store.filling.get(key)
        hit = self.store.entries.get(key)
        # An expired page is still served while its fresh copy renders (no stampede at expiry).
        if hit is not None and (hit[0] > now or filling is not None):
            await _replay(hit, send)
            return
        if filling is not None:
            await filling.wait()
            hit = self.store.entries.get(key)
            if hit is not None:
                await _replay(hit, send)
            else:  # that page turned out not to be shareable
                await self.app(scope, receive, send)
            return
        done = self.store.filling[key] = asyncio.Event()
        try:
            await self._fill(scope, receive, send, key, now)
        finally:
            del self.store.filling[key]
            done.set()

    @staticmethod
    def _cacheable_request(scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope.get("state", {}).get("user") is None
            and web.is_page(scope)
        )

    async def _fill(
        self, scope: Scope, receive: Receive, send: Send, key: bytes, now: float
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def recording_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # A copy: outer middleware adds its headers to this very message as it passes.
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start is not None:
                    self._store(scope, key, now, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, recording_send)

    def _store(self, scope: Scope, key: bytes, now: float, start: Message, body: bytes) -> None:
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        if start["status"] != 200 or len(body) > MAX_BODY:
            return
        if any(k not in _KEPT_HEADERS for k, _ in headers):
            return  # a cookie, a redirect, a no-store: this page is someone's own
        if not dict(headers).get(b"content-type", b"").startswith(b"text/html"):
            return
        token = scope.get("state", {}).get("csrf_token", "")
        if token and token.encode() in body:
            return  # a page with a form carries this visitor's own CSRF token
        self.store.put(key, (now + self.store.ttl, headers, body))


async def _replay(entry: Entry, send: Send) -> None:
    _, headers, body = entry
    await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
    await send({"type": "http.response.body", "body": body})
