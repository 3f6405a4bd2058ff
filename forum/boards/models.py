"""Board, topic and post tables, with every edit of a post kept."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from forum.accounts.models import User


class Visibility(StrEnum):
    """Who may read a board: anyone, or signed-in members only."""

    PUBLIC = "public"
    MEMBERS = "members"


class PostStatus(StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"  # held for review: its author and moderators read it
    HIDDEN = "hidden"  # hidden by a moderator: moderators alone read it
    DELETED = "deleted"  # a tombstone for everyone; the text is kept for moderators' records


class TopicStatus(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  # hidden by a moderator: moderators alone open it
    PENDING = "pending"  # held for review (with its first post): its author and moderators open it


VISIBILITIES = tuple(Visibility)
POST_STATUSES = tuple(PostStatus)


class Board(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=80)
    description = fields.CharField(max_length=500, default="")
    position = fields.IntField(default=0)
    visibility = fields.CharField(max_length=8, default=Visibility.PUBLIC.value)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "boards"


class Topic(Model):
    id = fields.IntField(primary_key=True)
    board: fields.ForeignKeyRelation[Board] = fields.ForeignKeyField(
        "models.Board", related_name="topics", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="topics", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_activity_at = fields.DatetimeField()
    post_count = fields.IntField(default=0)
    locked = fields.BooleanField(default=False)
    pinned = fields.BooleanField(default=False)
    # db_default: a column added to a table with rows needs one in the database itself.
    status = fields.CharField(
        max_length=10, default=TopicStatus.VISIBLE.value, db_default=TopicStatus.VISIBLE.value
    )
    # Rises with every change that alters how the topic's posts render: a cache key.
    version = fields.IntField(default=0)

    class Meta:
        table = "topics"
        indexes = (("board_id", "pinned", "last_activity_at", "id"),)


class Post(Model):
    id = fields.IntField(primary_key=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "models.Topic", related_name="posts", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="posts", on_delete=fields.RESTRICT
    )
    body = fields.TextField()
    body_html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=10, default=PostStatus.VISIBLE.value)

    class Meta:
        table = "posts"
        indexes = (("topic_id", "id"),)


class PostRevision(Model):
    """The text a post had before an edit."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "models.Post", related_name="revisions", on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="revisions", on_delete=fields.RESTRICT
    )
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "post_revisions"
