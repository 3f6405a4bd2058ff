"""JSON API for mutual aid: offers and requests, responses, matches, vocabularies, alerts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, openapi, web
from forum.accounts.api import AUTHOR
from forum.aid import alerts, feeds, forms, listing, responses, services, vocabularies
from forum.aid import routes as aid_routes
from forum.aid.models import AidKind, AidReview, AidStatus, ResponseStatus, Urgency
from forum.openapi import INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record
from forum.pagination import Page

_STATUSES = enum(tuple(s.value for s in AidStatus))
AID = Component(
    "Aid",
    record(
        {
            "id": INTEGER,
            "kind": enum(tuple(k.value for k in AidKind)),
            "title": STRING,
            "body": {"type": "string", "description": "Markdown."},
            "body_html": {"type": "string", "description": "The sanitized rendering."},
            "category": {"type": "string", "description": "The category's slug."},
            "area": {"type": "string", "description": "The area's slug."},
            "urgency": enum(tuple(u.value for u in Urgency)),
            "status": _STATUSES,
            "author": {
                **nullable(AUTHOR),
                "description": "null when the name is hidden from this viewer (show_name false).",
            },
            "created_at": MOMENT,
            "expires_at": MOMENT,
            "category_name": STRING,
            "area_name": STRING,
            "thank_you_html": {
                **nullable(STRING),
                "description": "The owner's sanitized thank-you, once fulfilled; null before.",
            },
            "review": {
                **enum(tuple(r.value for r in AidReview)),
                "description": "pending: held for review, seen by its owner and moderators only.",
            },
        },
        {
            "notice": {
                "type": "string",
                "description": "Only when just written and held for review: why, for its owner.",
            }
        },
    ),
)
RESPONSE = Component(
    "AidResponse",
    record(
        {
            "id": INTEGER,
            "aid_id": INTEGER,
            "responder": AUTHOR,
            "message": STRING,
            "status": enum(tuple(s.value for s in ResponseStatus)),
            "created_at": MOMENT,
            "room_id": {"type": "integer", "description": "The private hand-off room."},
        }
    ),
)
ENTRY = Component(
    "AidVocabularyEntry",
    record(
        {
            "id": INTEGER,
            "slug": STRING,
            "name": STRING,
            "position": {"type": "integer", "description": "Its place in the list, 0 first."},
        }
    ),
)
FEED = Component(
    "AidFeed",
    record(
        {
            "url": {
                "type": "string",
                "description": (
                    "The member's private Atom feed of open posts; the board's filters"
                    " (kind, category, area, status, urgency, sort) may be added as a query."
                ),
            }
        }
    ),
)
STEP = Component(
    "AidStep",
    record(
        {
            "from_status": {**nullable(_STATUSES), "description": "null for the creation."},
            "to_status": _STATUSES,
            "by": enum(("automatically", "the owner", "the helper", "a moderator")),
            "created_at": MOMENT,
        }
    ),
)
ALERT = Component(
    "AidAlert",
    record(
        {
            "id": INTEGER,
            "kind": {**nullable(enum(forms.KINDS)), "description": "null: offers and requests."},
            "category": {**nullable(STRING), "description": "A category's slug; null: any."},
            "area": {**nullable(STRING), "description": "An area's slug; null: any."},
            "created_at": MOMENT,
        }
    ),
)
_ID = {"id": "$response.body#/id"}
_AID_LINKS = {
    "read": Link("api:aid_detail", "get", _ID),
    "change": Link("api:aid_update", "patch", _ID),
    "status": Link("api:aid_status", "post", _ID),
    "timeline": Link("api:aid_timeline", "get", _ID),
    "matches": Link("api:aid_matches", "get", _ID),
    "responses": Link("api:aid_responses", "get", _ID),
    "respond": Link("api:aid_respond", "post", _ID),
}
_RESPONSE_LINKS = {
    "accept": Link(
        "api:aid_accept",
        "post",
        {"id": "$response.body#/aid_id", "response_id": "$response.body#/id"},
    ),
    "decline": Link(
        "api:aid_decline",
        "post",
        {"id": "$response.body#/aid_id", "response_id": "$response.body#/id"},
    ),
}


def aid_json(row: dict[str, Any]) -> dict[str, Any]:
    """AID as API.md gives it, and a few fields more (names, the thank-you)."""
    return {
        **{n: row[n] for n in ("id", "kind", "title", "body", "body_html", "category", "area")},
        "urgency": row["urgency"],
        "status": row["status"],
        "author": row["author"],
        "created_at": clock.iso(row["created_at"]),
        "expires_at": clock.iso(row["expires_at"]),
        "category_name": row["category_name"],
        "area_name": row["area_name"],
        "thank_you_html": row["thank_you_html"] or None,
        "review": row["review"],
        **({"notice": row["notice"]} if row.get("notice") else {}),
    }


def response_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "aid_id": row["aid_id"],
        "responder": {
            "id": row["responder_id"],
            "username": row["responder_username"],
            "display_name": row["responder_display_name"] or row["responder_username"],
        },
        "message": row["message"],
        "status": row["status"],
        "created_at": clock.iso(row["created_at"]),
        "room_id": row["room_id"],
    }


def _entry_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "slug": row["slug"], "name": row["name"], "position": row["position"]}


def _step_json(step: dict[str, Any]) -> dict[str, Any]:
    return {
        "from_status": step["from_status"],
        "to_status": step["to_status"],
        "by": step["by"],
        "created_at": clock.iso(step["created_at"]),
    }


def _alert_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "category": row["category"],
        "area": row["area"],
        "created_at": clock.iso(row["created_at"]),
    }


def _listing(page: Page[dict[str, Any]] | list[dict[str, Any]], serialize: Any) -> Response:
    """A page, or a whole short list (a post's responses, its timeline) as a single last page."""
    if isinstance(page, list):
        return web.json_response({"items": [serialize(r) for r in page], "next_cursor": None})
    return web.json_response(
        {"items": [serialize(r) for r in page.items], "next_cursor": page.next_cursor}
    )


# The whole lists (timeline, matches, responses, alerts) are short and read neither limit
# nor cursor: they are documented as one page, without paged=True's parameters.


@openapi.operation({200: openapi.page(AID)}, errors=(422,), signed_in=True, paged=True)
async def aid_list(request: Request) -> Response:
    """Offers and requests for any filters (kind, category, area, status, urgency), sorted."""
    page = await listing.list_aid(
        request.state.user, request.query_params, **web.page_args(request)
    )
    return _listing(page, aid_json)


@openapi.operation({200: openapi.page(AID)}, errors=(422,), signed_in=True, paged=True)
async def aid_mine(request: Request) -> Response:
    """This member's own offers and requests, every status."""
    page = await listing.list_aid(
        request.state.user, request.query_params, mine=True, **web.page_args(request)
    )
    return _listing(page, aid_json)


@openapi.operation({201: AID}, body=forms.AID, errors=(403, 429), signed_in=True, links=_AID_LINKS)
async def aid_create(request: Request) -> Response:
    """Post an offer or a request."""
    aid = await services.create_aid(request.state.user, await web.read_json(request))
    return web.json_response(aid_json(aid), 201)


@openapi.operation({200: AID}, signed_in=True, links=_AID_LINKS)
async def aid_detail(request: Request) -> Response:
    """One offer or request."""
    aid = await services.access_aid(request.state.user, request.path_params["id"])
    return web.json_response(aid_json(aid))


@openapi.operation(
    {200: AID}, body=forms.AID_CHANGE, errors=(403, 409), signed_in=True, links=_AID_LINKS
)
async def aid_update(request: Request) -> Response:
    """Change an open post (its owner)."""
    data = await web.read_json(request)
    aid = await services.update_aid(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


@openapi.operation({200: AID}, body=forms.STATUS, errors=(403, 409), signed_in=True)
async def aid_status(request: Request) -> Response:
    """Withdraw, mark fulfilled or renew ("open"); 409 for what the lifecycle does not allow."""
    data = await web.read_json(request)
    aid = await services.set_status(
        request.state.user, request.path_params["id"], data.get("status")
    )
    return web.json_response(aid_json(aid))


@openapi.operation({200: AID}, body=forms.RENEW, errors=(403, 409), signed_in=True)
async def aid_renew(request: Request) -> Response:
    """A new expiry for an open or expired post (its owner)."""
    data = await web.read_json(request)
    aid = await services.renew(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


@openapi.operation({200: AID}, body=forms.THANKS, errors=(403, 409), signed_in=True)
async def aid_thank(request: Request) -> Response:
    """The owner's public thank-you on a fulfilled post."""
    data = await web.read_json(request)
    aid = await services.thank(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


@openapi.operation({200: openapi.page(STEP)}, signed_in=True)
async def aid_timeline(request: Request) -> Response:
    """The post's lifecycle, oldest step first, naming roles rather than people."""
    aid = await services.access_aid(request.state.user, request.path_params["id"])
    steps = await services.timeline(request.state.user, aid)
    return _listing(steps, _step_json)


@openapi.operation({200: openapi.page(AID)}, signed_in=True)
async def aid_matches(request: Request) -> Response:
    """Open posts of the opposite kind that fit this one, same area first."""
    found = await listing.matches(request.state.user, request.path_params["id"])
    return _listing(found, aid_json)


@openapi.operation(
    {201: RESPONSE},
    body=forms.RESPONSE,
    errors=(403, 409, 429),
    signed_in=True,
    links=_RESPONSE_LINKS,
)
async def response_create(request: Request) -> Response:
    """Respond to a post; opens a private room for the two people (409 once closed)."""
    data = await web.read_json(request)
    made = await responses.respond(request.state.user, request.path_params["id"], data)
    return web.json_response(response_json(made), 201)


@openapi.operation({200: openapi.page(RESPONSE)}, signed_in=True)
async def response_list(request: Request) -> Response:
    """The owner sees every response, a responder their own, anyone else 404."""
    found = await responses.list_responses(request.state.user, request.path_params["id"])
    return _listing(found, response_json)


@openapi.operation({200: AID}, errors=(403, 409), signed_in=True)
async def response_accept(request: Request) -> Response:
    """Accept a pending response (the owner): the post is matched."""
    aid_id, response_id = request.path_params["id"], request.path_params["response_id"]
    aid = await responses.accept(request.state.user, aid_id, response_id)
    return web.json_response(aid_json(aid))


@openapi.operation({200: RESPONSE}, errors=(403, 409), signed_in=True)
async def response_decline(request: Request) -> Response:
    """Decline a pending response (the owner); its responder is told."""
    aid_id, response_id = request.path_params["id"], request.path_params["response_id"]
    declined = await responses.decline(request.state.user, aid_id, response_id)
    return web.json_response(response_json(declined))


def _vocabulary(which: str) -> list[Route]:
    prefix = "/api/v1/aid/categories" if which == "categories" else "/api/v1/areas"
    singular = "category" if which == "categories" else "area"

    @openapi.operation({200: openapi.page(ENTRY)}, signed_in=True, paged=True)
    async def listed(request: Request) -> Response:
        page = await vocabularies.entry_page(request.state.user, which, **web.page_args(request))
        return _listing(page, _entry_json)

    @openapi.operation({201: ENTRY}, body=forms.VOCABULARY, errors=(403,), signed_in=True)
    async def added(request: Request) -> Response:
        data = await web.read_json(request)
        entry = await vocabularies.add_entry(request.state.user, which, data)
        return web.json_response(_entry_json(entry), 201)

    @openapi.operation({200: ENTRY}, body=forms.VOCABULARY_CHANGE, errors=(403,), signed_in=True)
    async def changed(request: Request) -> Response:
        data = await web.read_json(request)
        entry = await vocabularies.update_entry(
            request.state.user, which, request.path_params["id"], data
        )
        return web.json_response(_entry_json(entry))

    @openapi.operation({204: None}, errors=(403, 409), signed_in=True)
    async def removed(request: Request) -> Response:
        await vocabularies.remove_entry(request.state.user, which, request.path_params["id"])
        return Response(status_code=204)

    listed.__doc__ = f"The {singular} list, in the administrators' order."
    added.__doc__ = f"Add a {singular} at the end of the list (administrators)."
    changed.__doc__ = f"Rename a {singular}, change its slug or its place (administrators)."
    removed.__doc__ = f"Remove a {singular} that no post uses (administrators; 409 if used)."
    return [
        Route(prefix, listed, methods=["GET"], name=f"api:aid_{which}"),
        Route(prefix, added, methods=["POST"], name=f"api:aid_{which}_add"),
        Route(prefix + "/{id:id}", changed, methods=["PATCH"], name=f"api:aid_{which}_update"),
        Route(prefix + "/{id:id}", removed, methods=["DELETE"], name=f"api:aid_{which}_remove"),
    ]


@openapi.operation({200: openapi.page(ALERT)}, signed_in=True)
async def alert_list(request: Request) -> Response:
    """This member's saved alerts."""
    return _listing(await alerts.list_alerts(request.state.user), _alert_json)


@openapi.operation({201: ALERT}, body=forms.ALERT, signed_in=True)
async def alert_create(request: Request) -> Response:
    """Watch a category and/or an area for new posts."""
    alert = await alerts.save_alert(request.state.user, await web.read_json(request))
    return web.json_response(_alert_json(alert), 201)


@openapi.operation({204: None}, signed_in=True)
async def alert_delete(request: Request) -> Response:
    """Stop an alert."""
    await alerts.remove_alert(request.state.user, request.path_params["id"])
    return Response(status_code=204)


@openapi.operation({200: FEED}, signed_in=True)
async def feed_show(request: Request) -> Response:
    """This member's private Atom feed address (made the first time it is asked for)."""
    key = await feeds.feed_key(request.state.user, request.app.state.settings.secret_key)
    return web.json_response({"url": aid_routes.feed_url(request, key)})


@openapi.operation({200: FEED}, signed_in=True)
async def feed_reset(request: Request) -> Response:
    """A new feed address; the old one answers 404 from now on."""
    key = await feeds.reset_feed_key(request.state.user, request.app.state.settings.secret_key)
    return web.json_response({"url": aid_routes.feed_url(request, key)})


_AID = "/api/v1/aid/{id:id}"
routes = [
    Route("/api/v1/aid", aid_list, methods=["GET"], name="api:aid"),
    Route("/api/v1/aid", aid_create, methods=["POST"], name="api:aid_create"),
    Route("/api/v1/aid/mine", aid_mine, methods=["GET"], name="api:aid_mine"),
    *_vocabulary("categories"),
    *_vocabulary("areas"),
    Route("/api/v1/aid/alerts", alert_list, methods=["GET"], name="api:aid_alerts"),
    Route("/api/v1/aid/alerts", alert_create, methods=["POST"], name="api:aid_alert_create"),
    Route(
        "/api/v1/aid/alerts/{id:id}", alert_delete, methods=["DELETE"], name="api:aid_alert_delete"
    ),
    Route("/api/v1/me/aid-feed", feed_show, methods=["GET"], name="api:aid_feed"),
    Route("/api/v1/me/aid-feed/reset", feed_reset, methods=["POST"], name="api:aid_feed_reset"),
    Route(_AID, aid_detail, methods=["GET"], name="api:aid_detail"),
    Route(_AID, aid_update, methods=["PATCH"], name="api:aid_update"),
    Route(_AID + "/status", aid_status, methods=["POST"], name="api:aid_status"),
    Route(_AID + "/renew", aid_renew, methods=["POST"], name="api:aid_renew"),
    Route(_AID + "/thanks", aid_thank, methods=["POST"], name="api:aid_thank"),
    Route(_AID + "/timeline", aid_timeline, methods=["GET"], name="api:aid_timeline"),
    Route(_AID + "/matches", aid_matches, methods=["GET"], name="api:aid_matches"),
    Route(_AID + "/responses", response_list, methods=["GET"], name="api:aid_responses"),
    Route(_AID + "/responses", response_create, methods=["POST"], name="api:aid_respond"),
    Route(
        _AID + "/responses/{response_id:id}/accept",
        response_accept,
        methods=["POST"],
        name="api:aid_accept",
    ),
    Route(
        _AID + "/responses/{response_id:id}/decline",
        response_decline,
        methods=["POST"],
        name="api:aid_decline",
    ),
]
