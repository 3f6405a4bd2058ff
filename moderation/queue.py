"""The one review queue: items by priority, claiming one, and resolving it with a reason.

What resolving an item does depends on its kind, through a resolver registered per ItemKind:
reports and held content act on the content through its adapter, sign-ups through accounts'
admission, and appeals through whatever the sanctions module registers. The queue itself marks
the item and its reports resolved and writes the log entry, so every resolution is logged once
and a resolver only acts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from tortoise.expressions import Q

from forum import clock, database, events
from forum.accounts import admission
from forum.accounts.models import User, UserStatus
from forum.accounts.services import require_staff
from forum.errors import (
    BadRequest,
    Conflict,
    InvalidInput,
    NotFound,
)
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors
from moderation import forms, items, log
from moderation.adapters import adapter_for
from moderation.models import ItemKind, ItemStatus, QueueItem, Report, ReportStatus

# A resolver acts on an open item: (moderator, item, action, reason). It raises to refuse
# (InvalidInput for an action that makes no sense for the item), which rolls everything back.
Resolver = Callable[[User, QueueItem, str, str], Awaitable[None]]
_RESOLVERS: dict[str, Resolver] = {}
# A claim older than this no longer keeps other moderators off the item.
CLAIM_LIFETIME = timedelta(hours=1)


def register_resolver(kind: str, resolver: Resolver) -> None:
    """Say what resolving an item of this kind does (one resolver per kind; a later one wins)."""
    _RESOLVERS[str(kind)] = resolver


# Resolvers of the kinds this module knows --------------------------------------------------


async def resolve_content(moderator: User, item: QueueItem, action: str, reason: str) -> None:
    """Reports and held content: act through the target's adapter; dismiss undoes an auto-hide."""
    adapter = adapter_for(item.target_type)
    if action == "dismiss":
        if item.kind == ItemKind.HELD:
            raise InvalidInput(
                "Held content waits for a decision: approve it, or hide or delete it.",
                fields={"action": "Choose approve, hide or delete."},
            )
        if item.auto_hidden:
            await adapter.act("restore", item.target_id)
        return
    await adapter.act(action, item.target_id)


async def edit_content(moderator: User, item: QueueItem, text: str) -> None:
    """Correct reported or held content in place (say, a phone number taken out) and let it be
    read: a held or auto-hidden post is published with the moderator's text."""
    if item.kind not in (ItemKind.REPORTS, ItemKind.HELD):
        raise InvalidInput(fields={"action": "Only reported or held content can be edited."})
    if not text.strip():
        raise InvalidInput(fields={"body": "Give the corrected text."})
    adapter = adapter_for(item.target_type)
    await adapter.edit(moderator, item.target_id, text)
    if item.kind == ItemKind.HELD:
        await adapter.act("approve", item.target_id)
    elif item.auto_hidden:
        await adapter.act("restore", item.target_id)


async def resolve_signup(moderator: User, item: QueueItem, action: str, reason: str) -> None:
    """A sign-up waiting for approval: approve lets them in, dismiss or delete refuses it."""
    if action not in ("approve", "dismiss", "delete"):
        raise InvalidInput(fields={"action": "Approve or refuse (dismiss) a sign-up."})
    try:
        await admission.decide_signup(moderator, item.target_id, approve=action == "approve")
    except NotFound:
        return  # decided meanwhile on the sign-ups page: nothing left to do here


register_resolver(ItemKind.REPORTS, resolve_content)
register_resolver(ItemKind.HELD, resolve_content)
register_resolver(ItemKind.SIGNUP, resolve_signup)


# Reading -----------------------------------------------------------------------------------


async def sync_signups() -> None:
    """Sign-ups waiting for approval each have an open item (made the first time it is seen)."""
    pending = await User.filter(status=UserStatus.PENDING).values("id", "username", "created_at")
    known = set(
        await QueueItem.filter(kind=ItemKind.SIGNUP, status=ItemStatus.OPEN).values_list(
            "target_id", flat=True
        )
    )
    # Decided on the sign-ups page meanwhile: nothing is left to decide here.
    stale = known - {p["id"] for p in pending}
    if stale:
        await QueueItem.filter(
            kind=ItemKind.SIGNUP, status=ItemStatus.OPEN, target_id__in=stale
        ).update(status=ItemStatus.RESOLVED, open_key=None, resolution="elsewhere")
    for person in pending:
        if person["id"] not in known:
            await items.open_item(
                ItemKind.SIGNUP,
                "user",
                person["id"],
                snapshot={
                    "title": f"Sign-up: {person['username']}",
                    "text": "",
                    "author": person["username"],
                    "author_id": person["id"],
                    "url": "/admin/signups",
                    "status": "pending",
                },
                subject_id=person["id"],
            )


def _visible_items(viewer: User) -> Any:
    """Open items this moderator may work: never reports against themselves, and sign-ups
    for administrators only (they alone decide them)."""
    query = QueueItem.filter(status=ItemStatus.OPEN).filter(
        Q(subject_id__isnull=True) | ~Q(subject_id=viewer.id)
    )
    if not viewer.is_admin:
        query = query.exclude(kind=ItemKind.SIGNUP)
    return query


async def list_queue(
    actor: User | None, *, cursor: str | None = None, limit: int = 20
) -> Page[dict[str, Any]]:
    """Open items, highest priority first (at_risk on top), oldest first among equals."""
    moderator = require_staff(actor)
    if moderator.is_admin:
        await sync_signups()
    query = _visible_items(moderator)
    after = decode_cursor(cursor, 2)
    if after is not None:
        score, last_id = after
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise BadRequest("That page link is not valid.", code="invalid_cursor")
        last = cursor_id(last_id)
        query = query.filter(Q(score__lt=score) | Q(score=score, id__gt=last))
    found = await query.order_by("-score", "id").limit(limit + 1)
    rows = await _rows(list(found))
    return page_of(rows, limit, lambda r: (r["score"], r["id"]))


async def access_item(actor: User | None, item_id: int) -> dict[str, Any]:
    """One item (open or resolved) with its reports, for a moderator who may work it."""
    moderator = require_staff(actor)
    item = await QueueItem.get_or_none(id=item_id)
    if item is None or item.subject_id == moderator.id:
        raise NotFound("There is no such queue item.")
    if item.kind == ItemKind.SIGNUP and not moderator.is_admin:
        raise NotFound("There is no such queue item.")
    return (await _rows([item]))[0]


async def _rows(found: list[QueueItem]) -> list[dict[str, Any]]:
    ids = [i.id for i in found]
    reports = (
        await Report.filter(item_id__in=ids)
        .order_by("id")
        .values(
            "id",
            "item_id",
            "target_type",
            "target_id",
            "reason",
            "status",
            "note",
            "created_at",
            "snapshot",
            "reporter_id",
        )
        if ids
        else []
    )
    people_ids = {r["reporter_id"] for r in reports} | {
        p for i in found for p in (i.subject_id, i.claimed_by_id, i.resolved_by_id)
    }
    people = {
        u["id"]: u
        for u in await User.filter(id__in={p for p in people_ids if p is not None}).values(
            "id", "username", "display_name"
        )
    }
    rows = []
    for item in found:
        rows.append(
            {
                "id": item.id,
                "kind": item.kind,
                "target_type": item.target_type,
                "target_id": item.target_id,
                "snapshot": item.snapshot,
                "reason": item.reason,
                "score": item.score,
                "status": item.status,
                "auto_hidden": item.auto_hidden,
                "subject": people.get(item.subject_id or 0),
                "claimed_by": people.get(item.claimed_by_id or 0),
                "resolved_by": people.get(item.resolved_by_id or 0),
                "resolution": item.resolution or None,
                "resolution_reason": item.resolution_reason or None,
                "created_at": item.created_at,
                "at_risk": item.score >= items.AT_RISK_BOOST,
                "reports": [
                    {**r, "reporter": people.get(r["reporter_id"] or 0)}
                    for r in reports
                    if r["item_id"] == item.id
                ],
            }
        )
    return rows


# Working an item ---------------------------------------------------------------------------


async def claim(actor: User | None, item_id: int) -> dict[str, Any]:
    """Take an open item, so that other moderators leave it to you for a while (an hour)."""
    moderator = require_staff(actor)
    item = await access_item(moderator, item_id)
    if item["status"] != ItemStatus.OPEN:
        raise Conflict("That item has already been resolved.", code="already_resolved")
    now = clock.now()
    taken = (
        await QueueItem.filter(id=item_id, status=ItemStatus.OPEN)
        .filter(
            Q(claimed_by_id__isnull=True)
            | Q(claimed_by_id=moderator.id)
            | Q(claimed_at__lt=now - CLAIM_LIFETIME)
        )
        .update(claimed_by_id=moderator.id, claimed_at=now)
    )
    if not taken:
        raise Conflict("Another moderator is working on that item.", code="claimed")
    return await access_item(moderator, item_id)


async def resolve(actor: User | None, item_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Act on an item with a reason: every report of it is closed and the log records it.

    409 when it was resolved already (by another moderator, or a moment ago by you).
    """
    moderator = require_staff(actor)
    errors = FieldErrors()
    values = forms.RESOLVE.read(data, errors)
    errors.raise_if_any()
    action, reason = values["action"], values["reason"]
    await access_item(moderator, item_id)
    item = await QueueItem.get(id=item_id)
    if item.status != ItemStatus.OPEN:
        raise Conflict("That item has already been resolved.", code="already_resolved")
    resolver = _RESOLVERS.get(item.kind)
    if resolver is None:
        raise InvalidInput(fields={"action": "Items of this kind cannot be resolved here yet."})
    now = clock.now()
    async with database.transaction():
        taken = await QueueItem.filter(id=item_id, status=ItemStatus.OPEN).update(
            status=ItemStatus.RESOLVED,
            open_key=None,
            resolved_by_id=moderator.id,
            resolved_at=now,
            resolution=action,
            resolution_reason=reason,
        )
        if not taken:
            raise Conflict("That item has already been resolved.", code="already_resolved")
        if action == "edit":
            await edit_content(moderator, item, values.get("body", ""))
        else:
            await resolver(moderator, item, action, reason)
        closed = ReportStatus.DISMISSED if action == "dismiss" else ReportStatus.RESOLVED
        await Report.filter(item_id=item_id, status=ReportStatus.OPEN).update(
            status=closed, resolved_at=now
        )
        await log.record(moderator, action, item.target_type, item.target_id, reason)
        await events.publish("moderation.item_resolved", events.STAFF, item_id=item_id)
    return await access_item(moderator, item_id)
