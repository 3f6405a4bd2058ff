"""The WebSocket benchmark's clients: many `websockets` connections in one asyncio process.

Every message body carries a marker `bench#K#SENT_NS#`; a client finds K with two `str.find`
calls (no JSON parsing per delivery, so the client process stays cheap) and the tracker notes,
per message, how many of the expected recipients have it and when the last one did.

Every connection's reader runs from the moment it opens, so the `websockets` client answers the
server's protocol pings by itself; forum clients also send the app-level ping the real client
sends (the forum closes a socket that sends nothing for 90 s). A connection that closes, or that
misses a message everyone else got, is dropped from the pool: counted as a loss and reported,
never waited for again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

MARK = "bench#"
PONG = '{"type":"pong"}'
CONNECT_CONCURRENCY = 100  # handshakes (and subscribes) in flight at once
CONNECT_TIMEOUT = 60.0  # seconds for one client's handshake and subscription
PING_EVERY = 25.0  # the forum closes a socket that sends nothing for 90 s, as the real client
MESSAGE_WAIT = 5.0  # closed loop: seconds before the clients lacking a message are looked at
STALL_SHARE = 0.05  # ... and dropped as stalled if they are at most this share of recipients


def now() -> float:
    return time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes


@dataclass(eq=False)
class Client:
    index: int
    ws: ClientConnection
    got: set[int] = field(default_factory=set)
    subscribed: asyncio.Future[None] | None = None
    reader: asyncio.Task[None] | None = None
    leaving: bool = False  # closed by the harness: not a loss
    dropped: str | None = None  # why it left the pool, when it was not the harness's doing


@dataclass
class Tracker:
    """Arrivals per message: counts, the last arrival, and an event when all expected have it."""

    recipients: int = 0  # clients in the pool now: what a message sent now expects
    sent: dict[int, float] = field(default_factory=dict)
    expected: dict[int, int] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    done: dict[int, asyncio.Event] = field(default_factory=dict)
    pending: set[int] = field(default_factory=set)
    frames: int = 0
    last_frame_at: float = 0.0
    frame_len: int = 0  # length of the last message frame seen
    # Set to a username: the first presence frame without it is noted (who left, and when).
    absent_mark: str | None = None
    absent_at: float | None = None

    def expect(self, k: int) -> asyncio.Event:
        self.expected[k] = self.recipients
        self.pending.add(k)
        event = self.done[k] = asyncio.Event()
        return event

    def arrived(self, k: int, at: float) -> None:
        self.count[k] = self.count.get(k, 0) + 1
        self.last[k] = at
        self._check(k)

    def _check(self, k: int) -> None:
        if k in self.pending and self.count.get(k, 0) >= self.expected[k]:
            self.pending.discard(k)
            self.done[k].set()

    def forget(self, client: Client) -> None:
        """A client left the pool: the messages in flight no longer wait for it."""
        for k in list(self.pending):
            if k not in client.got:
                self.expected[k] -= 1
                self._check(k)

    def complete(self, k: int) -> bool:
        """Every client still in the pool has k (those that left are counted as losses)."""
        return k in self.expected and self.count.get(k, 0) >= self.expected[k]


async def _read(client: Client, pool: Pool) -> None:
    tracker, mark = pool.tracker, len(MARK)
    why = "closed by the server"
    try:
        async for text in client.ws:
            if text == PONG:
                continue  # steady with thousands of clients: settle() would never see quiet
            at = now()
            tracker.frames += 1
            tracker.last_frame_at = at
            if not isinstance(text, str):
                continue
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
            why = f"closed by the server: {closed.rcvd.code} {closed.rcvd.reason}".strip()
        else:
            why = "connection lost without a close frame"
    except Exception as exc:  # noqa: BLE001 - whatever ended the reader ends the client
        why = f"reader failed: {exc!r}"[:200]
    finally:
        if client.subscribed is not None and not client.subscribed.done():
            client.subscribed.set_exception(RuntimeError(why))
        pool.drop(client, why)


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
        ping_interval=None,  # the server pings; the reader answers
        max_size=2**22,
        open_timeout=CONNECT_TIMEOUT,
        close_timeout=2,
        **extra,
    )


@dataclass
class Losses:
    """What a run lost: clients that left the pool and connections that never opened."""

    dropped: list[Client] = field(default_factory=list)
    connect_failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "dropped_clients": len(self.dropped),
            "dropped_why": dict(Counter(c.dropped or "" for c in self.dropped).most_common(5)),
            "connect_failures": sum(self.connect_failures.values()),
            "connect_failures_why": dict(self.connect_failures.most_common(5)),
        }


class Pool:
    """The open clients of one server, their readers, their pings and one tracker."""

    def __init__(self, port: int, room: int | None) -> None:
        self.port, self.room = port, room
        self.tracker = Tracker()
        self.clients: list[Client] = []
        self.losses = Losses()
        self._next_index = 0
        self._pinger: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def _add(self, client: Client) -> None:
        self.clients.append(client)
        self.tracker.recipients = len(self.clients)

    def drop(self, client: Client, why: str) -> None:
        """Take a client out of the pool (a loss unless the harness closed it)."""
        if client.leaving or client.dropped is not None:
            return
        client.dropped = why
        if client in self.clients:
            self.clients.remove(client)
            self.tracker.recipients = len(self.clients)
            self.losses.dropped.append(client)
            self.tracker.forget(client)
            closing = asyncio.get_running_loop().create_task(close_client(client))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    def take_losses(self) -> Losses:
        """What was lost since the last call (each scenario reports its own)."""
        losses, self.losses = self.losses, Losses()
        return losses

    async def _connect_one(self, token: str | None) -> None:
        index, self._next_index = self._next_index, self._next_index + 1
        ws = await open_ws(self.port, token)
        client = Client(index, ws)
        if self.room is not None:
            client.subscribed = asyncio.get_running_loop().create_future()
        # The reader first: from now on the server's pings are answered.
        client.reader = asyncio.create_task(_read(client, self))
        if client.subscribed is not None:
            try:
                await ws.send(json.dumps({"type": "subscribe", "room": self.room}))
                await asyncio.wait_for(client.subscribed, CONNECT_TIMEOUT)
            except BaseException:
                client.leaving = True
                await close_client(client)
                raise
        if client.dropped is None:
            self._add(client)

    async def grow(self, count: int, tokens: Sequence[str | None]) -> float:
        """Open `count` more clients, CONNECT_CONCURRENCY at a time; returns the seconds it took.

        Each joins the pool (and its pings) as soon as it is open: connecting thousands can take
        longer than the forum's idle timeout. One that fails to open is counted, not retried.
        """
        started = now()
        if self._pinger is None and self.room is not None:
            self._pinger = asyncio.create_task(self._ping())
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        first = self._next_index

        async def one(n: int) -> None:
            async with gate:
                try:
                    await self._connect_one(tokens[n % len(tokens)])
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    self.losses.connect_failures[f"{type(exc).__name__}: {exc}"[:160]] += 1

        await asyncio.gather(*(one(first + n) for n in range(count)))
        return now() - started

    async def resize(self, count: int, tokens: Sequence[str | None]) -> float:
        """Exactly `count` clients (more opened or some closed); the seconds it took."""
        if len(self.clients) > count:
            await self.shrink(count)
            return 0.0
        return await self.grow(count - len(self.clients), tokens)

    async def _ping(self) -> None:
        """The app-level ping of the real client, every PING_EVERY, spread over the interval.

        Each client's turn is a point in time, not a sleep after the previous one: a busy loop
        oversleeps, and thousands of short sleeps would drift past the forum's idle timeout.
        """
        while True:
            clients = list(self.clients)
            started = now()
            step = PING_EVERY / max(1, len(clients))
            for n, client in enumerate(clients):
                if (delay := started + n * step - now()) > 0:
                    await asyncio.sleep(delay)
                if client.dropped is None and not client.leaving:
                    with contextlib.suppress(ConnectionClosed):
                        await client.ws.send('{"type":"ping"}')
            if (rest := started + PING_EVERY - now()) > 0:
                await asyncio.sleep(rest)

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
        self.tracker.recipients = len(self.clients)
        for client in extra:
            client.leaving = True
        await asyncio.gather(*(close_client(c) for c in extra))

    async def close(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            # The next grow() starts it again: a pool closed once (the frame-size probe) and
            # grown later must still ping, or the forum closes its clients as idle after 90 s.
            self._pinger = None
        await self.shrink(0)


async def close_client(client: Client) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.ws.close(), 3)
    if client.reader is not None and client.reader is not asyncio.current_task():
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

    ks: list[int]
    recipients: int
    latencies_ms: list[float]
    incomplete: int
    deliveries: int
    elapsed: float
    pacing: str


class NoSender(RuntimeError):
    """Every client of the pool is gone: nothing can be sent."""


class Sender:
    """Numbers messages uniquely per server and sends them through the pool's first client.

    `deadline` (a `now()` value) bounds every send loop: past it no more messages go out and
    the run reports what it measured, marked as cut short.
    """

    def __init__(self, pool: Pool, make: Callable[[int, float, str], str], pad: str) -> None:
        self.pool, self.make, self.pad = pool, make, pad
        self.next_k = 1
        self.deadline = math.inf

    def _take(self) -> int:
        k, self.next_k = self.next_k, self.next_k + 1
        return k

    async def _send(self, k: int) -> asyncio.Event:
        """Send message k from the first live client (the sender gets its ack or echo too)."""
        tracker = self.pool.tracker
        while self.pool.clients:
            client = self.pool.clients[0]
            sent = now()
            frame = self.make(k, sent, self.pad)
            tracker.sent[k] = sent
            event = tracker.expect(k)
            try:
                await client.ws.send(frame)
                return event
            except ConnectionClosed:
                tracker.pending.discard(k)
                self.pool.drop(client, "the sender's connection closed")
        raise NoSender("no client left to send from")

    def _result(self, ks: list[int], elapsed: float, pacing: str, recipients: int) -> Run:
        tracker = self.pool.tracker
        latencies = [(tracker.last[k] - tracker.sent[k]) * 1000 for k in ks if tracker.complete(k)]
        deliveries = sum(tracker.count.get(k, 0) for k in ks)
        return Run(ks, recipients, latencies, len(ks) - len(latencies), deliveries, elapsed, pacing)

    def _drop_laggards(self, k: int) -> None:
        """After MESSAGE_WAIT: a few clients lacking k are stalled, not the server being slow."""
        lacking = [c for c in self.pool.clients if k not in c.got]
        if lacking and len(lacking) <= max(1, STALL_SHARE * len(self.pool.clients)):
            for client in lacking:
                self.pool.drop(client, f"stalled: no message after {MESSAGE_WAIT:g} s")

    def _cut_short(self, pacing: str, sent: int, count: int) -> str:
        return pacing if sent == count else f"{pacing}; cut short at the deadline: {sent}/{count}"

    async def closed_loop(
        self, count: int, gap: float, more: Callable[[], bool] | None = None
    ) -> Run:
        """One message in flight: the next goes once the last recipient has the previous one.

        `count` messages, and more while `more()` says so (up to the deadline).
        """
        ks: list[int] = []
        recipients = len(self.pool.clients)
        started = now()
        while (len(ks) < count or (more is not None and more())) and now() < self.deadline:
            k = self._take()
            ks.append(k)
            done = await self._send(k)
            try:
                await asyncio.wait_for(done.wait(), MESSAGE_WAIT)
            except TimeoutError:
                self._drop_laggards(k)
                self.pool.tracker.pending.discard(k)  # incomplete unless that was all
            if gap:
                await asyncio.sleep(gap)
        pacing = "closed loop: next send when all have the previous" + (
            f", then {gap * 1000:.0f} ms" if gap else ""
        )
        return self._result(
            ks, now() - started, self._cut_short(pacing, len(ks), count), recipients
        )

    async def fixed_rate(self, count: int, rate: float, drain: float = 10.0) -> Run:
        """Open loop at `rate` messages/s, then up to `drain` s for the last ones to arrive."""
        ks: list[int] = []
        recipients = len(self.pool.clients)
        started = now()
        events = []
        while len(ks) < count and now() < self.deadline:
            delay = started + len(ks) / rate - now()
            if delay > 0:
                await asyncio.sleep(delay)
            k = self._take()
            ks.append(k)
            events.append(await self._send(k))
        until = min(now() + drain, max(self.deadline, now() + 1.0))
        for event in events:
            remaining = until - now()
            if remaining > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        self.pool.tracker.pending.difference_update(ks)
        last = max((self.pool.tracker.last.get(k, started) for k in ks), default=started)
        pacing = self._cut_short(f"open loop at {rate:g} messages/s", len(ks), count)
        return self._result(ks, last - started, pacing, recipients)
