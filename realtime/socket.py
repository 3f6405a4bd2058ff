"""The /ws endpoint: the handshake checks, the frame protocol and each connection's read loop.

What frames mean beyond ping is the app's business: it hands in an authenticate callable and a
frame handler at start-up, so nothing here knows about users, rooms or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from realtime.broker import Broker
from realtime.events import Event
from realtime.hub import CLOSE_PREFIX, Connection

log = logging.getLogger("porchlight.realtime")

MAX_FRAME = 64 * 1024
IDLE_TIMEOUT = 90.0  # seconds without a frame from the client (it pings every 25)
IDLE_SWEEP = 5.0  # seconds between looks for idle connections (one timer, not one each)
CLOSE_GRACE = 1.0  # seconds a cut-off client gets to take the close frame
PRESENCE_DELAY = 0.25  # seconds joins and leaves gather before one presence frame tells them
POLICY_VIOLATION, TOO_BIG = 1008, 1009


@dataclass(frozen=True)
class Principal:
    """Who is on the other end, as the app's authenticate callable found them."""

    user_id: int
    author: Mapping[str, Any]
    is_staff: bool
    user: Any  # the app's own user object, handed back to its frame handler
    muted: frozenset[int] = frozenset()  # senders this person does not hear (they blocked them)


class FrameError(Exception):
    """A frame the handler refuses: answered with an error frame, the socket stays open."""

    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.ref = code, message, ref


Authenticate = Callable[[WebSocket], Awaitable[Principal | None]]
FrameHandler = Callable[["LiveChannel", Connection, dict[str, Any]], Awaitable[None]]


def encode(frame: Mapping[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def error_frame(code: str, message: str, ref: str | None = None) -> str:
    return encode({"type": "error", "code": code, "message": message, "ref": ref})


class LiveChannel:
    """The live channel of one process: its broker, its endpoint and the bus bridge."""

    def __init__(
        self,
        *,
        broker: Broker,
        allowed_origins: tuple[str, ...],
        authenticate: Authenticate,
        handle_frame: FrameHandler,
    ) -> None:
        self.broker = broker
        self.hub = broker.hub
        self.allowed_origins = frozenset(allowed_origins)
        self.authenticate = authenticate
        self.handle_frame = handle_frame
        self._presence_due: set[int] = set()
        self._presence_changed = asyncio.Event()

    async def forward(self, event: Event) -> None:
        """A bus subscriber: events that carry a frame go live to their audience, encoded once.

        An event's `sender` is whose frame it is (those who muted them do not get it); an event
        to one person that carries `mute` changes whom their connections hear, on every process.
        """
        frame = event.data.get("frame")
        if frame is not None:
            origin, sender = event.data.get("origin"), event.data.get("sender")
            await self.broker.publish(
                event.audience.channel, encode(frame), origin=origin, sender=sender
            )
        mute = event.data.get("mute")
        if mute is not None and event.audience.kind == "user" and event.audience.id is not None:
            await self.broker.mute(event.audience.id, list(mute))

    async def close_channel(self, channel: str, *, code: int, reason: str) -> None:
        """Close every socket listening on channel, in every process (through the broker)."""
        order = encode({"code": code, "reason": reason[:120]})
        await self.broker.publish(CLOSE_PREFIX + channel, order)

    async def send_to_room(
        self,
        room_id: int,
        frame: Mapping[str, Any],
        *,
        origin: str | None = None,
        sender: int | None = None,
    ) -> None:
        await self.broker.publish(f"room:{room_id}", encode(frame), origin=origin, sender=sender)

    async def set_presence(self, connection: Connection, room_id: int, here: bool) -> None:
        await self.broker.present(room_id, connection, here)
        self._presence_due.add(room_id)
        self._presence_changed.set()

    async def _announce_presence(self) -> None:
        """One presence frame per room per PRESENCE_DELAY, however many came and went.

        A frame per join would make N joins cost N^2 deliveries (and each frame lists everyone):
        a thousand people entering a room would flood every socket in it.
        """
        while True:
            await self._presence_changed.wait()
            await asyncio.sleep(PRESENCE_DELAY)
            self._presence_changed.clear()
            rooms, self._presence_due = self._presence_due, set()
            for room_id in sorted(rooms):
                with contextlib.suppress(Exception):
                    users = await self.broker.present_users(room_id)
                    frame = {"type": "presence", "room": room_id, "users": users}
                    await self.send_to_room(room_id, frame)

    async def _close_idle(self) -> None:
        """Close the connections whose client has sent nothing for IDLE_TIMEOUT."""
        while True:
            await asyncio.sleep(min(IDLE_SWEEP, IDLE_TIMEOUT / 3))
            silent_since = time.monotonic() - IDLE_TIMEOUT
            for connection in self.hub.connections("everyone"):
                if connection.heard_at < silent_since:
                    connection.close(POLICY_VIOLATION, "idle")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The broker, the presence announcer and the idle sweep, for the lifespan of the app."""
        async with self.broker.running(), asyncio.TaskGroup() as group:
            tasks = (
                group.create_task(self._announce_presence()),
                group.create_task(self._close_idle()),
            )
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()

    def _origin_refused(self, websocket: WebSocket, via: str | None) -> bool:
        origin = websocket.headers.get("origin")
        if origin is None:
            # A browser always sends Origin: a cookie without one is not a page of ours.
            return via != "bearer"
        return origin.rstrip("/") not in self.allowed_origins

    async def endpoint(self, websocket: WebSocket) -> None:
        """GET /ws: refused before accept unless signed in and from an allowed origin."""
        via = websocket.scope.get("state", {}).get("via")
        principal = (
            None if self._origin_refused(websocket, via) else await self.authenticate(websocket)
        )
        if principal is None:
            await websocket.close(code=POLICY_VIOLATION)
            return
        await websocket.accept()
        connection = Connection(
            user_id=principal.user_id,
            author=principal.author,
            principal=principal.user,
            is_staff=principal.is_staff,
            muted=principal.muted,
        )
        self.hub.attach(connection)
        try:
            await connection.listen(websocket.send_text, self._read(websocket, connection))
        except (WebSocketDisconnect, ConnectionError):
            pass
        finally:
            rooms = list(connection.rooms)
            self.hub.detach(connection)
            for room_id in rooms:
                with contextlib.suppress(Exception):
                    await self.set_presence(connection, room_id, False)
            if connection.closing is not None:
                await self._hang_up(websocket, *connection.closing)
            elif connection.overflowed:
                await self._hang_up(websocket, POLICY_VIOLATION, "not reading")

    async def _hang_up(self, websocket: WebSocket, code: int, reason: str) -> None:
        """Say why, if the client's buffers take it soon; ASGI has no abort, so then just go
        (a server protocol that resets what it could not send frees the rest)."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_GRACE):
                await websocket.close(code=code, reason=reason)

    async def _read(self, websocket: WebSocket, connection: Connection) -> None:
        while True:
            message = await websocket.receive()
            connection.heard_at = time.monotonic()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None or len(raw) > MAX_FRAME:
                if raw is None and len(message.get("bytes") or b"") <= MAX_FRAME:
                    connection.push(error_frame("bad_frame", "Frames are JSON text."))
                    continue
                await websocket.close(code=TOO_BIG, reason="frame too large")
                return
            await self._dispatch(connection, raw)

    async def _dispatch(self, connection: Connection, raw: str) -> None:
        try:
            frame = json.loads(raw)
        except (ValueError, RecursionError):
            connection.push(error_frame("bad_frame", "That frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            connection.push(error_frame("bad_frame", "A frame is an object with a type."))
            return
        if frame["type"] == "ping":
            connection.push('{"type":"pong"}')
            return
        ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
        try:
            await self.handle_frame(self, connection, frame)
        except FrameError as refused:
            connection.push(error_frame(refused.code, refused.message, refused.ref or ref))
        except Exception:
            log.exception("frame handler failed on %s", frame.get("type"))
            connection.push(error_frame("server_error", "Something went wrong.", ref))
