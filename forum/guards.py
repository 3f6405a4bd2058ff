"""The member guard every feature shares: an action that needs someone signed in."""

from __future__ import annotations

from typing import TypeVar

from forum.errors import NotAuthenticated

Person = TypeVar("Person")


def require_member(actor: Person | None) -> Person:
    """The signed-in person, or NotAuthenticated (401, or the sign-in page for a browser)."""
    if actor is None:
        raise NotAuthenticated()
    return actor
