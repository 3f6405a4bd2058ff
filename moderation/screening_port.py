"""The review queue as automatic screening sees it: the port forum.content.screening defines.

The content pipeline sits below every feature and cannot import moderation, so the app hands it
an instance of ReviewQueue at start-up (`screening.wire(ReviewQueue())` in forum.app). Screening
calls it inside the transaction that stores the content, so a hold and its content commit
together or not at all.
"""

from __future__ import annotations

from typing import Protocol

from moderation import items, log
from moderation.adapters import adapter_for
from moderation.models import ItemKind, Reason, Report, ReportStatus
from moderation.reports import add_report


class Review(Protocol):
    """A copy of forum.content.screening.Review, for typing here (the merger may import it)."""

    async def hold(
        self, *, target_type: str, target_id: int, author_id: int, reason: str
    ) -> None: ...

    async def flag(
        self, *, target_type: str, target_id: int, author_id: int, reason: str
    ) -> None: ...

    async def reports_against(self, user_id: int) -> int: ...


def _fallback(author_id: int) -> dict[str, object]:
    """What a snapshot says when the content cannot be read back (it should not happen)."""
    return {
        "title": "",
        "text": "",
        "author": None,
        "author_id": author_id,
        "url": "",
        "status": "unknown",
    }


class ReviewQueue:
    """Held content becomes a HELD item; flagged content a report filed by no one."""

    async def hold(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        """Content stored as pending waits in the queue (one open item however often held)."""
        snapshot = await adapter_for(target_type).snapshot(target_id)
        item, created = await items.open_item(
            ItemKind.HELD,
            target_type,
            target_id,
            snapshot=snapshot or _fallback(author_id),
            subject_id=author_id,
            reason=reason,
        )
        if not created and reason not in item.reason.split(", "):
            item.reason = f"{item.reason}, {reason}"[:120]
            await item.save(update_fields=["reason"])
        await log.record(None, "hold", target_type, target_id, reason)

    async def flag(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        """Content published but worth a look: a report by no one (screening), logged."""
        snapshot = await adapter_for(target_type).snapshot(target_id)
        kind = Reason.PRIVATE_INFO if reason.startswith("personal_info") else Reason.OTHER
        await add_report(
            None,
            target_type,
            target_id,
            snapshot or _fallback(author_id),
            reason=kind.value,
            note=f"Flagged automatically: {reason}"[:1000],
        )
        await log.record(None, "flag", target_type, target_id, reason)

    async def reports_against(self, user_id: int) -> int:
        """Reports open or acted on against this person's content (dismissed ones do not count)."""
        return await Report.filter(
            item__subject_id=user_id,
            status__in=(ReportStatus.OPEN, ReportStatus.RESOLVED),
        ).count()


def _typed(queue: ReviewQueue) -> Review:
    return queue  # mypy checks here that ReviewQueue keeps to the port's shape
