"""Chat rooms: who reads which room, opening rooms, direct rooms and who is in a private room."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from forum import database, events, ratelimits
from forum.accounts import blocks, trust
from forum.accounts.models import User, UserStatus
from forum.accounts.services import is_owner_or_staff, is_staff
from forum.chat import forms
from forum.chat.models import Message, Room, RoomKind, RoomMember
from forum.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

ROOM_COLUMNS = ("id", "kind", "name", "owner_id", "aid_id", "last_seq")
ADDING = "add this person to this room"  # the neutral refusal: "You can't add this person …"


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


# Rooms --------------------------------------------------------------------------------------------


async def is_room_member(user_id: int, room_id: int) -> bool:
    return await RoomMember.filter(room_id=room_id, user_id=user_id).exists()


async def is_direct_room(room_id: int) -> bool:
    """Whether the room is a direct conversation between two members (a room's kind is fixed)."""
    return await Room.filter(id=room_id, kind=RoomKind.DIRECT).exists()


async def access_room(actor: User | None, room_id: int) -> dict[str, Any]:
    """The room as a row, if this person may read it; a private room is absent to others (404)."""
    user = require_member(actor)
    room = await Room.filter(id=room_id).first().values(*ROOM_COLUMNS)
    if room is None or not may_read(user, room, await is_room_member(user.id, room_id)):
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
    await _require_not_apart(require_member(actor), room["owner_id"], person)
    try:
        await RoomMember.create(room_id=room["id"], user_id=person.id)
    except IntegrityError:
        return  # already a member: nothing to do
    await events.publish(
        "chat.member_added", events.to_user(person.id), room_id=room_id, user_id=person.id
    )


async def _require_not_apart(inviter: User, owner_id: int, person: User) -> None:
    """Refuse to add someone apart by a block (either way) from who adds them or who owns the room.

    Moderators are not exempt here as they are in direct conversations: they own every private
    room, and being drawn into one is not a notice a member must receive.
    """
    for other_id in {inviter.id, owner_id}:
        if await blocks.blocked_either(other_id, person.id):
            raise blocks.cannot_message(person.id, await blocks.blocked_ids(inviter), ADDING)


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


async def list_members(actor: User | None, room_id: int) -> list[dict[str, Any]]:
    """Who is in a private room, for the person who manages it: owner first, then by name."""
    room = await _managed_room(actor, room_id)
    people = await RoomMember.filter(room_id=room_id, user__status=UserStatus.ACTIVE).values(
        "user_id", "user__username", "user__display_name"
    )
    members = [
        {
            "username": p["user__username"],
            "display_name": p["user__display_name"] or p["user__username"],
            "is_owner": p["user_id"] == room["owner_id"],
        }
        for p in people
    ]
    return sorted(members, key=lambda m: (not m["is_owner"], m["username"].casefold()))


async def _managed_room(actor: User | None, room_id: int) -> dict[str, Any]:
    room = await access_room(actor, room_id)
    if not room["can_manage_members"]:
        raise PermissionDenied("Only the owner of this private room can change who is in it.")
    return room
