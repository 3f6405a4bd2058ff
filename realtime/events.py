"""Events with the audience they are for, and the bus that hands them to this process's subscribers.

Services decide who may learn of something (everyone, the members of a room, one person, the
moderators); the bus only delivers. It belongs to the app: the composition root creates it and
binds it to every request, socket and background task it serves, so nothing here is a global
that tests must replace.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("porchlight.events")

AudienceKind = Literal["everyone", "room", "user", "staff"]


@dataclass(frozen=True)
class Audience:
    """Who may be told of an event: built only by the helpers below."""

    kind: AudienceKind
    id: int | None = None

    @property
    def channel(self) -> str:
        """The fan-out channel name for this audience (the one place such names are built)."""
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


EVERYONE = Audience("everyone")
STAFF = Audience("staff")


def to_user(user_id: int) -> Audience:
    return Audience("user", user_id)


def to_room(room_id: int) -> Audience:
    return Audience("room", room_id)


@dataclass(frozen=True)
class Event:
    """Something that has happened, named like "boards.post_created"."""

    name: str
    audience: Audience
    data: Mapping[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], Awaitable[None]]


class EventBus:
    """Delivers each event to the subscribers whose prefix its name starts with, in order.

    A subscriber that fails is logged and skipped: the write it reports has committed, and the
    other subscribers (a cache, the live channel, notifications) still deserve the event.
    """

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []

    def subscribe(self, prefix: str, subscriber: Subscriber) -> None:
        self._subscribers.append((prefix, subscriber))

    async def deliver(self, event: Event) -> None:
        for prefix, subscriber in self._subscribers:
            if event.name.startswith(prefix):
                try:
                    await subscriber(event)
                except Exception:
                    log.exception("event subscriber failed on %s", event.name)


_current: ContextVar[EventBus | None] = ContextVar("porchlight_event_bus", default=None)


def current() -> EventBus | None:
    """The bus of the app serving this request, socket or task (None outside any app)."""
    return _current.get()


@contextlib.contextmanager
def bound(bus: EventBus) -> Iterator[EventBus]:
    """Make bus the current one for the code inside the block (and the tasks it starts)."""
    token = _current.set(bus)
    try:
        yield bus
    finally:
        _current.reset(token)


class BindBus:
    """Pure ASGI middleware: every request, socket and the lifespan see the app's own bus."""

    def __init__(self, app: ASGIApp, *, bus: EventBus) -> None:
        self.app = app
        self.bus = bus

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _current.set(self.bus)  # as bound() does, without a generator per request
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
