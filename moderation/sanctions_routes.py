"""Pages for sanctions: a person's own sanctions and appeals, the moderators' page about a
person (sanction form, lifts, notes, appeal decisions), and the crisis resources."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts.middleware import client_address, require_user
from forum.accounts.routes import local_path
from forum.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from moderation import appeals, crisis, notes, people, sanction_forms, sanctions

_KIND_NAMES = {
    "warn": "Warn (a notice they must acknowledge)",
    "silence": "Silence (read-only)",
    "suspend": "Suspend (cannot sign in)",
    "ban": "Ban (cannot sign in, no end)",
}


async def my_sanctions_page(request: Request) -> Response:
    """My sanctions: each with its reason, its end, and an appeal (or its outcome)."""
    rows = await sanctions.my_sanctions(require_user(request))
    return web.render(request, "moderation/my_sanctions.html", {"sanctions": rows, "form": {}})


async def appeal_submit(request: Request) -> Response:
    """Appeal one of my sanctions."""
    user = require_user(request)
    form = await web.read_form(request)
    try:
        await appeals.appeal(user, request.path_params["id"], form)
    except (InvalidInput, Conflict) as exc:
        rows = await sanctions.my_sanctions(user)
        return web.refused(
            request,
            "moderation/my_sanctions.html",
            exc,
            form,
            sanctions=rows,
            appealing=request.path_params["id"],
        )
    return web.redirect("/me/sanctions?done=appealed")


async def acknowledge_submit(request: Request) -> Response:
    """I have read my warning: back to the page I was on."""
    form = await web.read_form(request)
    await sanctions.acknowledge(require_user(request), request.path_params["id"])
    return web.redirect(local_path(form.get("next")) or "/me/sanctions")


def _person_context(view: dict[str, object]) -> dict[str, object]:
    return {**view, "kinds": list(_KIND_NAMES.items()), "hours_max": sanction_forms.HOURS_MAX}


async def person_page(request: Request) -> Response:
    """What the moderators know of a person: sanctions, notes, and the forms to act."""
    view = await people.person_view(request.state.user, request.path_params["username"])
    return web.render(
        request, "moderation/person.html", {**_person_context(view), "form": {"kind": "warn"}}
    )


async def _refused_on_person(
    request: Request, exc: InvalidInput | Conflict, form: dict[str, str]
) -> Response:
    view = await people.person_view(request.state.user, request.path_params["username"])
    return web.refused(request, "moderation/person.html", exc, form, **_person_context(view))


async def sanction_submit(request: Request) -> Response:
    """Sanction a person from a form (this page's or the queue's), then go back."""
    form = await web.read_form(request)
    data = {k: v for k, v in form.items() if not (k == "hours" and not v.strip())}
    username = request.path_params["username"]
    try:
        await sanctions.impose(request.state.user, username, data)
    except InvalidInput as exc:
        return await _refused_on_person(request, exc, form)
    return web.redirect(
        local_path(form.get("next")) or f"/moderation/users/{username}?done=sanctioned"
    )


async def lift_submit(request: Request) -> Response:
    """Lift a sanction, then go back."""
    form = await web.read_form(request)
    row = await sanctions.lift(request.state.user, request.path_params["id"], form)
    return web.redirect(local_path(form.get("next")) or f"/moderation/users/{row['username']}")


async def note_submit(request: Request) -> Response:
    """Add a note on a person."""
    form = await web.read_form(request)
    username = request.path_params["username"]
    try:
        await notes.add_note(request.state.user, username, form)
    except InvalidInput as exc:
        return await _refused_on_person(request, exc, form)
    return web.redirect(f"/moderation/users/{username}?done=noted#notes")


async def decide_submit(request: Request) -> Response:
    """Uphold or overturn an appeal, then go back."""
    form = await web.read_form(request)
    row = await appeals.decide(request.state.user, request.path_params["id"], form)
    return web.redirect(local_path(form.get("next")) or f"/moderation/users/{row['username']}")


async def suspended_appeal_form(request: Request) -> Response:
    """A suspended person's way to appeal: they cannot sign in, so their password says who."""
    form = {"username": request.query_params.get("username", "")[:254]}
    return web.render(request, "moderation/suspended_appeal.html", {"form": form})


async def suspended_appeal(request: Request) -> Response:
    """Send a suspended person's appeal to the moderators' queue."""
    form = await web.read_form(request)
    try:
        await appeals.appeal_while_suspended(form, client=client_address(request))
    except (InvalidInput, NotAuthenticated, PermissionDenied, NotFound, Conflict) as exc:
        return web.refused(request, "moderation/suspended_appeal.html", exc, form)
    return web.render(request, "moderation/suspended_appeal.html", {"form": {}, "sent": True})


async def crisis_page(request: Request) -> Response:
    """Where to get help now: shown to a reporter right after an at-risk report, and to anyone."""
    found = await crisis.resources(request.app.state.settings.crisis_resources)
    return web.render(
        request,
        "moderation/crisis_resources.html",
        {"resources": found, "after_report": request.query_params.get("at_risk") == "1"},
    )


routes: list[BaseRoute] = [
    Route("/me/sanctions", my_sanctions_page, methods=["GET"], name="moderation:my_sanctions"),
    Route(
        "/me/sanctions/{id:id}/appeal",
        appeal_submit,
        methods=["POST"],
        name="moderation:appeal",
    ),
    Route(
        "/me/sanctions/{id:id}/acknowledge",
        acknowledge_submit,
        methods=["POST"],
        name="moderation:acknowledge",
    ),
    Route("/moderation/users/{username}", person_page, methods=["GET"], name="moderation:person"),
    Route(
        "/moderation/users/{username}/sanctions",
        sanction_submit,
        methods=["POST"],
        name="moderation:sanction",
    ),
    Route(
        "/moderation/users/{username}/notes",
        note_submit,
        methods=["POST"],
        name="moderation:note",
    ),
    Route(
        "/moderation/sanctions/{id:id}/lift",
        lift_submit,
        methods=["POST"],
        name="moderation:lift",
    ),
    Route(
        "/moderation/appeals/{id:id}/decide",
        decide_submit,
        methods=["POST"],
        name="moderation:decide",
    ),
    Route("/crisis-resources", crisis_page, methods=["GET"], name="moderation:crisis"),
    Route("/appeal", suspended_appeal_form, methods=["GET"], name="moderation:suspended_appeal"),
    Route("/appeal", suspended_appeal, methods=["POST"], name="moderation:suspended_appeal_submit"),
]
