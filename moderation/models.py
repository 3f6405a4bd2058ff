"""Moderation's tables: reports, the review queue, sanctions, appeals, notes and the log.

Reports and queue items name what they are about by `target_type` and `target_id` (post, topic,
aid, message, user): moderation owns none of that content, and reaches it only through the
owning feature's adapter (moderation/adapters.py).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from forum.accounts.models import User


class TargetType(StrEnum):
    POST = "post"
    TOPIC = "topic"
    AID = "aid"
    MESSAGE = "message"
    USER = "user"


class Reason(StrEnum):
    SPAM = "spam"
    SCAM = "scam"
    HARASSMENT = "harassment"
    HATE = "hate"
    PRIVATE_INFO = "private_info"
    AT_RISK = "at_risk"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # a moderator acted on the item
    DISMISSED = "dismissed"  # a moderator found nothing to act on


class ItemKind(StrEnum):
    REPORTS = "reports"  # one or more members reported it
    HELD = "held"  # screening held it before anyone saw it (watched word, personal details)
    SIGNUP = "signup"  # a sign-up waiting for approval
    APPEAL = "appeal"  # a person appealing a sanction


class ItemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class SanctionKind(StrEnum):
    WARN = "warn"
    SILENCE = "silence"
    SUSPEND = "suspend"
    BAN = "ban"


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class QueueItem(Model):
    """One thing waiting for a moderator: every open report of the same target joins one item."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=12)
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    # "kind:target_type:target_id" while open, None once resolved: the unique index keeps one
    # open item per target and kind even when two reports (or two workers) arrive at once.
    open_key = fields.CharField(max_length=48, null=True, unique=True)
    # Whose content (or who) it is, for past sanctions and notes beside the item; None if unknown.
    subject: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    # The content as it was when first reported or held: abusers edit after being reported.
    snapshot: dict[str, object] = fields.JSONField(default=dict)
    reason = fields.CharField(max_length=120, default="")  # a held item's screening reason
    score = fields.FloatField(default=0.0, db_index=True)
    # Hidden automatically when its report score crossed the threshold: a dismissal shows it again.
    auto_hidden = fields.BooleanField(default=False)
    status = fields.CharField(max_length=10, default=ItemStatus.OPEN.value)
    claimed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    claimed_at = fields.DatetimeField(null=True)
    resolved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharField(max_length=16, default="")  # the action taken
    resolution_reason = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    subject_id: int | None
    claimed_by_id: int | None
    resolved_by_id: int | None

    class Meta:
        table = "moderation_queue"
        indexes = (("status", "score"), ("target_type", "target_id", "status"))


class Report(Model):
    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[QueueItem] = fields.ForeignKeyField(
        "models.QueueItem", related_name="reports", on_delete=fields.CASCADE
    )
    # None: screening reported it (a flagged watched word), not a person.
    reporter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.CASCADE
    )
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    reason = fields.CharField(max_length=16)
    note = fields.CharField(max_length=1000, default="")
    # The content as this reporter saw it, when it differs from the item's first snapshot.
    snapshot: dict[str, object] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=10, default=ReportStatus.OPEN.value)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)
    item_id: int
    reporter_id: int | None

    class Meta:
        table = "moderation_reports"
        indexes = (("reporter_id", "created_at"), ("target_type", "target_id", "status"))


class Sanction(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=10)
    reason = fields.CharField(max_length=1000)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    ends_at = fields.DatetimeField(null=True)  # None: no end (a ban, or until lifted)
    lifted_at = fields.DatetimeField(null=True)
    lifted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    acknowledged_at = fields.DatetimeField(null=True)  # a warning, once the person has read it
    user_id: int
    created_by_id: int | None
    lifted_by_id: int | None

    class Meta:
        table = "moderation_sanctions"
        indexes = (("user_id", "created_at"),)


class Appeal(Model):
    id = fields.IntField(primary_key=True)
    # One appeal per sanction.
    sanction: fields.OneToOneRelation[Sanction] = fields.OneToOneField(
        "models.Sanction", related_name="appeal", on_delete=fields.CASCADE
    )
    message = fields.CharField(max_length=2000)
    status = fields.CharField(max_length=12, default=AppealStatus.OPEN.value)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decided_at = fields.DatetimeField(null=True)
    decision_reason = fields.CharField(max_length=1000, default="")
    sanction_id: int
    decided_by_id: int | None

    class Meta:
        table = "moderation_appeals"


class Note(Model):
    """A moderator's private note about a person, for the moderators who come after."""

    id = fields.IntField(primary_key=True)
    about: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    body = fields.CharField(max_length=2000)
    created_at = fields.DatetimeField(auto_now_add=True)
    about_id: int
    author_id: int | None

    class Meta:
        table = "moderation_notes"
        indexes = (("about_id", "created_at"),)


class LogEntry(Model):
    """One moderation action, automatic ones included. Append-only: see moderation/log.py."""

    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )  # None: the system acted (screening, auto-hide, expiry)
    action = fields.CharField(max_length=32)
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    reason = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor_id: int | None

    class Meta:
        table = "moderation_log"
