"""A suspension closes every open socket of that person within a second, on every worker."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from forum import clock
from forum.accounts import standing
from forum.accounts.models import User
from forum.app import close_resources, create_app
from forum.chat.frames import SUSPENDED_CLOSE
from forum.settings import Settings
from realtime.events import EventBus
from tests.conftest import TEST_REDIS_URL
from tests.forum.chat.conftest import frames_until, next_frame, serving


async def _drain(socket: Any) -> None:
    while True:
        await socket.recv()


async def _closed_within(socket: Any, seconds: float) -> tuple[int | None, float]:
    """The close code the server sent and how long it took; a TimeoutError if it never came."""
    started = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(_drain(socket), timeout=seconds)
    return closed.value.rcvd.code if closed.value.rcvd else None, time.monotonic() - started


async def _ping(socket: Any) -> dict[str, Any]:
    await socket.send(json.dumps({"type": "ping"}))
    return await next_frame(socket)


async def test_suspending_closes_every_socket_of_that_person_within_a_second(
    app: Any, member: User, other_member: User, lounge: dict[str, Any]
) -> None:
    async with serving(app) as server:
        phone = await server.connect(member)
        laptop = await server.connect(member)
        neighbour = await server.connect(other_member)
        await phone.send(json.dumps({"type": "subscribe", "room": lounge["id"]}))
        await frames_until(phone, "subscribed")
        await standing.set_suspended(member.id, clock.now() + timedelta(days=3))
        for socket in (phone, laptop):
            code, took = await _closed_within(socket, 1.0)
            assert code == SUSPENDED_CLOSE == 4003
            assert took < 1.0
        # Nobody else is cut off.
        assert (await _ping(neighbour))["type"] == "pong"
        await neighbour.close()
        # And the suspended person cannot come back: their tokens are gone.
        with pytest.raises(websockets.exceptions.InvalidStatus):
            await server.connect(member)


async def test_lifting_a_suspension_closes_nothing(app: Any, member: User) -> None:
    async with serving(app) as server, await server.connect(member) as socket:
        await standing.set_suspended(member.id, None)
        assert (await _ping(socket))["type"] == "pong"


@pytest.mark.skipif(not TEST_REDIS_URL, reason="two apps share a broker only through Redis")
async def test_a_suspension_on_one_worker_closes_the_socket_held_by_another(
    db: None, settings: Settings, bus: EventBus, member: User
) -> None:
    # Two apps on one database and one Redis, as two workers are: the suspension is published
    # on the first one's bus, the socket is held by the second.
    second = create_app(settings, manage_database=False, bus=EventBus())
    first = create_app(settings, manage_database=False, bus=bus)
    try:
        async with serving(first), serving(second) as other, await other.connect(member) as ws:
            assert (await _ping(ws))["type"] == "pong"
            await standing.set_suspended(member.id, standing.FOREVER)
            code, took = await _closed_within(ws, 1.0)
    finally:
        await close_resources(first)
        await close_resources(second)
    assert code == SUSPENDED_CLOSE
    assert took < 1.0
