"""Short-lived memories of the hottest reads, scoped to one app and dropped on every change.

A signed-in page view used to cost three round trips to the database (session, topic, posts),
each a hop to aiosqlite's thread and back, serialised behind its one connection. The app keeps
their results for about a second instead, per process:

- an entry lives at most `ttl` seconds from the moment its read *started*, so a change made by
  another worker (or behind the services' back) shows here within that time, never later;
- whoever changes the data in this process forgets the entries at once (the services call
  `forget`, or the app clears a cache on a domain event), so this process is never stale;
- a read that began before a forget is not stored when it ends (it may have seen the old row);
- a result is shared by everyone who asks while it loads (one query, not one per request),
  except inside a transaction (`reading_alone`), where a miss reads for itself: joining a load
  begun outside could wait on the transaction's own lock (SQLite's one connection), and what
  it reads is not yet committed, so it is neither stored nor shared.

The caches are the app's own, reachable by name for the length of a request (a context
variable the `ActiveCaches` middleware sets): code running outside a request (the command line,
service tests) reads the database every time and has nothing to forget.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from realtime.events import Event

V = TypeVar("V")

# Another worker's change shows within this long: "every session revoked within a second".
DEFAULT_TTL = 1.0
MAX_ENTRIES = 4096

SESSIONS = "sessions"
CONTENT = "content"
BLOCKS = "blocks"  # who each person blocked, forgotten by forum.accounts.blocks on a change


# Set while a transaction is open (forum.database.transaction): misses read alone.
_alone: ContextVar[bool] = ContextVar("porchlight_read_alone", default=False)


@contextlib.contextmanager
def reading_alone() -> Iterator[None]:
    """Inside this block a miss loads for itself: no joining, storing or sharing of the load.

    A transaction on SQLite holds the one connection's lock until it ends. Were a read inside
    it to wait for a load begun outside, that load would be waiting for the same lock: every
    request would stop. Values read inside are uncommitted, too: nobody else should see them.
    """
    token = _alone.set(True)
    try:
        yield
    finally:
        _alone.reset(token)


class TimedCache(Generic[V]):
    """Values by key for at most `ttl` seconds each; least recently stored dropped first."""

    def __init__(self, *, ttl: float = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        # Bumped by every forget: a load that started in an older generation is not stored.
        self.generation = 0
        self.loading: dict[Hashable, asyncio.Future[tuple[bool, V | None]]] = {}

    def get(self, key: Hashable) -> V | None:
        hit = self.entries.get(key)
        if hit is None:
            return None
        if hit[0] <= time.monotonic():
            del self.entries[key]
            return None
        return hit[1]

    async def load(self, key: Hashable, loader: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value, or the loader's (None is returned but never stored)."""
        found = self.get(key)
        if found is not None:
            return found
        if _alone.get():
            return await loader()
        pending = self.loading.get(key)
        if pending is not None:
            # Joins only a load begun since the last forget (forget drops `loading`).
            loaded, value = await asyncio.shield(pending)
            if loaded:
                return value
            return await loader()  # that load failed: try for ourselves, see our own error
        started, generation = time.monotonic(), self.generation
        future: asyncio.Future[tuple[bool, V | None]] = asyncio.get_running_loop().create_future()
        self.loading[key] = future
        try:
            value = await loader()
        except BaseException:
            future.set_result((False, None))
            raise
        finally:
            if self.loading.get(key) is future:
                del self.loading[key]
        if value is not None and generation == self.generation:
            self._put(key, started + self.ttl, value)
        future.set_result((True, value))
        return value

    def _put(self, key: Hashable, expires: float, value: V) -> None:
        self.entries[key] = (expires, value)
        self.entries.move_to_end(key)
        # Oldest first, so expired entries are at the front: what is kept is at most what was
        # read in the last ttl seconds (and never more than max_entries).
        now = time.monotonic()
        while self.entries and (
            len(self.entries) > self.max_entries or next(iter(self.entries.values()))[0] <= now
        ):
            self.entries.popitem(last=False)

    def forget(self, wanted: Callable[[Hashable, V], bool] | None = None) -> None:
        """Drop the entries `wanted` picks (all without it), and every load in flight."""
        self.generation += 1
        self.loading = {}
        if wanted is None:
            self.entries.clear()
            return
        for key in [k for k, (_, v) in self.entries.items() if wanted(k, v)]:
            del self.entries[key]

    async def forget_on(self, event: Event) -> None:
        """An event subscriber: any change may show in any read, so forget everything."""
        self.forget()


_active: ContextVar[Mapping[str, TimedCache[Any]] | None] = ContextVar(
    "porchlight_read_caches", default=None
)


def active(name: str) -> TimedCache[Any] | None:
    """This request's cache by that name, or None outside a request of the app."""
    caches = _active.get()
    return caches.get(name) if caches is not None else None


@contextlib.contextmanager
def using(caches: Mapping[str, TimedCache[Any]]) -> Iterator[None]:
    """Make these caches the active ones for the code run inside the block."""
    token = _active.set(caches)
    try:
        yield
    finally:
        _active.reset(token)


class ActiveCaches:
    """Makes the app's caches reachable from the code that serves each request."""

    def __init__(self, app: ASGIApp, *, caches: Mapping[str, TimedCache[Any]]) -> None:
        self.app = app
        self.caches = caches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _active.set(self.caches)  # as using() does, without a generator per request
        try:
            await self.app(scope, receive, send)
        finally:
            _active.reset(token)
