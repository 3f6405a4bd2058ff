"""Opaque cursors for keyset pagination, shared by every list."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from forum.errors import BadRequest

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
        raise BadRequest("That page link is not valid.", code="invalid_cursor") from None
    if not isinstance(values, list) or len(values) != size:
        raise BadRequest("That page link is not valid.", code="invalid_cursor")
    return values


def cursor_id(value: Any) -> int:
    """An id carried in a cursor, checked: a forged one must not overflow an SQL integer."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise BadRequest("That page link is not valid.", code="invalid_cursor")
    return value


def clamp_limit(raw: str | int | None, default: int = DEFAULT_LIMIT) -> int:
    """Limits above the maximum are capped; nonsense is an error, not a silent default."""
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise BadRequest("limit must be a whole number.", code="invalid_limit") from None
    if limit < 1:
        raise BadRequest("limit must be at least 1.", code="invalid_limit")
    return min(limit, MAX_LIMIT)
