"""Who may join: sign-ups waiting for approval and single-use invitations (administrators)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from forum import clock
from forum.accounts import forms
from forum.accounts.models import Invite, User, UserStatus
from forum.accounts.services import require_admin
from forum.accounts.sessions import digest
from forum.errors import NotFound
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

INVITE_LIFETIME = timedelta(days=14)


async def pending_signups(actor: User | None) -> list[User]:
    """Everyone waiting for approval, oldest first (the sign-ups page shows them all)."""
    require_admin(actor)
    return await User.filter(status=UserStatus.PENDING).order_by("created_at", "id")


async def signup_listing(
    actor: User | None, *, cursor: str | None = None, limit: int = 20
) -> Page[User]:
    """One page of the sign-ups waiting for approval, oldest first."""
    require_admin(actor)
    after = decode_cursor(cursor, 1)
    query = User.filter(status=UserStatus.PENDING)
    if after is not None:
        query = query.filter(id__gt=cursor_id(after[0]))
    rows = await query.order_by("id").limit(limit + 1)
    return page_of(rows, limit, lambda u: (u.id,))


async def decide_signup(actor: User | None, user_id: int, *, approve: bool) -> None:
    """Approve a pending sign-up, or refuse it (which removes it)."""
    require_admin(actor)
    user = await User.get_or_none(id=user_id, status=UserStatus.PENDING)
    if user is None:
        raise NotFound("That sign-up is no longer waiting.")
    if approve:
        await User.filter(id=user.id).update(status=UserStatus.ACTIVE)
    else:
        await user.delete()


async def create_invite(actor: User | None, note: object = "") -> tuple[str, Invite]:
    """A single-use invitation code, valid for two weeks; the code is shown once."""
    creator = require_admin(actor)
    errors = FieldErrors()
    values = forms.INVITE_NOTE.read({"note": note}, errors)
    errors.raise_if_any()
    code = secrets.token_urlsafe(16)
    invite = await Invite.create(
        code_hash=digest(code),
        created_by=creator,
        note=values["note"],
        expires_at=clock.now() + INVITE_LIFETIME,
    )
    return code, invite


async def list_invites(actor: User | None) -> list[Invite]:
    """The fifty latest invitations, for the sign-ups page."""
    require_admin(actor)
    return await Invite.all().order_by("-created_at").limit(50).select_related("used_by")


async def invite_listing(
    actor: User | None, *, cursor: str | None = None, limit: int = 20
) -> Page[Invite]:
    """One page of the invitations made, newest first."""
    require_admin(actor)
    after = decode_cursor(cursor, 1)
    query = Invite.all()
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1).select_related("used_by")
    return page_of(rows, limit, lambda i: (i.id,))
