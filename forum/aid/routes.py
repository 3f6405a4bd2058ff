"""Aid pages: the board, a post with its timeline and responses, writing, mine, gratitude, admin."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import clock, web
from forum.accounts.middleware import require_user
from forum.aid import alerts, feeds, forms, listing, responses, services, vocabularies
from forum.content.screening import notice_key
from forum.errors import Conflict, InvalidInput, PorchlightError, WriteRefused

LIMITS = {
    "title_max": forms.TITLE_MAX,
    "body_max": forms.BODY_MAX,
    "message_max": forms.MESSAGE_MAX,
}
SORTS = (("newest", "Newest"), ("urgent", "Most urgent"), ("expiring", "Expiring soon"))


async def _choices(request: Request) -> dict[str, Any]:
    category_options, area_options = await vocabularies.options(require_user(request))
    return {
        "category_options": category_options,
        "area_options": area_options,
        "sorts": SORTS,
        **LIMITS,
    }


async def board(request: Request) -> Response:
    """Open offers and requests (or any status), filtered and sorted, a page at a time."""
    params = web.query_params(request)
    query = dict(params)
    query.setdefault("status", "open")
    context = await _choices(request)
    cursor = params.get("cursor")
    page = await listing.list_aid(request.state.user, query, cursor=cursor)
    kept = {k: v for k, v in query.items() if k != "cursor" and v}
    return web.render(
        request,
        "aid/board.html",
        {**context, "posts": page.items, "next_cursor": page.next_cursor, "filters": kept},
    )


async def mine(request: Request) -> Response:
    """This member's own offers and requests, their saved alerts and their private feed."""
    user = require_user(request)
    page = await listing.list_aid(user, {}, cursor=request.query_params.get("cursor"), mine=True)
    return web.render(
        request,
        "aid/mine.html",
        {
            **await _choices(request),
            "posts": page.items,
            "next_cursor": page.next_cursor,
            "alerts": await alerts.list_alerts(user),
            "feed_url": feed_url(request, await feeds.feed_key(user, _secret(request))),
            "form": {},
        },
    )


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


def feed_url(request: Request, key: str, query: str = "") -> str:
    """The absolute address of a member's private feed, with a board's filters if any."""
    url = str(request.url_for("aid:feed", key=key))
    return f"{url}?{query}" if query else url


async def feed(request: Request) -> Response:
    """The Atom feed a feed reader fetches: no cookie, the key in the address says who reads."""
    key = request.path_params["key"]
    reader, page = await feeds.feed_entries(key, _secret(request), request.query_params)
    response = web.templates.TemplateResponse(
        request,
        "aid/feed.atom",
        {
            "posts": page.items,
            "self_url": str(request.url),
            "board_url": str(request.url_for("aid:board")),
            "site_url": str(request.base_url).rstrip("/"),
            "feed_id": feed_url(request, key),
            "updated": max((p["created_at"] for p in page.items), default=clock.now()),
        },
        media_type="application/atom+xml; charset=utf-8",
    )
    # The address is a secret: a shared cache must not keep the feed.
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def feed_for_list(request: Request) -> Response:
    """From the board: this member's feed address with the board's filters, to copy."""
    user = require_user(request)
    key = await feeds.feed_key(user, _secret(request))
    return web.redirect(feed_url(request, key, request.url.query))


async def feed_reset(request: Request) -> Response:
    """A new feed address; the old one stops working at once."""
    await feeds.reset_feed_key(require_user(request), _secret(request))
    return web.redirect("/aid/mine?notice=feed_reset#feed")


async def alert_save(request: Request) -> Response:
    form = await web.read_form(request)
    try:
        await alerts.save_alert(request.state.user, form)
    except (InvalidInput, WriteRefused) as exc:
        user = require_user(request)
        page = await listing.list_aid(user, {}, mine=True)
        return web.refused(
            request,
            "aid/mine.html",
            exc,
            form,
            **await _choices(request),
            posts=page.items,
            next_cursor=page.next_cursor,
            alerts=await alerts.list_alerts(user),
        )
    return web.redirect("/aid/mine#alerts")


async def alert_remove(request: Request) -> Response:
    await alerts.remove_alert(request.state.user, request.path_params["id"])
    return web.redirect("/aid/mine#alerts")


async def gratitude(request: Request) -> Response:
    """Thank-yous that closed the loop, and fulfilled requests by category."""
    found = await listing.gratitude(request.state.user)
    return web.render(request, "aid/gratitude.html", found)


async def _detail_context(request: Request, aid_id: int) -> dict[str, Any]:
    user = require_user(request)
    aid = await services.access_aid(user, aid_id)
    shown = (
        await responses.list_responses(user, aid_id)
        if (aid["is_owner"] or aid["my_response"])
        else []
    )
    return {
        "aid": aid,
        "steps": await services.timeline(user, aid),
        "responses": shown,
        "matches": await listing.matches(user, aid_id, limit=5),
        "form": {},
        **LIMITS,
    }


async def detail(request: Request) -> Response:
    """One offer or request: what it is, its timeline, responses and who might help."""
    context = await _detail_context(request, request.path_params["id"])
    return web.render(request, "aid/detail.html", context)


async def _acting(request: Request, action: Any, *args: Any) -> Response:
    """Run one service on this post from a form, then show the post (or it again, refused)."""
    aid_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await action(request.state.user, aid_id, *args, form)
    except (InvalidInput, WriteRefused) as exc:
        context = await _detail_context(request, aid_id)
        return web.refused(request, "aid/detail.html", exc, form, **context)
    return web.redirect(f"/aid/{aid_id}")


async def respond(request: Request) -> Response:
    return await _acting(request, responses.respond)


async def thank(request: Request) -> Response:
    return await _acting(request, services.thank)


async def change_status(request: Request) -> Response:
    """Withdraw, mark fulfilled or renew from the buttons on the post."""

    async def run(actor: Any, aid_id: int, form: dict[str, str]) -> Any:
        return await services.set_status(actor, aid_id, form.get("status"))

    return await _acting(request, run)


async def decide(request: Request) -> Response:
    """Accept or decline a response from the list on the post."""
    response_id = request.path_params["response_id"]
    verb = responses.accept if request.url.path.endswith("/accept") else responses.decline

    async def run(actor: Any, aid_id: int, form: dict[str, str]) -> Any:
        return await verb(actor, aid_id, response_id)

    return await _acting(request, run)


async def new_form(request: Request) -> Response:
    kind = request.query_params.get("kind", "request")
    return web.render(
        request,
        "aid/new.html",
        {**await _choices(request), "form": {"kind": kind, "show_name": "true"}},
    )


async def create(request: Request) -> Response:
    """Post an offer or a request, then show it."""
    form = await web.read_form(request)
    form.setdefault("show_name", "false")  # an unticked box sends nothing
    try:
        made = await services.create_aid(request.state.user, form)
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "aid/new.html", exc, form, **await _choices(request))
    return web.redirect(_with_notice(f"/aid/{made['id']}", made))


async def edit_form(request: Request) -> Response:
    aid = await services.access_aid(request.state.user, request.path_params["id"], to_edit=True)
    form = {k: aid[k] for k in ("title", "body", "category", "area", "urgency")}
    return web.render(
        request, "aid/edit.html", {**await _choices(request), "aid": aid, "form": form}
    )


async def edit(request: Request) -> Response:
    aid_id = request.path_params["id"]
    form = await web.read_form(request)
    fields = {k: form.get(k, "") for k in ("title", "body", "category", "area", "urgency")}
    try:
        changed = await services.update_aid(request.state.user, aid_id, fields)
    except (InvalidInput, WriteRefused) as exc:
        aid = await services.access_aid(request.state.user, aid_id, to_edit=True)
        return web.refused(request, "aid/edit.html", exc, form, aid=aid, **await _choices(request))
    return web.redirect(_with_notice(f"/aid/{aid_id}", changed))


def _with_notice(url: str, aid: dict[str, Any]) -> str:
    """Tell the owner when screening held the post (by key: no text in the URL)."""
    key = notice_key(aid.get("held"))
    return f"{url}?notice={key}" if key else url


async def admin(request: Request) -> Response:
    """Categories and areas, for administrators to add, rename and remove."""
    return await _admin_page(request)


async def _admin_page(
    request: Request, exc: PorchlightError | None = None, form: dict[str, str] | None = None
) -> Response:
    context = await vocabularies.admin_lists(require_user(request))
    if exc is not None:
        return web.refused(request, "aid/admin.html", exc, form or {}, **context)
    return web.render(request, "aid/admin.html", {**context, "form": {}})


async def admin_change(request: Request) -> Response:
    """Add (no id), rename (an id) or remove (an id and remove=1) a category or an area."""
    which, entry_id = request.path_params["which"], request.path_params.get("id")
    form = await web.read_form(request)
    try:
        if entry_id is None:
            await vocabularies.add_entry(request.state.user, which, form)
        elif form.get("remove"):
            await vocabularies.remove_entry(request.state.user, which, entry_id)
        else:
            await vocabularies.update_entry(request.state.user, which, entry_id, form)
    except (InvalidInput, Conflict) as exc:
        return await _admin_page(request, exc, form)
    return web.redirect(f"/admin/aid?notice=saved#{which}")


async def admin_move(request: Request) -> Response:
    """Move a category or an area one place up or down (buttons: no script needed)."""
    which, entry_id = request.path_params["which"], request.path_params["id"]
    form = await web.read_form(request)
    try:
        await vocabularies.move_entry(request.state.user, which, entry_id, form)
    except InvalidInput as exc:
        return await _admin_page(request, exc, form)
    return web.redirect(f"/admin/aid?notice=saved#{which}")


routes: list[BaseRoute] = [
    Route("/aid", board, methods=["GET"], name="aid:board"),
    Route("/aid/new", new_form, methods=["GET"], name="aid:new"),
    Route("/aid/new", create, methods=["POST"], name="aid:create"),
    Route("/aid/mine", mine, methods=["GET"], name="aid:mine"),
    Route("/aid/alerts", alert_save, methods=["POST"], name="aid:alert_save"),
    Route("/aid/alerts/{id:id}/remove", alert_remove, methods=["POST"], name="aid:alert_remove"),
    Route("/aid/gratitude", gratitude, methods=["GET"], name="aid:gratitude"),
    Route("/aid/feed", feed_for_list, methods=["GET"], name="aid:feed_for_list"),
    Route("/aid/feed/reset", feed_reset, methods=["POST"], name="aid:feed_reset"),
    Route("/aid/feed/{key}.atom", feed, methods=["GET"], name="aid:feed"),
    Route("/aid/{id:id}", detail, methods=["GET"], name="aid:detail"),
    Route("/aid/{id:id}/edit", edit_form, methods=["GET"], name="aid:edit_form"),
    Route("/aid/{id:id}/edit", edit, methods=["POST"], name="aid:edit"),
    Route("/aid/{id:id}/respond", respond, methods=["POST"], name="aid:respond"),
    Route("/aid/{id:id}/status", change_status, methods=["POST"], name="aid:status"),
    Route("/aid/{id:id}/thanks", thank, methods=["POST"], name="aid:thank"),
    Route(
        "/aid/{id:id}/responses/{response_id:id}/accept",
        decide,
        methods=["POST"],
        name="aid:accept",
    ),
    Route(
        "/aid/{id:id}/responses/{response_id:id}/decline",
        decide,
        methods=["POST"],
        name="aid:decline",
    ),
    Route("/admin/aid", admin, methods=["GET"], name="aid:admin"),
    Route("/admin/aid/{which}", admin_change, methods=["POST"], name="aid:admin_add"),
    Route("/admin/aid/{which}/{id:id}", admin_change, methods=["POST"], name="aid:admin_change"),
    Route("/admin/aid/{which}/{id:id}/move", admin_move, methods=["POST"], name="aid:admin_move"),
]
