"""Presence through Redis: what joins, leaves and the periodic refresh leave in the shared set."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from realtime.broker import PREFIX, PRESENCE_TTL, RedisBroker
from realtime.hub import Connection, Hub


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
    broker = RedisBroker(hub, redis)
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
    broker = RedisBroker(hub, redis)
    connections = [_person(n) for n in range(1, 301)]
    for n, connection in enumerate(connections):
        hub.attach(connection)
        for room_id in (7, 8) if n % 2 else (7,):
            hub.join(connection, room_id)
            await broker.present(room_id, connection, True)
    # Age every entry as if it were about to expire.
    for room_id in (7, 8):
        key = f"{PREFIX}presence:{room_id}"
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
        scores = await redis.zrange(f"{PREFIX}presence:{room_id}", 0, -1, withscores=True)
        assert len(scores) == expected
        assert min(score for _, score in scores) >= before + PRESENCE_TTL - 1
