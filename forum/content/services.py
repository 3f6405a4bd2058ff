"""The watched-word list: stored, kept briefly per process, and matched by every writer.

Who may change the list is moderation's rule (its pages and API check it before calling here);
this layer sits below accounts and knows nothing of roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.exceptions import IntegrityError

from forum import database, readcache
from forum.content import screening
from forum.content.models import WatchedWord
from forum.errors import InvalidInput, NotFound

CACHE = "watched_words"
# Another worker's change to the list shows within this long.
CACHE_TTL = 5.0
COLUMNS = ("id", "pattern", "action", "created_by_id", "created_at")


async def _load() -> list[screening.Watched]:
    rows = await WatchedWord.all().order_by("id").values("id", "pattern", "action")
    return [
        screening.Watched(
            r["id"], r["pattern"], r["action"], screening.compile_pattern(r["pattern"])
        )
        for r in rows
    ]


async def watched() -> list[screening.Watched]:
    """The list as compiled patterns, from this request's cache when there is one."""
    cache = readcache.active(CACHE)
    if cache is None:
        return await _load()
    found: list[screening.Watched] | None = await cache.load("all", _load)
    return found or []


def _forget() -> None:
    cache = readcache.active(CACHE)
    if cache is not None:
        cache.forget()


async def list_words() -> list[dict[str, Any]]:
    return await WatchedWord.all().order_by("pattern", "id").values(*COLUMNS)


async def add_word(values: Mapping[str, Any], created_by: int | None) -> dict[str, Any]:
    """Watch a pattern; one that reads as a watched pattern already is a 422 on `pattern`."""
    key = screening.pattern_key(values["pattern"])
    try:
        # A savepoint: after a lost race the transaction can still read who won it.
        async with database.transaction():
            word = await WatchedWord.create(
                pattern=values["pattern"],
                pattern_key=key,
                action=values["action"],
                created_by_id=created_by,
            )
    except IntegrityError:
        existing = await WatchedWord.filter(pattern_key=key).first()
        if existing is None:
            raise
        raise InvalidInput(
            fields={
                "pattern": f"“{existing.pattern}” is watched already ({existing.action}):"
                " remove it from the list first to change what happens."
            }
        ) from None
    _forget()
    return {name: getattr(word, name) for name in COLUMNS}


async def remove_word(word_id: int) -> None:
    removed = await WatchedWord.filter(id=word_id).delete()
    _forget()
    if not removed:
        raise NotFound("There is no such watched word.")


async def screen(
    texts: Mapping[str, str], *, personal_info: bool = False, can_hold: bool = True
) -> screening.Verdict:
    """Watched words over every field (a `block` raises 422), then the personal-info check.

    personal_info is for public writing only: posts on public boards and offers and requests.
    Chat, direct messages and hand-off threads are where such details belong.
    """
    verdict = screening.match_words(await watched(), texts, can_hold=can_hold)
    if personal_info:
        verdict.merge(screening.check_personal_info(texts))
    return verdict
