"""A moderator's view of one person: their sanctions (past ones with their state) and notes."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import User
from moderation import notes, sanctions


async def person_view(actor: User | None, username: str) -> dict[str, Any]:
    """Everything the moderators' page about a person shows, with what this viewer may do."""
    person, rows = await sanctions.sanctions_of(actor, username)
    return {
        "person": person,
        "sanctions": rows,
        "notes": await notes.notes_about(actor, username),
        "can_sanction": sanctions.may_sanction(actor, person),
    }
