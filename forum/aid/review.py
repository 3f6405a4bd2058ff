"""Moderators' hand on offers and requests: reading one as stored, and its review state.

Moderation calls these after its own checks; they take no actor because automatic actions
(a hold, an auto-hide) have none. The review state is apart from the lifecycle: a hidden
offer keeps its status, and showing it again puts it back where it was.
"""

from __future__ import annotations

from typing import Any

from forum import database, events
from forum.aid import services
from forum.aid.models import Aid, AidReview


async def stored_aid(aid_id: int) -> dict[str, Any] | None:
    """An offer or request as stored (whatever its review state), or None."""
    found = await services.rows("WHERE a.id = ?", (aid_id,))
    return found[0] if found else None


async def set_review(aid_id: int, review: AidReview, *, only_from: tuple[str, ...] = ()) -> bool:
    """Show, hold or hide a post (from one of only_from, when given); False if nothing changed."""
    query = Aid.filter(id=aid_id).exclude(review=review)
    if only_from:
        query = query.filter(review__in=only_from)
    async with database.transaction():
        changed = await query.update(review=review)
        if changed:
            await events.publish("aid.reviewed", events.EVERYONE, aid_id=aid_id)
    return bool(changed)
