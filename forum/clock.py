"""The one place that reads the time: always timezone-aware UTC, and settable for tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

# A fixed "now" for this context and the tasks it starts: how tests drive time-based work
# (the aid expiry task) without sleeping. Unset in production.
_fixed: ContextVar[datetime | None] = ContextVar("porchlight_fixed_now", default=None)


def now() -> datetime:
    return _fixed.get() or datetime.now(UTC)


@contextlib.contextmanager
def fixed_at(moment: datetime) -> Iterator[None]:
    """Make now() answer moment inside the block (tasks started inside inherit it)."""
    if moment.tzinfo is None:
        raise ValueError("a fixed time must be timezone-aware")
    token = _fixed.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed.reset(token)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the API promises."""
    if moment is None:
        return None
    # isoformat is about twice as fast as strftime, and a page of posts needs dozens of these.
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
