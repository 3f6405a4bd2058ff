"""What moderators see of a person beside a queue item: past sanctions and moderator notes.

Read-only here: sanctions and notes are written by their own modules.
"""

from __future__ import annotations

from typing import Any

from forum.accounts.models import User
from moderation.models import Note, Sanction

SHOWN = 20


async def record_of(user_id: int | None) -> dict[str, Any] | None:
    """The person (username, role, standing), their latest sanctions and notes; None if gone."""
    if user_id is None:
        return None
    person = await User.get_or_none(id=user_id)
    if person is None:
        return None
    sanctions = (
        await Sanction.filter(user_id=user_id)
        .order_by("-created_at", "-id")
        .limit(SHOWN)
        .values("id", "kind", "reason", "created_at", "ends_at", "lifted_at")
    )
    notes = (
        await Note.filter(about_id=user_id)
        .order_by("-created_at", "-id")
        .limit(SHOWN)
        .values("id", "body", "created_at", author_username="author__username")
    )
    return {
        "id": person.id,
        "username": person.username,
        "display_name": person.shown_name,
        "role": person.role,
        "trust_level": person.trust_level,
        "status": person.status,
        "silenced_until": person.silenced_until,
        "suspended_until": person.suspended_until,
        "sanctions": sanctions,
        "notes": notes,
    }
