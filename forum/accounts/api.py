"""JSON API for accounts: register, login, logout, me, profiles, admin changes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, openapi, web
from forum.accounts import admission, blocks, forms, services, sessions
from forum.accounts.middleware import (
    SESSION_COOKIE,
    client_address,
    require_user,
    set_session_cookie,
)
from forum.accounts.models import DM_POLICIES, ROLES, Invite, Session, User, UserStatus
from forum.openapi import INTEGER, MOMENT, STRING, Component, Link, enum, nullable, record

AUTHOR = Component("Author", record({"id": INTEGER, "username": STRING, "display_name": STRING}))
USER = Component(
    "User",
    record(
        {
            "id": INTEGER,
            "username": STRING,
            "display_name": STRING,
            "role": enum(ROLES),
            "trust_level": {"type": "integer", "minimum": 0, "maximum": forms.TRUST_LEVEL_MAX},
            "created_at": MOMENT,
        },
        # Only in the person's own view (GET and PATCH /api/v1/me).
        {"area": STRING, "bio": STRING, "dm_policy": enum(DM_POLICIES)},
    ),
)
USER_ENVELOPE = record({"user": USER})
_USER_LINKS = {
    "profile": Link("api:user", "get", {"username": "$response.body#/user/username"}),
}


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.shown_name,
        "role": user.role,
        "trust_level": user.trust_level,
        "created_at": clock.iso(user.created_at),
    }


def own_user_json(user: User) -> dict[str, Any]:
    """The person's own view: their profile fields and settings too."""
    return {**user_json(user), "area": user.area, "bio": user.bio, "dm_policy": user.dm_policy}


@openapi.operation(
    {201: USER_ENVELOPE, 202: record({"status": enum(("pending",))})},
    body=forms.REGISTER,
    errors=(429,),
    links=_USER_LINKS,
)
async def register(request: Request) -> Response:
    """Create an account. 202 when sign-up waits for approval."""
    data = await web.read_json(request)
    user = await services.register(
        data, signup=request.app.state.settings.signup, client=client_address(request)
    )
    if user.status == UserStatus.PENDING:
        return web.json_response({"status": "pending"}, 202)
    return web.json_response({"user": user_json(user)}, 201)


@openapi.operation(
    {200: record({"user": USER, "token": STRING, "csrf_token": STRING})},
    body=forms.LOGIN,
    errors=(401, 403, 429),
)
async def login(request: Request) -> Response:
    """Sign in with username or e-mail; returns a bearer token and sets a session cookie."""
    data = await web.read_json(request)
    user = await services.check_credentials(
        data.get("username"), data.get("password"), client=client_address(request)
    )
    key, session = await sessions.sign_in(user, replacing=request.state.session)
    settings = request.app.state.settings
    body = {
        "user": user_json(user),
        "token": key,
        "csrf_token": web.session_csrf_token(settings.secret_key, session.key_hash),
    }
    return set_session_cookie(request, web.json_response(body), key)


@openapi.operation({204: None}, signed_in=True)
async def logout(request: Request) -> Response:
    """Revoke the session or token this request used."""
    require_user(request)
    await sessions.end_session(request.state.session)
    return signed_out()


def signed_out() -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# Features above accounts add fields through app.state.me_fields: the document names them here.
_ME = record({"user": USER, "csrf_token": STRING}, {"unread_notifications": INTEGER})


@openapi.operation({200: _ME}, signed_in=True)
async def me(request: Request) -> Response:
    """The signed-in user and the CSRF token for cookie-authenticated writes."""
    user = require_user(request)
    body = {"user": own_user_json(user), "csrf_token": request.state.csrf_token}
    # Features above accounts add their own fields (the unread notifications count).
    for fields in getattr(request.app.state, "me_fields", ()):
        body.update(await fields(user))
    return web.json_response(body)


@openapi.operation({200: USER_ENVELOPE}, body=forms.PROFILE, errors=(403,), signed_in=True)
async def me_update(request: Request) -> Response:
    """Change the fields sent of one's display name, neighbourhood, bio and message policy."""
    data = await web.read_json(request)
    user = await services.update_profile(require_user(request), data)
    return web.json_response({"user": own_user_json(user)})


@openapi.operation({200: USER_ENVELOPE}, links=_USER_LINKS)
async def user_detail(request: Request) -> Response:
    """Someone's public profile."""
    user = await services.get_user(request.path_params["username"])
    return web.json_response({"user": user_json(user)})


@openapi.operation(
    {200: USER_ENVELOPE}, body=forms.USER_CHANGE, errors=(401, 403, 409), signed_in=True
)
async def user_update(request: Request) -> Response:
    """Change a user's trust level (moderator) or role (admin)."""
    data = await web.read_json(request)
    user = await services.update_user(request.state.user, request.path_params["username"], data)
    return web.json_response({"user": user_json(user)})


# Settings, sessions and tokens, account deletion: what the settings pages offer. ---------------

SESSION = Component(
    "Session",
    record(
        {
            "id": INTEGER,
            "kind": enum(("cookie", "token")),
            "label": STRING,
            "created_at": MOMENT,
            "last_seen_at": MOMENT,
            "current": {"type": "boolean", "description": "The session this request used."},
        }
    ),
)


def session_json(session: Session, current: Session | None) -> dict[str, Any]:
    # Never the secret: only its hash is stored, and that stays on the server.
    return {
        "id": session.id,
        "kind": session.kind,
        "label": session.label,
        "created_at": clock.iso(session.created_at),
        "last_seen_at": clock.iso(session.last_seen_at),
        "current": current is not None and session.id == current.id,
    }


@openapi.operation({204: None}, body=forms.PASSWORD_CHANGE, errors=(429,), signed_in=True)
async def password_change(request: Request) -> Response:
    """Set a new password; every other session and token ends."""
    data = await web.read_json(request)
    await services.change_password(require_user(request), request.state.session, data)
    return Response(status_code=204)


@openapi.operation({200: openapi.page(SESSION)}, signed_in=True, paged=True)
async def session_list(request: Request) -> Response:
    """Where this person is signed in, and their API tokens, newest first (no secrets)."""
    page = await sessions.session_listing(require_user(request), **web.page_args(request))
    current = request.state.session
    items = [session_json(s, current) for s in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({204: None}, signed_in=True)
async def session_revoke(request: Request) -> Response:
    """Sign one browser or token out (this one too, if it is the one asking)."""
    await sessions.revoke_session(require_user(request), request.path_params["id"])
    return Response(status_code=204)


@openapi.operation(
    {201: record({"token": STRING, "session": SESSION})},
    body=forms.TOKEN,
    signed_in=True,
    links={"revoke": Link("api:session_revoke", "delete", {"id": "$response.body#/session/id"})},
)
async def token_create(request: Request) -> Response:
    """Make a bearer token; its secret is in this answer and never shown again."""
    data = await web.read_json(request)
    key, session = await sessions.create_token(require_user(request), data.get("label"))
    body = {"token": key, "session": session_json(session, request.state.session)}
    return web.json_response(body, 201)


# POST rather than DELETE /api/v1/me: the password travels in a body, and a body on DELETE has
# no defined meaning (RFC 9110 9.3.5); proxies and client libraries may drop it.
@openapi.operation({204: None}, body=forms.ACCOUNT_DELETION, errors=(429,), signed_in=True)
async def account_delete(request: Request) -> Response:
    """Delete one's account (the password confirms it); posts stay, by 'deleted user'."""
    data = await web.read_json(request)
    await services.delete_account(require_user(request), data.get("password"))
    return signed_out()


# Sign-ups and invitations (administrators). --------------------------------------------------

INVITE = Component(
    "Invite",
    record(
        {
            "id": INTEGER,
            "note": STRING,
            "created_at": MOMENT,
            "expires_at": MOMENT,
            "used_by": nullable(AUTHOR),
            "used_at": nullable(MOMENT),
        }
    ),
)
_ADMIN = (401, 403)


def author_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.shown_name}


def invite_json(invite: Invite) -> dict[str, Any]:
    # Listings fetch the one who used it; a new invitation has no one yet.
    used_by = invite.used_by if invite.used_by_id is not None else None
    return {
        "id": invite.id,
        "note": invite.note,
        "created_at": clock.iso(invite.created_at),
        "expires_at": clock.iso(invite.expires_at),
        "used_by": author_json(used_by) if isinstance(used_by, User) else None,
        "used_at": clock.iso(invite.used_at),
    }


@openapi.operation({200: openapi.page(USER)}, errors=_ADMIN, paged=True)
async def signup_list(request: Request) -> Response:
    """Sign-ups waiting for approval, oldest first (admin)."""
    page = await admission.signup_listing(request.state.user, **web.page_args(request))
    items = [own_user_json(u) for u in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({204: None}, errors=_ADMIN)
async def signup_approve(request: Request) -> Response:
    """Let a waiting person in (admin)."""
    await admission.decide_signup(request.state.user, request.path_params["id"], approve=True)
    return Response(status_code=204)


@openapi.operation({204: None}, errors=_ADMIN)
async def signup_refuse(request: Request) -> Response:
    """Turn a waiting sign-up away; the account is removed (admin)."""
    await admission.decide_signup(request.state.user, request.path_params["id"], approve=False)
    return Response(status_code=204)


@openapi.operation({200: openapi.page(INVITE)}, errors=_ADMIN, paged=True)
async def invite_list(request: Request) -> Response:
    """Invitations made so far, newest first (admin)."""
    page = await admission.invite_listing(request.state.user, **web.page_args(request))
    items = [invite_json(i) for i in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation(
    {201: record({"invite": INVITE, "code": STRING, "url": STRING})},
    body=forms.INVITE_NOTE,
    errors=_ADMIN,
)
async def invite_create(request: Request) -> Response:
    """Make a single-use invitation for two weeks; the code is in this answer only (admin)."""
    data = await web.read_json(request)
    code, invite = await admission.create_invite(request.state.user, data.get("note"))
    url = str(request.url_for("accounts:register").include_query_params(invite=code))
    return web.json_response({"invite": invite_json(invite), "code": code, "url": url}, 201)


# Blocks: members protecting themselves. ----------------------------------------------------------

BLOCK = Component(
    "Block",
    record({"user": AUTHOR, "created_at": MOMENT}),
)
_BLOCK_LINKS = {
    "unblock": Link("api:unblock", "delete", {"username": "$response.body#/block/user/username"}),
}


def block_json(row: dict[str, Any]) -> dict[str, Any]:
    person = {
        "id": row["user_id"],
        "username": row["username"],
        "display_name": row["display_name"],
    }
    return {"user": person, "created_at": clock.iso(row["created_at"])}


@openapi.operation(
    {201: record({"block": BLOCK}), 200: record({"block": BLOCK})},
    body=forms.BLOCK,
    errors=(404, 409),
    signed_in=True,
    links=_BLOCK_LINKS,
)
async def block_create(request: Request) -> Response:
    """Block someone: their posts and messages are hidden from you, and neither of you can
    message the other. 200 when they were already blocked."""
    data = await web.read_json(request)
    row, made = await blocks.block(require_user(request), data)
    return web.json_response({"block": block_json(row)}, 201 if made else 200)


@openapi.operation({200: openapi.page(BLOCK)}, signed_in=True, paged=True)
async def block_list(request: Request) -> Response:
    """The people you blocked, most recent first."""
    page = await blocks.list_blocks(require_user(request), **web.page_args(request))
    items = [block_json(r) for r in page.items]
    return web.json_response({"items": items, "next_cursor": page.next_cursor})


@openapi.operation({204: None}, errors=(404,), signed_in=True)
async def block_delete(request: Request) -> Response:
    """Unblock someone (404 when they are not blocked)."""
    await blocks.unblock(require_user(request), request.path_params["username"])
    return Response(status_code=204)


routes = [
    Route("/api/v1/auth/register", register, methods=["POST"], name="api:register"),
    Route("/api/v1/auth/login", login, methods=["POST"], name="api:login"),
    Route("/api/v1/auth/logout", logout, methods=["POST"], name="api:logout"),
    Route("/api/v1/me", me, methods=["GET"], name="api:me"),
    Route("/api/v1/me", me_update, methods=["PATCH"], name="api:me_update"),
    Route("/api/v1/users/{username}", user_detail, methods=["GET"], name="api:user"),
    Route("/api/v1/users/{username}", user_update, methods=["PATCH"], name="api:user_update"),
    Route("/api/v1/me/password", password_change, methods=["POST"], name="api:password"),
    Route("/api/v1/me/sessions", session_list, methods=["GET"], name="api:sessions"),
    Route(
        "/api/v1/me/sessions/{id:id}",
        session_revoke,
        methods=["DELETE"],
        name="api:session_revoke",
    ),
    Route("/api/v1/me/tokens", token_create, methods=["POST"], name="api:token_create"),
    Route("/api/v1/me/delete", account_delete, methods=["POST"], name="api:account_delete"),
    Route("/api/v1/me/blocks", block_list, methods=["GET"], name="api:blocks"),
    Route("/api/v1/me/blocks", block_create, methods=["POST"], name="api:block"),
    Route("/api/v1/me/blocks/{username}", block_delete, methods=["DELETE"], name="api:unblock"),
    Route("/api/v1/admin/signups", signup_list, methods=["GET"], name="api:signups"),
    Route(
        "/api/v1/admin/signups/{id:id}/approve",
        signup_approve,
        methods=["POST"],
        name="api:signup_approve",
    ),
    Route(
        "/api/v1/admin/signups/{id:id}/refuse",
        signup_refuse,
        methods=["POST"],
        name="api:signup_refuse",
    ),
    Route("/api/v1/admin/invites", invite_list, methods=["GET"], name="api:invites"),
    Route("/api/v1/admin/invites", invite_create, methods=["POST"], name="api:invite_create"),
]
