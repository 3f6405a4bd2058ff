"""The notifications table: one row per person told of something."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from forum.accounts.models import User


class Notification(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)  # "concept.what_happened", like chat.mention
    text = fields.CharField(max_length=200)
    url = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"), ("user_id", "id"))
