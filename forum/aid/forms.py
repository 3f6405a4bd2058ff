"""Validation of offers, requests, responses, vocabularies and alerts: shape only, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from forum.aid.models import AidKind, AidStatus, Urgency
from forum.validation import FieldErrors, choice, flag, text

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


def title(data: Mapping[str, Any], errors: FieldErrors) -> str:
    value = text(data, "title", errors, max_length=TITLE_MAX)
    if value and len(value) < TITLE_MIN:
        errors.add("title", f"Use at least {TITLE_MIN} characters.")
    return value


def markdown(data: Mapping[str, Any], name: str, errors: FieldErrors, max_length: int) -> str:
    # Leading spaces are Markdown (indented code): only trailing blank space is dropped.
    value = text(data, name, errors, max_length=max_length, multiline=True, strip=False)
    if value and not value.strip():
        errors.add(name, "This field is required.")
    return value.rstrip()


def slug_field(data: Mapping[str, Any], name: str, errors: FieldErrors) -> str:
    """A vocabulary slug as sent; whether it names a real entry is the service's question."""
    value = text(data, name, errors, max_length=SLUG_MAX)
    if value and not SLUG_RE.fullmatch(value):
        errors.add(name, "Choose one from the list.")
    return value


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
    """The fields of an offer or request that were sent (all required ones when not partial)."""
    values: dict[str, Any] = {}
    if not partial:
        values["kind"] = choice(data, "kind", KINDS, errors, "Choose an offer or a request.")
    if not partial or "title" in data:
        values["title"] = title(data, errors)
    if not partial or "body" in data:
        values["body"] = markdown(data, "body", errors, BODY_MAX)
    for name in ("category", "area"):
        if not partial or name in data:
            values[name] = slug_field(data, name, errors)
    if not partial or "urgency" in data:
        values["urgency"] = choice(
            data, "urgency", URGENCIES, errors, "Choose low, normal or urgent.", default="normal"
        )
    if "show_name" in data:
        shown = _form_flag(data, "show_name", errors)
        if shown is not None:
            values["show_name"] = shown
    return values


def _form_flag(data: Mapping[str, Any], name: str, errors: FieldErrors) -> bool | None:
    """JSON true/false, or a checkbox's "true"/"false"/"on" from a form."""
    raw = data.get(name)
    if isinstance(raw, str) and raw in ("true", "false", "on"):
        return raw != "false"
    return flag(data, name, errors)


def vocabulary(
    data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if not partial or "slug" in data:
        slug = text(data, "slug", errors, max_length=SLUG_MAX)
        if slug and not SLUG_RE.fullmatch(slug):
            errors.add("slug", "Use lowercase letters, digits and single hyphens, like meals.")
        values["slug"] = slug
    if not partial or "name" in data:
        values["name"] = text(data, "name", errors, max_length=NAME_MAX)
    return values


def listing_filters(query: Mapping[str, Any], errors: FieldErrors) -> dict[str, str]:
    """The list's filters and sort, each optional; an unknown value is an error, not ignored."""
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
