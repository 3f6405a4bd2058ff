"""A connection's frames: straight to its socket, queued in order only behind a send that waits."""

from __future__ import annotations

import asyncio

import pytest

from realtime.hub import OUTGOING_MAX, Connection, start_eagerly


class Socket:
    """A socket whose sends wait while its client's buffers are full (`room` cleared)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.room = asyncio.Event()
        self.room.set()

    async def send(self, text: str) -> None:
        await self.room.wait()
        self.sent.append(text)


async def _listening(connection: Connection, socket: Socket) -> asyncio.Task[None]:
    """Serve connection on socket, reading nothing until the test ends it."""
    task = asyncio.create_task(connection.listen(socket.send, asyncio.Event().wait()))
    await asyncio.sleep(0)
    return task


async def test_a_step_that_never_waits_runs_at_once_without_a_task() -> None:
    ran: list[str] = []

    async def step() -> None:
        ran.append("done")

    assert start_eagerly(step()) is None
    assert ran == ["done"]


async def test_a_step_that_waits_is_finished_by_a_task_with_its_outcome() -> None:
    gate, ran = asyncio.Event(), []

    async def step() -> None:
        ran.append("before")
        await gate.wait()
        await asyncio.sleep(0)
        ran.append("after")
        raise ValueError("after waiting")

    task = start_eagerly(step())
    assert task is not None
    assert ran == ["before"]
    gate.set()
    with pytest.raises(ValueError, match="after waiting"):
        await task
    assert ran == ["before", "after"]


async def test_frames_go_straight_to_a_socket_that_takes_them() -> None:
    socket, connection = Socket(), Connection(user_id=1, author={"id": 1})
    listening = await _listening(connection, socket)
    connection.push("a")
    connection.push("b")
    # Written within push: no other task has run in between.
    assert socket.sent == ["a", "b"]
    listening.cancel()


async def test_frames_wait_in_order_behind_a_send_that_waits_then_go_straight_again() -> None:
    socket, connection = Socket(), Connection(user_id=1, author={"id": 1})
    listening = await _listening(connection, socket)
    socket.room.clear()
    for n in range(10):
        connection.push(str(n))
    await asyncio.sleep(0.05)
    assert socket.sent == []
    socket.room.set()
    await asyncio.sleep(0.05)
    assert socket.sent == [str(n) for n in range(10)]
    await asyncio.sleep(0)
    connection.push("then")
    assert socket.sent[-1] == "then"
    assert not listening.done()
    listening.cancel()


async def test_a_client_that_stops_reading_is_cut_off_past_the_queue_limit() -> None:
    socket, connection = Socket(), Connection(user_id=1, author={"id": 1})
    listening = await _listening(connection, socket)
    socket.room.clear()
    for n in range(OUTGOING_MAX + 1):  # one in the waiting send, the rest queued
        connection.push(str(n))
    await asyncio.sleep(0.05)
    assert not listening.done()
    assert not connection.overflowed
    connection.push("one too many")
    await asyncio.wait_for(listening, 1)  # listening ends: the endpoint then hangs up
    assert connection.overflowed
    connection.push("after")
    socket.room.set()
    await asyncio.sleep(0.05)
    assert "one too many" not in socket.sent
    assert "after" not in socket.sent


async def test_a_close_order_ends_listening_but_another_cancellation_goes_on() -> None:
    closed, cancelled = Connection(user_id=1, author={}), Connection(user_id=2, author={})
    closing = await _listening(closed, Socket())
    closed.close(4003, "account suspended")
    await asyncio.wait_for(closing, 1)
    assert closed.closing == (4003, "account suspended")
    stopping = await _listening(cancelled, Socket())
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping


async def test_a_send_that_fails_ends_listening() -> None:
    connection = Connection(user_id=1, author={})

    async def gone(text: str) -> None:
        raise ConnectionError("the client went away")

    listening = asyncio.create_task(connection.listen(gone, asyncio.Event().wait()))
    await asyncio.sleep(0)
    connection.push("hello")
    await asyncio.wait_for(listening, 1)
