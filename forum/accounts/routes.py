"""Account pages: signing in and out, joining, profiles, settings, sessions and sign-ups."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import web
from forum.accounts import admission, blocks, services, sessions
from forum.accounts.middleware import (
    SESSION_COOKIE,
    client_address,
    require_user,
    set_session_cookie,
)
from forum.accounts.models import ROLES, User, UserStatus
from forum.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied, WriteRefused
from forum.validation import whole_number


def local_path(value: str | None) -> str:
    """Only a path on this site: anything else in ?next= would send people to another one."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    # Browsers drop tabs and newlines and read "\" as "/": "/\t/evil" would be "//evil".
    if "\\" in value or not value.isprintable():
        return ""
    return value


async def _signed_in_redirect(request: Request, user: User, to: str) -> Response:
    """Start a fresh session (never reuse the old id) and set its cookie on the redirect."""
    key, _ = await sessions.sign_in(user, replacing=request.state.session)
    return set_session_cookie(request, web.redirect(to), key)


def _signed_out(to: str) -> Response:
    response = web.redirect(to)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# Signing in and joining -----------------------------------------------------------------------


async def login_form(request: Request) -> Response:
    """The sign-in form."""
    form = {"next": local_path(request.query_params.get("next"))}
    return web.render(request, "accounts/login.html", {"form": form})


async def login(request: Request) -> Response:
    """Check the password, then go where the person was heading."""
    form = await web.read_form(request)
    form["next"] = local_path(form.get("next"))
    try:
        user = await services.check_credentials(
            form.get("username"), form.get("password"), client=client_address(request)
        )
    except (InvalidInput, NotAuthenticated, PermissionDenied) as exc:
        suspended = exc.code == "suspended"
        return web.refused(request, "accounts/login.html", exc, form, suspended=suspended)
    return await _signed_in_redirect(request, user, form["next"] or "/")


async def logout(request: Request) -> Response:
    """End this browser's session."""
    if request.state.session is not None:
        await sessions.end_session(request.state.session)
    return _signed_out("/?notice=signed_out")


async def register_form(request: Request) -> Response:
    """The form to join, shaped by the community's sign-up mode."""
    form = {"invite": request.query_params.get("invite", "")}
    signup = request.app.state.settings.signup
    return web.render(request, "accounts/register.html", {"form": form, "signup": signup})


async def register(request: Request) -> Response:
    """Create the account; sign in at once, or wait for approval."""
    form = await web.read_form(request)
    signup = request.app.state.settings.signup
    try:
        user = await services.register(form, signup=signup, client=client_address(request))
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "accounts/register.html", exc, form, signup=signup)
    if user.status == UserStatus.PENDING:
        return web.redirect("/register/thanks")
    return await _signed_in_redirect(request, user, "/?notice=welcome")


async def register_thanks(request: Request) -> Response:
    """What happens next when a moderator approves new accounts."""
    return web.render(request, "accounts/register_thanks.html")


# Profiles -------------------------------------------------------------------------------------


async def profile(request: Request) -> Response:
    """Someone's public profile, with a Block button; administrators also change their role."""
    person = await services.get_user(request.path_params["username"])
    form = {"role": person.role, "trust_level": str(person.trust_level)}
    context = await _profile_context(request, person)
    return web.render(request, "accounts/profile.html", {**context, "form": form})


async def _profile_context(request: Request, person: User) -> dict[str, Any]:
    blocked = person.id in await blocks.blocked_ids(request.state.user)
    return {
        "person": person,
        "roles": ROLES,
        "levels": list(services.TRUST_LEVELS),
        "blocked": blocked,
    }


def _whole(raw: str | None) -> int | str | None:
    """A whole number from a form, or the raw text so that the service can say what is wrong."""
    number = whole_number(raw)
    return raw if number is None else number


async def profile_update(request: Request) -> Response:
    """Change someone's trust level (moderators) and role (administrators)."""
    form = await web.read_form(request)
    username = request.path_params["username"]
    data: dict[str, Any] = {"trust_level": _whole(form.get("trust_level"))}
    if "role" in form:  # only administrators are shown the role
        data["role"] = form.get("role")
    try:
        person = await services.update_user(request.state.user, username, data)
    except (InvalidInput, WriteRefused) as exc:
        person = await services.get_user(username)
        context = await _profile_context(request, person)
        return web.refused(request, "accounts/profile.html", exc, form, **context)
    return web.redirect(f"/u/{person.username}?notice=saved")


async def profile_block(request: Request) -> Response:
    """Block this person from their profile page."""
    await blocks.block(require_user(request), {"username": request.path_params["username"]})
    return web.redirect(f"/u/{request.path_params['username']}?notice=blocked")


async def profile_unblock(request: Request) -> Response:
    """Unblock this person from their profile page."""
    await blocks.unblock(require_user(request), request.path_params["username"])
    return web.redirect(f"/u/{request.path_params['username']}?notice=unblocked")


# Settings -------------------------------------------------------------------------------------


async def settings_form(request: Request) -> Response:
    """Profile and password settings."""
    form = _profile_form(require_user(request))
    return web.render(request, "accounts/settings.html", {"form": form})


def _profile_form(user: User) -> dict[str, str]:
    return {
        "display_name": user.display_name,
        "area": user.area,
        "bio": user.bio,
        "dm_policy": user.dm_policy,
    }


async def settings_save(request: Request) -> Response:
    """Save the display name, neighbourhood, bio and who may message this person."""
    form = await web.read_form(request)
    try:
        await services.update_profile(require_user(request), form)
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "accounts/settings.html", exc, form)
    return web.redirect("/settings?notice=saved")


async def password_change(request: Request) -> Response:
    """Set a new password; every other session and token ends."""
    user = require_user(request)
    form = await web.read_form(request)
    try:
        await services.change_password(user, request.state.session, form)
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "accounts/settings.html", exc, {**form, **_profile_form(user)})
    return web.redirect("/settings?notice=password_changed")


async def blocks_page(request: Request) -> Response:
    """The people this person blocked, each with an Unblock button."""
    page = await blocks.list_blocks(require_user(request), limit=blocks.BLOCKS_MAX)
    return web.render(request, "accounts/blocks.html", {"blocks": page.items, "form": {}})


async def block_add(request: Request) -> Response:
    """Block someone by username from the settings page."""
    user = require_user(request)
    form = await web.read_form(request)
    try:
        await blocks.block(user, form)
    except (InvalidInput, NotFound) as exc:
        page = await blocks.list_blocks(user, limit=blocks.BLOCKS_MAX)
        if isinstance(exc, NotFound):
            exc = InvalidInput(fields={"username": exc.message})
        return web.refused(request, "accounts/blocks.html", exc, form, blocks=page.items)
    return web.redirect("/settings/blocks?notice=blocked")


async def block_remove(request: Request) -> Response:
    """Unblock someone from the settings page."""
    await blocks.unblock(require_user(request), request.path_params["username"])
    return web.redirect("/settings/blocks?notice=unblocked")


async def sessions_page(request: Request) -> Response:
    """Where this person is signed in, and their API tokens."""
    items = await sessions.list_sessions(require_user(request))
    return web.render(request, "accounts/sessions.html", {"sessions": items, "form": {}})


async def session_revoke(request: Request) -> Response:
    """Sign one browser or token out."""
    await sessions.revoke_session(require_user(request), request.path_params["id"])
    return web.redirect("/settings/sessions?notice=revoked")


async def token_create(request: Request) -> Response:
    """Make an API token and show it this once (rendered, not redirected, and never cached)."""
    user = require_user(request)
    form = await web.read_form(request)
    try:
        token, _ = await sessions.create_token(user, form.get("label", ""))
    except (InvalidInput, WriteRefused) as exc:
        items = await sessions.list_sessions(user)
        return web.refused(request, "accounts/sessions.html", exc, form, sessions=items)
    items = await sessions.list_sessions(user)
    return web.render(
        request, "accounts/sessions.html", {"sessions": items, "form": {}, "new_token": token}
    )


async def delete_form(request: Request) -> Response:
    """Ask for the password before deleting an account."""
    require_user(request)
    return web.render(request, "accounts/delete.html", {"form": {}})


async def delete(request: Request) -> Response:
    """Delete the account, sign out and say goodbye."""
    form = await web.read_form(request)
    try:
        await services.delete_account(require_user(request), form.get("password"))
    except (InvalidInput, WriteRefused) as exc:
        return web.refused(request, "accounts/delete.html", exc, form)
    return _signed_out("/?notice=deleted")


# Sign-ups and invitations (administrators) ----------------------------------------------------


async def signups(request: Request) -> Response:
    """People waiting for approval, and the invitations made so far."""
    pending = await admission.pending_signups(request.state.user)
    invites = await admission.list_invites(request.state.user)
    return web.render(request, "accounts/signups.html", {"pending": pending, "invites": invites})


async def signup_approve(request: Request) -> Response:
    """Let a waiting person in."""
    await admission.decide_signup(request.state.user, request.path_params["id"], approve=True)
    return web.redirect("/admin/signups?notice=approved")


async def signup_reject(request: Request) -> Response:
    """Turn a waiting sign-up away (the account is removed)."""
    await admission.decide_signup(request.state.user, request.path_params["id"], approve=False)
    return web.redirect("/admin/signups?notice=refused")


async def invite_create(request: Request) -> Response:
    """Make an invitation and show its link this once."""
    form = await web.read_form(request)
    code, _ = await admission.create_invite(request.state.user, form.get("note", ""))
    link = str(request.url_for("accounts:register").include_query_params(invite=code))
    pending = await admission.pending_signups(request.state.user)
    invites = await admission.list_invites(request.state.user)
    return web.render(
        request,
        "accounts/signups.html",
        {"pending": pending, "invites": invites, "invite_link": link},
    )


routes: list[BaseRoute] = [
    Route("/login", login_form, methods=["GET"], name="accounts:login"),
    Route("/login", login, methods=["POST"], name="accounts:login_submit"),
    Route("/logout", logout, methods=["POST"], name="accounts:logout"),
    Route("/register", register_form, methods=["GET"], name="accounts:register"),
    Route("/register", register, methods=["POST"], name="accounts:register_submit"),
    Route("/register/thanks", register_thanks, methods=["GET"], name="accounts:register_thanks"),
    Route("/u/{username}", profile, methods=["GET"], name="accounts:profile"),
    Route("/u/{username}/role", profile_update, methods=["POST"], name="accounts:profile_update"),
    Route("/u/{username}/block", profile_block, methods=["POST"], name="accounts:block"),
    Route("/u/{username}/unblock", profile_unblock, methods=["POST"], name="accounts:unblock"),
    Route("/settings", settings_form, methods=["GET"], name="accounts:settings"),
    Route("/settings/blocks", blocks_page, methods=["GET"], name="accounts:blocks"),
    Route("/settings/blocks", block_add, methods=["POST"], name="accounts:block_add"),
    Route(
        "/settings/blocks/{username}/unblock",
        block_remove,
        methods=["POST"],
        name="accounts:block_remove",
    ),
    Route("/settings", settings_save, methods=["POST"], name="accounts:settings_save"),
    Route("/settings/password", password_change, methods=["POST"], name="accounts:password"),
    Route("/settings/sessions", sessions_page, methods=["GET"], name="accounts:sessions"),
    Route(
        "/settings/sessions/{id:id}/revoke",
        session_revoke,
        methods=["POST"],
        name="accounts:session_revoke",
    ),
    Route("/settings/tokens", token_create, methods=["POST"], name="accounts:token_create"),
    Route("/settings/delete", delete_form, methods=["GET"], name="accounts:delete"),
    Route("/settings/delete", delete, methods=["POST"], name="accounts:delete_submit"),
    Route("/admin/signups", signups, methods=["GET"], name="accounts:signups"),
    Route(
        "/admin/signups/{id:id}/approve",
        signup_approve,
        methods=["POST"],
        name="accounts:signup_approve",
    ),
    Route(
        "/admin/signups/{id:id}/reject",
        signup_reject,
        methods=["POST"],
        name="accounts:signup_reject",
    ),
    Route("/admin/invites", invite_create, methods=["POST"], name="accounts:invite_create"),
]
