"""Members protecting themselves: blocking a person, and who may message whom.

A block hides the blocked person's posts and messages from the blocker and stops any contact
between the two (direct messages either way, responses to each other's offers and requests).
The blocked person is never told: what they meet is the same neutral refusal a closed message
setting gives. Conversations with moderators are never refused by a block or a setting, either
way: members must be able to reach the moderators and to receive their notices.

Who blocked whom is read on many pages (every topic page, every chat history), so each person's
set is kept for a second per request-serving process and forgotten here at once on a change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from forum import events, readcache
from forum.accounts import forms
from forum.accounts.models import Block, User, UserStatus
from forum.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

BLOCKS_MAX = 1000  # bounds the set every page reads and every socket holds
# Published to the blocker alone: their open sockets stop hearing the people in `mute`.
CHANGED_EVENT = "accounts.blocks_changed"
CANNOT_MESSAGE = "cannot_message"

# (recipient_id, sender_id) -> whether the recipient has interacted with the sender; features
# above accounts register theirs at start-up (the composition root), see `have_interacted`.
Interaction = Callable[[int, int], Awaitable[bool]]
_interactions: dict[str, Interaction] = {}


# Reading: who this person blocked (cached), and whether two people are apart. ----------------


async def _load_blocked(viewer_id: int) -> frozenset[int]:
    ids = await Block.filter(blocker_id=viewer_id).values_list("blocked_id", flat=True)
    return frozenset(cast(list[int], ids))


def not_written_by(column: str, authors: frozenset[int]) -> str:
    """The SQL condition leaving out the rows whose column names one of these people."""
    if not authors:
        return "1 = 1"
    # Whole numbers from the database, written out: a list of any length, no placeholder limit.
    return f"{column} NOT IN ({','.join(str(int(i)) for i in sorted(authors))})"


async def blocked_ids(viewer: User | None) -> frozenset[int]:
    """The ids of everyone this person blocked (empty for someone signed out)."""
    return frozenset() if viewer is None else await _blocked_ids_of(viewer.id)


async def _blocked_ids_of(user_id: int) -> frozenset[int]:
    cache = readcache.active(readcache.BLOCKS)
    if cache is None:
        return await _load_blocked(user_id)
    found: frozenset[int] | None = await cache.load(user_id, lambda: _load_blocked(user_id))
    return found if found is not None else frozenset()


async def blocked_either(a_id: int, b_id: int) -> bool:
    """Whether either of these two people blocked the other."""
    return b_id in await _blocked_ids_of(a_id) or a_id in await _blocked_ids_of(b_id)


async def blocker_ids(user_id: int) -> frozenset[int]:
    """The ids of everyone who blocked this person: only to leave them out (of suggestions,
    alerts), never to show anyone."""
    ids = await Block.filter(blocked_id=user_id).values_list("blocker_id", flat=True)
    return frozenset(cast(list[int], ids))


def _forget(user_id: int) -> None:
    cache = readcache.active(readcache.BLOCKS)
    if cache is not None:
        cache.forget(lambda key, _: key == user_id)


# Blocking and unblocking. ------------------------------------------------------------------------


async def _person(username: object) -> User:
    person = None
    if isinstance(username, str) and forms.USERNAME_RE.fullmatch(username):
        person = await User.get_or_none(username_key=username.casefold(), status=UserStatus.ACTIVE)
    if person is None:
        raise NotFound("There is no one here by that name.")
    return person


async def _announce(blocker_id: int) -> None:
    muted = sorted(await _load_blocked(blocker_id))
    await events.publish(CHANGED_EVENT, events.to_user(blocker_id), mute=muted)


async def block(actor: User | None, data: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Block someone by username: (the block as a row, newly made). Blocking again is a no-op."""
    user = require_member(actor)
    errors = FieldErrors()
    values = forms.BLOCK.read(data, errors)
    errors.raise_if_any()
    person = await _person(values["username"])
    if person.id == user.id:
        raise InvalidInput(fields={"username": "You cannot block yourself."})
    found = await Block.get_or_none(blocker_id=user.id, blocked_id=person.id)
    if found is not None:
        return _row(found, person), False
    if await Block.filter(blocker_id=user.id).count() >= BLOCKS_MAX:
        raise Conflict(
            f"You have blocked {BLOCKS_MAX} people; unblock someone first.", code="too_many_blocks"
        )
    try:
        made = await Block.create(blocker_id=user.id, blocked_id=person.id)
    except IntegrityError:
        # The same block raced itself: the other request made it.
        made = await Block.get(blocker_id=user.id, blocked_id=person.id)
        return _row(made, person), False
    _forget(user.id)
    await _announce(user.id)
    return _row(made, person), True


async def unblock(actor: User | None, username: str) -> None:
    """Lift a block; 404 when there is none."""
    user = require_member(actor)
    person = await _person(username)
    removed = await Block.filter(blocker_id=user.id, blocked_id=person.id).delete()
    if not removed:
        raise NotFound("You have not blocked that person.")
    _forget(user.id)
    await _announce(user.id)


def _row(found: Block, person: User) -> dict[str, Any]:
    return {
        "id": found.id,
        "user_id": person.id,
        "username": person.username,
        "display_name": person.shown_name,
        "created_at": found.created_at,
    }


async def list_blocks(
    actor: User | None, *, cursor: str | None = None, limit: int = 100
) -> Page[dict[str, Any]]:
    """The people this person blocked, most recent first."""
    user = require_member(actor)
    after = decode_cursor(cursor, 1)
    # A deleted account has nothing left to hide and no name to unblock it by.
    query = Block.filter(blocker_id=user.id, blocked__status=UserStatus.ACTIVE)
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1).prefetch_related("blocked")
    shown = [_row(b, b.blocked) for b in rows]
    return page_of(shown, limit, lambda r: (r["id"],))


# Who may message whom. ---------------------------------------------------------------------------


def count_as_interaction(name: str, check: Interaction) -> None:
    """Register a feature's idea of two people having interacted (the composition root does)."""
    _interactions[name] = check


async def have_interacted(recipient_id: int, sender_id: int) -> bool:
    """Whether the recipient has already had something to do with the sender.

    Only what the recipient did, or a hand-off both are in, counts: a stranger cannot earn the
    right to message someone by replying to them. Each check is one small indexed query.
    """
    for check in _interactions.values():
        if await check(recipient_id, sender_id):
            return True
    return False


def cannot_message(
    recipient_id: int, blocked: frozenset[int], doing: str = "message this person"
) -> PermissionDenied:
    """The refusal: neutral for everyone but the blocker, who may be told why (they know)."""
    if recipient_id in blocked:
        return PermissionDenied("You blocked this person; unblock them first.", code=CANNOT_MESSAGE)
    return PermissionDenied(f"You can't {doing}.", code=CANNOT_MESSAGE)


async def require_not_blocked(
    sender: User, recipient: User, doing: str = "message this person"
) -> None:
    """Refuse contact between two people when either blocked the other (moderators aside)."""
    if sender.is_staff or recipient.is_staff or sender.id == recipient.id:
        return
    mine = await blocked_ids(sender)
    if recipient.id in mine or sender.id in await _blocked_ids_of(recipient.id):
        raise cannot_message(recipient.id, mine, doing)


async def require_may_message(sender: User, recipient: User) -> None:
    """Refuse a direct message the recipient's block or message setting does not accept.

    Settings: "everyone"; "interacted" (see `have_interacted`); "nobody". Moderators can
    always message a member and be messaged by one (notices, and silenced people asking).
    """
    if sender.is_staff or recipient.is_staff or sender.id == recipient.id:
        return
    await require_not_blocked(sender, recipient)
    policy = recipient.dm_policy
    if policy == "nobody" or (
        policy == "interacted" and not await have_interacted(recipient.id, sender.id)
    ):
        raise cannot_message(recipient.id, frozenset())
