"""Domain events: services publish after commit; subscribers in this process react to them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Subscriber = Callable[[str, Mapping[str, Any]], None]


class EventBus:
    """Delivers each event to the subscribers whose prefix it starts with, in this process.

    Subscribers run inline and must be quick and never raise: they update caches or hand the
    event to a fan-out (a WebSocket hub, a Redis channel), they do not do the work themselves.
    """

    def __init__(self) -> None:
        self._subscribers: list[tuple[str, Subscriber]] = []

    def subscribe(self, prefix: str, subscriber: Subscriber) -> None:
        self._subscribers.append((prefix, subscriber))

    def publish(self, name: str, **data: Any) -> None:
        for prefix, subscriber in self._subscribers:
            if name.startswith(prefix):
                subscriber(name, data)


# Replaced at start-up by the composition root with the app's own bus.
bus = EventBus()


def configure(new_bus: EventBus) -> None:
    global bus
    bus = new_bus


def publish(name: str, **data: Any) -> None:
    """Announce something that has happened (name like "boards.post_created"), after commit."""
    bus.publish(name, **data)
