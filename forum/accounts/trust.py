"""Trust levels and the one screen every write passes: standing, new-member limits, content.

Level 0 is a new account: it cannot start direct messages (except with moderators), may put at
most 2 links in a post, topic or offer, at most 5 items on its first day, and its first 2 posts
wait for a moderator. It rises to level 1 by itself (checked when it writes) once the account is
a day old, has 3 visible posts and has no report upheld or open against it. Staff are exempt.

Counting a person's posts means reading the features' tables, which this layer may not import:
each feature registers its counter here (`counts_activity`) when its services module loads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from forum import clock
from forum.accounts import standing
from forum.accounts.models import User
from forum.accounts.sessions import forget_user
from forum.content import screening
from forum.content import services as content
from forum.errors import InvalidInput, WriteRefused

NEW, MEMBER = 0, 1
TRUST_LEVELS = (0, 1, 2, 3, 4)
LINKS_MAX = 2
FIRST_DAY = timedelta(days=1)
FIRST_DAY_ITEMS = 5
HELD_FIRST = 2
PROMOTION_AGE = timedelta(days=1)
PROMOTION_POSTS = 3


@dataclass(frozen=True)
class Activity:
    total: int  # items ever written (posts, topics' first posts, offers and requests)
    since: int  # of those, written after the moment asked about
    visible: int  # of those, visible now


ActivityCounter = Callable[[int, datetime], Awaitable[Activity]]
_counters: list[ActivityCounter] = []


def counts_activity(counter: ActivityCounter) -> ActivityCounter:
    """Register a feature's counter of a person's items (a decorator, used at import)."""
    if counter not in _counters:
        _counters.append(counter)
    return counter


async def activity(user_id: int, since: datetime) -> Activity:
    total = recent = visible = 0
    for counter in _counters:
        found = await counter(user_id, since)
        total, recent, visible = total + found.total, recent + found.since, visible + found.visible
    return Activity(total, recent, visible)


def is_new(actor: User | None) -> bool:
    """A level-0 member: the new-account limits apply (never to moderators)."""
    return actor is not None and not actor.is_staff and actor.trust_level < MEMBER


def may_start_direct(actor: User | None, other: User) -> bool:
    """A new member may message the moderators, and nobody else first."""
    return not is_new(actor) or other.is_staff


async def require_may_start_direct(actor: User, other: User) -> None:
    """Refuse a new member's first message to someone (403 `cannot_message`) unless they have
    just earned level 1."""
    if not may_start_direct(actor, other) and not await promote_if_due(actor):
        raise WriteRefused(
            "New members can start direct messages after their first day and a few posts;"
            " you can reply when someone writes to you, and message the moderators any time.",
            code="cannot_message",
        )


async def promote_if_due(actor: User) -> bool:
    """Raise a new member to level 1 when they have earned it; True when this call did."""
    if not is_new(actor) or clock.now() - actor.created_at < PROMOTION_AGE:
        return False
    done = await activity(actor.id, actor.created_at)
    if done.visible < PROMOTION_POSTS or await screening.reports_against(actor.id):
        return False
    await User.filter(id=actor.id, trust_level=NEW).update(trust_level=MEMBER)
    forget_user(actor.id)
    actor.trust_level = MEMBER
    return True


async def _new_member_limits(
    actor: User, html: Mapping[str, str], *, new_item: bool
) -> screening.Verdict:
    verdict = screening.Verdict()
    errors = {
        name: f"New members can include at most {LINKS_MAX} links; remove some and try again."
        for name, rendered in html.items()
        if screening.count_links(rendered) > LINKS_MAX
    }
    if errors:
        raise InvalidInput(code="too_many_links", fields=errors)
    if not new_item:
        return verdict
    first_day = clock.now() - actor.created_at < FIRST_DAY
    done = await activity(actor.id, actor.created_at)
    if first_day and done.since >= FIRST_DAY_ITEMS:
        raise WriteRefused(
            f"New members can post {FIRST_DAY_ITEMS} times on their first day;"
            " please come back tomorrow to post more.",
            code="new_member_limit",
        )
    if done.total < HELD_FIRST:
        verdict.hold_for(screening.NEW_MEMBER)
    return verdict


async def screen_writing(
    actor: User,
    texts: Mapping[str, str],
    *,
    html: Mapping[str, str] | None = None,
    public: bool = False,
    new_item: bool = True,
    can_hold: bool = True,
    voice: bool = True,
) -> screening.Verdict:
    """Everything a write must pass before it is stored; the verdict says if it waits.

    texts are the fields as written (watched words), html their renderings (links counted);
    public asks for the personal-information check; new_item is False for edits; voice False
    skips the silence check where the caller allows it (messaging the moderators).
    """
    if voice:
        standing.require_voice(actor)
    verdict = await content.screen(texts, personal_info=public, can_hold=can_hold)
    if actor.is_staff:
        return screening.Verdict()  # a block word still refused them; nothing they write waits
    if is_new(actor):
        await promote_if_due(actor)
    if is_new(actor) and can_hold:  # chat (nothing waits there) has no new-member limits
        verdict.merge(await _new_member_limits(actor, html or {}, new_item=new_item))
    return verdict
