"""Moderators' hand on chat: reading a message as stored, hiding and deleting it.

Moderation calls these after its own checks (a moderator reaches a private room's message only
through a report of it); they take no actor because automatic actions (an auto-hide) have none.
A hidden or deleted message keeps its seq: the room hears a `deleted` frame, and history and
catch-up replay it as a tombstone to everyone but moderators.
"""

from __future__ import annotations

from typing import Any

from forum import database, events
from forum.chat.models import Message
from forum.chat.services import MESSAGE_FLAGS, MESSAGE_SQL, MESSAGE_TIMES, message_json


async def stored_message(message_id: int) -> dict[str, Any] | None:
    """A message as stored, with its room's kind and name, or None."""
    rows = await database.fetch(
        MESSAGE_SQL.replace(
            "FROM chat_messages m",
            ", r.kind AS room_kind, r.name AS room_name FROM chat_messages m",
        )
        + "JOIN chat_rooms r ON r.id = m.room_id WHERE m.id = ?",
        (message_id,),
        times=MESSAGE_TIMES,
        flags=MESSAGE_FLAGS,
    )
    return rows[0] if rows else None


async def set_message_hidden(message_id: int, hidden: bool) -> bool:
    """Hide a message from everyone but moderators, or show it again; False if nothing changed."""
    async with database.transaction():
        changed = await Message.filter(id=message_id, hidden=not hidden).update(hidden=hidden)
        if changed:
            await _tell_room(message_id)
    return bool(changed)


async def delete_message(message_id: int) -> bool:
    """A moderator's deletion: a tombstone for good, as the author's own deletion is."""
    async with database.transaction():
        changed = await Message.filter(id=message_id, deleted=False).update(deleted=True)
        if changed:
            await _tell_room(message_id)
    return bool(changed)


async def _tell_room(message_id: int) -> None:
    row = await stored_message(message_id)
    if row is None:
        return
    room_id = row["room_id"]
    shown = message_json(row)
    frame: dict[str, Any] = (
        {"type": "deleted", "room": room_id, "seq": row["seq"]}
        if shown["deleted"]
        else {"type": "message", "room": room_id, "message": shown}
    )
    await events.publish("chat.message_reviewed", events.to_room(room_id), frame=frame)
