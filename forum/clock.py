"""The one place that reads the time: always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the API promises."""
    if moment is None:
        return None
    # isoformat is about twice as fast as strftime, and a page of posts needs dozens of these.
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
