"""Moderators' notes on a person: private to staff, for the moderators who come after.

Notes are not written to the moderation log: a note changes nothing for the person, and the
public log would tell everyone that moderators keep notes on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.accounts.services import require_staff
from forum.validation import FieldErrors
from moderation import sanction_forms
from moderation.models import Note


def note_row(note: Note, author: User | None) -> dict[str, Any]:
    return {
        "id": note.id,
        "body": note.body,
        "created_at": note.created_at,
        "author": (
            {"id": author.id, "username": author.username, "display_name": author.shown_name}
            if author is not None
            else None
        ),
    }


async def notes_about(actor: User | None, username: str) -> list[dict[str, Any]]:
    """Every note on this person, newest first (moderators only)."""
    require_staff(actor)
    person = await accounts.get_user(username)
    notes = await Note.filter(about_id=person.id).order_by("-created_at", "-id")
    authors = {
        u.id: u
        for u in await User.filter(id__in={n.author_id for n in notes if n.author_id is not None})
    }
    return [note_row(n, authors.get(n.author_id or 0)) for n in notes]


async def add_note(actor: User | None, username: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Write a note on this person (moderators only)."""
    moderator = require_staff(actor)
    errors = FieldErrors()
    body = sanction_forms.NOTE.read(data, errors).get("body", "")
    errors.raise_if_any()
    person = await accounts.get_user(username)
    note = await Note.create(about_id=person.id, author_id=moderator.id, body=body)
    return note_row(note, moderator)
