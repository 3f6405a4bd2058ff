"""Who sees what: post status, topic status and board visibility x viewer x every surface.

Each case writes its own words (the case id is in them) and looks for exactly those words in
every surface's response, one request a surface, so that a surface passes only by what it shows
that viewer. One database per status and viewer keeps the matrix quick on PostgreSQL too; a
failure names every surface that went wrong. There are no feeds yet; when they come, they join
each SURFACES table.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, PostStatus, Topic, TopicStatus
from tests import factories

Y, N = True, False
VIEWERS = ("anonymous", "author", "other-member", "moderator", "admin")
PEOPLE = {
    "other-member": ("sam", "member"),
    "moderator": ("modmira", "moderator"),
    "admin": ("adminada", "admin"),
}

# path, and for the permalink: follow its redirect when it leads to the topic page.
PATHS = {
    "home": "/",
    "board-page": "/b/{board}",
    "api-board-list": "/api/v1/boards",
    "api-topic-list": "/api/v1/boards/{board}/topics",
    "api-topic-detail": "/api/v1/topics/{topic}",
    "topic-page": "/t/{topic}",
    "api-post-list": "/api/v1/topics/{topic}/posts",
    "api-post-detail": "/api/v1/posts/{post}",
    "permalink": "/p/{post}",
    "history": "/p/{post}/history",
}


async def _viewer(http: httpx.AsyncClient, viewer: str, author: User) -> None:
    """Sign this client in as the viewer (the author is the one who wrote the post or topic)."""
    if viewer == "anonymous":
        return
    if viewer == "author":
        person = author
    else:
        username, role = PEOPLE[viewer]
        person = await factories.user(username=username, role=role)
    await factories.bearer(http, person)


async def _fetch(http: httpx.AsyncClient, surface: str, ids: dict[str, Any]) -> httpx.Response:
    response = await http.get(PATHS[surface].format(**ids))
    location = response.headers.get("location", "")
    if surface == "permalink" and response.status_code == 303 and location.startswith("/t/"):
        assert location == f"/t/{ids['topic']}?page=1#post-{ids['post']}"
        response = await http.get(location)
    return response


# Post status ------------------------------------------------------------------------------------
# Per status, for (anonymous, author, other-member, moderator, admin):
# whose view of the post carries its text (posts.may_read_body),
BODY_SHOWN = {
    "visible": (Y, Y, Y, Y, Y),
    "pending": (N, Y, N, Y, Y),
    "hidden": (N, N, N, Y, Y),
    "deleted": (N, N, N, N, N),
}
# who is offered Edit and Delete (posts.may_change),
MAY_CHANGE = {
    "visible": (N, Y, N, Y, Y),
    "pending": (N, Y, N, Y, Y),
    "hidden": (N, N, N, Y, Y),
    "deleted": (N, N, N, N, N),
}
# and who may open its edit history (posts.may_see_history); the rest get a 404.
HISTORY_OPEN = {
    "visible": (N, Y, N, Y, Y),
    "pending": (N, Y, N, Y, Y),
    "hidden": (N, N, N, Y, Y),
    "deleted": (N, N, N, N, N),
}
# Surfaces that show a post's text follow BODY_SHOWN; listings show topics, never post text.
POST_SURFACES = ("topic-page", "api-post-list", "api-post-detail", "permalink", "history")
LISTINGS = ("home", "board-page", "api-topic-list")

POST_CASES = [
    pytest.param(status, i, id=f"{status}-{viewer}")
    for status in BODY_SHOWN
    for i, viewer in enumerate(VIEWERS)
]


def _checked(failures: list[str], surface: str, check: Any, *args: Any) -> None:
    """Run one surface's assertions, keeping its failure to report with the others'."""
    try:
        check(*args)
    except AssertionError as exc:
        failures.append(f"{surface}: {exc}")


@pytest.mark.parametrize(("status", "viewer_index"), POST_CASES)
async def test_post_text_by_status_viewer_and_surface(
    client: httpx.AsyncClient, db: None, status: str, viewer_index: int
) -> None:
    viewer = VIEWERS[viewer_index]
    case = f"{status}-{viewer}"
    author = await factories.user(username="maria")
    topic = await factories.topic(author=author, title=f"Topic {case}", body="Opening post.")
    post = await factories.reply(author=author, topic_id=topic["id"], body=f"First draft {case}.")
    await posts.edit_post(author, post["id"], {"body": f"Current words {case}."})
    await Post.filter(id=post["id"]).update(status=PostStatus(status))
    await _viewer(client, viewer, author)
    failures: list[str] = []
    for surface in POST_SURFACES + LISTINGS:
        response = await _fetch(
            client, surface, {"board": "general", "topic": topic["id"], "post": post["id"]}
        )
        _checked(
            failures,
            surface,
            _post_surface,
            response,
            surface,
            status,
            viewer_index,
            case,
            post["id"],
        )
    assert not failures, "\n".join(failures)


def _post_surface(
    response: httpx.Response, surface: str, status: str, viewer_index: int, case: str, post_id: int
) -> None:

    history_open = HISTORY_OPEN[status][viewer_index]
    if surface in LISTINGS:
        shown, expected_status = N, 200
        assert f"Topic {case}" in response.text
    elif surface == "history":
        shown, expected_status = history_open, 200 if history_open else 404
    else:
        shown, expected_status = BODY_SHOWN[status][viewer_index], 200
    assert response.status_code == expected_status, response.text[:300]
    assert (f"Current words {case}." in response.text) is shown
    assert (f"First draft {case}." in response.text) is (surface == "history" and history_open)
    if surface == "topic-page":
        may_change = MAY_CHANGE[status][viewer_index]
        assert (f'href="/p/{post_id}/edit"' in response.text) is may_change
        assert (f'href="/p/{post_id}/delete"' in response.text) is may_change
        assert (f'href="/p/{post_id}/history"' in response.text) is history_open


# Topic status -----------------------------------------------------------------------------------
# A hidden topic is for moderators alone (services.readable_topic_statuses), its author included.
TOPIC_SHOWN = {
    "visible": (Y, Y, Y, Y, Y),
    "hidden": (N, N, N, Y, Y),
}
# surface: (what shows there, status when the topic is not shown)
TOPIC_SURFACES = {
    "home": ("title", 200),
    "board-page": ("title", 200),
    "api-topic-list": ("title", 200),
    "api-topic-detail": ("title", 404),
    "topic-page": ("body", 404),
    "api-post-list": ("body", 404),
    "api-post-detail": ("body", 404),
    "permalink": ("body", 404),
}
TOPIC_CASES = [
    pytest.param(status, i, id=f"{status}-{viewer}")
    for status in TOPIC_SHOWN
    for i, viewer in enumerate(VIEWERS)
]


@pytest.mark.parametrize(("status", "viewer_index"), TOPIC_CASES)
async def test_topic_by_status_viewer_and_surface(
    client: httpx.AsyncClient, db: None, status: str, viewer_index: int
) -> None:
    viewer = VIEWERS[viewer_index]
    case = f"topic-{status}-{viewer}"
    author = await factories.user(username="maria")
    topic = await factories.topic(author=author, title=f"Topic {case}", body=f"Opening {case}.")
    first = await Post.get(topic_id=topic["id"])
    await Topic.filter(id=topic["id"]).update(status=TopicStatus(status))
    await _viewer(client, viewer, author)
    shown = TOPIC_SHOWN[status][viewer_index]
    words = {"title": f"Topic {case}", "body": f"Opening {case}."}
    failures: list[str] = []
    for surface, (what, refused_status) in TOPIC_SURFACES.items():
        response = await _fetch(
            client, surface, {"board": "general", "topic": topic["id"], "post": first.id}
        )

        def check(
            response: httpx.Response = response, what: str = what, refused: int = refused_status
        ) -> None:
            assert response.status_code == (200 if shown else refused), response.text[:300]
            assert (words[what] in response.text) is shown

        _checked(failures, surface, check)
    assert not failures, "\n".join(failures)


# Board visibility -------------------------------------------------------------------------------
# A members board is for anyone signed in (services.readable_visibilities); for
# (anonymous, author, other-member):
BOARD_VIEWERS = VIEWERS[:3]
BOARD_SHOWN = {
    "public": (Y, Y, Y),
    "members": (N, Y, Y),
}
# surface: (what shows there, status when the board is not shown: 303 is "sign in first")
BOARD_SURFACES = {
    "home": ("board", 200),
    "api-board-list": ("board", 200),
    "board-page": ("title", 303),
    "api-topic-list": ("title", 401),
    "api-topic-detail": ("title", 401),
    "topic-page": ("body", 303),
    "api-post-list": ("body", 401),
    "api-post-detail": ("body", 401),
    "permalink": ("body", 303),
    # Edit history stays the author's own on any board: other readers find nothing (404).
    "history": ("body", 303),
}
BOARD_CASES = [
    pytest.param(visibility, i, id=f"{visibility}-{viewer}")
    for visibility in BOARD_SHOWN
    for i, viewer in enumerate(BOARD_VIEWERS)
]


@pytest.mark.parametrize(("visibility", "viewer_index"), BOARD_CASES)
async def test_board_by_visibility_viewer_and_surface(
    client: httpx.AsyncClient, db: None, visibility: str, viewer_index: int
) -> None:
    viewer = BOARD_VIEWERS[viewer_index]
    case = f"board-{visibility}-{viewer}"
    author = await factories.user(username="maria")
    await factories.board(slug="street", name=f"Board {case}", visibility=visibility)
    topic = await factories.topic(
        author=author, board_slug="street", title=f"Topic {case}", body=f"Opening {case}."
    )
    first = await Post.get(topic_id=topic["id"])
    await _viewer(client, viewer, author)
    failures: list[str] = []
    for surface in BOARD_SURFACES:
        response = await _fetch(
            client, surface, {"board": "street", "topic": topic["id"], "post": first.id}
        )
        _checked(
            failures,
            surface,
            _board_surface,
            response,
            surface,
            visibility,
            viewer_index,
            viewer,
            case,
        )
    assert not failures, "\n".join(failures)


def _board_surface(
    response: httpx.Response,
    surface: str,
    visibility: str,
    viewer_index: int,
    viewer: str,
    case: str,
) -> None:
    shown = BOARD_SHOWN[visibility][viewer_index]
    what, refused_status = BOARD_SURFACES[surface]
    status = 200 if shown else refused_status
    if surface == "history" and shown and viewer != "author":
        shown, status = N, 404
    assert response.status_code == status, response.text[:300]
    if status == 303:
        assert response.headers["location"].startswith("/login?next=")
    words = {"board": f"Board {case}", "title": f"Topic {case}", "body": f"Opening {case}."}
    assert (words[what] in response.text) is shown
    if what == "board":
        assert (f"Topic {case}" in response.text) is (shown and surface == "home")
