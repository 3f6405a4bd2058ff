"""Fan-out between processes: in memory for one process, Redis pub/sub for several.

A frame is published once to a channel and delivered by every process to its own listeners.
Delivery is best effort by design: messages are stored before they are published, and a
subscriber that missed some (Redis was down, the phone was asleep) catches up from the database.
Presence, which nothing stores, lives here too: per room, shared through Redis when configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from realtime.hub import Connection, Hub

log = logging.getLogger("porchlight.realtime")

PREFIX = "porchlight:rt:"  # the default; a broker is given its own (PORCHLIGHT_REDIS_PREFIX)
PRESENCE_TTL = 60.0  # seconds a presence entry lives without being refreshed
PRESENCE_REFRESH = 20.0
MUTE = "mute:user:"  # the channel that changes whom a person's connections hear


class Broker(Protocol):
    hub: Hub

    async def publish(
        self, channel: str, text: str, *, origin: str | None = None, sender: int | None = None
    ) -> None: ...

    async def mute(self, user_id: int, senders: list[int]) -> None: ...

    async def present(self, room_id: int, connection: Connection, here: bool) -> None: ...

    async def present_users(self, room_id: int) -> list[Any]: ...

    def running(self) -> contextlib.AbstractAsyncContextManager[None]: ...


def _presence_member(room_id: int, connection: Connection) -> str:
    # The name this room shows (a hand-off thread may withhold the owner's).
    author = connection.author_in(room_id)
    return json.dumps([connection.id, author], separators=(",", ":"))


def _unique_authors(entries: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    seen: dict[Any, Mapping[str, Any]] = {}
    for author in entries:
        seen.setdefault(author.get("id"), author)
    return sorted(seen.values(), key=lambda a: str(a.get("username", "")))


class MemoryBroker:
    """One process: publishing is delivering."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._presence: defaultdict[int, dict[str, Mapping[str, Any]]] = defaultdict(dict)

    async def publish(
        self, channel: str, text: str, *, origin: str | None = None, sender: int | None = None
    ) -> None:
        self.hub.deliver(channel, text, exclude=origin, sender=sender)

    async def mute(self, user_id: int, senders: list[int]) -> None:
        self.hub.mute(user_id, frozenset(senders))

    async def present(self, room_id: int, connection: Connection, here: bool) -> None:
        entries = self._presence[room_id]
        if here:
            entries[connection.id] = connection.author_in(room_id)
        else:
            entries.pop(connection.id, None)

    async def present_users(self, room_id: int) -> list[Any]:
        return _unique_authors(list(self._presence.get(room_id, {}).values()))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        yield


class RedisBroker:
    """Several processes or hosts: one Redis pub/sub pattern subscription per process."""

    def __init__(self, hub: Hub, redis: Redis, *, prefix: str = PREFIX) -> None:
        """prefix starts every channel and key: brokers with different prefixes never meet,
        even on one Redis server (pub/sub channels ignore the database number)."""
        self.hub = hub
        self.redis = redis
        self.prefix = prefix
        self.connected = asyncio.Event()

    def _presence_key(self, room_id: int) -> str:
        return f"{self.prefix}presence:{room_id}"

    async def publish(
        self, channel: str, text: str, *, origin: str | None = None, sender: int | None = None
    ) -> None:
        # Encoded frames hold no raw newline (JSON escapes them): two header lines, then it.
        envelope = (origin or "") + "\n" + (str(sender) if sender is not None else "") + "\n" + text
        try:
            await self.redis.publish(self.prefix + channel, envelope)
        except Exception as exc:  # noqa: BLE001 - Redis away: stored messages are caught up
            log.warning("realtime publish to %s failed: %s", channel, exc)

    async def mute(self, user_id: int, senders: list[int]) -> None:
        """Tell every process what this person's connections no longer hear."""
        data = ",".join(str(int(s)) for s in senders)
        try:
            await self.redis.publish(f"{self.prefix}{MUTE}{user_id}", data)
        except Exception as exc:  # noqa: BLE001 - Redis away: their next connection has it
            log.warning("realtime mute for %s failed: %s", user_id, exc)

    async def present(self, room_id: int, connection: Connection, here: bool) -> None:
        """Note one join or leave; nothing is read back (a room of N would cost N per join)."""
        pipe = self.redis.pipeline(transaction=True)
        if here:
            now = time.time()
            entry = {_presence_member(room_id, connection): now + PRESENCE_TTL}
            self._mark_present(pipe, room_id, entry, now)
        else:
            pipe.zrem(self._presence_key(room_id), _presence_member(room_id, connection))
        try:
            await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - presence is a nicety; chat goes on
            log.warning("presence update failed: %s", exc)

    def _mark_present(
        self, pipe: Pipeline, room_id: int, entries: dict[str, float], now: float
    ) -> None:
        """Queue the entries (member: expiry) and drop the room's expired ones."""
        key = self._presence_key(room_id)
        pipe.zadd(key, entries)
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.expire(key, int(PRESENCE_TTL) * 2)

    async def present_users(self, room_id: int) -> list[Any]:
        try:
            raw = await self.redis.zrangebyscore(self._presence_key(room_id), time.time(), "+inf")
        except Exception as exc:  # noqa: BLE001 - unknown presence counts as away
            log.warning("presence read failed: %s", exc)
            return []
        return _unique_authors([json.loads(cast(str, item))[1] for item in raw])

    async def refresh_presence(self) -> None:
        """Renew every local connection's presence: one round trip, three commands per room."""
        now = time.time()
        members: defaultdict[int, dict[str, float]] = defaultdict(dict)
        for connection in self.hub.connections("everyone"):
            for room_id in list(connection.rooms):
                members[room_id][_presence_member(room_id, connection)] = now + PRESENCE_TTL
        if not members:
            return
        pipe = self.redis.pipeline(transaction=False)
        for room_id, entries in members.items():
            self._mark_present(pipe, room_id, entries, now)
        try:
            await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - presence is a nicety; chat goes on
            log.warning("presence refresh failed: %s", exc)

    async def _refresh_presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_REFRESH)
            await self.refresh_presence()

    async def _listen(self) -> None:
        """Deliver what any process publishes; reconnect by itself when Redis comes back."""
        delay = 0.5
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.prefix + "*")
                self.connected.set()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    self._deliver(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any Redis failure: wait and reconnect
                self.connected.clear()
                log.warning("realtime lost Redis (%s); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await cast(Any, pubsub).aclose()  # typed in some redis releases only

    def _deliver(self, raw_channel: bytes | str, raw: bytes | str) -> None:
        channel = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        channel = channel.removeprefix(self.prefix)
        data = raw.decode() if isinstance(raw, bytes) else raw
        if channel.startswith(MUTE):
            senders = frozenset(int(s) for s in data.split(",") if s.isdigit())
            self.hub.mute(int(channel.removeprefix(MUTE)), senders)
            return
        parts = data.split("\n", 2)
        if len(parts) != 3 or (parts[1] and not parts[1].isdigit()):
            log.warning("dropped a malformed realtime envelope on %s", channel)
            return
        origin, sender, text = parts
        self.hub.deliver(
            channel, text, exclude=origin or None, sender=int(sender) if sender else None
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with asyncio.TaskGroup() as group:
            listener = group.create_task(self._listen())
            refresher = group.create_task(self._refresh_presence())
            with contextlib.suppress(TimeoutError):
                # Start serving once subscribed, or after a moment if Redis is away.
                await asyncio.wait_for(self.connected.wait(), timeout=2)
            try:
                yield
            finally:
                listener.cancel()
                refresher.cancel()
