"""The connections of this process and the channels they listen on; frames are encoded once."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("porchlight.realtime")

OUTGOING_MAX = 256  # frames waiting for a slow reader before it is disconnected
# A channel name under this prefix is an order, not a frame: close every local connection on
# the channel named after it ("close:user:7"), with the code and reason the text carries.
CLOSE_PREFIX = "close:"
# How a presence frame begins as the socket encodes it ({"type": "presence", "room", "users"}):
# a connection that muted someone gets the list without them, re-encoded once per mute set.
PRESENCE_START = '{"type":"presence",'


Send = Callable[[str], Coroutine[Any, Any, None]]


def start_eagerly(step: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run step at once, up to its first wait: None if it never waited, else a task for the rest.

    A send to a socket whose buffers have room completes without waiting: done here, the frame
    costs no task and no wake-up (asyncio's eager tasks, which Python 3.11 lacks).
    """
    try:
        waiting = step.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_finish(step, waiting))


async def _finish(step: Coroutine[Any, Any, None], waiting: Any) -> None:
    """The rest of a step that waited: as its task would, resume it each time its future is done."""
    try:
        while True:
            if waiting is None:
                await asyncio.sleep(0)  # a bare yield: it only let others run
            else:
                await asyncio.wait((waiting,))  # its outcome reaches step when step resumes
            try:
                waiting = step.send(None)
            except StopIteration:
                return
    finally:
        step.close()


@dataclass(eq=False, slots=True)
class Connection:
    """One open socket: who it is, what it listens to, and how its frames reach it.

    A frame goes straight to the socket while the socket takes it; it queues only behind a send
    that waits for the client to read, and at OUTGOING_MAX waiting frames the client is cut off.
    """

    user_id: int
    author: Mapping[str, Any]
    principal: Any = None  # what the app's authenticate callable returned, opaque here
    is_staff: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    rooms: set[int] = field(default_factory=set)
    # Rooms where the others see this person under another name (presence, typing): set by the
    # app when it subscribes them, so that every process announces the same entry.
    aliases: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    # Senders whose frames this connection does not receive (its person blocked them); set
    # from the app's authenticate callable and changed by Hub.mute, on every process.
    muted: frozenset[int] = frozenset()
    overflowed: bool = False
    # Set when the app orders the socket closed (a suspension, idleness): the code and reason.
    closing: tuple[int, str] | None = None
    heard_at: float = field(default_factory=time.monotonic)  # the client's last frame
    # While the socket is served (listen): its send, the task reading it, and the task of a
    # send that had to wait. Without a socket (a listener in a test) every frame queues.
    _send: Send | None = field(default=None, init=False, repr=False)
    _reader: asyncio.Task[Any] | None = field(default=None, init=False, repr=False)
    _writer: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _interrupted: bool = field(default=False, init=False, repr=False)
    # Made when a frame first has to wait, dropped when the socket has taken them all.
    _outgoing: asyncio.Queue[str] | None = field(default=None, init=False, repr=False)

    def author_in(self, room_id: int) -> Mapping[str, Any]:
        """Who this person is to the others in a room: their author, unless aliased there."""
        return self.aliases.get(room_id, self.author)

    @property
    def outgoing(self) -> asyncio.Queue[str]:
        """The frames waiting for the socket, in order."""
        if self._outgoing is None:
            self._outgoing = asyncio.Queue(maxsize=OUTGOING_MAX)
        return self._outgoing

    def push(self, text: str) -> None:
        """Send an encoded frame; a client that stops reading is cut off, never buffered."""
        if self.overflowed:
            return
        if self._send is None or self._writer is not None:
            self._queue(text)
        else:
            self._writer = start_eagerly(self._write(self._send, text))

    def _queue(self, text: str) -> None:
        try:
            self.outgoing.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            log.info("closing connection %s: it stopped reading", self.id)
            self._interrupt()

    async def _write(self, send: Send, text: str) -> None:
        """Send text, then whatever queued behind it meanwhile."""
        try:
            await send(text)
            while self._outgoing is not None and not self._outgoing.empty():
                await send(self._outgoing.get_nowait())
            self._outgoing = None
        except Exception:  # noqa: BLE001 - the socket is gone: its reader ends the connection
            self._interrupt()
        finally:
            self._writer = None

    def close(self, code: int, reason: str) -> None:
        """End this connection with a close code of the app's choosing."""
        if self.closing is None:
            self.closing = (code, reason)
            self._interrupt()

    def _interrupt(self) -> None:
        """Stop the reader: the connection ends however the client behaves."""
        if self._reader is not None and not self._interrupted:
            self._interrupted = True
            self._reader.cancel()

    async def listen(self, send: Send, read: Awaitable[None]) -> None:
        """Serve a socket: frames pushed go to send, while read reads it.

        Ends when read does, or when the connection is cut off (it overflowed or was closed):
        one task per socket, whatever it waits on.
        """
        reader = self._reader = asyncio.current_task()
        self._send = send
        try:
            await read
        except asyncio.CancelledError:
            # Our own interruption ends listening; anyone else's cancellation goes on.
            if not self._interrupted or reader is None or reader.uncancel() > 0:
                raise
        finally:
            self._reader = self._send = None
            if self._writer is not None:
                self._writer.cancel()


class Hub:
    """Channels ("everyone", "staff", "user:7", "room:3") and the local connections on each."""

    def __init__(self) -> None:
        self._channels: defaultdict[str, set[Connection]] = defaultdict(set)

    def attach(self, connection: Connection) -> None:
        self._channels["everyone"].add(connection)
        self._channels[f"user:{connection.user_id}"].add(connection)
        if connection.is_staff:
            self._channels["staff"].add(connection)

    def detach(self, connection: Connection) -> None:
        for room_id in list(connection.rooms):
            self.leave(connection, room_id)
        for channel in ("everyone", f"user:{connection.user_id}", "staff"):
            self._discard(channel, connection)

    def join(self, connection: Connection, room_id: int) -> None:
        connection.rooms.add(room_id)
        self._channels[f"room:{room_id}"].add(connection)

    def leave(self, connection: Connection, room_id: int) -> None:
        connection.rooms.discard(room_id)
        self._discard(f"room:{room_id}", connection)

    def _discard(self, channel: str, connection: Connection) -> None:
        members = self._channels.get(channel)
        if members is not None:
            members.discard(connection)
            if not members:
                del self._channels[channel]

    def connections(self, channel: str) -> list[Connection]:
        return list(self._channels.get(channel, ()))

    def deliver(
        self, channel: str, text: str, *, exclude: str | None = None, sender: int | None = None
    ) -> int:
        """Queue one encoded frame for every local listener of channel but the excluded one
        and those who muted its sender.

        A close order (CLOSE_PREFIX) closes the listeners of the channel it names instead.
        """
        if channel.startswith(CLOSE_PREFIX):
            return self._close(channel.removeprefix(CLOSE_PREFIX), text)
        delivered = 0
        presence = text.startswith(PRESENCE_START)
        heard: dict[frozenset[int], str] = {}
        for connection in self.connections(channel):
            if connection.id != exclude and (sender is None or sender not in connection.muted):
                if presence and connection.muted:
                    muted = connection.muted
                    if muted not in heard:
                        heard[muted] = _present_without(text, muted)
                    connection.push(heard[muted])
                else:
                    connection.push(text)
                delivered += 1
        return delivered

    def mute(self, user_id: int, senders: frozenset[int]) -> None:
        """What this person's local connections no longer hear: frames from these senders."""
        for connection in self.connections(f"user:{user_id}"):
            connection.muted = senders

    def _close(self, channel: str, text: str) -> int:
        try:
            order = json.loads(text)
            code, reason = int(order["code"]), str(order.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed close order for %s", channel)
            return 0
        closed = self.connections(channel)
        for connection in closed:
            connection.close(code, reason)
        return len(closed)

    def open_connections(self) -> int:
        return len(self._channels.get("everyone", ()))


def _present_without(text: str, muted: frozenset[int]) -> str:
    """A presence frame without the people this listener muted (a withheld alias has no id)."""
    frame = json.loads(text)
    frame["users"] = [user for user in frame["users"] if user.get("id") not in muted]
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
