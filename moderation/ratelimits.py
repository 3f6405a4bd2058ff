"""Rate limits: fixed-window counters in this process, or shared through Redis."""

from __future__ import annotations

import time
from typing import Protocol


class RateLimitExceeded(Exception):
    """Too many hits on one key; retry_after is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = max(1, retry_after)


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; return the hits in the current window and seconds until it ends."""


class MemoryCounter:
    """Counters for a single process (the embedded default)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        started, count = self._windows.get(key, (now, 0))
        if now - started >= window:
            started, count = now, 0
        count += 1
        if len(self._windows) >= self._max_keys:
            self._forget_expired(now, window)
        self._windows[key] = (started, count)
        return count, int(started + window - now) + 1

    def _forget_expired(self, now: float, window: int) -> None:
        # Bounded memory: an attacker cycling keys cannot grow this without limit.
        for key in [k for k, (s, _) in self._windows.items() if now - s >= window]:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            self._windows.clear()


class RedisCounter:
    """Counters shared by every worker and host that use the same Redis."""

    def __init__(self, redis: object, prefix: str = "porchlight:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        name = self._prefix + key
        pipe = self._redis.pipeline(transaction=True)  # type: ignore[attr-defined]
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.ttl(name)
        count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))


class RateLimiter:
    def __init__(self, counter: Counter, *, enabled: bool = True) -> None:
        self.counter = counter
        self.enabled = enabled

    async def check(self, key: str, *, limit: int, window: int) -> None:
        """Count a hit on key; raise RateLimitExceeded past limit hits per window seconds."""
        if not self.enabled:
            return
        count, remaining = await self.counter.hit(key, window)
        if count > limit:
            raise RateLimitExceeded(remaining)


# Replaced at start-up by the composition root (forum.app) with the configured backend.
limiter = RateLimiter(MemoryCounter())


def configure(new_limiter: RateLimiter) -> None:
    global limiter
    limiter = new_limiter


async def check(key: str, *, limit: int, window: int) -> None:
    await limiter.check(key, limit=limit, window=window)
