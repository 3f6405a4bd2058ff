"""A real uvicorn server on a loopback port, serving the test's app, for socket tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette

from forum import server as forum_server
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from tests import factories


class LiveServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"ws://127.0.0.1:{port}/ws"
        # What the test settings allow (they are built for port 8000, whatever port serves).
        self.origin = "http://127.0.0.1:8000"

    async def connect(self, person: User, **options: Any) -> Any:
        token = await factories.token_for(person)
        return await websockets.connect(
            self.url, additional_headers={"Authorization": f"Bearer {token}"}, **options
        )


async def _started(server: uvicorn.Server) -> None:
    # uvicorn offers no event to wait on, only its started flag.
    for _ in range(1000):
        if server.started:
            return
        await asyncio.sleep(0.01)
    raise RuntimeError("the test server did not start")


@pytest.fixture
async def live_server(app: Starlette) -> AsyncIterator[LiveServer]:
    async with serving(app) as server:
        yield server


@contextlib.asynccontextmanager
async def serving(app: Starlette, **options: Any) -> AsyncIterator[LiveServer]:
    """Serve app with uvicorn in this test's event loop, so it shares its database and bus;
    options go to uvicorn.Config (ws_ping_interval, ...)."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
        ws_max_size=65536,
        ws_per_message_deflate=False,
        # The protocols `porchlight serve` runs (bounded heads, bounded stopped readers).
        **forum_server.uvicorn_options(),
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await _started(server)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(port)
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def lounge(moderator: User) -> dict[str, Any]:
    return await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})


async def frames_until(socket: Any, wanted: str, *, seconds: float = 5) -> list[dict[str, Any]]:
    """Frames received up to and including the first of the wanted type."""
    seen = []
    async with asyncio.timeout(seconds):
        while True:
            frame = json.loads(await socket.recv())
            seen.append(frame)
            if frame["type"] == wanted:
                return seen


async def next_frame(socket: Any, *, seconds: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        frame: dict[str, Any] = json.loads(await socket.recv())
        return frame
