"""Rate limits: one table of what each action allows, counted in this process or in Redis."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from forum.errors import RateLimited

log = logging.getLogger("porchlight.ratelimits")


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return the hits in the current window and seconds until it ends."""

    async def peek(self, key: str) -> tuple[int, int]:
        """The hits in the current window and seconds until it ends, counting nothing."""


class MemoryCounter:
    """Counters for a single process (the embedded default)."""

    def __init__(
        self, max_keys: int = 100_000, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._max_keys = max_keys
        # Seconds from any fixed point; tests hand in their own to move time without sleeping.
        self._clock = clock

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = self._clock()
        ends, count = self._windows.get(key, (now + window, 0))
        if now >= ends:
            ends, count = now + window, 0
        count += 1
        if len(self._windows) >= self._max_keys:
            self._forget_expired(now)
        self._windows[key] = (ends, count)
        return count, int(ends - now) + 1

    async def peek(self, key: str) -> tuple[int, int]:
        now = self._clock()
        ends, count = self._windows.get(key, (now, 0))
        return (count, int(ends - now) + 1) if now < ends else (0, 0)

    def _forget_expired(self, now: float) -> None:
        # Bounded memory: an attacker cycling keys cannot grow this without limit.
        for key in [k for k, (ends, _) in self._windows.items() if now >= ends]:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            self._windows.clear()


class RedisCounter:
    """Counters shared by every worker and host that use the same Redis.

    When Redis cannot be reached the limits fail open, with a warning: a neighbour must still
    be able to sign in and chat while Redis restarts, and the outage is short and logged.
    """

    def __init__(self, redis: object, prefix: str = "porchlight:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        name = self._prefix + key
        pipe = self._redis.pipeline(transaction=True)  # type: ignore[attr-defined]
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.ttl(name)
        try:
            count, _, ttl = await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - the client's own errors are not importable here
            log.warning("rate limit counter unavailable, not limiting %s: %s", key, exc)
            return 0, window
        return int(count), max(1, int(ttl))

    async def peek(self, key: str) -> tuple[int, int]:
        name = self._prefix + key
        pipe = self._redis.pipeline(transaction=True)  # type: ignore[attr-defined]
        pipe.get(name)
        pipe.ttl(name)
        try:
            count, ttl = await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - as in hit()
            log.warning("rate limit counter unavailable, not limiting %s: %s", key, exc)
            return 0, 0
        return int(count or 0), max(1, int(ttl))


@dataclass(frozen=True)
class Limit:
    """Hits allowed in window seconds, per person and per client address (0: not counted)."""

    window: int
    per_person: int = 0
    per_client: int = 0


# Every limit Porchlight applies, by action. Generous for a neighbour (nobody writes ten topics
# in ten minutes by hand), tight enough that a script or a stolen account cannot flood the
# board. Per address is three times per person: a household or a library shares one address.
LIMITS: Mapping[str, Limit] = {
    "register": Limit(3600, per_client=10),
    "login": Limit(300, per_client=30),
    # Wrong passwords, counted per account from one address (the person counted is the account
    # tried) and per account from anywhere with a far higher limit: a stranger's wrong guesses
    # cannot lock a neighbour out of her account.
    "login_failure": Limit(300, per_person=10),
    "login_failure_account": Limit(3600, per_person=100),
    # A wrong current password when changing the password or deleting the account.
    "password_failure": Limit(300, per_person=10, per_client=30),
    "topic": Limit(600, per_person=10, per_client=30),
    "post": Limit(300, per_person=30, per_client=90),
    "edit": Limit(300, per_person=60, per_client=180),
    "aid": Limit(3600, per_person=10, per_client=30),
    "aid_response": Limit(3600, per_person=30, per_client=90),
    "chat_send": Limit(10, per_person=30, per_client=90),
    "chat_typing": Limit(10, per_person=10),
    "direct_message": Limit(3600, per_person=20, per_client=60),
    "report": Limit(86400, per_person=20, per_client=60),  # reports a member files a day
}

# The address of the request or socket being served, set by the ClientAddress middleware, so
# that services (which never see a request) count per address too. Empty outside a request.
_client: ContextVar[str] = ContextVar("porchlight_client_address", default="")
# Set by exempt(): work that is nobody's flood (test factories building data in bulk).
_exempt: ContextVar[bool] = ContextVar("porchlight_rate_limits_exempt", default=False)


class ClientAddress:
    """ASGI middleware: make the caller's address known to check_action for this request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = _client.set(str(client[0]) if client else "")
        try:
            await self.app(scope, receive, send)
        finally:
            _client.reset(token)


@contextlib.contextmanager
def exempt() -> Iterator[None]:
    """Count nothing inside the block (and the tasks it starts)."""
    token = _exempt.set(True)
    try:
        yield
    finally:
        _exempt.reset(token)


def _keys(
    action: str, limit: Limit, actor_id: int | str | None, client: str | None
) -> list[tuple[str, int]]:
    """The counters an action of this person from this address goes on, with their limits."""
    address = _client.get() if client is None else client
    keys = []
    if limit.per_person and actor_id is not None and actor_id != "":
        keys.append((f"{action}:person:{actor_id}", limit.per_person))
    if limit.per_client and address:
        keys.append((f"{action}:client:{address}", limit.per_client))
    return keys


class RateLimiter:
    def __init__(
        self,
        counter: Counter,
        *,
        enabled: bool = True,
        limits: Mapping[str, Limit] | None = None,
    ) -> None:
        self.counter = counter
        self.enabled = enabled
        self.limits = dict(LIMITS if limits is None else limits)

    def _active(self) -> bool:
        return self.enabled and not _exempt.get()

    async def check_action(
        self, action: str, *, actor_id: int | str | None = None, client: str | None = None
    ) -> None:
        """Count one action; raise RateLimited once this person or address is past its limit."""
        if not self._active():
            return
        limit = self.limits[action]
        refusal: RateLimited | None = None
        for key, allowed in _keys(action, limit, actor_id, client):
            count, remaining = await self.counter.hit(key, limit.window)
            if count > allowed:
                retry = max(remaining, refusal.retry_after if refusal else 0)
                refusal = RateLimited(retry)
        if refusal is not None:
            raise refusal

    async def refuse_if_failing(
        self, action: str, *, actor_id: int | str | None = None, client: str | None = None
    ) -> None:
        """Raise if this person or address already failed action its limit of times."""
        if not self._active():
            return
        limit = self.limits[action]
        for key, allowed in _keys(action, limit, actor_id, client):
            count, remaining = await self.counter.peek(key)
            if count >= allowed:
                raise RateLimited(remaining)

    async def record_failure(
        self, action: str, *, actor_id: int | str | None = None, client: str | None = None
    ) -> None:
        """Count a failure (a wrong password) for refuse_if_failing to refuse later."""
        if not self._active():
            return
        limit = self.limits[action]
        for key, _ in _keys(action, limit, actor_id, client):
            await self.counter.hit(key, limit.window)

    async def check(self, key: str, *, limit: int, window: int) -> None:
        """Count a hit on key; raise RateLimited past limit hits per window seconds."""
        if not self._active():
            return
        count, remaining = await self.counter.hit(key, window)
        if count > limit:
            raise RateLimited(remaining)

    async def refuse_if_over(self, key: str, *, limit: int) -> None:
        """Raise if key already has limit hits in its window; counts nothing itself."""
        if not self._active():
            return
        count, remaining = await self.counter.peek(key)
        if count >= limit:
            raise RateLimited(remaining)

    async def record(self, key: str, *, window: int) -> None:
        """Count a hit on key without refusing anything (a failure to be limited later)."""
        if self._active():
            await self.counter.hit(key, window)


# Replaced at start-up by the composition root (forum.app) with the configured backend.
limiter = RateLimiter(MemoryCounter())


def configure(new_limiter: RateLimiter) -> None:
    global limiter
    limiter = new_limiter


async def check(key: str, *, limit: int, window: int) -> None:
    await limiter.check(key, limit=limit, window=window)


async def refuse_if_over(key: str, *, limit: int) -> None:
    await limiter.refuse_if_over(key, limit=limit)


async def record(key: str, *, window: int) -> None:
    await limiter.record(key, window=window)


async def check_action(
    action: str, *, actor_id: int | str | None = None, client: str | None = None
) -> None:
    """Count one action (a name in LIMITS) by this person from this address, or raise 429.

    client defaults to the address of the request or socket being served; "" counts none.
    """
    await limiter.check_action(action, actor_id=actor_id, client=client)


async def refuse_if_failing(
    action: str, *, actor_id: int | str | None = None, client: str | None = None
) -> None:
    await limiter.refuse_if_failing(action, actor_id=actor_id, client=client)


async def record_failure(
    action: str, *, actor_id: int | str | None = None, client: str | None = None
) -> None:
    await limiter.record_failure(action, actor_id=actor_id, client=client)
