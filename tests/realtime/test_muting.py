"""Muting: a connection does not receive frames from senders its person muted, on every process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest

from realtime.broker import Broker, MemoryBroker, RedisBroker
from realtime.events import Event, to_room, to_user
from realtime.hub import Connection, Hub
from realtime.socket import LiveChannel, encode
from tests.conftest import TEST_REDIS_PREFIX, TEST_REDIS_URL


def _drain(connection: Connection) -> list[str]:
    return [connection.outgoing.get_nowait() for _ in range(connection.outgoing.qsize())]


async def _refuse(*args: object) -> None:
    return None


def _listener(hub: Hub, user_id: int, room_id: int = 3) -> Connection:
    connection = Connection(user_id=user_id, author={"id": user_id})
    hub.attach(connection)
    hub.join(connection, room_id)
    return connection


async def test_a_muted_sender_is_not_delivered_and_others_are() -> None:
    hub = Hub()
    muting, other = _listener(hub, 1), _listener(hub, 2)
    hub.mute(1, frozenset({9}))
    assert hub.deliver("room:3", "from 9", sender=9) == 1
    assert hub.deliver("room:3", "from 8", sender=8) == 2
    assert hub.deliver("room:3", "from nobody") == 2
    assert _drain(muting) == ["from 8", "from nobody"]
    assert _drain(other) == ["from 9", "from 8", "from nobody"]


async def test_the_live_channel_forwards_senders_and_mutes_from_events() -> None:
    hub = Hub()
    live = LiveChannel(
        broker=MemoryBroker(hub), allowed_origins=(), authenticate=_refuse, handle_frame=_refuse
    )
    muting = _listener(hub, 1)
    await live.forward(Event("accounts.blocks_changed", to_user(1), {"mute": [9]}))
    await live.forward(Event("chat.message_created", to_room(3), {"frame": {"n": 1}, "sender": 9}))
    await live.forward(Event("chat.message_created", to_room(3), {"frame": {"n": 2}, "sender": 8}))
    # A mute sent to a room, not to the person, changes nothing.
    await live.forward(Event("x.y", to_room(3), {"mute": [8]}))
    await live.forward(Event("chat.message_created", to_room(3), {"frame": {"n": 3}, "sender": 8}))
    assert _drain(muting) == ['{"n":2}', '{"n":3}']
    await live.forward(Event("accounts.blocks_changed", to_user(1), {"mute": []}))
    await live.forward(Event("chat.message_created", to_room(3), {"frame": {"n": 4}, "sender": 9}))
    assert _drain(muting) == ['{"n":4}']


@pytest.fixture
async def two_redis_brokers() -> AsyncIterator[tuple[Broker, Hub, Broker, Hub]]:
    if not TEST_REDIS_URL:
        pytest.skip("brokers across processes need Redis: it runs in the PostgreSQL + Redis pass")
    from redis.asyncio import Redis

    clients = [Redis.from_url(TEST_REDIS_URL) for _ in range(2)]
    hubs = [Hub(), Hub()]
    brokers = [
        RedisBroker(hub, client, prefix=TEST_REDIS_PREFIX + "rt:")
        for hub, client in zip(hubs, clients, strict=True)
    ]
    async with brokers[0].running(), brokers[1].running():
        yield brokers[0], hubs[0], brokers[1], hubs[1]
    for client in clients:
        await client.aclose()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it did not arrive within 3 seconds")


async def test_a_mute_and_a_sender_travel_through_redis_to_another_process(
    two_redis_brokers: tuple[Broker, Hub, Broker, Hub],
) -> None:
    first, _, second, second_hub = two_redis_brokers
    muting = _listener(second_hub, 1)
    await first.mute(1, [9])
    await _until(lambda: muting.muted == {9})
    await first.publish("room:3", "from 9", sender=9)
    await first.publish("room:3", "from 8", sender=8)
    await _until(lambda: muting.outgoing.qsize() >= 1)
    await asyncio.sleep(0.1)
    assert _drain(muting) == ["from 8"]
    await first.mute(1, [])
    await _until(lambda: muting.muted == frozenset())
    await first.publish("room:3", "from 9 again", sender=9)
    await _until(lambda: muting.outgoing.qsize() >= 1)
    assert _drain(muting) == ["from 9 again"]


async def test_a_presence_frame_leaves_out_whom_each_listener_muted() -> None:
    hub = Hub()
    muting, other = _listener(hub, 1), _listener(hub, 2)
    hub.mute(1, frozenset({9}))
    here = [{"id": 1}, {"id": 9}, {"id": None, "display_name": "a neighbour in Elm Street"}]
    text = encode({"type": "presence", "room": 3, "users": here})
    assert hub.deliver("room:3", text) == 2
    assert [json.loads(t)["users"] for t in _drain(muting)] == [[here[0], here[2]]]
    assert _drain(other) == [text]
    # Any other frame naming the muted person in its text goes through untouched.
    assert hub.deliver("room:3", encode({"type": "message", "users": here})) == 2
    assert json.loads(_drain(muting)[0])["users"] == here
