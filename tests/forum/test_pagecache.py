"""Anonymous pages are shared from memory, yet never stale after a write in this process."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette

from forum.accounts.models import User
from forum.boards.models import Topic
from tests import factories


async def test_anonymous_topic_page_is_served_from_cache_between_writes(
    client: httpx.AsyncClient, member: User
) -> None:
    topic = await factories.topic(author=member, title="Street party plans")
    first = await client.get(f"/t/{topic['id']}")
    # Changed behind the services' back (no event): the cached copy is what visitors get.
    await Topic.filter(id=topic["id"]).update(title="Changed without an event")
    cached = await client.get(f"/t/{topic['id']}")
    assert cached.text == first.text
    assert "Street party plans" in cached.text


async def test_a_reply_shows_to_anonymous_visitors_at_once(
    client: httpx.AsyncClient, member: User
) -> None:
    topic = await factories.topic(author=member)
    await client.get(f"/t/{topic['id']}")
    await factories.reply(author=member, topic_id=topic["id"], body="Fresh news from Elm St")
    assert "Fresh news from Elm St" in (await client.get(f"/t/{topic['id']}")).text


async def test_signed_in_pages_are_never_shared(
    make_client: object, member: User, other_member: User
) -> None:
    topic = await factories.topic(author=member)
    mine: httpx.AsyncClient = make_client()  # type: ignore[operator]
    theirs: httpx.AsyncClient = make_client()  # type: ignore[operator]
    await factories.bearer(mine, member)
    await factories.bearer(theirs, other_member)
    page_for_author = (await mine.get(f"/t/{topic['id']}")).text
    page_for_other = (await theirs.get(f"/t/{topic['id']}")).text
    assert page_for_author != page_for_other
    assert "maria" in page_for_author.lower()


async def test_pages_with_a_form_token_are_not_shared(make_client: object, db: None) -> None:
    first: httpx.AsyncClient = make_client()  # type: ignore[operator]
    second: httpx.AsyncClient = make_client()  # type: ignore[operator]
    one = await first.get("/login")
    two = await second.get("/login")
    assert one.status_code == two.status_code == 200
    assert one.text != two.text  # each carries its own CSRF token


async def test_concurrent_misses_render_once_and_all_get_the_page(
    app: Starlette, member: User
) -> None:
    topic = await factories.topic(author=member, title="Popular topic")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        pages = await asyncio.gather(*(http.get(f"/t/{topic['id']}") for _ in range(20)))
    assert {page.status_code for page in pages} == {200}
    assert all("Popular topic" in page.text for page in pages)
    assert len({page.text for page in pages}) == 1
