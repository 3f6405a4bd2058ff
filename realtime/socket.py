"""The /ws endpoint: the handshake checks, the frame protocol and each connection's two loops.

What frames mean beyond ping is the app's business: it hands in an authenticate callable and a
frame handler at start-up, so nothing here knows about users, rooms or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from realtime.broker import Broker
from realtime.events import Event
from realtime.hub import Connection

log = logging.getLogger("porchlight.realtime")

MAX_FRAME = 64 * 1024
IDLE_TIMEOUT = 90.0  # seconds without a frame from the client (it pings every 25)
POLICY_VIOLATION, TOO_BIG = 1008, 1009


@dataclass(frozen=True)
class Principal:
    """Who is on the other end, as the app's authenticate callable found them."""

    user_id: int
    author: Mapping[str, Any]
    is_staff: bool
    user: Any  # the app's own user object, handed back to its frame handler


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

    async def forward(self, event: Event) -> None:
        """A bus subscriber: events that carry a frame go live to their audience, encoded once."""
        frame = event.data.get("frame")
        if frame is not None:
            origin = event.data.get("origin")
            await self.broker.publish(event.audience.channel, encode(frame), origin=origin)

    async def send_to_room(
        self, room_id: int, frame: Mapping[str, Any], *, origin: str | None = None
    ) -> None:
        await self.broker.publish(f"room:{room_id}", encode(frame), origin=origin)

    async def set_presence(self, connection: Connection, room_id: int, here: bool) -> None:
        users = await self.broker.present(room_id, connection, here)
        await self.send_to_room(room_id, {"type": "presence", "room": room_id, "users": users})

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
        )
        self.hub.attach(connection)
        try:
            async with asyncio.TaskGroup() as group:
                writer = group.create_task(self._write(websocket, connection))
                await self._read(websocket, connection)
                writer.cancel()
        except* (WebSocketDisconnect, ConnectionError):
            pass
        finally:
            rooms = list(connection.rooms)
            self.hub.detach(connection)
            for room_id in rooms:
                with contextlib.suppress(Exception):
                    await self.set_presence(connection, room_id, False)

    async def _write(self, websocket: WebSocket, connection: Connection) -> None:
        while True:
            text = await connection.outgoing.get()
            if text is None:  # it stopped reading: cut it off rather than buffer without end
                await websocket.close(code=POLICY_VIOLATION, reason="not reading")
                return
            await websocket.send_text(text)

    async def _read(self, websocket: WebSocket, connection: Connection) -> None:
        while not connection.overflowed:
            try:
                message = await asyncio.wait_for(websocket.receive(), timeout=IDLE_TIMEOUT)
            except TimeoutError:
                await websocket.close(code=POLICY_VIOLATION, reason="idle")
                return
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
