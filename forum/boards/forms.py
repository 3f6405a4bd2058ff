"""Validation of board, topic and post input: shape only, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forum.boards.models import VISIBILITIES, Visibility
from forum.validation import Body, Choice, FieldErrors, Flag, Text, WholeNumber

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MIN, BODY_MAX = 1, 20_000
SLUG_MAX = 40
POSITION_MAX = 10_000
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

TITLE = Text(min_length=TITLE_MIN, max_length=TITLE_MAX)
# Leading spaces are Markdown (indented code): only trailing blank space is dropped.
BODY = Text(
    max_length=BODY_MAX, multiline=True, strip=False, description="Markdown; rendered sanitized."
)
BOARD = Body(
    {
        "slug": Text(
            max_length=SLUG_MAX,
            pattern=SLUG_RE,
            pattern_message="Use lowercase letters, digits and single hyphens, like ask-for-help.",
        ),
        "name": Text(max_length=80),
        "description": Text(required=False, max_length=500, multiline=True),
        # Absent means public; a value that is present must be one of the two, never "" or null.
        "visibility": Choice(
            VISIBILITIES,
            "Choose public or members only.",
            default=Visibility.PUBLIC.value,
            description="public: anyone reads it; members: only people signed in.",
        ),
        "position": WholeNumber(
            -POSITION_MAX,
            POSITION_MAX,
            f"Must be a whole number from -{POSITION_MAX} to {POSITION_MAX}.",
            digit_strings=True,
        ),
    }
)
BOARD_CHANGE = Body(BOARD.fields, partial=True)
NEW_TOPIC = Body({"title": TITLE, "body": BODY})
TOPIC_CHANGE = Body(
    {
        "title": Text(
            min_length=TITLE_MIN,
            max_length=TITLE_MAX,
            description="The author or a moderator may retitle.",
        ),
        "locked": Flag("Moderators only: a locked topic takes no new replies."),
        "pinned": Flag("Moderators only: pinned topics come first."),
    },
    partial=True,
)
POST = Body({"body": BODY})


def title(data: Mapping[str, Any], errors: FieldErrors) -> str:
    return TITLE.read(data, "title", errors)


def body(data: Mapping[str, Any], errors: FieldErrors) -> str:
    return BODY.read(data, "body", errors)


def board(data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False) -> dict[str, Any]:
    return (BOARD_CHANGE if partial else BOARD).read(data, errors)
