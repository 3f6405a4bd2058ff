"""Presence through Redis: what joins, leaves and the periodic refresh leave in the shared set."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from realtime.broker import PRESENCE_TTL, RedisBroker
from realtime.hub import Connection, Hub
from tests.conftest import TEST_REDIS_PREFIX


@pytest.fixture
async def redis(redis_url: str | None) -> AsyncIterator[Redis]:
    if not redis_url:
        pytest.skip("presence through Redis needs Redis: it runs in the PostgreSQL + Redis pass")
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def _person(n: int) -> Connection:
    return Connection(user_id=n, author={"id": n, "username": f"p{n:03d}"})


async def test_joins_and_leaves_are_what_the_room_sees(redis: Redis) -> None:
    hub = Hub()
    broker = RedisBroker(hub, redis, prefix=TEST_REDIS_PREFIX + "rt:")
    ann, bea, ann_phone = _person(1), _person(2), _person(1)
    for connection in (ann, bea, ann_phone):
        hub.attach(connection)
        hub.join(connection, 7)
        await broker.present(7, connection, True)
    assert [a["username"] for a in await broker.present_users(7)] == ["p001", "p002"]
    await broker.present(7, bea, False)
    await broker.present(7, ann, False)
    # Ann is still there on her phone.
    assert [a["username"] for a in await broker.present_users(7)] == ["p001"]
    assert await broker.present_users(8) == []


async def test_a_refresh_renews_every_local_connection_in_one_round_trip(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = Hub()
    broker = RedisBroker(hub, redis, prefix=TEST_REDIS_PREFIX + "rt:")
    connections = [_person(n) for n in range(1, 301)]
    for n, connection in enumerate(connections):
        hub.attach(connection)
        for room_id in (7, 8) if n % 2 else (7,):
            hub.join(connection, room_id)
            await broker.present(room_id, connection, True)
    # Age every entry as if it were about to expire.
    for room_id in (7, 8):
        key = f"{broker.prefix}presence:{room_id}"
        aged = {m: time.time() + 1 for m in await redis.zrange(key, 0, -1)}
        await redis.zadd(key, aged)

    executed = 0
    pipeline = redis.pipeline

    def counting_pipeline(*args: Any, **kwargs: Any) -> Any:
        nonlocal executed
        executed += 1
        return pipeline(*args, **kwargs)

    monkeypatch.setattr(redis, "pipeline", counting_pipeline)
    before = time.time()
    await broker.refresh_presence()

    assert executed == 1
    for room_id, expected in ((7, 300), (8, 150)):
        scores = await redis.zrange(f"{broker.prefix}presence:{room_id}", 0, -1, withscores=True)
        assert len(scores) == expected
        assert min(score for _, score in scores) >= before + PRESENCE_TTL - 1


async def _heard(connection: Connection, seconds: float = 3.0) -> list[str]:
    """What reached this connection: waits up to seconds for a first frame, then a moment more."""
    for _ in range(int(seconds * 100)):
        if connection.outgoing.qsize():
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    return [connection.outgoing.get_nowait() for _ in range(connection.outgoing.qsize())]


async def test_brokers_with_different_prefixes_on_one_server_never_hear_each_other(
    redis: Redis, redis_url: str
) -> None:
    # Pub/sub ignores the database number: only the prefix keeps two communities (or two test
    # runs) on one Redis server apart, for frames, mutes and presence alike. Three processes:
    # two share a prefix, the third has its own.
    ours, theirs = f"{TEST_REDIS_PREFIX}a:", f"{TEST_REDIS_PREFIX}b:"
    clients = [redis, Redis.from_url(redis_url), Redis.from_url(redis_url)]
    hubs = [Hub(), Hub(), Hub()]
    sender, ours_too, other = (
        RedisBroker(hub, client, prefix=prefix)
        for hub, client, prefix in zip(hubs, clients, (ours, ours, theirs), strict=True)
    )
    listeners = [_person(1) for _ in hubs]
    for hub, listener in zip(hubs, listeners, strict=True):
        hub.attach(listener)
        hub.join(listener, 7)
    _, ours_listener, their_listener = listeners
    try:
        async with sender.running(), ours_too.running(), other.running():
            await sender.publish("room:7", "for ours")
            await sender.mute(1, [9])
            assert await _heard(ours_listener) == ["for ours"]
            assert ours_listener.muted == {9}
            await other.publish("room:7", "for theirs")
            assert await _heard(their_listener) == ["for theirs"]
            # Neither heard the other's frame, and the mute stayed with its own prefix.
            assert await _heard(ours_listener, seconds=0.3) == []
            assert their_listener.muted == frozenset()

            await sender.present(7, listeners[0], True)
            assert [a["id"] for a in await ours_too.present_users(7)] == [1]
            assert await other.present_users(7) == []
    finally:
        for client in clients[1:]:
            await client.aclose()
