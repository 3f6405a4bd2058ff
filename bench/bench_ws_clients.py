"""The WebSocket benchmark's clients: many `websockets` connections in one asyncio process.

Every message body carries a marker `bench#K#SENT_NS#`; a client finds K with two `str.find`
calls (no JSON parsing per delivery, so the client process stays cheap) and the tracker notes,
per message, how many of the expected recipients have it and when the last one did.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

MARK = "bench#"
CONNECT_CONCURRENCY = 64
PING_EVERY = 25.0  # the forum closes a socket that sends nothing for 90 s, as the real client


def now() -> float:
    return time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes


@dataclass(eq=False)
class Client:
    index: int
    ws: ClientConnection
    got: set[int] = field(default_factory=set)
    subscribed: asyncio.Future[None] | None = None
    reader: asyncio.Task[None] | None = None
    closed_code: int | None = None
    closed_reason: str = ""


@dataclass
class Tracker:
    """Arrivals per message: counts, the last arrival, and an event when all have it."""

    expected: int = 0
    sent: dict[int, float] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    done: dict[int, asyncio.Event] = field(default_factory=dict)
    frames: int = 0
    last_frame_at: float = 0.0
    frame_len: int = 0  # length of the last message frame seen
    # Set to a username: the first presence frame without it is noted (who left, and when).
    absent_mark: str | None = None
    absent_at: float | None = None

    def arrived(self, k: int, at: float) -> None:
        c = self.count.get(k, 0) + 1
        self.count[k] = c
        self.last[k] = at
        if c == self.expected and (event := self.done.get(k)) is not None:
            event.set()


async def _read(client: Client, tracker: Tracker) -> None:
    mark = len(MARK)
    try:
        async for text in client.ws:
            at = now()
            tracker.frames += 1
            tracker.last_frame_at = at
            assert isinstance(text, str)
            i = text.find(MARK)
            if i >= 0:
                j = text.find("#", i + mark)
                k = int(text[i + mark : j])
                tracker.frame_len = len(text)
                if k not in client.got:
                    client.got.add(k)
                    tracker.arrived(k, at)
            elif tracker.absent_mark is not None and text.startswith('{"type":"presence"'):
                if tracker.absent_at is None and tracker.absent_mark not in text:
                    tracker.absent_at = at
            elif client.subscribed is not None and not client.subscribed.done():
                if text.startswith('{"type":"subscribed"'):
                    client.subscribed.set_result(None)
                elif text.startswith('{"type":"error"'):
                    client.subscribed.set_exception(RuntimeError(text[:200]))
    except ConnectionClosed as closed:
        if closed.rcvd is not None:
            client.closed_code, client.closed_reason = closed.rcvd.code, closed.rcvd.reason


def small_buffer_socket(port: int, rcvbuf: int) -> socket.socket:
    """A connected socket with its receive buffer set before connecting: the window stays small."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


async def open_ws(port: int, token: str | None, **extra: Any) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws",
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        max_size=2**22,
        open_timeout=60,
        close_timeout=2,
        **extra,
    )


class Pool:
    """The open clients of one server, their readers and one tracker."""

    def __init__(self, port: int, room: int | None, tracker: Tracker | None = None) -> None:
        self.port, self.room = port, room
        self.tracker = tracker or Tracker()
        self.clients: list[Client] = []
        self._pinger: asyncio.Task[None] | None = None

    async def connect_one(self, index: int, token: str | None) -> Client:
        client = Client(index, await open_ws(self.port, token))
        if self.room is not None:
            client.subscribed = asyncio.get_running_loop().create_future()
        client.reader = asyncio.create_task(_read(client, self.tracker))
        if self.room is not None and client.subscribed is not None:
            await client.ws.send(json.dumps({"type": "subscribe", "room": self.room}))
            await asyncio.wait_for(client.subscribed, 60)
        return client

    async def grow(self, count: int, tokens: Sequence[str | None]) -> float:
        """Open `count` more clients, CONNECT_CONCURRENCY at a time; returns the seconds it took."""
        started = now()
        # From the start: connecting thousands can take longer than the forum's idle timeout.
        if self._pinger is None and self.room is not None:
            self._pinger = asyncio.create_task(self._ping())
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        first = len(self.clients)

        async def one(index: int) -> Client:
            async with gate:
                return await self.connect_one(index, tokens[index % len(tokens)])

        self.clients += await asyncio.gather(*(one(i) for i in range(first, first + count)))
        return now() - started

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(PING_EVERY)
            for client in list(self.clients):
                with contextlib.suppress(ConnectionClosed):
                    await client.ws.send('{"type":"ping"}')

    async def settle(self, quiet: float = 1.0, limit: float = 120.0) -> float:
        """Wait until no frame has arrived for `quiet` seconds (presence and the like are done)."""
        started = now()
        while now() - started < limit:
            await asyncio.sleep(quiet / 4)
            if now() - max(self.tracker.last_frame_at, started) >= quiet:
                break
        return now() - started

    async def shrink(self, keep: int) -> None:
        extra, self.clients = self.clients[keep:], self.clients[:keep]
        await asyncio.gather(*(close_client(c) for c in extra))

    async def close(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        await self.shrink(0)


async def close_client(client: Client) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.ws.close(), 3)
    if client.reader is not None:
        client.reader.cancel()


def forum_frame(room: int) -> Callable[[int, float, str], str]:
    def make(k: int, sent: float, pad: str) -> str:
        body = f"{MARK}{k}#{int(sent * 1e9)}# {pad}"
        frame = {"type": "send", "room": room, "body": body, "client_id": uuid.uuid4().hex}
        return json.dumps(frame)

    return make


def bare_frame(k: int, sent: float, pad: str) -> str:
    return json.dumps({"type": "message", "body": f"{MARK}{k}#{int(sent * 1e9)}# {pad}"})


@dataclass
class Run:
    """What one sequence of messages measured."""

    messages: int
    recipients: int
    latencies_ms: list[float]
    incomplete: int
    deliveries: int
    elapsed: float
    pacing: str


class Sender:
    """Numbers messages uniquely per server and sends them through one of the pool's clients."""

    def __init__(self, pool: Pool, make: Callable[[int, float, str], str], pad: str) -> None:
        self.pool, self.make, self.pad = pool, make, pad
        self.next_k = 1

    def _take(self, count: int) -> list[int]:
        ks = list(range(self.next_k, self.next_k + count))
        self.next_k += count
        return ks

    async def _send(self, k: int) -> None:
        tracker = self.pool.tracker
        tracker.done[k] = asyncio.Event()
        sent = now()
        tracker.sent[k] = sent
        await self.pool.clients[0].ws.send(self.make(k, sent, self.pad))

    def _result(self, ks: list[int], elapsed: float, pacing: str) -> Run:
        tracker = self.pool.tracker
        latencies = [
            (tracker.last[k] - tracker.sent[k]) * 1000
            for k in ks
            if tracker.count.get(k, 0) >= tracker.expected
        ]
        deliveries = sum(tracker.count.get(k, 0) for k in ks)
        return Run(
            len(ks),
            tracker.expected,
            latencies,
            len(ks) - len(latencies),
            deliveries,
            elapsed,
            pacing,
        )

    async def closed_loop(self, count: int, gap: float, wait: float = 10.0) -> Run:
        """One message in flight: the next goes once the last recipient has the previous one."""
        ks = self._take(count)
        started = now()
        for k in ks:
            await self._send(k)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.pool.tracker.done[k].wait(), wait)
            if gap:
                await asyncio.sleep(gap)
        pacing = "closed loop: next send when all have the previous" + (
            f", then {gap * 1000:.0f} ms" if gap else ""
        )
        return self._result(ks, now() - started, pacing)

    async def fixed_rate(self, count: int, rate: float, drain: float = 10.0) -> Run:
        """Open loop at `rate` messages/s, then up to `drain` s for the last ones to arrive."""
        ks = self._take(count)
        started = now()
        for n, k in enumerate(ks):
            delay = started + n / rate - now()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._send(k)
        deadline = now() + drain
        for k in ks:
            remaining = deadline - now()
            if remaining > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.pool.tracker.done[k].wait(), remaining)
        last = max((self.pool.tracker.last.get(k, started) for k in ks), default=started)
        return self._result(ks, last - started, f"open loop at {rate:g} messages/s")
