"""Chat messages: sending them stored in order before anyone hears, history, catch-up, deletion."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from forum import clock, database, events, ratelimits
from forum.accounts import blocks, standing, trust
from forum.accounts.models import STAFF_ROLES, User, UserStatus
from forum.accounts.services import is_owner_or_staff, is_staff
from forum.chat import forms
from forum.chat.models import Message, Room, RoomKind, RoomMember
from forum.chat.rooms import access_room, is_room_member, may_read, member_alias, require_may_write
from forum.content import screening
from forum.content.sanitizer import render_markdown
from forum.errors import BadRequest, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors, html_has_visible_text

MESSAGE_MAX = forms.MESSAGE_MAX
REPLAY_LIMIT = 200
HISTORY_MAX = 100
_CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{3,30})\b")

MESSAGE_SQL = (
    "SELECT m.id, m.room_id, m.seq, m.author_id, m.body, m.body_html, m.created_at, "
    "m.client_id, m.deleted, m.hidden, u.username AS author_username, "
    "u.display_name AS author_display_name, cm.shown_as AS author_shown_as "
    "FROM chat_messages m JOIN users u ON u.id = m.author_id "
    "LEFT JOIN chat_members cm ON cm.room_id = m.room_id AND cm.user_id = m.author_id "
)
MESSAGE_TIMES = ("created_at",)
MESSAGE_FLAGS = ("deleted", "hidden")


# Who may do what with a message (rooms.py has who reads and writes which room). -------------------


def may_delete_message(actor: User | None, message: Mapping[str, Any]) -> bool:
    return not message["deleted"] and is_owner_or_staff(actor, message["author_id"])


# Messages ---------------------------------------------------------------------------------------


def withheld_author(shown_as: str) -> dict[str, Any]:
    """An author the others may not know: no id or username, which would name them."""
    return {"id": None, "username": None, "display_name": shown_as}


def message_json(
    row: Mapping[str, Any], viewer_id: int | None = None, *, staff: bool = False
) -> dict[str, Any]:
    """MESSAGE as API.md gives it; a deleted message is a tombstone without its text.

    An author the room shows under another name (author_shown_as) is withheld from everyone
    but themselves (viewer_id); a frame for the whole room (no viewer) withholds it. A message
    a moderator hid is a tombstone to everyone else; moderators (staff) still read it, marked
    `hidden`.
    """
    hidden = bool(row.get("hidden"))
    deleted = bool(row["deleted"]) or (hidden and not staff)
    shown_as = row.get("author_shown_as")
    shown = {
        "id": row["id"],
        "room_id": row["room_id"],
        "seq": row["seq"],
        "author": withheld_author(shown_as)
        if shown_as and viewer_id != row["author_id"]
        else {
            "id": row["author_id"],
            "username": row["author_username"],
            "display_name": row["author_display_name"] or row["author_username"],
        },
        "body": "" if deleted else row["body"],
        "body_html": "" if deleted else row["body_html"],
        "created_at": clock.iso(row["created_at"]),
        "client_id": row["client_id"],
        "deleted": deleted,
        "blocked": False,
    }
    if hidden and staff:
        shown["hidden"] = True
    return shown


async def hidden_authors(viewer: User, room: Mapping[str, Any]) -> frozenset[int]:
    """Whose messages this viewer does not see here: the people they blocked, except the
    moderators in a direct conversation (their notices always reach a member)."""
    hidden = await blocks.blocked_ids(viewer)
    if hidden and room["kind"] == RoomKind.DIRECT:
        staff = await User.filter(id__in=list(hidden), role__in=list(STAFF_ROLES)).values_list(
            "id", flat=True
        )
        hidden = hidden - frozenset(cast(list[int], staff))
    return hidden


def as_seen_by(message: dict[str, Any], hidden: frozenset[int]) -> dict[str, Any]:
    """A message from someone this viewer blocked keeps its place in the sequence, text left out."""
    if message["author"]["id"] not in hidden or message["deleted"]:
        return message
    return {**message, "body": "", "body_html": "", "blocked": True}


def _clean_client_id(raw: object) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _CLIENT_ID_RE.fullmatch(raw):
        raise InvalidInput(fields={"client_id": "Use up to 64 letters, digits, - _ . or :."})
    return raw


async def send_message(
    actor: User | None,
    room_id: int,
    body: object,
    client_id: object = None,
    *,
    origin: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store a message with the room's next seq, then tell the room; (MESSAGE, newly stored).

    The same client_id from the same person returns the message first stored and stores
    nothing: a phone that lost the ack can send again safely. origin names the connection
    that sent it, so that the room hears it as a message and the sender as an ack.
    """
    user = require_member(actor)
    cid = _clean_client_id(client_id)
    if cid is not None:
        earlier = await _message_by_client_id(user.id, cid)
        if earlier is not None:
            return earlier, False
    # Sending follows the same rule as reading.
    room = await access_room(user, room_id)
    await require_may_write(user, room)
    if standing.is_silenced(user) and not await _only_staff_besides(user, room):
        standing.require_voice(user)  # a silenced person may still write to the moderators
    errors = FieldErrors()
    source = forms.MESSAGE.read({"body": body}, errors).get("body", "")
    errors.raise_if_any()
    await ratelimits.check_action("chat_send", actor_id=user.id)
    html = await asyncio.to_thread(render_markdown, source)
    if not html_has_visible_text(html):
        raise InvalidInput(fields={"body": "This would show as nothing; write a few words."})
    # Nothing in chat waits for review (the room's order is its history): a `hold` word flags.
    verdict = await trust.screen_writing(user, {"body": source}, can_hold=False, voice=False)
    try:
        stored = await _store(user, room, source, html, cid, origin, verdict)
    except IntegrityError:
        # The same client_id raced itself: the other attempt stored it, this one rolled back.
        if cid is not None and (earlier := await _message_by_client_id(user.id, cid)):
            return earlier, False
        raise
    return stored, True


async def _only_staff_besides(user: User, room: Mapping[str, Any]) -> bool:
    """A private or direct room whose other members are all moderators: messaging the staff."""
    if room["kind"] == RoomKind.PUBLIC:
        return False
    roles = cast(
        list[str],
        await RoomMember.filter(room_id=room["id"])
        .exclude(user_id=user.id)
        .values_list("user__role", flat=True),
    )
    return bool(roles) and all(role in STAFF_ROLES for role in roles)


async def _store(
    user: User,
    room: Mapping[str, Any],
    body: str,
    html: str,
    cid: str | None,
    origin: str | None,
    verdict: screening.Verdict,
) -> dict[str, Any]:
    async with database.transaction():
        # The row lock (PostgreSQL) or the write lock (SQLite) taken here orders concurrent
        # senders: each gets the next seq, and a rollback gives its number back.
        seq = (
            await database.fetch(
                "UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
                (room["id"],),
            )
        )[0]["last_seq"]
        message = await Message.create(
            room_id=room["id"], seq=seq, author_id=user.id, body=body, body_html=html, client_id=cid
        )
        await RoomMember.filter(room_id=room["id"], user_id=user.id).update(last_read_seq=seq)
        await verdict.record(target_type="message", target_id=message.id, author_id=user.id)
        row = {
            **{n: getattr(message, n) for n in ("id", "room_id", "seq", "author_id", "body")},
            "body_html": html,
            "created_at": message.created_at,
            "client_id": cid,
            "deleted": False,
            "author_username": user.username,
            "author_display_name": user.display_name,
            "author_shown_as": await member_alias(room["id"], user.id) if room["aid_id"] else None,
        }
        # The room hears the message as the others may see it; the sender gets it as theirs.
        heard = message_json(row)
        await events.publish(
            "chat.message_created",
            events.to_room(room["id"]),
            frame={"type": "message", "room": room["id"], "message": heard},
            origin=origin,
            # Whoever blocked the author does not hear it live (a moderator's note in a
            # direct conversation always arrives).
            sender=None if room["kind"] == RoomKind.DIRECT and user.is_staff else user.id,
        )
        await _notify_mentions(user, room, heard)
    return message_json(row, user.id)


async def _notify_mentions(author: User, room: Mapping[str, Any], message: dict[str, Any]) -> None:
    """Tell each person @mentioned who can read the room (notifications arrive with chat)."""
    names = {n.casefold() for n in _MENTION_RE.findall(message["body"])} - {author.username_key}
    if not names:
        return
    people = await User.filter(username_key__in=list(names), status=UserStatus.ACTIVE)
    # Someone who blocked the author is not told (nor is anyone the author may not reach).
    readers = [
        p.id
        for p in people
        if may_read(p, room, await is_room_member(p.id, room["id"]))
        and author.id not in await blocks.blocked_ids(p)
    ]
    where = room["name"] or "a conversation"
    await notifications.notify(
        readers,
        "chat.mention",
        f"{message['author']['display_name']} mentioned you in {where}",
        f"/chat/{room['id']}#m-{message['seq']}",
    )


async def notify_if_away(event: events.Event, present: Collection[int]) -> None:
    """A direct message notifies its recipient when they are not in the room to see it."""
    message = event.data["frame"]["message"]
    room = await Room.filter(id=message["room_id"]).first().values("kind")
    if room is None or room["kind"] != RoomKind.DIRECT:
        return
    others = (
        await RoomMember.filter(room_id=message["room_id"])
        .exclude(user_id=message["author"]["id"])
        .values_list("user_id", flat=True)
    )
    away = [uid for uid in cast(list[int], others) if uid not in present]
    await notifications.notify(
        away,
        "chat.direct_message",
        f"{message['author']['display_name']} sent you a message",
        f"/chat/{message['room_id']}#m-{message['seq']}",
    )


async def _message_by_client_id(author_id: int, cid: str) -> dict[str, Any] | None:
    rows = await _messages("WHERE m.author_id = ? AND m.client_id = ?", (author_id, cid))
    return message_json(rows[0], author_id) if rows else None


async def _messages(condition: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    return await database.fetch(
        MESSAGE_SQL + condition, params, times=MESSAGE_TIMES, flags=MESSAGE_FLAGS
    )


async def history(
    actor: User | None, room_id: int, *, before_seq: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The limit messages just before before_seq (the latest without it), in ascending seq."""
    room = await access_room(actor, room_id)
    viewer = require_member(actor)
    if before_seq is not None and not 1 <= before_seq < 2**31:
        raise BadRequest("before_seq must be a positive whole number.", code="invalid_query")
    bound = before_seq if before_seq is not None else 2**31 - 1
    rows = await _messages(
        "WHERE m.room_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?",
        (room_id, bound, min(limit, HISTORY_MAX)),
    )
    hidden = await hidden_authors(viewer, room)
    staff = is_staff(viewer)
    return [as_seen_by(message_json(r, viewer.id, staff=staff), hidden) for r in reversed(rows)]


async def catch_up(
    viewer: User, room: Mapping[str, Any], since: int | None
) -> tuple[int, list[dict[str, Any]], bool]:
    """What a subscriber missed after seq since: (last_seq, up to 200 messages, limited).

    room is the row access_room gave the subscriber; the reads here are made after it started
    listening, so nothing stored in between is missed. Messages from people the viewer
    blocked come as placeholders (see as_seen_by); hidden messages replay as tombstones to
    everyone but moderators.
    """
    if since is None:
        fresh = await Room.filter(id=room["id"]).first().values("last_seq")
        return (fresh["last_seq"] if fresh else room["last_seq"]), [], False
    rows = await _messages(
        "WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq DESC LIMIT ?",
        (room["id"], max(since, 0), REPLAY_LIMIT + 1),
    )
    limited = len(rows) > REPLAY_LIMIT
    last_seq = max([room["last_seq"], *(r["seq"] for r in rows[:1])])
    hidden = await hidden_authors(viewer, room) if rows else frozenset()
    staff = is_staff(viewer)
    missed = [
        as_seen_by(message_json(r, viewer.id, staff=staff), hidden)
        for r in reversed(rows[:REPLAY_LIMIT])
    ]
    return last_seq, missed, limited


async def delete_message(actor: User | None, message_id: int) -> None:
    """Delete a message (its author or a moderator): it stays in the sequence as a tombstone."""
    user = require_member(actor)
    rows = await _messages("WHERE m.id = ?", (message_id,))
    if not rows:
        raise NotFound("There is no such message.")
    row = rows[0]
    await access_room(user, row["room_id"])
    if not may_delete_message(user, row):
        raise PermissionDenied("Only its author or a moderator can delete a message.")
    async with database.transaction():
        await Message.filter(id=message_id).update(deleted=True)
        await events.publish(
            "chat.message_deleted",
            events.to_room(row["room_id"]),
            frame={"type": "deleted", "room": row["room_id"], "seq": row["seq"]},
        )


async def mark_read(actor: User | None, room_id: int, data: Mapping[str, Any]) -> None:
    """Remember that this person has seen the room up to the seq sent."""
    user = require_member(actor)
    errors = FieldErrors()
    seq = forms.READ.read(data, errors).get("seq")
    if seq is None:
        errors.add("seq", "Send the seq of the latest message read.")
    errors.raise_if_any()
    assert seq is not None
    room = await access_room(user, room_id)
    seen = min(max(seq, 0), room["last_seq"])
    updated = await RoomMember.filter(
        room_id=room_id, user_id=user.id, last_read_seq__lt=seen
    ).update(last_read_seq=seen)
    if not updated and room["kind"] == RoomKind.PUBLIC:
        # Reading a public room for the first time makes you one of its regulars.
        try:
            await RoomMember.create(room_id=room_id, user_id=user.id, last_read_seq=seen)
        except IntegrityError:
            return
