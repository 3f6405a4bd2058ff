"""The live channel's own rules, on the in-process broker and hub: no app, no database."""

from __future__ import annotations

import asyncio
import json

from realtime.broker import MemoryBroker
from realtime.hub import Connection, Hub
from realtime.socket import PRESENCE_DELAY, LiveChannel


async def _refuse(*args: object) -> None:
    return None


async def test_many_joins_at_once_reach_the_room_as_one_presence_frame() -> None:
    hub = Hub()
    live = LiveChannel(
        broker=MemoryBroker(hub), allowed_origins=(), authenticate=_refuse, handle_frame=_refuse
    )
    listener = Connection(user_id=1, author={"id": 1, "username": "listener"})
    hub.join(listener, 7)
    async with live.running():
        for n in range(2, 52):
            joining = Connection(user_id=n, author={"id": n, "username": f"p{n:02d}"})
            hub.join(joining, 7)
            await live.set_presence(joining, 7, True)
        await asyncio.sleep(PRESENCE_DELAY * 3)
    frames = [json.loads(listener.outgoing.get_nowait()) for _ in range(listener.outgoing.qsize())]
    assert [f["type"] for f in frames] == ["presence"]
    assert len(frames[0]["users"]) == 50
