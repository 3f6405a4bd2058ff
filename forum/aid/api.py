"""JSON API for mutual aid: offers and requests, responses, matches, vocabularies, alerts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, web
from forum.aid import alerts, listing, responses, services, vocabularies
from forum.pagination import Page, clamp_limit


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
    return {"id": row["id"], "slug": row["slug"], "name": row["name"]}


def _listing(page: Page[dict[str, Any]] | list[dict[str, Any]], serialize: Any) -> Response:
    if isinstance(page, list):
        return web.json_response({"items": [serialize(r) for r in page], "next_cursor": None})
    return web.json_response(
        {"items": [serialize(r) for r in page.items], "next_cursor": page.next_cursor}
    )


def _page_args(request: Request) -> dict[str, Any]:
    return {
        "cursor": request.query_params.get("cursor"),
        "limit": clamp_limit(request.query_params.get("limit")),
    }


async def aid_list(request: Request) -> Response:
    """Offers and requests for any filters (kind, category, area, status, urgency), sorted."""
    page = await listing.list_aid(request.state.user, request.query_params, **_page_args(request))
    return _listing(page, aid_json)


async def aid_mine(request: Request) -> Response:
    """This member's own offers and requests, every status."""
    page = await listing.list_aid(
        request.state.user, request.query_params, mine=True, **_page_args(request)
    )
    return _listing(page, aid_json)


async def aid_create(request: Request) -> Response:
    """Post an offer or a request."""
    aid = await services.create_aid(request.state.user, await web.read_json(request))
    return web.json_response(aid_json(aid), 201)


async def aid_detail(request: Request) -> Response:
    aid = await services.access_aid(request.state.user, request.path_params["id"])
    return web.json_response(aid_json(aid))


async def aid_update(request: Request) -> Response:
    """Change an open post (its owner)."""
    data = await web.read_json(request)
    aid = await services.update_aid(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


async def aid_status(request: Request) -> Response:
    """Withdraw, mark fulfilled or renew ("open"); 409 for what the lifecycle does not allow."""
    data = await web.read_json(request)
    aid = await services.set_status(
        request.state.user, request.path_params["id"], data.get("status")
    )
    return web.json_response(aid_json(aid))


async def aid_renew(request: Request) -> Response:
    """A new expiry for an open or expired post (its owner)."""
    data = await web.read_json(request)
    aid = await services.renew(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


async def aid_thank(request: Request) -> Response:
    """The owner's public thank-you on a fulfilled post."""
    data = await web.read_json(request)
    aid = await services.thank(request.state.user, request.path_params["id"], data)
    return web.json_response(aid_json(aid))


async def aid_timeline(request: Request) -> Response:
    aid = await services.access_aid(request.state.user, request.path_params["id"])
    steps = await services.timeline(request.state.user, aid)
    return _listing(steps, lambda s: {**s, "created_at": clock.iso(s["created_at"])})


async def aid_matches(request: Request) -> Response:
    """Open posts of the opposite kind that fit this one, same area first."""
    found = await listing.matches(request.state.user, request.path_params["id"])
    return _listing(found, aid_json)


async def response_create(request: Request) -> Response:
    data = await web.read_json(request)
    made = await responses.respond(request.state.user, request.path_params["id"], data)
    return web.json_response(response_json(made), 201)


async def response_list(request: Request) -> Response:
    """The owner sees every response, a responder their own, anyone else 404."""
    found = await responses.list_responses(request.state.user, request.path_params["id"])
    return _listing(found, response_json)


async def response_accept(request: Request) -> Response:
    aid_id, response_id = request.path_params["id"], request.path_params["response_id"]
    aid = await responses.accept(request.state.user, aid_id, response_id)
    return web.json_response(aid_json(aid))


async def response_decline(request: Request) -> Response:
    aid_id, response_id = request.path_params["id"], request.path_params["response_id"]
    declined = await responses.decline(request.state.user, aid_id, response_id)
    return web.json_response(response_json(declined))


def _vocabulary(which: str) -> list[Route]:
    prefix = "/api/v1/aid/categories" if which == "categories" else "/api/v1/areas"

    async def listed(request: Request) -> Response:
        page = await vocabularies.entry_page(request.state.user, which, **_page_args(request))
        return _listing(page, _entry_json)

    async def added(request: Request) -> Response:
        data = await web.read_json(request)
        entry = await vocabularies.add_entry(request.state.user, which, data)
        return web.json_response(_entry_json(entry), 201)

    async def changed(request: Request) -> Response:
        data = await web.read_json(request)
        entry = await vocabularies.update_entry(
            request.state.user, which, request.path_params["id"], data
        )
        return web.json_response(_entry_json(entry))

    async def removed(request: Request) -> Response:
        await vocabularies.remove_entry(request.state.user, which, request.path_params["id"])
        return Response(status_code=204)

    return [
        Route(prefix, listed, methods=["GET"], name=f"api:aid_{which}"),
        Route(prefix, added, methods=["POST"], name=f"api:aid_{which}_add"),
        Route(prefix + "/{id:id}", changed, methods=["PATCH"], name=f"api:aid_{which}_update"),
        Route(prefix + "/{id:id}", removed, methods=["DELETE"], name=f"api:aid_{which}_remove"),
    ]


async def alert_list(request: Request) -> Response:
    return _listing(await alerts.list_alerts(request.state.user), _alert_json)


async def alert_create(request: Request) -> Response:
    """Watch a category and/or an area for new posts."""
    alert = await alerts.save_alert(request.state.user, await web.read_json(request))
    return web.json_response(_alert_json(alert), 201)


async def alert_delete(request: Request) -> Response:
    await alerts.remove_alert(request.state.user, request.path_params["id"])
    return Response(status_code=204)


def _alert_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "category": row["category"],
        "area": row["area"],
        "created_at": clock.iso(row["created_at"]),
    }


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
