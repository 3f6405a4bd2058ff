"""The aid vocabularies, categories and areas, that administrators edit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from forum import database, events, readcache
from forum.accounts.models import User
from forum.accounts.services import require_admin
from forum.aid import forms
from forum.aid.models import Aid, AidArea, AidCategory
from forum.errors import Conflict, InvalidInput, NotFound
from forum.guards import require_member
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

Vocabulary = type[AidCategory] | type[AidArea]
VOCABULARIES: dict[str, Vocabulary] = {"categories": AidCategory, "areas": AidArea}
COLUMNS = ("id", "slug", "name", "position")

# What a fresh install offers (the first migration adds the same, so that a new site has them).
DEFAULT_CATEGORIES = (
    ("food", "Food and groceries"),
    ("meals", "Meals"),
    ("childcare", "Childcare"),
    ("rides", "Rides and transport"),
    ("housing", "Housing"),
    ("household", "Household items"),
    ("clothing", "Clothing"),
    ("money", "Financial help"),
    ("jobs", "Jobs and skills"),
    ("tutoring", "Tutoring"),
    ("companionship", "Companionship and check-ins"),
    ("health", "Health and medical"),
    ("pets", "Pets"),
    ("other", "Other"),
)
DEFAULT_AREAS = (
    ("elm-street", "Elm Street"),
    ("mill-lane", "Mill Lane"),
    ("church-row", "Church Row"),
    ("station-road", "Station Road"),
    ("hope-court", "Hope Court"),
    ("town-centre", "Town centre"),
)


def _model(which: str) -> Vocabulary:
    if which not in VOCABULARIES:
        raise NotFound("There is no such list.")
    return VOCABULARIES[which]


async def list_entries(actor: User | None, which: str) -> list[dict[str, Any]]:
    """One vocabulary, in the order administrators chose (members only, like the posts)."""
    require_member(actor)
    return await _entries(_model(which))


Choices = tuple[tuple[str, str], ...]


async def options(actor: User | None) -> tuple[Choices, Choices]:
    """The categories and the areas as (slug, name) choices for a form, in their order: the
    cached tuples themselves (a shared fragment's key holds them as they are, unwalked)."""
    require_member(actor)
    lists = await _lists()
    return lists.choices[AidCategory], lists.choices[AidArea]


@dataclass(frozen=True)
class _Lists:
    """Both vocabularies as every aid page reads them: (slug, name) choices and ids by slug."""

    choices: Mapping[Vocabulary, tuple[tuple[str, str], ...]]
    ids: Mapping[Vocabulary, Mapping[str, int]]


_LISTS_KEY = ("aid.vocabularies",)


async def _lists() -> _Lists:
    # One entry of the content cache for both lists, cleared with it by every aid.* event.
    cache = readcache.active(readcache.CONTENT)
    if cache is None:
        return await _read_lists()
    found = await cache.load(_LISTS_KEY, _read_lists)
    assert isinstance(found, _Lists)
    return found


async def _read_lists() -> _Lists:
    rows = {model: await _entries(model) for model in VOCABULARIES.values()}
    return _Lists(
        choices={m: tuple((e["slug"], e["name"]) for e in found) for m, found in rows.items()},
        ids={m: {e["slug"]: e["id"] for e in found} for m, found in rows.items()},
    )


_SELECT = {
    model: f"SELECT id, slug, name, position FROM {model._meta.db_table} ORDER BY position, id"  # noqa: S608
    for model in VOCABULARIES.values()
}


async def _entries(model: Vocabulary) -> list[dict[str, Any]]:
    # Read on every aid page and list: kept a second by the content cache, which every
    # aid.vocabulary_changed event clears (forum.readcache).
    return await database.fetch(_SELECT[model], (), cached=True)


async def admin_lists(actor: User | None) -> dict[str, list[dict[str, Any]]]:
    """Both vocabularies, for the administrators' page."""
    admin = require_admin(actor)
    return {which: await list_entries(admin, which) for which in VOCABULARIES}


async def entry_page(
    actor: User | None, which: str, *, cursor: str | None = None, limit: int = 100
) -> Page[dict[str, Any]]:
    """One page of a vocabulary (a community has a few dozen entries at most)."""
    entries = await list_entries(actor, which)
    after = decode_cursor(cursor, 1)
    start = 0
    if after is not None:
        last_id = cursor_id(after[0])
        start = next((i + 1 for i, e in enumerate(entries) if e["id"] == last_id), len(entries))
    return page_of(entries[start : start + limit + 1], limit, lambda e: (e["id"],))


async def names(which: str) -> dict[int, dict[str, Any]]:
    """Every entry by id, for rows that carry only the id."""
    rows = await _model(which).all().values(*COLUMNS)
    return {row["id"]: row for row in rows}


async def resolve(category: str, area: str, errors: FieldErrors) -> tuple[int, int]:
    """The ids of a category and an area by slug; an unknown slug is an error on its field."""
    ids = (await _lists()).ids if category or area else {}
    found_category = ids[AidCategory].get(category) if category else None
    found_area = ids[AidArea].get(area) if area else None
    if category and found_category is None:
        errors.add("category", "There is no such category; choose one from the list.")
    if area and found_area is None:
        errors.add("area", "There is no such area; choose one from the list.")
    return (found_category or 0, found_area or 0)


async def add_entry(actor: User | None, which: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a category or an area at the end of its list (administrators)."""
    require_admin(actor)
    model = _model(which)
    errors = FieldErrors()
    values = forms.vocabulary(data, errors)
    errors.raise_if_any()
    last = await model.all().order_by("-position").first().values("position")
    try:
        async with database.transaction():
            entry = await model.create(**values, position=(last["position"] + 1) if last else 0)
            await events.publish("aid.vocabulary_changed", events.EVERYONE, which=which)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "That slug is already in the list."}) from None
    return {name: getattr(entry, name) for name in COLUMNS}


async def update_entry(
    actor: User | None, which: str, entry_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Rename an entry or change its slug (administrators); posts keep pointing at it."""
    require_admin(actor)
    model = _model(which)
    entry = await model.get_or_none(id=entry_id)
    if entry is None:
        raise NotFound("There is no such entry.")
    errors = FieldErrors()
    values = forms.vocabulary(data, errors, partial=True)
    errors.raise_if_any()
    place = values.pop("position", None)
    entry.update_from_dict(values)
    try:
        async with database.transaction():
            if values:
                await entry.save()
            if place is not None:
                await _place(model, entry_id, place)
            await events.publish("aid.vocabulary_changed", events.EVERYONE, which=which)
    except IntegrityError:
        raise InvalidInput(fields={"slug": "That slug is already in the list."}) from None
    return await _entry(model, entry_id)


async def move_entry(
    actor: User | None, which: str, entry_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Move an entry one place up or down its list (administrators); at an end it stays."""
    require_admin(actor)
    model = _model(which)
    errors = FieldErrors()
    direction = forms.MOVE.read(data, errors).get("direction")
    errors.raise_if_any()
    async with database.transaction():
        order = await _order(model)
        if entry_id not in order:
            raise NotFound("There is no such entry.")
        index = order.index(entry_id) + (-1 if direction == "up" else 1)
        await _place(model, entry_id, max(index, 0))
        await events.publish("aid.vocabulary_changed", events.EVERYONE, which=which)
    return await _entry(model, entry_id)


async def _order(model: Vocabulary) -> list[int]:
    return cast(
        list[int], await model.all().order_by("position", "id").values_list("id", flat=True)
    )


async def _place(model: Vocabulary, entry_id: int, index: int) -> None:
    """Put an entry at this index of its list and number the list 0, 1, 2... again."""
    order = [i for i in await _order(model) if i != entry_id]
    order.insert(min(index, len(order)), entry_id)
    current = dict(await model.all().values_list("id", "position"))
    for position, each in enumerate(order):
        if current.get(each) != position:
            await model.filter(id=each).update(position=position)


async def _entry(model: Vocabulary, entry_id: int) -> dict[str, Any]:
    found = await model.filter(id=entry_id).first().values(*COLUMNS)
    if found is None:
        raise NotFound("There is no such entry.")
    return found


async def remove_entry(actor: User | None, which: str, entry_id: int) -> None:
    """Remove an entry no post uses (administrators): posts never lose their category or area."""
    require_admin(actor)
    model = _model(which)
    column = "category_id" if model is AidCategory else "area_id"
    if await Aid.filter(**{column: entry_id}).exists():
        raise Conflict("Posts use this entry; rename it instead.", code="in_use")
    async with database.transaction():
        if not await model.filter(id=entry_id).delete():
            raise NotFound("There is no such entry.")
        await events.publish("aid.vocabulary_changed", events.EVERYONE, which=which)


async def add_defaults() -> None:
    """Fill empty vocabularies with the defaults (tests and a database built without migrations)."""
    for model, defaults in ((AidCategory, DEFAULT_CATEGORIES), (AidArea, DEFAULT_AREAS)):
        if await model.exists():
            continue
        for position, (slug, name) in enumerate(defaults):
            await model.create(slug=slug, name=name, position=position)
