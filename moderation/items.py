"""Queue items: one open item per target and kind, its priority score, and the auto-hide.

Reports, screening holds and flags, and sign-ups all arrive here. The score orders the queue:
each open report adds its reason's weight, more for a reporter the community trusts more, and
`at_risk` lifts an item above everything else. When the reports (at_risk aside: someone asking
for help is never hidden for it) cross AUTO_HIDE_SCORE, the content is hidden until a moderator
looks, unless a moderator or administrator wrote it.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from forum import database
from forum.accounts.models import User
from moderation import log
from moderation.adapters import adapter_for
from moderation.models import ItemKind, ItemStatus, QueueItem, Reason, Report, ReportStatus

REASON_WEIGHTS: dict[str, float] = {
    Reason.AT_RISK: 10.0,
    Reason.SCAM: 8.0,
    Reason.HARASSMENT: 6.0,
    Reason.HATE: 6.0,
    Reason.PRIVATE_INFO: 5.0,
    Reason.SPAM: 4.0,
    Reason.OTHER: 2.0,
    Reason.OFF_TOPIC: 1.0,
}
# Above any sum of ordinary reports: someone who may be at risk is always looked at first.
AT_RISK_BOOST = 1000.0
# The one setting of the auto-hide: e.g. two scam reports from new members, or four of spam.
AUTO_HIDE_SCORE = 16.0
TRUST_MAX = 4


def open_key(kind: str, target_type: str, target_id: int) -> str:
    return f"{kind}:{target_type}:{target_id}"


async def open_item(
    kind: ItemKind,
    target_type: str,
    target_id: int,
    *,
    snapshot: dict[str, Any],
    subject_id: int | None,
    reason: str = "",
) -> tuple[QueueItem, bool]:
    """The open item of this target and kind, made now if there is none; (item, created)."""
    key = open_key(kind, target_type, target_id)
    found = await QueueItem.get_or_none(open_key=key)
    if found is not None:
        return found, False
    try:
        # A savepoint: losing the race for the unique key rolls back only this insert.
        async with database.transaction():
            item = await QueueItem.create(
                kind=kind.value,
                target_type=target_type,
                target_id=target_id,
                open_key=key,
                snapshot=snapshot,
                subject_id=subject_id,
                reason=reason[:120],
            )
        return item, True
    except IntegrityError:
        return await QueueItem.get(open_key=key), False


async def lock_item(item_id: int) -> QueueItem | None:
    """The item, its row locked until the transaction ends (PostgreSQL; SQLite locks it all)."""
    return await QueueItem.filter(id=item_id).select_for_update().first()


def _reporter_weight(reporter: User | None) -> float:
    """A trusted reporter counts for more: 1 for a new member up to 3 at the top level."""
    if reporter is None:
        return 1.0  # screening flagged it
    level = TRUST_MAX if reporter.is_staff else min(max(reporter.trust_level, 0), TRUST_MAX)
    return 1.0 + level / 2


async def rescore(item_id: int) -> tuple[float, float]:
    """Store the item's score from its open reports; (score, the part that can auto-hide)."""
    reports = await Report.filter(item_id=item_id, status=ReportStatus.OPEN).values(
        "reason", "reporter_id"
    )
    ids = {r["reporter_id"] for r in reports if r["reporter_id"] is not None}
    people = {u.id: u for u in await User.filter(id__in=ids)} if ids else {}
    total = hideable = 0.0
    at_risk = False
    for report in reports:
        weight = REASON_WEIGHTS.get(report["reason"], 1.0) * _reporter_weight(
            people.get(report["reporter_id"])
        )
        total += weight
        if report["reason"] == Reason.AT_RISK:
            at_risk = True
        else:
            hideable += weight
    score = round(total + (AT_RISK_BOOST if at_risk else 0.0), 3)
    await QueueItem.filter(id=item_id).update(score=score)
    return score, hideable


async def auto_hide_if_due(item: QueueItem, hideable: float) -> bool:
    """Hide reported content past the threshold, logged as the system's action."""
    if item.kind != ItemKind.REPORTS or item.auto_hidden or hideable < AUTO_HIDE_SCORE:
        return False
    if item.subject_id is not None:
        author = await User.get_or_none(id=item.subject_id)
        if author is not None and author.is_staff:
            return False
    adapter = adapter_for(item.target_type)
    if "hide" not in adapter.actions or not await adapter.act("hide", item.target_id):
        return False  # nothing to hide, or already hidden (a moderator's choice stays theirs)
    await QueueItem.filter(id=item.id, status=ItemStatus.OPEN).update(auto_hidden=True)
    item.auto_hidden = True
    await log.record(
        None,
        "auto_hide",
        item.target_type,
        item.target_id,
        f"Hidden until reviewed: reports reached {hideable:g} (threshold {AUTO_HIDE_SCORE:g}).",
    )
    return True
