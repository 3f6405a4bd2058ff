"""Factories that build test data through the real services.

They run exempt from rate limits: building a test's data in bulk is nobody's flood, and the
limits themselves are tested through the requests and services people use.
"""

from __future__ import annotations

from typing import Any

import httpx

from forum import ratelimits
from forum.accounts import services as accounts
from forum.accounts import sessions
from forum.accounts.models import User
from forum.boards import posts
from forum.boards import services as boards
from forum.boards.models import Board

PASSWORD = "correct horse battery staple"


async def user(
    *,
    username: str = "neighbour",
    role: str = "member",
    password: str = PASSWORD,
    email: str | None = None,
    trust_level: int = 1,
) -> User:
    """A member past the new-account limits unless trust_level=0 asks for a new one."""
    address = email or f"{username}@example.org"
    with ratelimits.exempt():
        if role == "member":
            person = await accounts.register(
                {
                    "username": username,
                    "email": address,
                    "password": password,
                    "display_name": username.title(),
                },
                signup="open",
            )
        else:
            # Staff may carry names members may not ("adminada"): made as the command line does.
            person = await accounts.create_admin(username, address, password)
            await User.filter(id=person.id).update(role=role, display_name=username.title())
            person.role, person.display_name = role, username.title()
    if trust_level != person.trust_level:
        await User.filter(id=person.id).update(trust_level=trust_level)
        person.trust_level = trust_level
    return person


async def board(
    *,
    slug: str = "general",
    name: str = "General",
    visibility: str = "public",
    description: str = "Talk about anything.",
) -> dict[str, Any]:
    creator = await User.filter(role="admin").first()
    if creator is None:
        creator = await user(username=f"founder-{slug}"[:30], role="admin")
    with ratelimits.exempt():
        return await boards.create_board(
            creator,
            {"slug": slug, "name": name, "description": description, "visibility": visibility},
        )


async def topic(
    *,
    author: User,
    board_slug: str = "general",
    title: str = "Hello neighbours",
    body: str = "Glad to be here.",
) -> dict[str, Any]:
    if not await Board.filter(slug=board_slug).exists():
        await board(slug=board_slug, name=board_slug.title())
    with ratelimits.exempt():
        created, _ = await boards.create_topic(author, board_slug, {"title": title, "body": body})
    return created


async def reply(*, author: User, topic_id: int, body: str = "Welcome!") -> dict[str, Any]:
    with ratelimits.exempt():
        return await posts.reply(author, topic_id, {"body": body})


async def token_for(person: User) -> str:
    key, _ = await sessions.start_session(person, kind="token")
    return key


async def bearer(http: httpx.AsyncClient, person: User) -> httpx.AsyncClient:
    """Authenticate this client as person with a bearer token."""
    http.headers["Authorization"] = f"Bearer {await token_for(person)}"
    return http


async def login_cookie(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API as a browser would; returns the CSRF token."""
    response = await http.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


async def aid(
    *,
    author: User,
    kind: str = "request",
    title: str = "A crib for a newborn",
    body: str = "We need a crib for a few months.",
    category: str = "household",
    area: str = "elm-street",
    **more: Any,
) -> dict[str, Any]:
    """An open offer or request, through the real service (the vocabularies must exist)."""
    from forum.aid import services as aid_services

    data = {"kind": kind, "title": title, "body": body, "category": category, "area": area}
    with ratelimits.exempt():
        return await aid_services.create_aid(author, {**data, **more})


# People of every standing a rule tells apart, unsaved: for the pure rules (who sees what of a
# page) that need a viewer's id and role and nothing from the database. Authors 1-3 write.
UNSAVED_VIEWERS: dict[str, User | None] = {
    "anonymous": None,
    "author 1": User(id=1, username="ana", role="member"),
    "author 2": User(id=2, username="ben", role="member"),
    "outsider": User(id=9, username="cleo", role="member"),
    "other outsider": User(id=8, username="dev", role="member"),
    "moderator": User(id=4, username="mo", role="moderator"),
    "moderating author": User(id=3, username="max", role="moderator"),
    "admin": User(id=5, username="ada", role="admin"),
}
