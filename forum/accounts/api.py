"""JSON API for accounts: register, login, logout, me, profiles, admin changes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import clock, web
from forum.accounts import services, sessions
from forum.accounts.middleware import (
    SESSION_COOKIE,
    client_address,
    require_user,
    set_session_cookie,
)
from forum.accounts.models import User, UserStatus


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.shown_name,
        "role": user.role,
        "trust_level": user.trust_level,
        "created_at": clock.iso(user.created_at),
    }


async def register(request: Request) -> Response:
    """Create an account. 202 when sign-up waits for approval."""
    data = await web.read_json(request)
    user = await services.register(
        data, signup=request.app.state.settings.signup, client=client_address(request)
    )
    if user.status == UserStatus.PENDING:
        return web.json_response({"status": "pending"}, 202)
    return web.json_response({"user": user_json(user)}, 201)


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


async def logout(request: Request) -> Response:
    """Revoke the session or token this request used."""
    require_user(request)
    await sessions.end_session(request.state.session)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: Request) -> Response:
    """The signed-in user and the CSRF token for cookie-authenticated writes."""
    user = require_user(request)
    body = {"user": user_json(user), "csrf_token": request.state.csrf_token}
    for fields in getattr(request.app.state, "me_fields", ()):
        body.update(await fields(user))
    return web.json_response(body)


async def me_update(request: Request) -> Response:
    """Change the signed-in user's display name, neighbourhood or bio."""
    data = await web.read_json(request)
    user = await services.update_profile(require_user(request), data, partial=True)
    return web.json_response({"user": user_json(user)})


async def user_detail(request: Request) -> Response:
    """Someone's public profile."""
    user = await services.get_user(request.path_params["username"])
    return web.json_response({"user": user_json(user)})


async def user_update(request: Request) -> Response:
    """Change a user's role or trust level (admin)."""
    data = await web.read_json(request)
    user = await services.update_user(request.state.user, request.path_params["username"], data)
    return web.json_response({"user": user_json(user)})


routes = [
    Route("/api/v1/auth/register", register, methods=["POST"], name="api:register"),
    Route("/api/v1/auth/login", login, methods=["POST"], name="api:login"),
    Route("/api/v1/auth/logout", logout, methods=["POST"], name="api:logout"),
    Route("/api/v1/me", me, methods=["GET"], name="api:me"),
    Route("/api/v1/me", me_update, methods=["PATCH"], name="api:me_update"),
    Route("/api/v1/users/{username}", user_detail, methods=["GET"], name="api:user"),
    Route("/api/v1/users/{username}", user_update, methods=["PATCH"], name="api:user_update"),
]
