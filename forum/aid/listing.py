"""Lists of offers and requests: the board with its filters and sorts, matches, gratitude."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from forum import database, readcache
from forum.accounts import blocks
from forum.accounts.models import User
from forum.aid import forms, services, vocabularies
from forum.aid.models import AidKind, AidReview, AidStatus
from forum.guards import require_member
from forum.pagination import Page, cursor_id, cursor_time, decode_cursor, page_of
from forum.validation import FieldErrors

_RANK = "(CASE a.urgency WHEN 'urgent' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)"
# For each sort: its ORDER BY, the keyset condition after a cursor, and the cursor's values.
_SORTS: dict[str, tuple[str, str]] = {
    "newest": (
        "ORDER BY a.created_at DESC, a.id DESC",
        "(a.created_at < ? OR (a.created_at = ? AND a.id < ?))",
    ),
    "urgent": (
        f"ORDER BY {_RANK} DESC, a.created_at DESC, a.id DESC",
        f"({_RANK} < ? OR ({_RANK} = ? AND (a.created_at < ? OR (a.created_at = ? AND a.id < ?))))",
    ),
    "expiring": (
        "ORDER BY a.expires_at ASC, a.id ASC",
        "(a.expires_at > ? OR (a.expires_at = ? AND a.id > ?))",
    ),
}
_FILTERS = {
    "kind": "a.kind = ?",
    "status": "a.status = ?",
    "urgency": "a.urgency = ?",
    "category": "c.slug = ?",
    "area": "r.slug = ?",
}
_RANKS = {"urgent": 2, "normal": 1, "low": 0}


def _key(sort: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    if sort == "urgent":
        return (_RANKS[row["urgency"]], row["created_at"].isoformat(), row["id"])
    moment = row["expires_at"] if sort == "expiring" else row["created_at"]
    return (moment.isoformat(), row["id"])


def _after(sort: str, cursor: str | None) -> tuple[str, tuple[Any, ...]]:
    if sort == "urgent":
        values = decode_cursor(cursor, 3)
        if values is None:
            return "", ()
        rank, moment, last = values
        rank = cursor_id(rank)
        when = cursor_time(moment)
        return " AND " + _SORTS[sort][1], (rank, rank, when, when, cursor_id(last))
    values = decode_cursor(cursor, 2)
    if values is None:
        return "", ()
    when = cursor_time(values[0])
    return " AND " + _SORTS[sort][1], (when, when, cursor_id(values[1]))


async def list_aid(
    actor: User | None,
    query: Mapping[str, Any],
    *,
    cursor: str | None = None,
    limit: int = 20,
    mine: bool = False,
    reviewed_only: bool = False,
) -> Page[dict[str, Any]]:
    """Offers and requests for any combination of filters, in the chosen order.

    mine keeps this member's own posts (every status, whatever the filters say of status);
    reviewed_only leaves out what moderation holds or hid, whoever is reading.
    """
    user = require_member(actor)
    errors = FieldErrors()
    chosen = forms.listing_filters(query, errors)
    await vocabularies.resolve(chosen.get("category", ""), chosen.get("area", ""), errors)
    errors.raise_if_any()
    sort = chosen.pop("sort")
    params: list[Any] = list(chosen.values())
    if mine:
        params.append(user.id)
    reviewed, reviewed_params = services.reviewed_condition(user)
    params.extend(reviewed_params)
    if reviewed_only:
        params.append(AidReview.VISIBLE.value)
    # A blocked person's posts are hidden for the blocker (they stay for everyone else).
    not_blocked = blocks.not_written_by("a.author_id", await blocks.blocked_ids(user))
    after, after_params = _after(sort, cursor)
    found = await services.rows(
        _condition(tuple(chosen), mine, reviewed, reviewed_only, not_blocked, after, sort),
        (*params, *after_params, limit + 1),
        cached=True,
        shared=True,  # they only pass through services.shown(), which makes new rows
    )
    cache = readcache.active(readcache.CONTENT)
    if found.key is None or cache is None:
        return _page(found, services.authors_seen(user, found[:limit]), limit, sort)

    async def make() -> Page[dict[str, Any]]:
        return _page(found, services.authors_seen(user, found[:limit]), limit, sort)

    # The same read seen alike makes the same page: made once, shared by every such view
    # (as the read is) until the read is made again or the content cache is cleared. Whose
    # names this viewer may see is all that sets their page apart, and their standing decides
    # it without asking row by row.
    standing = services.author_standing(user, found[:limit])
    made = await cache.load(("aid.page", found.key, standing, limit, sort), make)
    assert isinstance(made, Page)
    return made


@functools.lru_cache(maxsize=512)
def _condition(
    filters: tuple[str, ...],
    mine: bool,
    reviewed: str,
    reviewed_only: bool,
    not_blocked: str,
    after: str,
    sort: str,
) -> str:
    """The WHERE, ORDER BY and LIMIT of a list, its parameters in this order: the filters',
    the owner's (mine), the review condition's, the review's (reviewed_only), the cursor's.
    A list asked for again asks with the same string (built once, its hash kept)."""
    where = ["1 = 1", *(_FILTERS[name] for name in filters)]
    if mine:
        where.append("a.author_id = ?")
    where.append(reviewed)
    if reviewed_only:
        where.append("a.review = ?")
    where.append(not_blocked)
    return "WHERE " + " AND ".join(where) + after + " " + _SORTS[sort][0] + " LIMIT ?"


def _page(found: database.Rows, seen: tuple[bool, ...], limit: int, sort: str) -> Page[Any]:
    """A page of these rows as shown to a viewer who sees their authors as `seen` says; its
    rows are not to be changed (a page may be shared by many views)."""
    kept = found[: len(seen)]
    rows = [services.shown(row, saw) for row, saw in zip(kept, seen, strict=True)]
    more = page_of(found, limit, lambda r: _key(sort, r)).next_cursor
    return Page(found.derived(rows, seen, limit), more)


async def matches(actor: User | None, aid_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
    """Open posts of the opposite kind in the same category: same area first, newest first."""
    aid = await services.access_aid(actor, aid_id)
    user = require_member(actor)
    opposite = AidKind.OFFER if aid["kind"] == AidKind.REQUEST else AidKind.REQUEST
    reviewed, reviewed_params = services.reviewed_condition(actor)
    # Nobody is suggested to someone they blocked or who blocked them: neither could respond.
    apart = await blocks.blocked_ids(user) | await blocks.blocker_ids(user.id)
    found = await services.rows(
        f"WHERE a.kind = ? AND a.status = ? AND c.slug = ? AND a.id <> ? AND {reviewed} "
        f"AND {blocks.not_written_by('a.author_id', apart)} "
        "ORDER BY (CASE WHEN r.slug = ? THEN 0 ELSE 1 END), a.created_at DESC, a.id DESC "
        "LIMIT ?",
        (
            opposite.value,
            AidStatus.OPEN.value,
            aid["category"],
            aid_id,
            *reviewed_params,
            aid["area"],
            limit,
        ),
        cached=True,
        shared=True,  # they only pass through present(), which makes new rows
    )
    shown = [services.present(user, row) for row in found]
    return found.derived(shown, tuple(row["author"] is not None for row in shown))


async def gratitude(actor: User | None, *, limit: int = 30) -> dict[str, Any]:
    """The latest public thank-yous, and how many requests were fulfilled in each category."""
    user = require_member(actor)
    reviewed, reviewed_params = services.reviewed_condition(user)
    hidden = blocks.not_written_by("a.author_id", await blocks.blocked_ids(user))
    thanked = await services.rows(
        f"WHERE a.thanked_at IS NOT NULL AND {reviewed} AND {hidden} "
        "ORDER BY a.thanked_at DESC, a.id DESC LIMIT ?",
        (*reviewed_params, limit),
    )
    counts = await database.fetch(
        "SELECT c.slug AS category, c.name AS category_name, COUNT(a.id) AS fulfilled "
        "FROM aid a JOIN aid_categories c ON c.id = a.category_id "
        "WHERE a.kind = ? AND a.status = ? GROUP BY c.slug, c.name, c.position "
        "ORDER BY c.position, c.slug",
        (AidKind.REQUEST.value, AidStatus.FULFILLED.value),
    )
    return {"thanked": [services.present(user, r) for r in thanked], "counts": counts}
