"""Mutual-aid tables: vocabularies, offers and requests, their transitions, responses, alerts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from forum.accounts.models import User


class AidKind(StrEnum):
    OFFER = "offer"
    REQUEST = "request"


class AidStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class AidReview(StrEnum):
    """Moderation's view of a post, apart from its lifecycle."""

    VISIBLE = "visible"
    PENDING = "pending"  # held for review: its owner and moderators see it
    HIDDEN = "hidden"  # hidden by a moderator: moderators alone see it


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


class ResponseStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class AidCategory(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=80)
    position = fields.IntField(default=0)

    class Meta:
        table = "aid_categories"


class AidArea(Model):
    """A neighbourhood or part of town: the only place an offer or request ever names."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=80)
    position = fields.IntField(default=0)

    class Meta:
        table = "aid_areas"


class Aid(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)
    title = fields.CharField(max_length=120)
    body = fields.TextField()
    body_html = fields.TextField()
    category: fields.ForeignKeyRelation[AidCategory] = fields.ForeignKeyField(
        "models.AidCategory", related_name="aids", on_delete=fields.RESTRICT
    )
    area: fields.ForeignKeyRelation[AidArea] = fields.ForeignKeyField(
        "models.AidArea", related_name="aids", on_delete=fields.RESTRICT
    )
    urgency = fields.CharField(max_length=8, default=Urgency.NORMAL.value)
    status = fields.CharField(max_length=10, default=AidStatus.OPEN.value)
    review = fields.CharField(
        max_length=10, default=AidReview.VISIBLE.value, db_default=AidReview.VISIBLE.value
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="aids", on_delete=fields.RESTRICT
    )
    # False: everyone but the owner and moderators sees "a neighbour in <area>".
    show_name = fields.BooleanField(default=True)
    # From forum.clock, like expires_at, so that the two agree (and tests can set the time).
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    # Set when the "expires in 2 days" notice went out; cleared by a renewal.
    expiry_warned_at = fields.DatetimeField(null=True)
    thank_you = fields.TextField(default="")
    thank_you_html = fields.TextField(default="")
    thanked_at = fields.DatetimeField(null=True)
    category_id: int
    area_id: int
    author_id: int

    class Meta:
        table = "aid"
        # The board's default list (open, newest first), the expiry task, and a category's
        # open offers or requests: the board's filters narrowed to a few hundred rows to sort
        # (without it, every open post was read to sort one category's: 20 ms on 10,000).
        indexes = (
            ("status", "created_at", "id"),
            ("status", "expires_at"),
            ("status", "category_id", "kind"),
        )


class AidTransition(Model):
    """One step in the lifecycle of a post: who moved it (None: the expiry task), and to what."""

    id = fields.IntField(primary_key=True)
    aid: fields.ForeignKeyRelation[Aid] = fields.ForeignKeyField(
        "models.Aid", related_name="transitions", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="aid_transitions", null=True, on_delete=fields.SET_NULL
    )
    from_status = fields.CharField(max_length=10, null=True)  # None when the post was created
    to_status = fields.CharField(max_length=10)
    created_at = fields.DatetimeField()

    class Meta:
        table = "aid_transitions"
        indexes = (("aid_id", "id"),)


class AidResponse(Model):
    id = fields.IntField(primary_key=True)
    aid: fields.ForeignKeyRelation[Aid] = fields.ForeignKeyField(
        "models.Aid", related_name="responses", on_delete=fields.CASCADE
    )
    responder: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="aid_responses", on_delete=fields.CASCADE
    )
    message = fields.TextField()
    status = fields.CharField(max_length=10, default=ResponseStatus.PENDING.value)
    # The private two-person chat room of the hand-off.
    room_id = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    aid_id: int
    responder_id: int

    class Meta:
        table = "aid_responses"
        unique_together = (("aid_id", "responder_id"),)


class AidAlert(Model):
    """A standing wish of a member to hear of new posts in a category and/or an area."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="aid_alerts", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=8, null=True)
    category: fields.ForeignKeyNullableRelation[AidCategory] = fields.ForeignKeyField(
        "models.AidCategory", related_name="alerts", null=True, on_delete=fields.CASCADE
    )
    area: fields.ForeignKeyNullableRelation[AidArea] = fields.ForeignKeyField(
        "models.AidArea", related_name="alerts", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "aid_alerts"


class AidFeedToken(Model):
    """The private key in the Atom feed address of a member: a reset retires the old address."""

    # No apostrophes or semicolons in model docstrings: Tortoise copies them unescaped into
    # table comments, and its SQLite migrations split statements at every semicolon.

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="aid_feed_token", on_delete=fields.CASCADE
    )
    # A random salt, not the key: the key is its HMAC under the site secret (forum/aid/feeds.py).
    token = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    user_id: int

    class Meta:
        table = "aid_feed_tokens"
