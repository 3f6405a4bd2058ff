"""The moderation log: every moderation action, automatic ones included, in order.

Append-only by construction: this module is the only writer of LogEntry, and it only inserts.
No update or delete of a LogEntry exists anywhere in the code (tests/moderation checks the source).
"""

from __future__ import annotations

from forum.accounts.models import User
from moderation.models import LogEntry


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
