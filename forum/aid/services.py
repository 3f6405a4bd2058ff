"""Offer and request rules: who may read, change and move what through the lifecycle."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from forum import clock, database, events, ratelimits
from forum.accounts import standing, trust
from forum.accounts.models import User
from forum.accounts.services import is_owner_or_staff, is_staff
from forum.aid import alerts, forms, vocabularies
from forum.aid.models import (
    Aid,
    AidResponse,
    AidReview,
    AidStatus,
    AidTransition,
    ResponseStatus,
)
from forum.content.sanitizer import render_markdown
from forum.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors, html_has_visible_text

OPEN, MATCHED, FULFILLED = AidStatus.OPEN, AidStatus.MATCHED, AidStatus.FULFILLED
WITHDRAWN, EXPIRED = AidStatus.WITHDRAWN, AidStatus.EXPIRED
# The lifecycle: where each status may go next. Renewing keeps an open post open.
NEXT: dict[str, tuple[str, ...]] = {
    OPEN: (MATCHED, WITHDRAWN, EXPIRED),
    MATCHED: (FULFILLED, WITHDRAWN),
    EXPIRED: (OPEN,),
    FULFILLED: (),
    WITHDRAWN: (),
}
HOW: dict[str, str] = {
    MATCHED: "matched (when its owner accepts a response)",
    WITHDRAWN: "withdrawn (by its owner)",
    EXPIRED: "expired (on its own, when its time runs out)",
    FULFILLED: "fulfilled (by either of the two people)",
    OPEN: "open again (when its owner renews it)",
}
SELECT = (
    "SELECT a.id, a.kind, a.title, a.body, a.body_html, a.urgency, a.status, a.review, "
    "a.author_id, a.show_name, a.created_at, a.expires_at, a.thank_you, a.thank_you_html, "
    "a.thanked_at, "
    "c.slug AS category, c.name AS category_name, r.slug AS area, r.name AS area_name, "
    "u.username AS author_username, u.display_name AS author_display_name "
    "FROM aid a JOIN aid_categories c ON c.id = a.category_id "
    "JOIN aid_areas r ON r.id = a.area_id JOIN users u ON u.id = a.author_id "
)
TIMES = ("created_at", "expires_at", "thanked_at")
FLAGS = ("show_name",)


# Who may do what: each rule once, here; pages and the API ask, never re-derive. -------------


def may_read_aid(actor: User | None) -> bool:
    """Asking for help carries stigma: offers and requests are for signed-in members only."""
    return actor is not None


def may_see_under_review(actor: User | None, aid: Mapping[str, Any]) -> bool:
    """A post held for review is for its owner and moderators; a hidden one for moderators."""
    if aid["review"] == AidReview.HIDDEN:
        return is_staff(actor)
    if aid["review"] == AidReview.PENDING:
        return is_owner_or_staff(actor, aid["author_id"])
    return True


def reviewed_condition(actor: User | None) -> tuple[str, tuple[Any, ...]]:
    """The SQL condition (and its parameters) of may_see_under_review, for lists."""
    if is_staff(actor):
        return "1 = 1", ()
    owner = actor.id if actor is not None else 0
    return "(a.review = ? OR (a.review = ? AND a.author_id = ?))", (
        AidReview.VISIBLE.value,
        AidReview.PENDING.value,
        owner,
    )


def may_see_author(actor: User | None, aid: Mapping[str, Any]) -> bool:
    """A post without the name shown names its author to its owner and moderators alone."""
    return bool(aid["show_name"]) or is_owner_or_staff(actor, aid["author_id"])


def authors_seen(actor: User | None, rows: Sequence[Mapping[str, Any]]) -> tuple[bool, ...]:
    """may_see_author of each of these rows."""
    return tuple(may_see_author(actor, row) for row in rows)


def author_standing(
    actor: User | None, rows: Sequence[Mapping[str, Any]]
) -> tuple[bool, int | None]:
    """All that sets one viewer's authors_seen of these rows apart from another's: staff or
    not, and whether they wrote any of those without the name shown (checked over every
    viewer and row by tests/forum/aid/test_author_standing.py)."""
    unnamed = {row["author_id"] for row in rows if not row["show_name"]}
    own = actor.id if actor is not None and actor.id in unnamed else None
    return is_staff(actor), own


def is_owner(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return actor is not None and actor.id == aid["author_id"]


def may_edit(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return is_owner(actor, aid) and aid["status"] == OPEN


def may_withdraw(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return is_owner(actor, aid)


def may_renew(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return is_owner(actor, aid)


def may_accept(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return is_owner(actor, aid)


def may_mark_fulfilled(actor: User | None, aid: Mapping[str, Any], helper_id: int | None) -> bool:
    """The two people of the hand-off: the owner and the responder they accepted."""
    return is_owner(actor, aid) or (actor is not None and actor.id == helper_id)


def may_respond(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return actor is not None and not is_owner(actor, aid)


def may_see_response(actor: User | None, aid: Mapping[str, Any], responder_id: int) -> bool:
    """A response is between its two people: moderators reach it only through a report."""
    return is_owner(actor, aid) or (actor is not None and actor.id == responder_id)


def may_thank(actor: User | None, aid: Mapping[str, Any]) -> bool:
    return is_owner(actor, aid) and aid["status"] == FULFILLED


def refusal(status: str, target: str) -> str:
    """What the lifecycle allows from status, said to someone who asked for target."""
    allowed = NEXT[status]
    if not allowed:
        return f"This post is {status}: it cannot change any more."
    if target in (MATCHED, EXPIRED) and target in allowed:
        return f"An open post becomes {HOW[target]}."
    return f"A {status} post cannot become {target}; it can become " + (
        " or ".join(HOW[s] for s in allowed) + "."
    )


def abilities(
    actor: User | None,
    aid: Mapping[str, Any],
    mine: Mapping[str, Any] | None,
    helper_id: int | None,
) -> dict[str, bool]:
    """What this viewer may do with this post, for its page to offer."""
    status = aid["status"]
    return {
        "can_edit": may_edit(actor, aid),
        "can_withdraw": may_withdraw(actor, aid) and WITHDRAWN in NEXT[status],
        "can_renew": may_renew(actor, aid) and status in (OPEN, EXPIRED),
        "can_mark_fulfilled": may_mark_fulfilled(actor, aid, helper_id) and status == MATCHED,
        "can_respond": may_respond(actor, aid) and status == OPEN and mine is None,
        "can_accept": may_accept(actor, aid) and status == OPEN,
        "can_thank": may_thank(actor, aid),
        "is_owner": is_owner(actor, aid),
    }


# Reading --------------------------------------------------------------------------------------


def present(actor: User | None, row: dict[str, Any]) -> dict[str, Any]:
    """A row as this viewer may see it: without the author's name where it is withheld. "by"
    is the name a list shows, None for "a neighbour in <area>". A new row: the one given may be
    the content cache's own."""
    return shown(row, may_see_author(actor, row))


def shown(row: dict[str, Any], author_seen: bool) -> dict[str, Any]:
    """A new row as present makes it, for a viewer who may see its author or not: all that
    differs between viewers (lists key what they make from rows by it)."""
    if author_seen:
        name = row["author_display_name"] or row["author_username"]
        author = {"id": row["author_id"], "username": row["author_username"], "display_name": name}
        return {**row, "author": author, "by": name}
    return {
        **row,
        "author": None,
        "by": None,
        "author_username": None,
        "author_display_name": None,
    }


@functools.lru_cache(maxsize=512)
def _select(condition: str) -> str:
    # The same string for the same read: its hash, part of the cache's key, is kept with it.
    return SELECT + condition


async def rows(
    condition: str, params: Sequence[Any], *, cached: bool = False, shared: bool = False
) -> database.Rows:
    """Posts as rows; cached for lists read on every page (every change publishes aid.*), and
    shared (the cache's own rows, not to be changed) where they only pass through present."""
    return await database.fetch(
        _select(condition), params, times=TIMES, flags=FLAGS, cached=cached, shared=shared
    )


async def access_aid(actor: User | None, aid_id: int, *, to_edit: bool = False) -> dict[str, Any]:
    """An offer or request as a row with this viewer's abilities, if they may read it.

    to_edit also requires that they may change it (its owner, while it is open).
    """
    user = require_member(actor)
    found = await rows("WHERE a.id = ?", (aid_id,))
    if not found or not may_read_aid(user) or not may_see_under_review(user, found[0]):
        raise NotFound("There is no such offer or request.")
    aid = present(user, found[0])
    involved = await AidResponse.filter(aid_id=aid_id).values(
        "id", "responder_id", "status", "room_id"
    )
    aid["my_response"] = next((r for r in involved if r["responder_id"] == user.id), None)
    helper = next((r for r in involved if r["status"] == ResponseStatus.ACCEPTED), None)
    aid["helper_id"] = helper["responder_id"] if helper else None
    aid["response_count"] = len(involved)
    aid.update(abilities(user, aid, aid["my_response"], aid["helper_id"]))
    if to_edit and not may_edit(user, aid):
        if not is_owner(user, aid):
            raise PermissionDenied("Only its owner can change this post.")
        raise Conflict(f"Only an open post can be edited; this one is {aid['status']}.")
    return aid


async def timeline(actor: User | None, aid: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The post's transitions, oldest first, naming roles rather than people."""
    steps = (
        await AidTransition.filter(aid_id=aid["id"])
        .order_by("id")
        .values("from_status", "to_status", "actor_id", "created_at")
    )
    for step in steps:
        who = step.pop("actor_id")
        step["by"] = (
            "automatically"
            if who is None
            else "the owner"
            if who == aid["author_id"]
            else "the helper"
            if who == aid["helper_id"]
            else "a moderator"
        )
    return steps


# Writing --------------------------------------------------------------------------------------


async def render_text(source: str, name: str) -> str:
    html = await asyncio.to_thread(render_markdown, source)
    if not html_has_visible_text(html):
        raise InvalidInput(fields={name: "This would show as nothing; write a few words."})
    return html


async def _checked(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    now = clock.now()
    errors = FieldErrors()
    values = forms.aid(data, errors, partial=partial)
    expires = forms.expires_at(data, errors, now)
    if "category" in values or "area" in values:
        category_id, area_id = await vocabularies.resolve(
            values.pop("category", ""), values.pop("area", ""), errors
        )
        values.update({k: v for k, v in (("category_id", category_id), ("area_id", area_id)) if v})
    errors.raise_if_any()
    if expires is not None:
        values["expires_at"] = expires
    if "body" in values:
        values["body_html"] = await render_text(values["body"], "body")
    return values


async def create_aid(actor: User | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Post an offer or a request; it is open until its expiry (14 days unless chosen)."""
    author = require_member(actor)
    standing.require_voice(author)
    values = await _checked(data, partial=False)
    await ratelimits.check_action("aid", actor_id=author.id)
    verdict = await _screen(author, values, new_item=True)
    now = clock.now()
    values.setdefault("expires_at", now + forms.DEFAULT_LIFETIME)
    review = AidReview.PENDING if verdict.held else AidReview.VISIBLE
    async with database.transaction():
        aid = await Aid.create(**values, author_id=author.id, created_at=now, review=review)
        await AidTransition.create(
            aid_id=aid.id, actor_id=author.id, to_status=OPEN, created_at=now
        )
        await verdict.record(target_type="aid", target_id=aid.id, author_id=author.id)
        await events.publish("aid.created", events.EVERYONE, aid_id=aid.id)
        if not verdict.held:  # a held post alerts nobody until a moderator lets it out
            await alerts.notify_matching(aid)
    made = await access_aid(author, aid.id)
    return {**made, "notice": verdict.notice, "held": verdict.held}


async def _screen(author: User, values: Mapping[str, Any], *, new_item: bool) -> Any:
    """Offers and requests are read by every member: the personal-information check applies."""
    texts = {name: values[name] for name in ("title", "body") if name in values}
    html = {"body": values["body_html"]} if "body_html" in values else {}
    return await trust.screen_writing(author, texts, html=html, public=True, new_item=new_item)


@trust.counts_activity
async def aid_activity(user_id: int, since: datetime) -> trust.Activity:
    """A person's offers and requests, for the trust rules."""
    mine = Aid.filter(author_id=user_id)
    return trust.Activity(
        total=await mine.count(),
        since=await mine.filter(created_at__gte=since).count(),
        visible=await mine.filter(review=AidReview.VISIBLE).count(),
    )


async def update_aid(actor: User | None, aid_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Change an open post (its owner)."""
    await access_aid(actor, aid_id, to_edit=True)
    author = cast(User, actor)
    standing.require_voice(author)
    values = await _checked(data, partial=True)
    verdict = await _screen(author, values, new_item=False)
    if verdict.held:
        values["review"] = AidReview.PENDING  # an edit screening holds waits again
    if values:
        async with database.transaction():
            changed = await Aid.filter(id=aid_id, status=OPEN).update(**values)
            if not changed:
                raise Conflict("The post changed meanwhile; only an open post can be edited.")
            await verdict.record(target_type="aid", target_id=aid_id, author_id=author.id)
            await events.publish("aid.updated", events.EVERYONE, aid_id=aid_id)
            if not verdict.held and ("category_id" in values or "area_id" in values):
                await alerts.notify_matching(await Aid.get(id=aid_id))
    changed_post = await access_aid(actor, aid_id)
    return {**changed_post, "notice": verdict.notice, "held": verdict.held}


async def move(
    aid_id: int,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    *,
    only_if: Mapping[str, Any] | None = None,
    **changes: Any,
) -> bool:
    """Move a post from one status to the next, recorded; False if it was no longer there.

    The status (and only_if) in the WHERE clause make two concurrent moves end in exactly one.
    """
    at = clock.now()
    async with database.transaction():
        moved = await Aid.filter(id=aid_id, status=from_status, **(only_if or {})).update(
            status=to_status, **changes
        )
        if moved:
            await AidTransition.create(
                aid_id=aid_id,
                actor_id=actor_id,
                from_status=from_status,
                to_status=to_status,
                created_at=at,
            )
            await events.publish("aid." + to_status, events.EVERYONE, aid_id=aid_id)
    return bool(moved)


async def set_status(actor: User | None, aid_id: int, target: object) -> dict[str, Any]:
    """Withdraw, mark fulfilled or renew (status "open"); anything else says what is allowed."""
    errors = FieldErrors()
    status = forms.STATUS.read({"status": target}, errors).get("status", "")
    errors.raise_if_any()
    aid = await access_aid(actor, aid_id)
    if status == OPEN:
        return await renew(actor, aid_id, {})
    if status in (MATCHED, EXPIRED):
        raise Conflict(refusal(aid["status"], status), code="lifecycle")
    allowed = (
        may_withdraw(actor, aid)
        if status == WITHDRAWN
        else may_mark_fulfilled(actor, aid, aid["helper_id"])
    )
    if not allowed:
        raise PermissionDenied(
            f"Only {'its owner' if status == WITHDRAWN else 'the two people'}"
            " can mark this post " + status + "."
        )
    if status not in NEXT[aid["status"]] or not await move(
        aid_id, aid["status"], status, cast(User, actor).id
    ):
        raise Conflict(refusal(aid["status"], status), code="lifecycle")
    await _tell_responders(cast(User, actor), aid, status)
    return await access_aid(actor, aid_id)


async def _tell_responders(actor: User, aid: Mapping[str, Any], status: str) -> None:
    involved = cast(
        list[int],
        await AidResponse.filter(aid_id=aid["id"])
        .exclude(status=ResponseStatus.DECLINED)
        .values_list("responder_id", flat=True),
    )
    people = [*involved, aid["author_id"]] if status == FULFILLED else involved
    await notifications.notify(
        [p for p in people if p != actor.id],
        f"aid.{status}",
        f"“{aid['title']}” was {status}",
        f"/aid/{aid['id']}",
    )


async def renew(actor: User | None, aid_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Give an open or expired post a new expiry (its owner); an expired one opens again."""
    aid = await access_aid(actor, aid_id)
    if not may_renew(actor, aid):
        raise PermissionDenied("Only its owner can renew this post.")
    standing.require_voice(cast(User, actor))
    if aid["status"] not in (OPEN, EXPIRED):
        raise Conflict(refusal(aid["status"], OPEN), code="lifecycle")
    errors = FieldErrors()
    forms.RENEW.read(data, errors)
    expires = forms.expires_at(data, errors, clock.now())
    errors.raise_if_any()
    until: datetime = expires or clock.now() + forms.DEFAULT_LIFETIME
    if not await move(
        aid_id, aid["status"], OPEN, cast(User, actor).id, expires_at=until, expiry_warned_at=None
    ):
        raise Conflict("The post changed meanwhile; look again.", code="lifecycle")
    return await access_aid(actor, aid_id)


async def thank(actor: User | None, aid_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A public thank-you on a fulfilled post (its owner), shown on the gratitude page."""
    aid = await access_aid(actor, aid_id)
    if not is_owner(actor, aid):
        raise PermissionDenied("Only its owner can thank on this post.")
    if not may_thank(actor, aid):
        raise Conflict("A thank-you comes once the post is fulfilled.", code="lifecycle")
    errors = FieldErrors()
    source = forms.THANKS.read(data, errors).get("thank_you", "")
    errors.raise_if_any()
    standing.require_voice(cast(User, actor))
    html = await render_text(source, "thank_you")
    # A thank-you has no waiting state: a held word in it flags the post instead.
    verdict = await trust.screen_writing(
        cast(User, actor), {"thank_you": source}, new_item=False, can_hold=False
    )
    async with database.transaction():
        await Aid.filter(id=aid_id).update(
            thank_you=source, thank_you_html=html, thanked_at=clock.now()
        )
        await verdict.record(target_type="aid", target_id=aid_id, author_id=aid["author_id"])
        await events.publish("aid.thanked", events.EVERYONE, aid_id=aid_id)
    return await access_aid(actor, aid_id)
