"""JSON API for moderation: reports, the review queue and the moderation log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, openapi, web
from forum.accounts.api import AUTHOR
from forum.openapi import BOOLEAN, INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record
from moderation import forms, log, queue, reports
from moderation.models import ItemKind, ItemStatus, Reason, ReportStatus, TargetType

TARGET_TYPES = enum(tuple(t.value for t in TargetType))
REPORT_FIELDS = {
    "id": INTEGER,
    "target_type": TARGET_TYPES,
    "target_id": INTEGER,
    "reason": enum(tuple(r.value for r in Reason)),
    "status": enum(tuple(s.value for s in ReportStatus)),
    "created_at": MOMENT,
}
REPORT = Component("Report", record(REPORT_FIELDS))
MY_REPORT = Component(
    "MyReport",
    record(
        {
            **REPORT_FIELDS,
            "note": STRING,
            "outcome": nullable(enum(forms.RESOLVE_ACTIONS + ("elsewhere",))),
        }
    ),
)
SNAPSHOT = Component(
    "Snapshot",
    record(
        {
            "title": STRING,
            "text": STRING,
            "author": nullable(STRING),
            "author_id": nullable(INTEGER),
            "url": STRING,
            "status": STRING,
        }
    ),
)
# What moderators see of each report of an item: who reported is for them alone.
QUEUE_REPORT = Component(
    "QueueReport",
    record(
        {
            **REPORT_FIELDS,
            "note": STRING,
            "reporter": nullable(AUTHOR),
            "snapshot": nullable(SNAPSHOT),
        }
    ),
)
QUEUE_ITEM = Component(
    "QueueItem",
    record(
        {
            "id": INTEGER,
            "target_type": TARGET_TYPES,
            "target_id": INTEGER,
            "snapshot": SNAPSHOT,
            "reports": {"type": "array", "items": QUEUE_REPORT},
            "score": {"type": "number"},
            "status": enum(tuple(s.value for s in ItemStatus)),
            "kind": enum(tuple(k.value for k in ItemKind)),
            "reason": STRING,
            "at_risk": BOOLEAN,
            "auto_hidden": BOOLEAN,
            "subject": nullable(AUTHOR),
            "claimed_by": nullable(AUTHOR),
            "resolved_by": nullable(AUTHOR),
            "resolution": nullable(STRING),
            "resolution_reason": nullable(STRING),
            "created_at": MOMENT,
        }
    ),
)
LOG_FIELDS = {
    "id": INTEGER,
    "action": STRING,
    "target_type": STRING,
    "target_id": INTEGER,
    "reason": STRING,
    "created_at": MOMENT,
}
LOG_ENTRY = Component("LogEntry", record({**LOG_FIELDS, "actor": nullable(AUTHOR)}))
PUBLIC_LOG_ENTRY = Component("PublicLogEntry", record(LOG_FIELDS))
_ITEM_LINKS = {"item": Link("api:moderation_item", "get", {"id": "$response.body#/id"})}


def _author(person: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    name = person["display_name"] or person["username"]
    return {"id": person["id"], "username": person["username"], "display_name": name}


def _snapshot(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": str(raw.get("title") or ""),
        "text": str(raw.get("text") or ""),
        "author": raw.get("author"),
        "author_id": raw.get("author_id"),
        "url": str(raw.get("url") or ""),
        "status": str(raw.get("status") or ""),
    }


def report_json(row: Mapping[str, Any]) -> dict[str, Any]:
    shown = {name: row[name] for name in REPORT_FIELDS}
    shown["created_at"] = clock.iso(row["created_at"])
    return shown


def my_report_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**report_json(row), "note": row["note"], "outcome": row["outcome"]}


def item_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{k: row[k] for k in ("id", "target_type", "target_id", "status", "kind", "reason")},
        "snapshot": _snapshot(row["snapshot"]),
        "score": row["score"],
        "at_risk": row["at_risk"],
        "auto_hidden": row["auto_hidden"],
        "reports": [
            {
                **report_json(r),
                "note": r["note"],
                "reporter": _author(r["reporter"]),
                "snapshot": _snapshot(r["snapshot"]) if r["snapshot"] else None,
            }
            for r in row["reports"]
        ],
        **{k: _author(row[k]) for k in ("subject", "claimed_by", "resolved_by")},
        "resolution": row["resolution"],
        "resolution_reason": row["resolution_reason"],
        "created_at": clock.iso(row["created_at"]),
    }


def log_json(row: Mapping[str, Any]) -> dict[str, Any]:
    shown = {**row, "created_at": clock.iso(row["created_at"])}
    if "actor" in row:
        shown["actor"] = _author(row["actor"])
    return shown


@openapi.operation({201: REPORT, 200: REPORT}, body=forms.REPORT, errors=(404, 429), signed_in=True)
async def report_create(request: Request) -> Response:
    """Report something; a second open report of the same thing returns the first (200)."""
    report, created = await reports.file_report(request.state.user, await web.read_json(request))
    return web.json_response(report_json(report), 201 if created else 200)


@openapi.operation({200: openapi.page(MY_REPORT)}, signed_in=True, paged=True)
async def report_mine(request: Request) -> Response:
    """My reports, newest first, with their status and outcome."""
    page = await reports.my_reports(request.state.user, **web.page_args(request))
    items = [my_report_json(r) for r in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({200: openapi.page(QUEUE_ITEM)}, errors=(403,), signed_in=True, paged=True)
async def queue_list(request: Request) -> Response:
    """The review queue (moderators): open items, highest priority first."""
    page = await queue.list_queue(request.state.user, **web.page_args(request))
    items = [item_json(r) for r in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({200: QUEUE_ITEM}, errors=(403,), signed_in=True)
async def queue_item(request: Request) -> Response:
    """One queue item with its reports (moderators)."""
    row = await queue.access_item(request.state.user, request.path_params["id"])
    return web.json_response(item_json(row))


@openapi.operation({200: QUEUE_ITEM}, errors=(403, 409), signed_in=True, links=_ITEM_LINKS)
async def queue_claim(request: Request) -> Response:
    """Claim an open item, so other moderators leave it to you for an hour."""
    row = await queue.claim(request.state.user, request.path_params["id"])
    return web.json_response(item_json(row))


@openapi.operation(
    {200: QUEUE_ITEM}, body=forms.RESOLVE, errors=(403, 409), signed_in=True, links=_ITEM_LINKS
)
async def queue_resolve(request: Request) -> Response:
    """Act on an item with a reason; 409 when it was resolved already."""
    data = await web.read_json(request)
    row = await queue.resolve(request.state.user, request.path_params["id"], data)
    return web.json_response(item_json(row))


@openapi.operation({200: openapi.page(LOG_ENTRY)}, errors=(403,), signed_in=True, paged=True)
async def log_list(request: Request) -> Response:
    """The moderation log (moderators), newest first, with who acted."""
    page = await log.entries(request.state.user, public=False, **web.page_args(request))
    items = [log_json(r) for r in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({200: openapi.page(PUBLIC_LOG_ENTRY)}, signed_in=True, paged=True)
async def public_log_list(request: Request) -> Response:
    """The public moderation log (any member): what was done and why, without who did it."""
    page = await log.entries(request.state.user, public=True, **web.page_args(request))
    items = [log_json(r) for r in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


routes = [
    Route("/api/v1/reports", report_create, methods=["POST"], name="api:reports"),
    Route("/api/v1/reports/mine", report_mine, methods=["GET"], name="api:reports_mine"),
    Route("/api/v1/moderation/queue", queue_list, methods=["GET"], name="api:moderation_queue"),
    Route(
        "/api/v1/moderation/queue/{id:id}",
        queue_item,
        methods=["GET"],
        name="api:moderation_item",
    ),
    Route(
        "/api/v1/moderation/queue/{id:id}/claim",
        queue_claim,
        methods=["POST"],
        name="api:moderation_claim",
    ),
    Route(
        "/api/v1/moderation/queue/{id:id}/resolve",
        queue_resolve,
        methods=["POST"],
        name="api:moderation_resolve",
    ),
    Route("/api/v1/moderation/log", log_list, methods=["GET"], name="api:moderation_log"),
    Route(
        "/api/v1/moderation/public-log",
        public_log_list,
        methods=["GET"],
        name="api:moderation_public_log",
    ),
]
