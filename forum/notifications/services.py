"""Telling people: store a notification, deliver it live, list and mark them read.

Any feature notifies through notify(); who is told is the calling service's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from forum import clock, database, events
from forum.accounts.models import User
from forum.errors import InvalidInput
from forum.guards import require_member
from forum.notifications.models import Notification
from forum.pagination import Page, cursor_id, decode_cursor, page_of

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
            row = {name: getattr(note, name) for name in COLUMNS}
            await events.publish(
                "notifications.created",
                events.to_user(user_id),
                frame={"type": "notification", "notification": notification_json(row)},
            )


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
    if actor is None:
        return 0
    return await Notification.filter(user_id=actor.id, read_at=None).count()


async def mark_read(actor: User | None, ids: object = None, *, everything: bool = False) -> None:
    """Mark some of this person's notifications (or all of them) read."""
    user = require_member(actor)
    query = Notification.filter(user_id=user.id, read_at=None)
    if not everything:
        query = query.filter(id__in=_ids(ids))
    await query.update(read_at=clock.now())


def _ids(raw: object) -> Sequence[int]:
    if (
        not isinstance(raw, list)
        or not raw
        or len(raw) > READ_MAX_IDS
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw)
    ):
        raise InvalidInput(
            fields={"ids": f"Send a list of 1 to {READ_MAX_IDS} notification ids, or all: true."}
        )
    return raw
