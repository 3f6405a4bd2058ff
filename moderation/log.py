"""The moderation log: every moderation action, automatic ones included, in order.

Append-only by construction: this module is the only writer of LogEntry, and it only inserts.
No update or delete of a LogEntry exists anywhere in the code (tests/moderation checks the source).
"""

from __future__ import annotations

from typing import Any

from forum.accounts.models import User
from forum.errors import PermissionDenied
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from moderation.models import LogEntry

_COLUMNS = ("id", "action", "target_type", "target_id", "reason", "created_at")


async def record(
    actor: User | None, action: str, target_type: str, target_id: int, reason: str = ""
) -> LogEntry:
    """Write one entry; `actor` None means the system acted (screening, auto-hide, expiry)."""
    return await LogEntry.create(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason[:1000],
    )


async def entries(
    actor: User | None, *, public: bool, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """The log, newest first: for moderators with who acted; public (any member) without.

    The public log names no moderator, and no reporter ever appears in either.
    """
    viewer = require_member(actor)
    if not public and not viewer.is_staff:
        raise PermissionDenied("Only moderators can read the full moderation log.")
    after = decode_cursor(cursor, 1)
    query = LogEntry.all()
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1).values(*_COLUMNS, "actor_id")
    names: dict[int, dict[str, Any]] = {}
    if not public:
        ids = {r["actor_id"] for r in rows if r["actor_id"] is not None}
        names = {
            u["id"]: u
            for u in await User.filter(id__in=ids).values("id", "username", "display_name")
        }
    for row in rows:
        actor_id = row.pop("actor_id")
        if not public:
            row["actor"] = names.get(actor_id) if actor_id is not None else None
    return page_of(rows, limit, lambda r: (r["id"],))
