"""Watched words for moderators: the list, adding and removing, as a page and as the API.

The list itself and its matching belong to the content pipeline (`forum.content`), which every
writer runs; who may change it is decided here, the moderators' product.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from forum import clock, database, openapi, web
from forum.accounts.models import User
from forum.accounts.services import require_staff
from forum.content import screening
from forum.content import services as content
from forum.content.models import PATTERN_KEY_MAX, WORD_ACTIONS
from forum.errors import InvalidInput
from forum.openapi import INTEGER, MOMENT, STRING, Component, enum, nullable, record
from forum.validation import Body, Choice, FieldErrors, Text
from moderation import log

PATTERN_MAX = 100
# Letters and digits (any script), spaces, `*`, apostrophes and hyphens: a word or a phrase.
_PATTERN = re.compile(r"[\w*' -]+")

WORD_BODY = Body(
    {
        "pattern": Text(
            max_length=PATTERN_MAX,
            pattern=_PATTERN,
            pattern_message="Use letters, spaces and * (any letters), as in scam* or wire money.",
            description="A word or phrase; * matches any letters. Case, accents and invisible"
            " characters are ignored when matching.",
        ),
        "action": Choice(
            tuple(a.value for a in WORD_ACTIONS),
            "Choose block, hold or flag.",
            description="block refuses (422 watched_word); hold keeps it for review (chat"
            " messages cannot wait, so there hold flags); flag publishes and reports.",
        ),
    }
)
WATCHED_WORD = Component(
    "WatchedWord",
    record(
        {
            "id": INTEGER,
            "pattern": STRING,
            "action": enum(tuple(a.value for a in WORD_ACTIONS)),
            "created_by": nullable(INTEGER),
            "created_at": MOMENT,
        }
    ),
)
ACTION_NAMES = {
    "block": "Block: refuse it with a message",
    "hold": "Hold: keep it for review before anyone sees it",
    "flag": "Flag: publish it and report it to the queue",
}


# Rules ----------------------------------------------------------------------------------------


async def list_words(actor: User | None) -> list[dict[str, Any]]:
    """Every watched word, alphabetically (moderators)."""
    require_staff(actor)
    return await content.list_words()


async def add_word(actor: User | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Watch a word or phrase (moderators); one watched already is a 422 on `pattern`."""
    moderator = require_staff(actor)
    errors = FieldErrors()
    values = WORD_BODY.read(data, errors)
    if "pattern" in values:
        cleaned = screening.clean_pattern(values["pattern"])
        if cleaned is None:
            errors.add("pattern", "A pattern needs at least one letter or digit.")
        elif len(screening.pattern_key(cleaned)) > PATTERN_KEY_MAX:
            errors.add("pattern", "This pattern is too long once its letters are spelt out.")
        else:
            values["pattern"] = cleaned
    errors.raise_if_any()
    async with database.transaction():
        word = await content.add_word(values, moderator.id)
        # Logged by id and action only: the public log must not teach anyone the list.
        await log.record(moderator, "watch_word", "watched_word", word["id"], word["action"])
    return word


async def remove_word(actor: User | None, word_id: int) -> None:
    """Stop watching a word (moderators)."""
    moderator = require_staff(actor)
    async with database.transaction():
        await content.remove_word(word_id)
        await log.record(moderator, "unwatch_word", "watched_word", word_id)


def word_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "pattern": row["pattern"],
        "action": row["action"],
        "created_by": row["created_by_id"],
        "created_at": clock.iso(row["created_at"]),
    }


# API ------------------------------------------------------------------------------------------


@openapi.operation({200: openapi.page(WATCHED_WORD)}, errors=(401, 403), signed_in=True)
async def api_list(request: Request) -> Response:
    """The watched words (moderators)."""
    words = await list_words(request.state.user)
    return web.json_response({"items": [word_json(w) for w in words], "next_cursor": None})


@openapi.operation({201: WATCHED_WORD}, body=WORD_BODY, errors=(401, 403), signed_in=True)
async def api_add(request: Request) -> Response:
    """Watch a word or phrase (moderators)."""
    word = await add_word(request.state.user, await web.read_json(request))
    return web.json_response(word_json(word), 201)


@openapi.operation({204: None}, errors=(401, 403, 404), signed_in=True)
async def api_remove(request: Request) -> Response:
    """Stop watching a word (moderators)."""
    await remove_word(request.state.user, request.path_params["id"])
    return Response(status_code=204)


# Pages ----------------------------------------------------------------------------------------


def _page(request: Request, words: list[dict[str, Any]], **context: Any) -> dict[str, Any]:
    return {"words": words, "actions": ACTION_NAMES, "pattern_max": PATTERN_MAX, **context}


async def page(request: Request) -> Response:
    """The list with the form to add one."""
    words = await list_words(request.state.user)
    context = _page(request, words, form={"action": "hold"})
    return web.render(request, "moderation/watched_words.html", context)


async def page_add(request: Request) -> Response:
    form = await web.read_form(request)
    try:
        await add_word(request.state.user, form)
    except InvalidInput as exc:
        words = await list_words(request.state.user)
        return web.refused(
            request, "moderation/watched_words.html", exc, form, **_page(request, words)
        )
    return web.redirect("/moderation/watched-words?notice=saved")


async def page_remove(request: Request) -> Response:
    await remove_word(request.state.user, request.path_params["id"])
    return web.redirect("/moderation/watched-words?notice=saved")


routes: list[BaseRoute] = [
    Route("/api/v1/moderation/watched-words", api_list, methods=["GET"], name="api:watched_words"),
    Route(
        "/api/v1/moderation/watched-words",
        api_add,
        methods=["POST"],
        name="api:watched_word_create",
    ),
    Route(
        "/api/v1/moderation/watched-words/{id:id}",
        api_remove,
        methods=["DELETE"],
        name="api:watched_word_delete",
    ),
    Route("/moderation/watched-words", page, methods=["GET"], name="moderation:watched_words"),
    Route(
        "/moderation/watched-words",
        page_add,
        methods=["POST"],
        name="moderation:watched_word_add",
    ),
    Route(
        "/moderation/watched-words/{id:id}/delete",
        page_remove,
        methods=["POST"],
        name="moderation:watched_word_remove",
    ),
]
