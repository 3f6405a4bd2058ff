"""Account tables: users, sessions (cookie or bearer), invites."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

ROLES = ("member", "moderator", "admin")
STAFF_ROLES = ("moderator", "admin")
# Who may start a direct conversation: anyone, people already talked with, or no one.
DM_POLICIES = ("everyone", "interacted", "nobody")


class UserStatus(StrEnum):
    ACTIVE = "active"  # the only status that may sign in or hold a session
    PENDING = "pending"  # waiting for an administrator's approval
    DELETED = "deleted"  # personal data erased; posts stay as "deleted user"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=30)
    # Case-folded copies carry the uniqueness, so "Ana" and "ana" cannot both exist.
    username_key = fields.CharField(max_length=30, unique=True)
    email = fields.CharField(max_length=254, null=True)
    email_key = fields.CharField(max_length=254, unique=True, null=True)
    display_name = fields.CharField(max_length=60, default="")
    password_hash = fields.CharField(max_length=255, default="")
    role = fields.CharField(max_length=16, default="member")
    trust_level = fields.SmallIntField(default=0)
    status = fields.CharField(max_length=16, default=UserStatus.ACTIVE.value, db_index=True)
    area = fields.CharField(max_length=80, default="")
    bio = fields.CharField(max_length=500, default="")
    dm_policy = fields.CharField(max_length=16, default="everyone", db_default="everyone")
    # Set by moderation's sanctions through forum.accounts.standing; each lifts itself at its end.
    silenced_until = fields.DatetimeField(null=True)
    suspended_until = fields.DatetimeField(null=True)
    # Kept by forum/notifications beside every notification written or read, so the bell on
    # every signed-in page costs no query: the row comes with the session.
    unread_notifications = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class Session(Model):
    """A signed-in browser (kind "cookie") or an API token (kind "token")."""

    id = fields.IntField(primary_key=True)
    # Only a hash of the secret is stored: a leaked database does not sign anyone in.
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=8, default="cookie")
    label = fields.CharField(max_length=80, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "sessions"


class Invite(Model):
    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invites_made", on_delete=fields.CASCADE
    )
    note = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=None, null=True, on_delete=fields.SET_NULL
    )
    used_at = fields.DatetimeField(null=True)
    used_by_id: int | None

    class Meta:
        table = "invites"


class Block(Model):
    """One member hiding another: their posts and messages, and any contact from them."""

    id = fields.IntField(primary_key=True)
    blocker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocks_made", on_delete=fields.CASCADE
    )
    blocked: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocked_by", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    blocker_id: int
    blocked_id: int

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "blocked"),)
