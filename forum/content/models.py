"""Watched words: what the content pipeline refuses, holds for review, or publishes and reports."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class WordAction(StrEnum):
    BLOCK = "block"  # refused with a message naming the field
    HOLD = "hold"  # stored pending, waiting in the review queue
    FLAG = "flag"  # published and reported automatically


WORD_ACTIONS = tuple(WordAction)
# Room for a 100-character pattern of letters that spell out longer ("ﬃ" is "ffi").
PATTERN_KEY_MAX = 400


class WatchedWord(Model):
    """A word or phrase moderators watch for (an asterisk in it matches any letters)."""

    id = fields.IntField(primary_key=True)
    pattern = fields.CharField(max_length=100)
    # The pattern as matching reads it (screening.pattern_key: no case, accents, invisible
    # characters or extra spaces): one row per key, however the moderator typed it.
    pattern_key = fields.CharField(max_length=PATTERN_KEY_MAX, unique=True)
    action = fields.CharField(max_length=8)
    # Typed as any Model: the content layer sits below accounts and may not import its User.
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="watched_words", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by_id: int | None

    class Meta:
        table = "watched_words"
