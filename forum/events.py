"""Domain events: services publish them, and they reach the app's bus after the outermost commit."""

from __future__ import annotations

from typing import Any

from forum import database
from realtime import events
from realtime.events import EVERYONE, STAFF, Audience, Event, to_room, to_user

__all__ = ["EVERYONE", "STAFF", "Audience", "Event", "publish", "to_room", "to_user"]


async def publish(name: str, audience: Audience, **data: Any) -> None:
    """Announce that something has happened, to the audience the service chose.

    Inside a transaction the event waits for the outermost commit, and a rollback drops it:
    nobody is ever told of a write that did not happen.
    """
    bus = events.current()
    if bus is None:  # a command-line task outside any app: nobody is listening
        return
    event = Event(name, audience, data)
    await database.on_commit(lambda: bus.deliver(event))
