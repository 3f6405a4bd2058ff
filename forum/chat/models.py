"""Chat tables: rooms, who belongs to them, and their messages numbered per room."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from forum.accounts.models import User


class RoomKind(StrEnum):
    PUBLIC = "public"  # every member may read and write
    PRIVATE = "private"  # its members only; the owner (or a moderator) invites and removes
    DIRECT = "direct"  # two people


class Room(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)
    name = fields.CharField(max_length=80, default="")
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="rooms_owned", null=True, on_delete=fields.SET_NULL
    )
    # Set when another feature's object owns this room (an aid hand-off thread).
    aid_id = fields.IntField(null=True)
    # "smaller-id:larger-id" for a direct room: one room per pair, however many ask at once.
    direct_key = fields.CharField(max_length=24, null=True, unique=True)
    # The seq of the room's latest message; raised by one in the transaction that stores one.
    last_seq = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    owner_id: int | None

    class Meta:
        table = "chat_rooms"


class RoomMember(Model):
    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="room_memberships", on_delete=fields.CASCADE
    )
    # The latest seq this person has seen here: what is above it counts as unread.
    last_read_seq = fields.IntField(default=0)
    joined_at = fields.DatetimeField(auto_now_add=True)
    # How the others in the room see this person, when not by their name (None: by name).
    # An aid hand-off withholds a hidden-name owner ("a neighbour in Elm Street") until they
    # accept the response; the feature that owns the room sets and clears it.
    shown_as = fields.CharField(max_length=120, null=True)

    class Meta:
        table = "chat_members"
        unique_together = (("room_id", "user_id"),)


class Message(Model):
    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="messages", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="messages", on_delete=fields.RESTRICT
    )
    body = fields.TextField()
    body_html = fields.TextField()
    # The sender's own id for this send: a retry with the same one stores nothing new.
    client_id = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted = fields.BooleanField(default=False)
    # Hidden by a moderator: replays as a tombstone to everyone but moderators, like a deleted one.
    hidden = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "chat_messages"
        unique_together = (("room_id", "seq"), ("author_id", "client_id"))
