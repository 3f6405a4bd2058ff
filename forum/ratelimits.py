"""Rate limits: fixed-window counters in this process, or shared through Redis."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from forum.errors import RateLimited

log = logging.getLogger("porchlight.ratelimits")


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return the hits in the current window and seconds until it ends."""

    async def peek(self, key: str) -> tuple[int, int]:
        """The hits in the current window and seconds until it ends, counting nothing."""


class MemoryCounter:
    """Counters for a single process (the embedded default)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        ends, count = self._windows.get(key, (now + window, 0))
        if now >= ends:
            ends, count = now + window, 0
        count += 1
        if len(self._windows) >= self._max_keys:
            self._forget_expired(now)
        self._windows[key] = (ends, count)
        return count, int(ends - now) + 1

    async def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
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


class RateLimiter:
    def __init__(self, counter: Counter, *, enabled: bool = True) -> None:
        self.counter = counter
        self.enabled = enabled

    async def check(self, key: str, *, limit: int, window: int) -> None:
        """Count a hit on key; raise RateLimited past limit hits per window seconds."""
        if not self.enabled:
            return
        count, remaining = await self.counter.hit(key, window)
        if count > limit:
            raise RateLimited(remaining)

    async def refuse_if_over(self, key: str, *, limit: int) -> None:
        """Raise if key already has limit hits in its window; counts nothing itself."""
        if not self.enabled:
            return
        count, remaining = await self.counter.peek(key)
        if count >= limit:
            raise RateLimited(remaining)

    async def record(self, key: str, *, window: int) -> None:
        """Count a hit on key without refusing anything (a failure to be limited later)."""
        if self.enabled:
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
