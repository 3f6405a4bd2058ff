"""A topic page's posts are made for a viewer only when no one alike has seen them: viewers whose
standing is equal must see every post alike, or one would be shown another's rendering."""

from __future__ import annotations

import itertools
from typing import Any

from forum.boards.models import PostStatus
from forum.boards.posts import as_seen_by, viewer_standing
from tests.factories import UNSAVED_VIEWERS as VIEWERS

AUTHORS = (1, 2, 3)

BLOCKED = (frozenset(), frozenset({2}), frozenset({2, 3}), frozenset({7}))


def _pages() -> list[list[dict[str, Any]]]:
    """Pages of two posts: every status by every author, paired with one other post."""
    posts = [
        {"id": n, "author_id": author, "status": status, "body": "hi", "body_html": "<p>hi</p>"}
        for n, (status, author) in enumerate(itertools.product(PostStatus, AUTHORS), start=1)
    ]
    return [[a, b] for a, b in itertools.combinations(posts, 2)]


def test_viewers_of_equal_standing_see_every_post_alike() -> None:
    compared = differing = shared_across_viewers = 0
    for page in _pages():
        seen: dict[tuple[Any, ...], tuple[str, list[dict[str, Any]]]] = {}
        outcomes = set()
        for (name, viewer), blocked in itertools.product(VIEWERS.items(), BLOCKED):
            standing = viewer_standing(viewer, page, blocked)
            rows = [as_seen_by(viewer, post, blocked) for post in page]
            outcomes.add(repr(rows))
            if standing in seen:
                first, expected = seen[standing]
                assert rows == expected, (name, first, blocked, page)
                compared += 1
                shared_across_viewers += first != name
            else:
                seen[standing] = (name, rows)
        differing += len(outcomes) > 1
    # The check has teeth: standings are shared (an anonymous reader and an outsider, say) and
    # the outcomes they stand for differ from page to page.
    assert compared > 1000
    assert shared_across_viewers > 100
    assert differing == len(_pages())


def test_an_anonymous_reader_and_an_outsider_share_a_standing() -> None:
    page = _pages()[0]
    assert viewer_standing(None, page, frozenset()) == viewer_standing(
        VIEWERS["outsider"], page, frozenset()
    )
    assert viewer_standing(None, page, frozenset()) != viewer_standing(
        VIEWERS["author 1"], page, frozenset()
    )
