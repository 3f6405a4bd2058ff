"""Sanctions: warn, silence, suspend or ban a person, with a reason and an optional end.

A sanction is a row here and a change of standing in forum.accounts (silenced_until,
suspended_until), which every feature checks without knowing moderation. The standing columns
hold the latest end among a person's sanctions in force, so lifting one sanction keeps what the
others still impose. Every imposition, lift and expiry is logged and told to the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from forum import clock, database, localtime, readcache
from forum.accounts import services as accounts
from forum.accounts import standing
from forum.accounts.models import User
from forum.accounts.services import require_staff
from forum.errors import Conflict, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors
from moderation import log, sanction_forms
from moderation.models import Appeal, Sanction, SanctionKind

MY_SANCTIONS_URL = "/me/sanctions"
# The per-process cache of what each person's pages must show (see notices_for).
NOTICES_CACHE = "moderation.notices"
_SUSPENDING = (SanctionKind.SUSPEND.value, SanctionKind.BAN.value)
_NO_END = (SanctionKind.WARN.value, SanctionKind.BAN.value)
UTC_ZONE = ZoneInfo("UTC")
NOUNS = {"warn": "warning", "silence": "silence", "suspend": "suspension", "ban": "ban"}


class State(StrEnum):
    ACTIVE = "active"
    LIFTED = "lifted"  # a moderator lifted it, or an appeal overturned it
    EXPIRED = "expired"  # its end passed


def state_of(sanction: Sanction, now: datetime | None = None) -> State:
    """Computed on every read: a sanction whose end has passed shows expired at once, before
    the expiry task has written it down."""
    now = now or clock.now()
    ends, lifted = sanction.ends_at, sanction.lifted_at
    if ends is not None and ends <= now and (lifted is None or lifted >= ends):
        return State.EXPIRED
    if lifted is not None:
        return State.LIFTED
    return State.ACTIVE


def may_sanction(actor: User | None, person: User) -> bool:
    """Staff sanction members; only an administrator sanctions a moderator; nobody sanctions
    an administrator (change their role first) or themselves."""
    if actor is None or not actor.is_staff or actor.id == person.id or person.is_admin:
        return False
    return actor.is_admin or not person.is_staff


def _told(kind: str, reason: str, ends_at: datetime | None) -> str:
    end = standing.until_text(ends_at or standing.FOREVER)
    what = {
        SanctionKind.WARN: "A moderator has warned you",
        SanctionKind.SILENCE: f"You are silenced {end}: you can read but not post",
        SanctionKind.SUSPEND: f"Your account is suspended {end}",
        SanctionKind.BAN: "Your account is banned",
    }[SanctionKind(kind)]
    return f"{what}. Reason: {reason}"


def read_sanction(data: Mapping[str, Any]) -> tuple[str, str, int | None]:
    """kind, reason and hours from a body, or InvalidInput naming each bad field."""
    errors = FieldErrors()
    values = sanction_forms.SANCTION.read(data, errors)
    kind, hours = values.get("kind", ""), values.get("hours")
    if kind in _NO_END and hours is not None:
        ending = "A warning has no end" if kind == SanctionKind.WARN else "A ban has no end"
        errors.add("hours", f"{ending}; leave hours out (or suspend for a time).")
    errors.raise_if_any()
    return kind, values["reason"], hours


async def impose(actor: User | None, username: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Sanction a person: logged, told to them at once, and in force on every worker."""
    moderator = require_staff(actor)
    kind, reason, hours = read_sanction(data)
    person = await accounts.get_user(username)
    if not may_sanction(moderator, person):
        raise PermissionDenied("You cannot sanction this person.", code="cannot_sanction")
    ends_at = clock.now() + timedelta(hours=hours) if hours else None
    async with database.transaction():
        sanction = await Sanction.create(
            user_id=person.id,
            kind=kind,
            reason=reason,
            created_by_id=moderator.id,
            ends_at=ends_at,
        )
        await log.record(moderator, kind, "user", person.id, reason)
        # Told before a suspension ends their sessions: the open socket hears it first.
        await notifications.notify(
            [person.id], "moderation.sanction", _told(kind, reason, ends_at), MY_SANCTIONS_URL
        )
        await _restore_standing(person.id, kind, imposing=True)
    forget_notices(person.id)
    return await sanction_row(sanction, staff=True)


async def lift(
    actor: User | None, sanction_id: int, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Lift a sanction in force (409 once lifted or expired), with an optional reason in data;
    the person is told."""
    moderator = require_staff(actor)
    errors = FieldErrors()
    reason: str = sanction_forms.LIFT.read(data or {}, errors).get("reason", "")
    errors.raise_if_any()
    sanction = await Sanction.get_or_none(id=sanction_id)
    if sanction is None:
        raise NotFound("That sanction does not exist.")
    person = await User.get(id=sanction.user_id)
    if not may_sanction(moderator, person):
        raise PermissionDenied("You cannot lift this person's sanction.", code="cannot_sanction")
    async with database.transaction():
        await end_sanction(moderator, sanction, "lift", reason)
    forget_notices(sanction.user_id)  # again after the commit: no read in between keeps the old
    return await sanction_row(await Sanction.get(id=sanction.id), staff=True)


async def end_sanction(
    actor: User, sanction: Sanction, action: str, reason: str, *, tell: bool = True
) -> None:
    """Lift it now (inside the caller's transaction): logged, told, standing restored."""
    now = clock.now()
    if state_of(sanction, now) is not State.ACTIVE:
        raise Conflict("That sanction is no longer in force.", code="not_in_force")
    ended = await Sanction.filter(id=sanction.id, lifted_at=None).update(
        lifted_at=now, lifted_by_id=actor.id
    )
    if not ended:
        raise Conflict("That sanction was lifted meanwhile.", code="not_in_force")
    await log.record(actor, action, "user", sanction.user_id, reason or f"sanction {sanction.id}")
    if tell:
        await notifications.notify(
            [sanction.user_id],
            "moderation.sanction_lifted",
            f"A moderator lifted your {NOUNS[sanction.kind]}"
            f" of {localtime.day(sanction.created_at, UTC_ZONE)}.",
            MY_SANCTIONS_URL,
        )
    await _restore_standing(sanction.user_id, sanction.kind)
    forget_notices(sanction.user_id)


async def _restore_standing(user_id: int, kind: str, *, imposing: bool = False) -> None:
    """Set the standing column of this kind to the latest end among sanctions in force."""
    if kind == SanctionKind.WARN:
        return
    kinds = _SUSPENDING if kind in _SUSPENDING else (SanctionKind.SILENCE.value,)
    now = clock.now()
    ends = [
        row["ends_at"] or standing.FOREVER
        for row in await Sanction.filter(user_id=user_id, kind__in=kinds, lifted_at=None).values(
            "ends_at"
        )
        if row["ends_at"] is None or row["ends_at"] > now
    ]
    until = max(ends) if ends else None
    if kind == SanctionKind.SILENCE:
        await standing.set_silenced(user_id, until)
        return
    current = await User.filter(id=user_id).values_list("suspended_until", flat=True)
    # A new suspension always ends the sessions; a lift touches standing only when it changes.
    if imposing or (current and current[0] != until):
        await standing.set_suspended(user_id, until)


async def acknowledge(actor: User | None, sanction_id: int) -> dict[str, Any]:
    """The person has read their warning: its notice leaves their pages."""
    user = require_member(actor)
    sanction = await Sanction.get_or_none(id=sanction_id, user_id=user.id)
    if sanction is None:
        raise NotFound("That sanction does not exist.")
    if sanction.kind != SanctionKind.WARN:
        raise Conflict("Only a warning needs acknowledging.", code="not_a_warning")
    await Sanction.filter(id=sanction.id, acknowledged_at=None).update(acknowledged_at=clock.now())
    forget_notices(user.id)
    return await sanction_row(await Sanction.get(id=sanction.id))


# Reading -------------------------------------------------------------------------------------


def appeal_row(appeal: Appeal | None) -> dict[str, Any] | None:
    if appeal is None:
        return None
    return {
        "id": appeal.id,
        "status": appeal.status,
        "message": appeal.message,
        "created_at": appeal.created_at,
        "decided_at": appeal.decided_at,
        "decision_reason": appeal.decision_reason,
    }


async def sanction_row(
    sanction: Sanction, *, staff: bool = False, appeal: Appeal | None = None, fetched: bool = False
) -> dict[str, Any]:
    """A sanction as pages and the API show it; staff also see who imposed and lifted it."""
    if not fetched:
        appeal = await Appeal.get_or_none(sanction_id=sanction.id)
    state = state_of(sanction)
    row: dict[str, Any] = {
        "id": sanction.id,
        "user_id": sanction.user_id,
        "kind": sanction.kind,
        "reason": sanction.reason,
        "created_at": sanction.created_at,
        "ends_at": sanction.ends_at,
        # Expiry is the end passing; lifted_at names only a moderator's (or an appeal's) lift.
        "lifted_at": sanction.lifted_at if state is State.LIFTED else None,
        "acknowledged_at": sanction.acknowledged_at,
        "state": state.value,
        "appeal": appeal_row(appeal),
        "can_appeal": appeal is None and state is not State.LIFTED,
        "needs_acknowledging": sanction.kind == SanctionKind.WARN
        and sanction.acknowledged_at is None
        and state is State.ACTIVE,
    }
    if staff:
        person = await _author(sanction.user_id)
        row["username"] = person["username"] if person else ""
        row["created_by"] = await _author(sanction.created_by_id)
        row["lifted_by"] = await _author(sanction.lifted_by_id) if row["lifted_at"] else None
    return row


async def _author(user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = await User.get_or_none(id=user_id)
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.shown_name}


async def _rows(user_id: int, *, staff: bool) -> list[dict[str, Any]]:
    sanctions = await Sanction.filter(user_id=user_id).order_by("-created_at", "-id")
    appeals = {
        a.sanction_id: a for a in await Appeal.filter(sanction_id__in=[s.id for s in sanctions])
    }
    return [
        await sanction_row(s, staff=staff, appeal=appeals.get(s.id), fetched=True)
        for s in sanctions
    ]


async def my_sanctions(actor: User | None) -> list[dict[str, Any]]:
    """The person's own sanctions, newest first, with each appeal and its outcome."""
    user = require_member(actor)
    return await _rows(user.id, staff=False)


async def sanctions_of(actor: User | None, username: str) -> tuple[User, list[dict[str, Any]]]:
    """A person's sanctions for a moderator, newest first (past ones with their state)."""
    require_staff(actor)
    person = await accounts.get_user(username)
    return person, await _rows(person.id, staff=True)


async def suspension_in_force(user_id: int) -> Sanction | None:
    """The suspension (or ban) in force the longest, if any: the one sign-in explains."""
    now = clock.now()
    rows = [
        s
        for s in await Sanction.filter(user_id=user_id, kind__in=_SUSPENDING, lifted_at=None)
        if state_of(s, now) is State.ACTIVE
    ]
    return max(rows, key=lambda s: s.ends_at or standing.FOREVER) if rows else None


async def suspension_reason(user_id: int) -> str:
    """What sign-in says of a suspension: the moderator's reason (the port accounts asks)."""
    found = await suspension_in_force(user_id)
    return found.reason if found is not None else ""


# The notices on every page ------------------------------------------------------------------


async def notices_for(user: User) -> tuple[dict[str, Any], ...]:
    """What this person's pages must show: unacknowledged warnings, and a silence in force.

    Read on every signed-in page, so kept per process for a second (as sessions are), and only
    the silence's reason is looked up when the User row already says a silence is in force.
    """
    silenced = standing.is_silenced(user)
    cache = readcache.active(NOTICES_CACHE)
    key = (user.id, silenced)
    if cache is None:
        return await _notices(user, silenced)
    found: tuple[dict[str, Any], ...] | None = await cache.load(
        key, lambda: _notices(user, silenced)
    )
    return found or ()


async def _notices(user: User, silenced: bool) -> tuple[dict[str, Any], ...]:
    kinds = [SanctionKind.WARN.value] + ([SanctionKind.SILENCE.value] if silenced else [])
    now = clock.now()
    found: list[dict[str, Any]] = []
    silence: dict[str, Any] | None = None
    until = user.silenced_until or standing.FOREVER
    for s in await Sanction.filter(user_id=user.id, kind__in=kinds, lifted_at=None).order_by(
        "created_at", "id"
    ):
        if state_of(s, now) is not State.ACTIVE:
            continue
        if s.kind == SanctionKind.WARN and s.acknowledged_at is None:
            found.append({"id": s.id, "kind": s.kind, "text": _told(s.kind, s.reason, None)})
        elif s.kind == SanctionKind.SILENCE:
            # One notice, with the newest reason and the end the standing column holds.
            silence = {"id": s.id, "kind": s.kind, "text": _told(s.kind, s.reason, until)}
    if silenced and silence is None:
        text = f"You can read but not post {standing.until_text(until)}."
        silence = {"id": 0, "kind": SanctionKind.SILENCE.value, "text": text}
    return (*found, silence) if silence is not None else tuple(found)


def forget_notices(user_id: int) -> None:
    """This process shows a change of someone's notices on their very next page."""
    cache = readcache.active(NOTICES_CACHE)
    if cache is not None:
        cache.forget(lambda key, _: isinstance(key, tuple) and key[0] == user_id)
