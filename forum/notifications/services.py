"""Telling people: store a notification, deliver it live, list and mark them read.

Any feature notifies through notify(); who is told is the calling service's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from tortoise.expressions import F

from forum import clock, database, events
from forum.accounts import sessions
from forum.accounts.models import User
from forum.guards import require_member
from forum.notifications.models import Notification
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import Body, FieldErrors, Flag, IdList

TEXT_MAX, URL_MAX = 200, 200
READ_MAX_IDS = 100
COLUMNS = ("id", "kind", "text", "url", "created_at", "read_at")


def notification_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "text": row["text"],
        "url": row["url"],
        "created_at": clock.iso(row["created_at"]),
        "read": row["read_at"] is not None,
    }


async def notify(user_ids: Iterable[int], kind: str, text: str, url: str) -> None:
    """Tell each of these people; stored with the caller's transaction, live after it commits."""
    async with database.transaction():
        for user_id in dict.fromkeys(user_ids):
            note = await Notification.create(
                user_id=user_id, kind=kind, text=text[:TEXT_MAX], url=url[:URL_MAX]
            )
            await User.filter(id=user_id).update(unread_notifications=F("unread_notifications") + 1)
            sessions.forget_user(user_id)
            row = {name: getattr(note, name) for name in COLUMNS}
            await events.publish(
                "notifications.created",
                events.to_user(user_id),
                frame={"type": "notification", "notification": notification_json(row)},
            )


async def already_told(user_ids: Iterable[int], kind: str, url: str) -> set[int]:
    """Who of these people already has this notification (its kind and url): to tell each once.

    For what may come round again (an edited post that still mentions someone, a post edited
    to fit an alert its owner heard of before).
    """
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return set()
    found = await Notification.filter(user_id__in=wanted, kind=kind, url=url).values_list(
        "user_id", flat=True
    )
    return set(cast(list[int], found))


async def list_notifications(
    actor: User | None, *, unread_only: bool = False, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """This person's notifications, newest first."""
    user = require_member(actor)
    query = Notification.filter(user_id=user.id)
    if unread_only:
        query = query.filter(read_at=None)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1).values(*COLUMNS)
    return page_of(rows, limit, lambda r: (r["id"],))


async def unread_count(actor: User | None) -> int:
    """How many of this person's notifications are unread, as stored now.

    Pages need not ask: the count is a column of the person's row, which came with the session.
    """
    if actor is None:
        return 0
    person = await User.get_or_none(id=actor.id).only("id", "unread_notifications")
    return person.unread_notifications if person is not None else 0


_IDS_MESSAGE = f"Send a list of 1 to {READ_MAX_IDS} notification ids, or all: true."
READ = Body(
    {
        "ids": IdList(READ_MAX_IDS, _IDS_MESSAGE, description="The notifications to mark read."),
        "all": Flag("true marks every notification read."),
    }
)


async def mark_read(actor: User | None, data: Mapping[str, Any]) -> None:
    """Mark some of this person's notifications ({ids: [...]}) or all of them ({all: true}) read."""
    user = require_member(actor)
    errors = FieldErrors()
    values = READ.read(data, errors)
    if not errors.errors and values.get("all") is not True and "ids" not in values:
        errors.add("ids", _IDS_MESSAGE)
    errors.raise_if_any()
    query = Notification.filter(user_id=user.id, read_at=None)
    if values.get("all") is not True:
        query = query.filter(id__in=values["ids"])
    async with database.transaction():
        # Only unread rows change, each once: the count goes down by exactly what was read.
        marked = await query.update(read_at=clock.now())
        if marked:
            await User.filter(id=user.id).update(
                unread_notifications=F("unread_notifications") - marked
            )
    sessions.forget_user(user.id)
