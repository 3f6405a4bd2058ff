"""Validation of offers, requests, responses, vocabularies and alerts: shape only, no database."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from forum.aid.models import AidKind, AidStatus, Urgency
from forum.validation import Body, Choice, Field, FieldErrors, Flag, Text, WholeNumber, choice

TITLE_MIN, TITLE_MAX = 3, 120
BODY_MAX = 10_000
MESSAGE_MAX = 2_000
THANKS_MAX = 2_000
SLUG_MAX, NAME_MAX = 40, 80
DEFAULT_LIFETIME = timedelta(days=14)
MAX_LIFETIME = timedelta(days=90)
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KINDS = tuple(k.value for k in AidKind)
STATUSES = tuple(s.value for s in AidStatus)
URGENCIES = tuple(u.value for u in Urgency)
SORTS = ("newest", "urgent", "expiring")

# The fields each request carries: one declaration validates them (for the pages and the API
# alike) and gives their JSON Schema to the OpenAPI document.
TITLE = Text(min_length=TITLE_MIN, max_length=TITLE_MAX)


def markdown_text(max_length: int, description: str = "Markdown; rendered sanitized.") -> Text:
    # Leading spaces are Markdown (indented code): only trailing blank space is dropped.
    return Text(max_length=max_length, multiline=True, strip=False, description=description)


def slug(description: str, *, required: bool = True) -> Text:
    """A vocabulary slug as sent; whether it names a real entry is the service's question."""
    return Text(
        max_length=SLUG_MAX,
        required=required,
        pattern=SLUG_RE,
        pattern_message="Choose one from the list.",
        description=description,
    )


CATEGORY = slug("A category's slug (GET /api/v1/aid/categories).")
AREA = slug("An area's slug (GET /api/v1/areas).")
# Read as text here; what moment it names, and whether that is in range, is expires_at()'s.
EXPIRES_AT = Text(
    required=False,
    max_length=40,
    description=(
        "A date (2026-11-24: the end of that day, UTC) or a moment with its offset"
        " (2026-11-24T18:00:00Z), after now and at most 90 days ahead. Absent: 14 days."
    ),
)
_AID_FIELDS: dict[str, Field] = {
    "title": TITLE,
    "body": markdown_text(BODY_MAX),
    "category": CATEGORY,
    "area": AREA,
    "urgency": Choice(URGENCIES, "Choose low, normal or urgent.", default="normal"),
    "show_name": Flag(
        "false: only the owner and moderators see who posted it (default true).", checkbox=True
    ),
    "expires_at": EXPIRES_AT,
}
AID = Body(
    {
        "kind": Choice(KINDS, "Choose an offer or a request."),
        **_AID_FIELDS,
    }
)
AID_CHANGE = Body(_AID_FIELDS, partial=True)
STATUS = Body(
    {
        "status": Choice(
            STATUSES,
            "Unknown status.",
            description=(
                "withdrawn (owner), fulfilled (either of the two people once matched) or open"
                " (renew); matched and expired come only from accepting and from time: 409."
            ),
        )
    }
)
RENEW = Body({"expires_at": EXPIRES_AT})
THANKS = Body({"thank_you": markdown_text(THANKS_MAX, "Markdown; shown on the gratitude page.")})
RESPONSE = Body({"message": markdown_text(MESSAGE_MAX, "Markdown; opens the hand-off room.")})
VOCABULARY = Body(
    {
        "slug": Text(
            max_length=SLUG_MAX,
            pattern=SLUG_RE,
            pattern_message="Use lowercase letters, digits and single hyphens, like meals.",
        ),
        "name": Text(max_length=NAME_MAX),
    }
)
POSITION_MAX = 999
VOCABULARY_CHANGE = Body(
    {
        **VOCABULARY.fields,
        "position": WholeNumber(
            0,
            POSITION_MAX,
            f"Give a place in the list from 0 to {POSITION_MAX}.",
            description=(
                "The entry's place in the list, 0 first; the others shift to make room"
                " (past the end: last)."
            ),
        ),
    },
    partial=True,
)
DIRECTIONS = ("up", "down")
MOVE = Body({"direction": Choice(DIRECTIONS, "Choose up or down.")})
ALERT = Body(
    {
        # A form's "both" sends the empty string.
        "kind": Choice(
            ("", *KINDS),
            "Choose offers, requests or both.",
            default="",
            description="offer or request; empty or absent: both.",
        ),
        "category": slug("Watch this category (empty or absent: any).", required=False),
        "area": slug("Watch this area (empty or absent: any).", required=False),
    }
)


def slug_field(data: Mapping[str, Any], name: str, errors: FieldErrors) -> str:
    """A vocabulary slug as sent; whether it names a real entry is the service's question."""
    return CATEGORY.read(data, name, errors)


def expires_at(
    data: Mapping[str, Any], errors: FieldErrors, now: datetime, *, required: bool = False
) -> datetime | None:
    """A moment after now and at most 90 days ahead; a plain date means the end of that day.

    Absent gives None (the caller uses the default lifetime).
    """
    raw = data.get("expires_at")
    if raw is None or raw == "":
        if required:
            errors.add("expires_at", "This field is required.")
        return None
    moment = _moment(raw)
    if moment is None:
        errors.add("expires_at", "Give a date like 2026-11-24 or a time like 2026-11-24T18:00:00Z.")
        return None
    if moment <= now:
        errors.add("expires_at", "Choose a time in the future.")
    elif moment > now + MAX_LIFETIME:
        errors.add("expires_at", f"Choose a time at most {MAX_LIFETIME.days} days from now.")
    return moment


def _moment(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw.isascii() or len(raw) > 40:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(23, 59, 59), tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            return None
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def aid(data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False) -> dict[str, Any]:
    """The fields of an offer or request that were sent (all required ones when not partial).

    expires_at is left out: expires_at() reads it against the clock.
    """
    values = (AID_CHANGE if partial else AID).read(data, errors)
    values.pop("expires_at", None)
    return values


def vocabulary(
    data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False
) -> dict[str, Any]:
    return (VOCABULARY_CHANGE if partial else VOCABULARY).read(data, errors)


_LISTING_NAMES = ("kind", "status", "urgency", "category", "area", "sort")


def listing_filters(query: Mapping[str, Any], errors: FieldErrors) -> dict[str, str]:
    """The list's filters and sort, each optional; an unknown value is an error, not ignored."""
    sent = tuple((name, query.get(name)) for name in _LISTING_NAMES)
    if all(value is None or (type(value) is str and len(value) <= 64) for _, value in sent):
        valid = _valid_listing_filters(sent)  # a board's few filter sets, each read once
        if valid is not None:
            return dict(valid)
    return _listing_filters(query, errors)


@functools.lru_cache(maxsize=256)
def _valid_listing_filters(
    sent: tuple[tuple[str, str | None], ...],
) -> tuple[tuple[str, str], ...] | None:
    errors = FieldErrors()
    chosen = _listing_filters(dict(sent), errors)
    return None if errors.errors else tuple(chosen.items())


def _listing_filters(query: Mapping[str, Any], errors: FieldErrors) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for name, choices in (("kind", KINDS), ("status", STATUSES), ("urgency", URGENCIES)):
        if query.get(name):
            chosen[name] = choice(query, name, choices, errors, f"Unknown {name}.")
    for name in ("category", "area"):
        if query.get(name):
            chosen[name] = slug_field(query, name, errors)
    chosen["sort"] = choice(
        {k: v for k, v in query.items() if v},
        "sort",
        SORTS,
        errors,
        "Unknown sort.",
        default="newest",
    )
    return chosen
