"""Validation of board, topic and post input: shape only, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forum.boards.models import VISIBILITIES, Visibility
from forum.validation import FieldErrors, choice, text, whole_number

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MIN, BODY_MAX = 1, 20_000
SLUG_MAX = 40
POSITION_MAX = 10_000
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def title(data: Mapping[str, Any], errors: FieldErrors) -> str:
    value = text(data, "title", errors, max_length=TITLE_MAX)
    if value and len(value) < TITLE_MIN:
        errors.add("title", f"Use at least {TITLE_MIN} characters.")
    return value


def body(data: Mapping[str, Any], errors: FieldErrors) -> str:
    # Leading spaces are Markdown (indented code): only trailing blank space is dropped.
    value = text(data, "body", errors, max_length=BODY_MAX, multiline=True, strip=False)
    if value and not value.strip():
        errors.add("body", "This field is required.")
    return value.rstrip()


def board(data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if not partial or "slug" in data:
        slug = text(data, "slug", errors, max_length=SLUG_MAX)
        if slug and not SLUG_RE.fullmatch(slug):
            errors.add(
                "slug", "Use lowercase letters, digits and single hyphens, like ask-for-help."
            )
        values["slug"] = slug
    if not partial or "name" in data:
        values["name"] = text(data, "name", errors, max_length=80)
    if not partial or "description" in data:
        values["description"] = text(
            data, "description", errors, required=False, max_length=500, multiline=True
        )
    if "visibility" in data or not partial:
        # Absent means public; a value that is present must be one of the two, never "" or null.
        values["visibility"] = choice(
            data,
            "visibility",
            VISIBILITIES,
            errors,
            "Choose public or members only.",
            default=Visibility.PUBLIC.value,
        )
    if "position" in data:
        position = whole_number(data["position"])
        if position is None or abs(position) > POSITION_MAX:
            errors.add(
                "position", f"Must be a whole number from -{POSITION_MAX} to {POSITION_MAX}."
            )
        else:
            values["position"] = position
    return values
