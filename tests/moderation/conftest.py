"""Moderation tests: something of every reportable kind, by sam, that maria can see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum.accounts.models import User
from forum.aid import vocabularies
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from tests import factories
from tests.forum.chat.conftest import LiveServer, serving


@pytest.fixture
async def live_server(app: Starlette) -> AsyncIterator[LiveServer]:
    async with serving(app) as server:
        yield server


@dataclass
class Content:
    topic: dict[str, Any]
    post: dict[str, Any]
    aid: dict[str, Any]
    message: dict[str, Any]
    room: dict[str, Any]


@pytest.fixture
async def content(member: User, other_member: User, moderator: User) -> Content:
    """A topic with a reply, a request, and a message in a public room, all by sam."""
    await vocabularies.add_defaults()
    topic = await factories.topic(author=other_member, title="Selling cheap phones")
    post = await factories.reply(author=other_member, topic_id=topic["id"], body="Send money first")
    aid = await factories.aid(author=other_member)
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    message, _ = await chat.send_message(other_member, room["id"], "Wire me the money")
    return Content(topic=topic, post=post, aid=aid, message=message, room=room)


@pytest.fixture
def as_person(make_client: Any) -> Any:
    """as_person(person): a client signed in as person by a bearer token (anonymous: None)."""

    async def signed_in(person: User | None) -> httpx.AsyncClient:
        http: httpx.AsyncClient = make_client()
        if person is not None:
            await factories.bearer(http, person)
        return http

    return signed_in


@pytest.fixture
def report(as_person: Any) -> Any:
    """report(person, target_type, target_id, reason="spam", **more): the API's answer."""

    async def send(
        person: User, target_type: str, target_id: int, reason: str = "spam", **more: Any
    ) -> httpx.Response:
        http = await as_person(person)
        body = {"target_type": target_type, "target_id": target_id, "reason": reason, **more}
        return await http.post("/api/v1/reports", json=body)

    return send
