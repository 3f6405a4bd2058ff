"""The connections of this process and the channels they listen on; frames are encoded once."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping
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


@dataclass(eq=False)
class Connection:
    """One open socket: who it is, what it listens to, and its bounded outgoing queue."""

    user_id: int
    author: Mapping[str, Any]
    principal: Any = None  # what the app's authenticate callable returned, opaque here
    is_staff: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    rooms: set[int] = field(default_factory=set)
    # Rooms where the others see this person under another name (presence, typing): set by the
    # app when it subscribes them, so that every process announces the same entry.
    aliases: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    outgoing: asyncio.Queue[str] = field(
        default_factory=lambda: asyncio.Queue(maxsize=OUTGOING_MAX)
    )
    # Senders whose frames this connection does not receive (its person blocked them); set
    # from the app's authenticate callable and changed by Hub.mute, on every process.
    muted: frozenset[int] = frozenset()
    overflowed: bool = False
    # Set when the app orders the socket closed (a suspension): the code and reason to send.
    closing: tuple[int, str] | None = None
    # Set on overflow: the socket's loops may be stuck in a send that never completes, so the
    # endpoint waits on this as well as on them.
    cut_off: asyncio.Event = field(default_factory=asyncio.Event)

    def author_in(self, room_id: int) -> Mapping[str, Any]:
        """Who this person is to the others in a room: their author, unless aliased there."""
        return self.aliases.get(room_id, self.author)

    def push(self, text: str) -> None:
        """Queue an encoded frame; a client that stops reading is cut off, never buffered."""
        if self.overflowed:
            return
        try:
            self.outgoing.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            log.info("closing connection %s: it stopped reading", self.id)
            self.cut_off.set()

    def close(self, code: int, reason: str) -> None:
        """End this connection with a close code of the app's choosing."""
        if self.closing is None:
            self.closing = (code, reason)
            self.cut_off.set()


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
