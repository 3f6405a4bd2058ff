"""A person's standing: whether they may write now, and whether they may be signed in at all.

Moderation decides it (its sanctions call the setters here); every feature service checks it
before it writes, without importing moderation. Both states carry their end: a silence or a
suspension lifts itself when the time passes, and `FOREVER` is a ban or an open-ended silence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from forum import clock, events
from forum.accounts import sessions
from forum.accounts.models import Session, User
from forum.errors import WriteRefused
from forum.localtime import full

# The end of a sanction that has none: far enough to outlive the community, still a datetime.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)

# Published to the person's own channel when their sessions end: every worker closes their sockets.
SUSPENDED_EVENT = "account.suspended"
_UTC = ZoneInfo("UTC")

# Why someone is suspended, in the moderator's words: moderation's sanctions know it, and
# accounts may not ask them, so the composition root hands the question over at start-up.
SuspensionReason = Callable[[int], Awaitable[str]]
_suspension_reason: SuspensionReason | None = None


def _in_force(until: datetime | None, now: datetime | None = None) -> bool:
    return until is not None and until > (now or clock.now())


def is_silenced(user: User | None, now: datetime | None = None) -> bool:
    return user is not None and _in_force(user.silenced_until, now)


def is_suspended(user: User | None, now: datetime | None = None) -> bool:
    return user is not None and _in_force(user.suspended_until, now)


def until_text(until: datetime) -> str:
    """How a sanction's end reads to the person: a date, or that it has none."""
    if until >= FOREVER:
        return "until a moderator lifts it"
    return f"until {full(until, _UTC)}"


def explain_suspensions(reason_of: SuspensionReason | None) -> None:
    """Install (the app, at start-up) what tells a suspended person why, when they sign in."""
    global _suspension_reason
    _suspension_reason = reason_of


async def suspension_message(user: User) -> str:
    """What sign-in tells a suspended person: until when, and why when moderation says."""
    message = f"Your account is suspended {until_text(user.suspended_until or FOREVER)}."
    if _suspension_reason is not None:
        reason = await _suspension_reason(user.id)
        if reason:
            message += f" Reason: {reason}"
    return message


def require_voice(actor: User) -> None:
    """Refuse a write from a silenced person (403, code `silenced`), saying until when.

    Call it in every service that creates or changes content a person wrote: posts, topics,
    edits, aid posts and responses, chat and direct messages. Messaging the moderators stays open.
    """
    if is_silenced(actor):
        raise WriteRefused(
            f"You can read but not post {until_text(actor.silenced_until)}."  # type: ignore[arg-type]
            " You can still message the moderators.",
            code="silenced",
        )


async def set_silenced(user_id: int, until: datetime | None) -> None:
    """Silence until a time (FOREVER for no end), or lift the silence with None."""
    await User.filter(id=user_id).update(silenced_until=until)
    sessions.forget_user(user_id)


async def set_suspended(user_id: int, until: datetime | None) -> None:
    """Suspend until a time (FOREVER is a ban), or lift it with None.

    A suspension ends every session and token at once and tells every worker (through the
    person's own channel) to close their open sockets.
    """
    await User.filter(id=user_id).update(suspended_until=until)
    if until is not None:
        await Session.filter(user_id=user_id).delete()
        await events.publish(SUSPENDED_EVENT, events.to_user(user_id), until=until.isoformat())
    sessions.forget_user(user_id)
