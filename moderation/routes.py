"""Moderation pages: reporting, my reports, the review queue, an item, and the two logs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts.middleware import require_user
from forum.errors import InvalidInput
from forum.validation import whole_number
from moderation import forms, log, queue, reports, subjects

REASONS = [
    ("at_risk", "Someone may be at risk of harm"),
    ("scam", "A scam or fraud"),
    ("harassment", "Harassment or bullying"),
    ("hate", "Hateful content"),
    ("private_info", "Shares someone's private information"),
    ("spam", "Spam or advertising"),
    ("off_topic", "Off topic"),
    ("other", "Something else"),
]
ACTIONS = [
    ("dismiss", "Dismiss: nothing to act on"),
    ("hide", "Hide it"),
    ("delete", "Delete it"),
    ("restore", "Restore it"),
    ("approve", "Approve (held content, sign-ups)"),
    ("lock", "Lock the topic"),
    ("edit", "Edit the text (below) and publish it"),
]
# Confirmations after a redirect, chosen by key so that no text from the URL is shown.
DONE = {
    "resolved": "Done: the item is resolved and the log records it.",
    "claimed": "The item is yours for the next hour.",
    "reported": "Thank you. The moderators will look at your report.",
}


def _next(raw: str | None, default: str = "/moderation") -> str:
    """Where to go after acting: a moderation page of this site, never another site."""
    if raw and raw.startswith("/moderation") and "//" not in raw and "\\" not in raw:
        return raw
    return default


def _with(url: str, done: str) -> str:
    return url + ("&" if "?" in url else "?") + "done=" + done


async def report_form(request: Request) -> Response:
    """The report form for one thing: what it is, a reason and an optional note."""
    target = await reports.describe_target(
        require_user(request),
        request.query_params.get("target_type", ""),
        web.query_int(request, "target_id") or 0,
    )
    return web.render(request, "moderation/report.html", {"target": target, "reasons": REASONS})


async def report_submit(request: Request) -> Response:
    user = require_user(request)
    form = await web.read_form(request)
    target_id = whole_number(form.get("target_id")) or 0
    target = await reports.describe_target(user, form.get("target_type", ""), target_id)
    try:
        report, _ = await reports.file_report(user, form)
    except InvalidInput as exc:
        return web.refused(
            request, "moderation/report.html", exc, form, target=target, reasons=REASONS
        )
    if report["reason"] == "at_risk":
        return web.redirect("/crisis-resources?at_risk=1")
    return web.redirect("/reports/mine?done=reported")


async def my_reports_page(request: Request) -> Response:
    """My reports, newest first, with what became of each."""
    page = await reports.my_reports(require_user(request), **web.page_args(request))
    return web.render(
        request,
        "moderation/mine.html",
        {
            "reports": page.items,
            "next_cursor": page.next_cursor,
            "reasons": dict(REASONS),
            "done": DONE.get(request.query_params.get("done", "")),
        },
    )


async def queue_page(request: Request) -> Response:
    """The review queue: what needs a moderator, the most urgent first."""
    page = await queue.list_queue(require_user(request), **web.page_args(request))
    return web.render(
        request,
        "moderation/queue.html",
        {
            "items": page.items,
            "next_cursor": page.next_cursor,
            "actions": ACTIONS,
            "reasons": dict(REASONS),
            "done": DONE.get(request.query_params.get("done", "")),
        },
    )


async def _item_page(request: Request, item_id: int, **context: object) -> Response:
    user = require_user(request)
    item = await queue.access_item(user, item_id)
    subject = await subjects.record_of(item["subject"]["id"] if item["subject"] else None)
    status = 422 if context.get("errors") or context.get("problem") else 200
    return web.render(
        request,
        "moderation/item.html",
        {
            "item": item,
            "subject": subject,
            "actions": ACTIONS,
            "reasons": dict(REASONS),
            "form": {},
            "errors": {},
            "done": DONE.get(request.query_params.get("done", "")),
            **context,
        },
        status_code=status,
    )


async def item_page(request: Request) -> Response:
    """One item: the content as reported, every report, and the person's record."""
    return await _item_page(request, request.path_params["id"])


async def item_claim(request: Request) -> Response:
    item_id = request.path_params["id"]
    await queue.claim(require_user(request), item_id)
    form = await web.read_form(request)
    return web.redirect(_with(_next(form.get("next"), f"/moderation/items/{item_id}"), "claimed"))


async def item_resolve(request: Request) -> Response:
    item_id = request.path_params["id"]
    form = await web.read_form(request)
    try:
        await queue.resolve(require_user(request), item_id, form)
    except InvalidInput as exc:
        kept = {k: v for k, v in form.items() if k in forms.RESOLVE.fields}
        return await _item_page(
            request, item_id, form=kept, errors=exc.fields, problem=exc.message, refused=True
        )
    return web.redirect(_with(_next(form.get("next")), "resolved"))


async def log_page(request: Request) -> Response:
    """The moderation log, newest first, with who acted (moderators)."""
    page = await log.entries(require_user(request), public=False, **web.page_args(request))
    return web.render(
        request,
        "moderation/log.html",
        {"entries": page.items, "next_cursor": page.next_cursor, "public": False},
    )


async def public_log_page(request: Request) -> Response:
    """What moderators did and why, without their names (any member)."""
    page = await log.entries(require_user(request), public=True, **web.page_args(request))
    return web.render(
        request,
        "moderation/log.html",
        {"entries": page.items, "next_cursor": page.next_cursor, "public": True},
    )


routes: list[BaseRoute] = [
    Route("/report", report_form, methods=["GET"], name="moderation:report"),
    Route("/report", report_submit, methods=["POST"], name="moderation:report_submit"),
    Route("/reports/mine", my_reports_page, methods=["GET"], name="moderation:mine"),
    Route("/moderation", queue_page, methods=["GET"], name="moderation:queue"),
    Route("/moderation/items/{id:id}", item_page, methods=["GET"], name="moderation:item"),
    Route("/moderation/items/{id:id}/claim", item_claim, methods=["POST"], name="moderation:claim"),
    Route(
        "/moderation/items/{id:id}/resolve",
        item_resolve,
        methods=["POST"],
        name="moderation:resolve",
    ),
    Route("/moderation/log", log_page, methods=["GET"], name="moderation:log"),
    Route("/moderation/public-log", public_log_page, methods=["GET"], name="moderation:public_log"),
]
