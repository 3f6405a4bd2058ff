"""What chat frames mean on the live channel: subscribe with catch-up, send, typing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.websockets import WebSocket

from forum import ratelimits
from forum.accounts import blocks
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services
from forum.errors import PorchlightError, RateLimited
from forum.validation import whole_number
from realtime.events import Event
from realtime.hub import Connection
from realtime.socket import FrameError, LiveChannel, Principal, encode

# The close code a suspended person's sockets get (API.md, Chat): 4000-4999 are the app's own.
SUSPENDED_CLOSE = 4003
ROOM_KINDS_KEPT = 10_000  # rooms whose kind notify_absent remembers (a few hundred KB at most)


def close_suspended(channel: LiveChannel) -> Callable[[Event], Awaitable[None]]:
    """A bus subscriber for `account.suspended`: close that person's sockets on every worker.

    The event goes to the person's own channel; the close order travels through the broker, so
    each process closes the sockets it holds.
    """

    async def subscriber(event: Event) -> None:
        await channel.close_channel(
            event.audience.channel, code=SUSPENDED_CLOSE, reason="account suspended"
        )

    return subscriber


def author_of(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.shown_name}


async def authenticate(websocket: WebSocket) -> Principal | None:
    """The signed-in person the Authentication middleware found for this handshake."""
    user: User | None = websocket.scope.get("state", {}).get("user")
    if user is None:
        return None
    return Principal(
        user_id=user.id,
        author=author_of(user),
        is_staff=user.is_staff,
        user=user,
        # Changed live by the blocks service's event (LiveChannel.forward), on every worker.
        muted=await blocks.blocked_ids(user),
    )


def _room_id(frame: Mapping[str, Any]) -> int:
    room = frame.get("room")
    number = whole_number(room) if not isinstance(room, str) else None
    if number is None or not 1 <= number < 2**31:
        raise FrameError("bad_frame", "room must be a room id.")
    return number


def _refusal(exc: PorchlightError, ref: str | None = None) -> FrameError:
    code = "rate_limited" if isinstance(exc, RateLimited) else exc.code
    message = exc.message
    if exc.fields:
        message = " ".join(exc.fields.values())
    return FrameError(code, message, ref)


def notify_absent(channel: LiveChannel) -> Callable[[Event], Awaitable[None]]:
    """A bus subscriber: tell a direct message's recipient when they are not in the room.

    Only a direct room's presence is read: in a room of thousands, reading everyone present
    (through Redis with several workers) for every message would cost more than its fan-out.
    A room's kind never changes, so each is looked up once (the first ROOM_KINDS_KEPT).
    """
    direct: dict[int, bool] = {}

    async def is_direct(room_id: int) -> bool:
        known = direct.get(room_id)
        if known is None:
            known = await chat_rooms.is_direct_room(room_id)
            if len(direct) < ROOM_KINDS_KEPT:
                direct[room_id] = known
        return known

    async def subscriber(event: Event) -> None:
        room_id = event.data["frame"]["room"]
        if not await is_direct(room_id):
            return
        present = {author["id"] for author in await channel.broker.present_users(room_id)}
        await services.notify_if_away(event, present)

    return subscriber


async def handle(channel: LiveChannel, connection: Connection, frame: dict[str, Any]) -> None:
    """Route one frame from a client; refusals become error frames, never a closed socket."""
    user: User = connection.principal
    kind = frame["type"]
    ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
    try:
        if kind == "subscribe":
            await _subscribe(channel, connection, user, frame)
        elif kind == "unsubscribe":
            room_id = _room_id(frame)
            if room_id in connection.rooms:
                channel.hub.leave(connection, room_id)
                await channel.set_presence(connection, room_id, False)
        elif kind == "send":
            await _send(connection, user, frame, ref)
        elif kind == "typing":
            await _typing(channel, connection, frame)
        else:
            raise FrameError("unknown_frame", f"Unknown frame type {kind[:40]!r}.")
    except PorchlightError as exc:
        raise _refusal(exc, ref) from None


async def _subscribe(
    channel: LiveChannel, connection: Connection, user: User, frame: Mapping[str, Any]
) -> None:
    room_id = _room_id(frame)
    since_raw = frame.get("since")
    since = None if since_raw is None else whole_number(since_raw)
    if since_raw is not None and (since is None or isinstance(since_raw, str) or since < 0):
        raise FrameError("bad_frame", "since must be a seq number.")
    # Membership is checked before listening, so a refused subscriber never hears a frame.
    room = await chat_rooms.access_room(user, room_id)
    # Listen first, then read what was missed: a message stored in between arrives twice at
    # worst (the client drops a seq it has), never not at all.
    alias = await chat_rooms.member_alias(room_id, user.id) if room["aid_id"] else None
    author = services.withheld_author(alias) if alias else connection.author
    if room_id in connection.rooms and connection.author_in(room_id) != author:
        await channel.set_presence(connection, room_id, False)  # the old entry goes first
    if alias:
        connection.aliases[room_id] = author
    else:
        connection.aliases.pop(room_id, None)
    channel.hub.join(connection, room_id)
    try:
        last_seq, missed, limited = await services.catch_up(user, room, since)
    except PorchlightError:
        channel.hub.leave(connection, room_id)
        raise
    connection.push(
        encode({"type": "subscribed", "room": room_id, "last_seq": last_seq, "limited": limited})
    )
    for message in missed:
        connection.push(encode({"type": "message", "room": room_id, "message": message}))
    await channel.set_presence(connection, room_id, True)


async def _send(
    connection: Connection, user: User, frame: Mapping[str, Any], ref: str | None
) -> None:
    room_id = _room_id(frame)
    message, _ = await services.send_message(
        user, room_id, frame.get("body"), frame.get("client_id"), origin=connection.id
    )
    connection.push(encode({"type": "ack", "client_id": ref, "message": message}))


async def _typing(channel: LiveChannel, connection: Connection, frame: Mapping[str, Any]) -> None:
    room_id = _room_id(frame)
    if room_id not in connection.rooms:
        raise FrameError("not_subscribed", "Subscribe to a room before typing in it.")
    try:
        await ratelimits.check_action("chat_typing", actor_id=connection.user_id)
    except RateLimited:
        return  # typing notices are a nicety: past the limit they are dropped quietly
    await channel.send_to_room(
        room_id,
        {"type": "typing", "room": room_id, "user": dict(connection.author_in(room_id))},
        origin=connection.id,
        sender=None if connection.is_staff else connection.user_id,
    )
