"""An aid list page is made once per read and standing, then shared: viewers of equal standing
must see every post's author alike, or one would be shown whom another may see."""

from __future__ import annotations

import itertools
from typing import Any

from forum.aid.services import author_standing, authors_seen
from tests.factories import UNSAVED_VIEWERS as VIEWERS

AUTHORS = (1, 2, 3)


def _pages() -> list[list[dict[str, Any]]]:
    """Pages of two posts: each author with the name shown or not, paired with another."""
    posts = [
        {"id": n, "author_id": author, "show_name": named}
        for n, (named, author) in enumerate(itertools.product((True, False), AUTHORS), start=1)
    ]
    return [[a, b] for a, b in itertools.combinations_with_replacement(posts, 2)]


def test_viewers_of_equal_standing_see_every_author_alike() -> None:
    compared = shared_across_viewers = differing = 0
    for page in _pages():
        seen: dict[tuple[Any, ...], tuple[str, tuple[bool, ...]]] = {}
        outcomes = set()
        for name, viewer in VIEWERS.items():
            standing = author_standing(viewer, page)
            shown = authors_seen(viewer, page)
            outcomes.add(shown)
            if standing in seen:
                first, expected = seen[standing]
                assert shown == expected, (name, first, page)
                compared += 1
                shared_across_viewers += first != name
            else:
                seen[standing] = (name, shown)
        differing += len(outcomes) > 1
    # Standings are shared (nobody and an outsider, say) and what they stand for differs.
    assert compared > 100
    assert shared_across_viewers > 50
    assert differing > 10


def test_an_outsider_and_the_unnamed_author_differ() -> None:
    page = [{"id": 1, "author_id": 1, "show_name": False}]
    assert author_standing(VIEWERS["outsider"], page) == author_standing(VIEWERS["author 2"], page)
    assert author_standing(VIEWERS["outsider"], page) != author_standing(VIEWERS["author 1"], page)
    assert authors_seen(VIEWERS["outsider"], page) == (False,)
    assert authors_seen(VIEWERS["author 1"], page) == (True,)
