"""Fan-out across processes through Redis, and chat that keeps its promises when Redis drops."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from forum.accounts.models import User
from forum.app import close_resources, create_app
from forum.chat.models import Message
from forum.settings import Settings
from realtime.events import EventBus
from tests import servers
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.forum.chat.conftest import frames_until, serving


async def test_sends_still_store_and_ack_while_redis_is_unreachable(
    db: None, tmp_path: Path, bus: EventBus, member: User, moderator: User
) -> None:
    from forum.chat import rooms as chat_rooms
    from tests import factories

    settings = Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_DATABASE_URL": TEST_DATABASE_URL,
            # Nothing listens on port 1: every publish to Redis fails.
            "PORCHLIGHT_REDIS_URL": "redis://127.0.0.1:1/0",
        },
        cwd=tmp_path,
    )
    app = create_app(settings, manage_database=False, bus=bus)
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    try:
        async with serving(app) as server:
            token = await factories.token_for(member)
            async with await websockets.connect(
                server.url, additional_headers={"Authorization": f"Bearer {token}"}
            ) as ws:
                await ws.send(json.dumps({"type": "subscribe", "room": room["id"]}))
                await frames_until(ws, "subscribed")
                await ws.send(
                    json.dumps(
                        {
                            "type": "send",
                            "room": room["id"],
                            "body": "still here",
                            "client_id": "a1",
                        }
                    )
                )
                ack = (await frames_until(ws, "ack"))[-1]
    finally:
        await close_resources(app)
    assert ack["message"]["seq"] == 1
    assert await Message.filter(room_id=room["id"]).count() == 1


async def test_the_app_names_its_redis_channels_and_keys_with_the_configured_prefix(
    db: None, tmp_path: Path, bus: EventBus
) -> None:
    from forum import ratelimits
    from realtime.broker import RedisBroker

    settings = Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_DATABASE_URL": TEST_DATABASE_URL,
            "PORCHLIGHT_REDIS_URL": "redis://127.0.0.1:1/0",  # built, never connected
            "PORCHLIGHT_REDIS_PREFIX": "elm-street:",
        },
        cwd=tmp_path,
    )
    app = create_app(settings, manage_database=False, bus=bus)
    try:
        broker = app.state.live.broker
        assert isinstance(broker, RedisBroker)
        assert broker.prefix == "elm-street:rt:"
        counter = ratelimits.limiter.counter
        assert isinstance(counter, ratelimits.RedisCounter)
        assert counter._prefix == "elm-street:rl:"
    finally:
        await close_resources(app)


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[str]]:
    if not TEST_REDIS_URL:
        pytest.skip("fan-out across processes needs Redis: it runs in the PostgreSQL + Redis pass")
    with servers.fresh_database(tmp_path) as database_url:
        env = servers.environment(tmp_path, database_url, PORCHLIGHT_RATE_LIMITS="off")
        migrated = servers.run(["migrate"], env, tmp_path)
        assert migrated.returncode == 0, migrated.stderr
        made = servers.run(
            ["create-admin", "rosa", "--email", "rosa@example.org"],
            {**env, "PORCHLIGHT_ADMIN_PASSWORD": "a long admin password for the test"},
            tmp_path,
        )
        assert made.returncode == 0, made.stderr
        first, second = tmp_path / "first", tmp_path / "second"
        first.mkdir()
        second.mkdir()
        with servers.serving(env, first) as one, servers.serving(env, second) as two:
            yield [one, two]


def _token(url: str, username: str, password: str, *, register: bool = False) -> str:
    with httpx.Client(base_url=url, timeout=10) as http:
        if register:
            made = http.post(
                "/api/v1/auth/register",
                json={
                    "username": username,
                    "email": f"{username}@example.org",
                    "password": password,
                },
            )
            assert made.status_code == 201, made.text
        login = http.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert login.status_code == 200, login.text
        token: str = login.json()["token"]
        return token


async def test_messages_sent_on_one_worker_arrive_on_the_other_in_order(
    two_servers: list[str],
) -> None:
    first, second = two_servers
    admin = _token(first, "rosa", "a long admin password for the test")
    june = _token(second, "june", "june's own long password", register=True)
    async with httpx.AsyncClient(
        base_url=first, headers={"Authorization": f"Bearer {admin}"}
    ) as http:
        room = (await http.post("/api/v1/rooms", json={"name": "Lounge", "kind": "public"})).json()

    def ws_url(url: str) -> str:
        return url.replace("http://", "ws://") + "/ws"

    async with (
        websockets.connect(
            ws_url(first), additional_headers={"Authorization": f"Bearer {admin}"}
        ) as a,
        websockets.connect(
            ws_url(second), additional_headers={"Authorization": f"Bearer {june}"}
        ) as b,
    ):
        for ws in (a, b):
            await ws.send(json.dumps({"type": "subscribe", "room": room["id"]}))
            await frames_until(ws, "subscribed")

        async def send_all(ws: Any, who: str) -> None:
            for n in range(20):
                frame = {
                    "type": "send",
                    "room": room["id"],
                    "body": f"{who} {n}",
                    "client_id": uuid.uuid4().hex,
                }
                await ws.send(json.dumps(frame))
                await asyncio.sleep(0)

        async def seqs_seen(ws: Any) -> list[int]:
            seen: list[int] = []
            async with asyncio.timeout(20):
                while len(seen) < 40:
                    frame = json.loads(await ws.recv())
                    if frame["type"] in ("message", "ack"):
                        seen.append(frame["message"]["seq"])
            return seen

        readers = [asyncio.create_task(seqs_seen(ws)) for ws in (a, b)]
        await asyncio.gather(send_all(a, "rosa"), send_all(b, "june"))
        seen_a, seen_b = await asyncio.gather(*readers)
    # Every message reaches both workers' clients; ordering is by seq, which has no gaps.
    assert sorted(seen_a) == sorted(seen_b) == list(range(1, 41))
