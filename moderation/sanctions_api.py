"""JSON API for sanctions, appeals, moderators' notes and the crisis resources."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, openapi, web
from forum.accounts.api import AUTHOR
from forum.accounts.middleware import client_address
from forum.openapi import INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record
from moderation import appeals, crisis, notes, sanction_forms, sanctions
from moderation.models import AppealStatus

APPEAL = Component(
    "SanctionAppeal",
    record(
        {
            "id": INTEGER,
            "status": enum(tuple(s.value for s in AppealStatus)),
            "created_at": MOMENT,
            "message": STRING,
            "decided_at": nullable(MOMENT),
            "decision_reason": STRING,
        }
    ),
)
SANCTION = Component(
    "Sanction",
    record(
        {
            "id": INTEGER,
            "user_id": INTEGER,
            "kind": enum(sanction_forms.KINDS),
            "reason": STRING,
            "created_at": MOMENT,
            "ends_at": {**nullable(MOMENT), "description": "null: until a moderator lifts it."},
            "lifted_at": {
                **nullable(MOMENT),
                "description": "When a moderator (or an appeal) lifted it; null otherwise.",
            },
            "acknowledged_at": {
                **nullable(MOMENT),
                "description": "When the person acknowledged a warning.",
            },
            "state": enum(tuple(s.value for s in sanctions.State)),
            "appeal": nullable(APPEAL),
        },
        # Only in moderators' views: who imposed it, and who lifted it.
        {"created_by": nullable(AUTHOR), "lifted_by": nullable(AUTHOR)},
    ),
)
NOTE = Component(
    "ModeratorNote",
    record({"id": INTEGER, "body": STRING, "author": nullable(AUTHOR), "created_at": MOMENT}),
)
RESOURCE = Component(
    "CrisisResource",
    record(
        {
            "name": STRING,
            "detail": STRING,
            "link": {"type": "string", "description": "A tel:, sms: or web link; may be empty."},
        }
    ),
)
_STAFF = (403,)
_SANCTION_LINKS = {"lift": Link("api:sanction_lift", "delete", {"id": "$response.body#/id"})}


def appeal_json(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "status": row["status"],
        "created_at": clock.iso(row["created_at"]),
        "message": row["message"],
        "decided_at": clock.iso(row["decided_at"]),
        "decision_reason": row["decision_reason"],
    }


def sanction_json(row: dict[str, Any]) -> dict[str, Any]:
    """SANCTION as API.md gives it, with its state (and, for moderators, who acted)."""
    body = {
        "id": row["id"],
        "user_id": row["user_id"],
        "kind": row["kind"],
        "reason": row["reason"],
        "created_at": clock.iso(row["created_at"]),
        "ends_at": clock.iso(row["ends_at"]),
        "lifted_at": clock.iso(row["lifted_at"]),
        "acknowledged_at": clock.iso(row["acknowledged_at"]),
        "state": row["state"],
        "appeal": appeal_json(row["appeal"]),
    }
    for name in ("created_by", "lifted_by"):
        if name in row:
            body[name] = row[name]
    return body


def note_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "body": row["body"],
        "author": row["author"],
        "created_at": clock.iso(row["created_at"]),
    }


def _whole_list(items: list[dict[str, Any]]) -> Response:
    # A person's sanctions and notes are short: one page, documented without paging parameters.
    return web.json_response({"items": items, "next_cursor": None})


@openapi.operation(
    {201: SANCTION},
    body=sanction_forms.SANCTION,
    errors=_STAFF,
    signed_in=True,
    links=_SANCTION_LINKS,
)
async def sanction_create(request: Request) -> Response:
    """Warn, silence, suspend or ban a person, with a reason (moderators)."""
    data = await web.read_json(request)
    row = await sanctions.impose(request.state.user, request.path_params["username"], data)
    return web.json_response(sanction_json(row), 201)


@openapi.operation({200: openapi.page(SANCTION)}, errors=_STAFF, signed_in=True)
async def sanction_list(request: Request) -> Response:
    """A person's sanctions, newest first, past ones with their state (moderators)."""
    _, rows = await sanctions.sanctions_of(request.state.user, request.path_params["username"])
    return _whole_list([sanction_json(r) for r in rows])


@openapi.operation({200: SANCTION}, errors=(403, 409), signed_in=True)
async def sanction_lift(request: Request) -> Response:
    """Lift a sanction in force (moderators); 409 once lifted or expired."""
    row = await sanctions.lift(request.state.user, request.path_params["id"])
    return web.json_response(sanction_json(row))


@openapi.operation({200: openapi.page(SANCTION)}, signed_in=True)
async def my_sanctions(request: Request) -> Response:
    """One's own sanctions, newest first, each with its appeal and outcome."""
    rows = await sanctions.my_sanctions(request.state.user)
    return _whole_list([sanction_json(r) for r in rows])


@openapi.operation({201: SANCTION}, body=sanction_forms.APPEAL, errors=(409,), signed_in=True)
async def sanction_appeal(request: Request) -> Response:
    """Appeal one of one's own sanctions, once; it enters the moderators' queue."""
    data = await web.read_json(request)
    row = await appeals.appeal(request.state.user, request.path_params["id"], data)
    return web.json_response(sanction_json(row), 201)


@openapi.operation({200: SANCTION}, errors=(409,), signed_in=True)
async def sanction_acknowledge(request: Request) -> Response:
    """Acknowledge one's warning: its notice leaves one's pages."""
    row = await sanctions.acknowledge(request.state.user, request.path_params["id"])
    return web.json_response(sanction_json(row))


@openapi.operation({200: SANCTION}, body=sanction_forms.DECISION, errors=(403, 409), signed_in=True)
async def appeal_decide(request: Request) -> Response:
    """Uphold or overturn an appeal, with a reason (moderators); overturning lifts it."""
    data = await web.read_json(request)
    row = await appeals.decide(request.state.user, request.path_params["id"], data)
    return web.json_response(sanction_json(row))


@openapi.operation({200: openapi.page(NOTE)}, errors=_STAFF, signed_in=True)
async def note_list(request: Request) -> Response:
    """Moderators' notes on a person, newest first (moderators)."""
    rows = await notes.notes_about(request.state.user, request.path_params["username"])
    return _whole_list([note_json(r) for r in rows])


@openapi.operation({201: NOTE}, body=sanction_forms.NOTE, errors=_STAFF, signed_in=True)
async def note_create(request: Request) -> Response:
    """Write a note on a person, seen by moderators only (moderators)."""
    data = await web.read_json(request)
    row = await notes.add_note(request.state.user, request.path_params["username"], data)
    return web.json_response(note_json(row), 201)


@openapi.operation(
    {201: SANCTION}, body=sanction_forms.SUSPENDED_APPEAL, errors=(401, 403, 404, 409, 429)
)
async def suspended_appeal(request: Request) -> Response:
    """Appeal one's suspension without signing in (a suspended person cannot): the password
    proves who is asking; 403 for an account that is not suspended."""
    data = await web.read_json(request)
    row = await appeals.appeal_while_suspended(data, client=client_address(request))
    return web.json_response(sanction_json(row), 201)


@openapi.operation({200: openapi.page(RESOURCE)}, signed_in=True)
async def crisis_resources(request: Request) -> Response:
    """The community's crisis and local resources, as shown after an at-risk report."""
    path = request.app.state.settings.crisis_resources
    found = await crisis.resources_for_member(request.state.user, path)
    items = [{"name": r.name, "detail": r.detail, "link": r.link} for r in found]
    return _whole_list(items)


routes = [
    Route(
        "/api/v1/moderation/users/{username}/sanctions",
        sanction_create,
        methods=["POST"],
        name="api:sanction_create",
    ),
    Route(
        "/api/v1/moderation/users/{username}/sanctions",
        sanction_list,
        methods=["GET"],
        name="api:sanction_list",
    ),
    Route(
        "/api/v1/moderation/sanctions/{id:id}",
        sanction_lift,
        methods=["DELETE"],
        name="api:sanction_lift",
    ),
    Route(
        "/api/v1/moderation/appeals/{id:id}/decide",
        appeal_decide,
        methods=["POST"],
        name="api:appeal_decide",
    ),
    Route(
        "/api/v1/moderation/users/{username}/notes",
        note_list,
        methods=["GET"],
        name="api:note_list",
    ),
    Route(
        "/api/v1/moderation/users/{username}/notes",
        note_create,
        methods=["POST"],
        name="api:note_create",
    ),
    Route(
        "/api/v1/moderation/crisis-resources",
        crisis_resources,
        methods=["GET"],
        name="api:crisis_resources",
    ),
    Route("/api/v1/auth/appeal", suspended_appeal, methods=["POST"], name="api:suspended_appeal"),
    Route("/api/v1/me/sanctions", my_sanctions, methods=["GET"], name="api:my_sanctions"),
    Route(
        "/api/v1/me/sanctions/{id:id}/appeal",
        sanction_appeal,
        methods=["POST"],
        name="api:sanction_appeal",
    ),
    Route(
        "/api/v1/me/sanctions/{id:id}/acknowledge",
        sanction_acknowledge,
        methods=["POST"],
        name="api:sanction_acknowledge",
    ),
]
