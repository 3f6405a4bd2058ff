"""Members reporting what worries them, and seeing what became of their reports.

A report names a target through its adapter, which asks the owning feature whether the reporter
may see it (404 otherwise, so reporting cannot probe for private things). The content is
snapshotted on the queue item when first reported (abusers edit after being reported), and on
a later report too when it has changed since. The reported person never learns who reported:
nothing they can read carries a reporter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forum import database, events, ratelimits
from forum.accounts.models import User
from forum.errors import InvalidInput, NotFound
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors
from moderation import crisis, forms, items
from moderation.adapters import adapter_for
from moderation.models import ItemKind, QueueItem, Reason, Report, ReportStatus

REPORT_COLUMNS = ("id", "target_type", "target_id", "reason", "status", "created_at")


async def file_report(actor: User | None, data: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Report a post, topic, offer or request, message or profile; (REPORT, newly filed).

    A second open report of the same thing by the same person returns the first. Reporting your
    own content is refused, except `at_risk`: a person may ask for help through what they wrote.
    """
    reporter = require_member(actor)
    errors = FieldErrors()
    values = forms.REPORT.read(data, errors)
    if "target_id" not in values and "target_id" not in errors.errors:
        errors.add("target_id", "Give the id of what you are reporting.")
    errors.raise_if_any()
    target_type, target_id = values["target_type"], values["target_id"]
    adapter = adapter_for(target_type)
    await adapter.visible_to(reporter, target_id)
    snapshot = await adapter.snapshot(target_id)
    if snapshot is None:
        raise NotFound("That does not exist.")
    if snapshot["author_id"] == reporter.id and values["reason"] != Reason.AT_RISK:
        raise InvalidInput(
            fields={"target_id": "This is your own; edit or delete it instead of reporting it."}
        )
    earlier = await _open_report_of(reporter.id, target_type, target_id)
    if earlier is not None:
        return earlier, False
    await ratelimits.check_action("report", actor_id=reporter.id)
    async with database.transaction():
        report = await add_report(
            reporter,
            target_type,
            target_id,
            snapshot,
            reason=values["reason"],
            note=values.get("note", ""),
        )
        if values["reason"] == Reason.AT_RISK:
            # Every moderator is told at once, live; the reporter is shown where to get help.
            await crisis.at_risk_reported(report["id"], target_type, target_id)
    return report, True


async def add_report(
    reporter: User | None,
    target_type: str,
    target_id: int,
    snapshot: dict[str, Any],
    *,
    reason: str,
    note: str = "",
) -> dict[str, Any]:
    """Join the target's open item (made if needed), rescore it and hide it if the score says.

    reporter None is screening's own report (a flagged watched word). Call inside a transaction.
    """
    item, created = await items.open_item(
        ItemKind.REPORTS,
        target_type,
        target_id,
        snapshot=snapshot,
        subject_id=snapshot.get("author_id"),
    )
    locked = await items.lock_item(item.id)
    item = locked or item
    report = await Report.create(
        item_id=item.id,
        reporter_id=reporter.id if reporter is not None else None,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        note=note,
        # The item keeps the first version; a report of a changed one keeps what it saw.
        snapshot={} if created or _same(item.snapshot, snapshot) else snapshot,
    )
    _, hideable = await items.rescore(item.id)
    await items.auto_hide_if_due(item, hideable)
    # For the moderators' live queue (and the at-risk alert): never to the reported person.
    await events.publish("moderation.report_filed", events.STAFF, item_id=item.id, reason=reason)
    return report_row(report)


async def describe_target(actor: User | None, target_type: str, target_id: int) -> dict[str, Any]:
    """What the report page shows of the thing being reported, if this person may see it."""
    reporter = require_member(actor)
    errors = FieldErrors()
    values = forms.REPORT.read(
        {"target_type": target_type, "target_id": target_id, "reason": Reason.OTHER.value}, errors
    )
    if errors.errors or "target_id" not in values:
        raise NotFound("There is nothing to report there.")
    adapter = adapter_for(values["target_type"])
    await adapter.visible_to(reporter, values["target_id"])
    snapshot = await adapter.snapshot(values["target_id"])
    if snapshot is None:
        raise NotFound("That does not exist.")
    return {
        "target_type": values["target_type"],
        "target_id": values["target_id"],
        "noun": adapter.noun,
        "title": snapshot["title"],
        "excerpt": snapshot["text"][:280],
        "url": snapshot["url"],
        "own": snapshot["author_id"] == reporter.id,
    }


def _same(first: Mapping[str, Any], now: Mapping[str, Any]) -> bool:
    return all(first.get(k) == now.get(k) for k in ("title", "text"))


def report_row(report: Report) -> dict[str, Any]:
    return {name: getattr(report, name) for name in REPORT_COLUMNS}


async def _open_report_of(
    reporter_id: int, target_type: str, target_id: int
) -> dict[str, Any] | None:
    found = await Report.filter(
        reporter_id=reporter_id,
        target_type=target_type,
        target_id=target_id,
        status=ReportStatus.OPEN,
    ).first()
    return report_row(found) if found is not None else None


async def my_reports(
    actor: User | None, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """This member's reports, newest first, with their status and what the moderators did."""
    reporter = require_member(actor)
    after = decode_cursor(cursor, 1)
    query = Report.filter(reporter_id=reporter.id)
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1).values(*REPORT_COLUMNS, "note", "item_id")
    outcomes = {
        i["id"]: i["resolution"]
        for i in await QueueItem.filter(id__in={r["item_id"] for r in rows}).values(
            "id", "resolution"
        )
    }
    for row in rows:
        row["outcome"] = outcomes.get(row.pop("item_id")) or None
    return page_of(rows, limit, lambda r: (r["id"],))
