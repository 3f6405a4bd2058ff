"""Races: reports arriving together share one item; two moderators resolve an item once."""

from __future__ import annotations

import asyncio
from typing import Any

from forum.accounts.models import User
from forum.errors import Conflict
from moderation import queue, reports
from moderation.models import LogEntry, QueueItem, Report
from realtime import events
from tests import factories


async def test_reports_arriving_together_join_one_open_item(
    content: Any, member: User, recorded_events: list[events.Event]
) -> None:
    people = [member] + [await factories.user(username=f"near{i}") for i in range(2)]
    body = {"target_type": "post", "target_id": content.post["id"], "reason": "scam"}
    await asyncio.gather(*(reports.file_report(p, body) for p in people))
    assert await QueueItem.filter(target_type="post").count() == 1
    assert await Report.filter(target_type="post").count() == 3
    filed = [e for e in recorded_events if e.name == "moderation.report_filed"]
    assert len(filed) == 3
    assert {e.audience for e in filed} == {events.STAFF}


async def test_two_moderators_resolving_at_once_resolve_it_once(
    report: Any, content: Any, member: User, moderator: User, admin: User
) -> None:
    await report(member, "post", content.post["id"])
    item = await QueueItem.get(target_type="post")
    outcomes = await asyncio.gather(
        queue.resolve(moderator, item.id, {"action": "hide", "reason": "one"}),
        queue.resolve(admin, item.id, {"action": "dismiss", "reason": "two"}),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "dict"]
    assert any(isinstance(o, Conflict) for o in outcomes)
    assert await LogEntry.all().count() == 1
