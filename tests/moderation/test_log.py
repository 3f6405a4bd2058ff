"""The moderation log: every action, automatic ones included, append-only, public without names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from forum.accounts.models import User
from moderation import log
from moderation.models import LogEntry, QueueItem
from moderation.screening_port import ReviewQueue
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


async def test_every_action_exercised_has_its_entry(
    report: Any, as_person: Any, content: Any, member: User, other_member: User, moderator: User
) -> None:
    http = await as_person(moderator)
    port = ReviewQueue()
    held = await factories.reply(author=other_member, topic_id=content.topic["id"])
    extra = await factories.reply(author=other_member, topic_id=content.topic["id"], body="Again")
    actions = {"post": "hide", "aid": "dismiss", "message": "delete", "topic": "lock"}
    for kind, action in actions.items():
        target = content.post["id"] if kind == "post" else getattr(content, kind)["id"]
        await report(member, kind, target)
        item = await QueueItem.get(target_type=kind, target_id=target, status="open")
        done = await http.post(
            f"/api/v1/moderation/queue/{item.id}/resolve",
            json={"action": action, "reason": f"{action} it"},
        )
        assert done.status_code == 200, done.text
    await port.hold(target_type="post", target_id=held["id"], author_id=other_member.id, reason="r")
    await port.flag(target_type="post", target_id=held["id"], author_id=other_member.id, reason="f")
    people = [await factories.user(username=f"near{i}") for i in range(4)]
    for person in people:
        await report(person, "post", extra["id"], "spam")
    full = (await http.get("/api/v1/moderation/log")).json()
    logged = [(e["action"], e["target_type"]) for e in reversed(full["items"])]
    assert logged == [
        ("hide", "post"),
        ("dismiss", "aid"),
        ("delete", "message"),
        ("lock", "topic"),
        ("hold", "post"),
        ("flag", "post"),
        ("auto_hide", "post"),
    ]
    by_moderator = [e for e in full["items"] if e["actor"] is not None]
    assert {e["actor"]["username"] for e in by_moderator} == {"modmira"}
    assert len(by_moderator) == 4
    assert full["items"][0]["reason"].startswith("Hidden until reviewed")


async def test_the_public_log_names_no_one_and_the_full_log_is_for_moderators(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    await report(member, "post", content.post["id"])
    item = await QueueItem.get(target_type="post")
    await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "hide", "reason": "Scam"}
    )
    reader = await as_person(member)
    public = (await reader.get("/api/v1/moderation/public-log")).json()
    [entry] = public["items"]
    assert set(entry) == {"id", "action", "target_type", "target_id", "reason", "created_at"}
    assert "modmira" not in str(public)
    assert (await reader.get("/api/v1/moderation/log")).status_code == 403


async def test_the_log_pages_newest_first(moderator: User) -> None:
    for n in range(5):
        await log.record(moderator, "hide", "post", n, f"r{n}")
    first = await log.entries(moderator, public=False, limit=2)
    assert [e["target_id"] for e in first.items] == [4, 3]
    rest = await log.entries(moderator, public=True, cursor=first.next_cursor, limit=10)
    assert [e["target_id"] for e in rest.items] == [2, 1, 0]
    assert "actor" not in rest.items[0]


# Append-only: nothing in the code updates or deletes a log entry. -----------------------------

_FORBIDDEN = [
    re.compile(
        r"LogEntry\s*\.\s*(filter|all|get|exclude|select_for_update)\([^)]*\)[^\n]*\.(update|delete)\("
    ),
    re.compile(r"LogEntry\s*\.\s*(bulk_update|update_or_create|get_or_create|raw)\b"),
    re.compile(r"UPDATE\s+moderation_log", re.IGNORECASE),
    re.compile(r"DELETE\s+FROM\s+moderation_log", re.IGNORECASE),
    re.compile(r"TRUNCATE\s+(TABLE\s+)?moderation_log", re.IGNORECASE),
]


# A name bound to a log entry (from LogEntry or log.record) must never be saved or deleted.
_BOUND = re.compile(r"(\w+)\s*(?::[^=\n]+)?=\s*(?:await\s+)?(?:LogEntry\b|log\.record\()")


def _offences(text: str) -> list[str]:
    hits = [m.group(0) for pattern in _FORBIDDEN for m in pattern.finditer(text)]
    for name in {m.group(1) for m in _BOUND.finditer(text)}:
        changed = re.compile(rf"\b{re.escape(name)}\s*\.\s*(save|delete|update_from_dict)\(")
        hits += [m.group(0) for m in changed.finditer(text)]
    return hits


def test_no_code_updates_or_deletes_a_log_entry() -> None:
    sources = [
        p
        for folder in ("forum", "moderation", "realtime")
        for p in (ROOT / folder).rglob("*.py")
        if "migrations" not in p.parts
    ]
    assert len(sources) > 50
    found = {str(p.relative_to(ROOT)): _offences(p.read_text(encoding="utf-8")) for p in sources}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_the_append_only_check_catches_each_way_of_changing_the_log() -> None:
    for offence in (
        "await LogEntry.filter(id=1).update(reason='')",
        "await LogEntry.all().delete()",
        "await LogEntry.raw('...')",
        "entry = await LogEntry.get(id=1)\nentry.reason = 'x'\nawait entry.save()",
        "logged = await log.record(None, 'hide', 'post', 1)\nawait logged.delete()",
        'await database.fetch("UPDATE moderation_log SET reason = ?")',
        "DELETE FROM moderation_log WHERE id = 1",
    ):
        assert _offences(offence), offence
    assert _offences("await LogEntry.create(action='hide')") == []
    assert _offences("entry = await Vocabulary.get(id=1)\nawait entry.save()") == []
    assert _offences("await LogEntry.filter(id=1).values('id')") == []


async def test_log_entries_are_only_ever_created(moderator: User) -> None:
    entry = await log.record(moderator, "hide", "post", 1, "x" * 2000)
    assert len(entry.reason) == 1000
    assert await LogEntry.all().count() == 1
