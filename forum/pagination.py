"""Opaque cursors for keyset pagination, shared by every list."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from forum.errors import BadRequest
from forum.validation import whole_number

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The values a cursor carries, or None for the first page; BadRequest if it was forged."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise _invalid() from None
    if not isinstance(values, list) or len(values) != size:
        raise _invalid()
    return values


def cursor_id(value: Any) -> int:
    """An id carried in a cursor, checked: a forged one must not overflow an SQL integer."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise _invalid()
    return value


def _invalid() -> BadRequest:
    return BadRequest("That page link is not valid.", code="invalid_cursor")


def cursor_time(raw: object) -> datetime:
    """A moment carried in a cursor, in UTC; a forged one is a 400, never an overflow."""
    if not isinstance(raw, str):
        raise _invalid()
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError
        # "0001-01-01T00:00:00+14:00" parses, then overflows when moved to UTC.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _invalid() from None


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], Sequence[Any]]) -> Page[T]:
    """The first limit rows of limit + 1 fetched, and a cursor after the last when more follow."""
    more = len(rows) > limit
    kept = rows[:limit]
    return Page(kept, encode_cursor(*key(kept[-1])) if more and kept else None)


def clamp_limit(raw: str | int | None, default: int = DEFAULT_LIMIT) -> int:
    """Limits above the maximum are capped; nonsense is an error, not a silent default."""
    if raw is None or raw == "":
        return default
    limit = whole_number(raw)
    if limit is None:
        raise BadRequest("limit must be a whole number.", code="invalid_limit")
    if limit < 1:
        raise BadRequest("limit must be at least 1.", code="invalid_limit")
    return min(limit, MAX_LIMIT)
