"""Chat rules: who reads and writes which room, and messages stored in order before anyone hears."""

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
from forum.content import screening
from forum.content.sanitizer import render_markdown
from forum.errors import BadRequest, Conflict, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors, html_has_visible_text

MESSAGE_MAX = forms.MESSAGE_MAX
REPLAY_LIMIT = 200
HISTORY_MAX = 100
_CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{3,30})\b")

ROOM_COLUMNS = ("id", "kind", "name", "owner_id", "aid_id", "last_seq")
MESSAGE_SQL = (
    "SELECT m.id, m.room_id, m.seq, m.author_id, m.body, m.body_html, m.created_at, "
    "m.client_id, m.deleted, m.hidden, u.username AS author_username, "
    "u.display_name AS author_display_name, cm.shown_as AS author_shown_as "
    "FROM chat_messages m JOIN users u ON u.id = m.author_id "
    "LEFT JOIN chat_members cm ON cm.room_id = m.room_id AND cm.user_id = m.author_id "
)
MESSAGE_TIMES = ("created_at",)
MESSAGE_FLAGS = ("deleted", "hidden")


# Who may do what: each rule once, here. ---------------------------------------------------------


def may_read(actor: User | None, room: Mapping[str, Any], is_member: bool) -> bool:
    """Public rooms are for every member; private and direct rooms for their members alone.

    Moderators do not read private rooms by being moderators: only through a report.
    """
    if actor is None:
        return False
    return room["kind"] == RoomKind.PUBLIC or is_member


def may_create_room(actor: User | None) -> bool:
    return is_staff(actor)


def may_manage_members(actor: User | None, room: Mapping[str, Any]) -> bool:
    """The owner of a private room (or a moderator) invites and removes people."""
    if room["kind"] != RoomKind.PRIVATE or room["aid_id"] is not None:
        return False  # a hand-off thread is between its two people, always
    return room["owner_id"] is not None and is_owner_or_staff(actor, room["owner_id"])


def may_delete_message(actor: User | None, message: Mapping[str, Any]) -> bool:
    return not message["deleted"] and is_owner_or_staff(actor, message["author_id"])


# Rooms --------------------------------------------------------------------------------------------


async def _is_member(user_id: int, room_id: int) -> bool:
    return await RoomMember.filter(room_id=room_id, user_id=user_id).exists()


async def access_room(actor: User | None, room_id: int) -> dict[str, Any]:
    """The room as a row, if this person may read it; a private room is absent to others (404)."""
    user = require_member(actor)
    room = await Room.filter(id=room_id).first().values(*ROOM_COLUMNS)
    if room is None or not may_read(user, room, await _is_member(user.id, room_id)):
        raise NotFound("There is no such room.")
    room["can_manage_members"] = may_manage_members(user, room)
    return room


async def list_rooms(
    actor: User | None, *, cursor: str | None = None, limit: int = 100
) -> Page[dict[str, Any]]:
    """Rooms this person may read, with how many messages they have not seen in each."""
    user = require_member(actor)
    after = decode_cursor(cursor, 1)
    last_id = cursor_id(after[0]) if after is not None else 0
    rows = await database.fetch(
        "SELECT r.id, r.kind, r.name, r.owner_id, r.aid_id, r.last_seq, "
        "COALESCE(m.last_read_seq, 0) AS last_read_seq, m.id AS membership "
        "FROM chat_rooms r LEFT JOIN chat_members m ON m.room_id = r.id AND m.user_id = ? "
        "WHERE (r.kind = ? OR m.id IS NOT NULL) AND r.id > ? ORDER BY r.id LIMIT ?",
        (user.id, RoomKind.PUBLIC.value, last_id, limit + 1),
    )
    for row in rows:
        row["unread"] = max(0, row["last_seq"] - row["last_read_seq"])
        row["joined"] = row.pop("membership") is not None
    await _name_direct_rooms(user, [r for r in rows if r["kind"] == RoomKind.DIRECT])
    return page_of(rows, limit, lambda r: (r["id"],))


async def _name_direct_rooms(viewer: User, rooms: Sequence[dict[str, Any]]) -> None:
    """A direct room is called by the other person's name, as each side sees it."""
    if not rooms:
        return
    others = await (
        RoomMember.filter(room_id__in=[r["id"] for r in rooms])
        .exclude(user_id=viewer.id)
        .values("room_id", "user__username", "user__display_name")
    )
    names = {o["room_id"]: o["user__display_name"] or o["user__username"] for o in others}
    for room in rooms:
        room["name"] = names.get(room["id"], viewer.shown_name)


async def create_room(actor: User | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """A public or private room (moderators); whoever creates a private room is its first member."""
    user = require_member(actor)
    if not may_create_room(user):
        raise PermissionDenied("Only moderators can open rooms.")
    errors = FieldErrors()
    values = forms.ROOM.read(data, errors)
    errors.raise_if_any()
    name, kind = values["name"], values["kind"]
    return await _open_room(kind, name, owner=user, members=[user] if kind == "private" else [])


async def open_linked_room(
    people: Sequence[User],
    *,
    name: str,
    aid_id: int | None = None,
    shown_as: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """A private room for exactly these people, owned by another feature's object.

    For mutual aid's hand-off threads: the room is theirs, and nobody else can be added.
    shown_as names people the others see under another name (by user id), until
    show_member_as says otherwise.
    """
    return await _open_room(
        RoomKind.PRIVATE, name, owner=None, members=people, aid_id=aid_id, shown_as=shown_as
    )


async def show_member_as(room_id: int, user_id: int, shown_as: str | None) -> None:
    """How the others in a room see this member from now on: under shown_as, or by name."""
    await RoomMember.filter(room_id=room_id, user_id=user_id).update(shown_as=shown_as)


async def member_alias(room_id: int, user_id: int) -> str | None:
    """The name this member goes by in this room when not their own, else None."""
    found = await RoomMember.filter(room_id=room_id, user_id=user_id).first().values("shown_as")
    return found["shown_as"] if found else None


async def _open_room(
    kind: str,
    name: str,
    *,
    owner: User | None,
    members: Sequence[User],
    aid_id: int | None = None,
    direct_key: str | None = None,
    shown_as: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    async with database.transaction():
        room = await Room.create(
            kind=kind, name=name, owner=owner, aid_id=aid_id, direct_key=direct_key
        )
        for person in members:
            await RoomMember.create(
                room_id=room.id, user_id=person.id, shown_as=(shown_as or {}).get(person.id)
            )
        # Who may learn that a room exists is who may read it: everyone, or its members.
        audiences = (
            [events.EVERYONE]
            if kind == RoomKind.PUBLIC
            else [events.to_user(p.id) for p in members]
        )
        for audience in audiences:
            await events.publish("chat.room_created", audience, room_id=room.id)
    return {name: getattr(room, name) for name in ROOM_COLUMNS}


async def direct_room(actor: User | None, username: object) -> dict[str, Any]:
    """The one direct room between this person and another, opened the first time."""
    user = require_member(actor)
    other = await _active_user(username, "username")
    if other.id == user.id:
        raise InvalidInput(fields={"username": "Choose someone other than yourself."})
    # Finding an old room is starting a conversation too: the block or setting of today rules.
    await blocks.require_may_message(user, other)
    low, high = sorted((user.id, other.id))
    key = f"{low}:{high}"
    found = await Room.filter(direct_key=key).first().values(*ROOM_COLUMNS)
    if found is not None:
        return found
    await trust.require_may_start_direct(user, other)
    await ratelimits.check_action("direct_message", actor_id=user.id)
    try:
        return await _open_room(
            RoomKind.DIRECT, "", owner=None, members=[user, other], direct_key=key
        )
    except IntegrityError:
        # Both opened it at the same moment: the other request's room is the one.
        return await Room.get(direct_key=key).values(*ROOM_COLUMNS)


def is_conversation(room: Mapping[str, Any]) -> bool:
    """A room between two people: a direct room, or a hand-off thread of mutual aid."""
    return room["kind"] == RoomKind.DIRECT or (
        room["kind"] == RoomKind.PRIVATE and room["aid_id"] is not None
    )


async def require_may_write(user: User, room: Mapping[str, Any]) -> None:
    """In a conversation between two people, refuse what a block or a message setting stops.

    A direct room follows the other person's message setting and blocks; a hand-off thread
    only blocks (the other person invited responses by posting). Rooms for many are open.
    """
    if not is_conversation(room):
        return
    other = await User.filter(room_memberships__room_id=room["id"]).exclude(id=user.id).first()
    if other is None:
        return
    if room["kind"] == RoomKind.DIRECT:
        await blocks.require_may_message(user, other)
    else:
        await blocks.require_not_blocked(user, other)


async def has_written_to(recipient_id: int, sender_id: int) -> bool:
    """Whether the recipient has sent the sender a direct message, or the two share a
    hand-off thread: what chat counts as having interacted (forum.accounts.blocks)."""
    low, high = sorted((recipient_id, sender_id))
    direct = await Room.filter(direct_key=f"{low}:{high}").first().values("id")
    if (
        direct is not None
        and await Message.filter(
            room_id=direct["id"], author_id=recipient_id, deleted=False
        ).exists()
    ):
        return True
    shared = await database.fetch(
        "SELECT 1 AS shared FROM chat_members a "
        "JOIN chat_members b ON b.room_id = a.room_id AND b.user_id = ? "
        "JOIN chat_rooms r ON r.id = a.room_id "
        "WHERE a.user_id = ? AND r.aid_id IS NOT NULL LIMIT 1",
        (sender_id, recipient_id),
    )
    return bool(shared)


async def _active_user(username: object, field: str) -> User:
    person = None
    if isinstance(username, str) and 3 <= len(username) <= 30:
        person = await User.get_or_none(username_key=username.casefold(), status=UserStatus.ACTIVE)
    if person is None:
        raise InvalidInput(fields={field: "There is no one here by that name."})
    return person


async def add_member(actor: User | None, room_id: int, username: object) -> None:
    """Invite someone into a private room (its owner or a moderator)."""
    room = await _managed_room(actor, room_id)
    person = await _active_user(username, "username")
    try:
        await RoomMember.create(room_id=room["id"], user_id=person.id)
    except IntegrityError:
        return  # already a member: nothing to do
    await events.publish(
        "chat.member_added", events.to_user(person.id), room_id=room_id, user_id=person.id
    )


async def remove_member(actor: User | None, room_id: int, username: str) -> None:
    """Take someone out of a private room (its owner or a moderator); the owner stays."""
    room = await _managed_room(actor, room_id)
    person = await _active_user(username, "username")
    if person.id == room["owner_id"]:
        raise Conflict("The owner of a room cannot be removed from it.", code="room_owner")
    removed = await RoomMember.filter(room_id=room_id, user_id=person.id).delete()
    if not removed:
        raise NotFound("That person is not in this room.")
    await events.publish(
        "chat.member_removed", events.to_user(person.id), room_id=room_id, user_id=person.id
    )


async def _managed_room(actor: User | None, room_id: int) -> dict[str, Any]:
    room = await access_room(actor, room_id)
    if not room["can_manage_members"]:
        raise PermissionDenied("Only the owner of this private room can change who is in it.")
    return room


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
        if may_read(p, room, await _is_member(p.id, room["id"]))
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
