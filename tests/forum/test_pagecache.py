"""Anonymous pages are shared from memory, yet never stale after a write in this process."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from forum.accounts.models import User
from forum.boards.models import Topic
from forum.pagecache import MAX_BODY, AnonymousPageCache, PageStore
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


async def test_signed_in_visitors_are_not_served_the_anonymous_copy(
    client: httpx.AsyncClient, member: User
) -> None:
    anonymous = await client.get("/")
    assert "Welcome to Porchlight" in anonymous.text  # now kept for the next visitor
    await factories.bearer(client, member)
    signed_in = await client.get("/")
    assert "Hello, Maria" in signed_in.text
    assert "Welcome to Porchlight" not in signed_in.text


async def test_a_missing_page_is_not_kept_to_be_served_as_found(
    client: httpx.AsyncClient, db: None
) -> None:
    for _ in range(2):
        assert (await client.get("/t/999")).status_code == 404


# The cache on its own, in front of a bare page, so that only its own guards decide. ------------

HTML = [(b"content-type", b"text/html; charset=utf-8")]


def _bare_page(body: bytes = b"<p>A page</p>", status: int = 200, headers: Any = None) -> Any:
    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers or HTML})
        await send({"type": "http.response.body", "body": body + scope["method"].encode()})

    return page


async def _request(
    cache: AnonymousPageCache,
    path: str = "/t/1",
    *,
    method: str = "GET",
    user: User | None = None,
    csrf_token: str = "",
) -> bytes:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [],
        "state": {"user": user, "csrf_token": csrf_token},
    }
    body = b""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal body
        body += message.get("body", b"")

    await cache(scope, receive, send)
    return body


async def test_signed_in_requests_are_never_stored_in_the_page_cache() -> None:
    store = PageStore()
    cache = AnonymousPageCache(_bare_page(), store=store)
    await _request(cache, user=User(id=1, username="maria"))
    assert not store.entries
    await _request(cache)
    assert list(store.entries) == [b"/t/1?"]


async def test_only_gets_are_stored_and_only_gets_are_served_from_the_cache() -> None:
    store = PageStore()
    cache = AnonymousPageCache(_bare_page(), store=store)
    await _request(cache, method="POST")
    assert not store.entries
    assert await _request(cache) == b"<p>A page</p>GET"
    assert await _request(cache, method="POST") == b"<p>A page</p>POST"


async def test_other_scopes_than_http_pass_straight_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    cache = AnonymousPageCache(app, store=PageStore())
    for kind in ("lifespan", "websocket"):
        await cache({"type": kind, "path": "/ws", "state": {"user": None}}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan", "websocket"]


async def test_only_pages_are_stored_not_the_api() -> None:
    store = PageStore()
    await _request(AnonymousPageCache(_bare_page(), store=store), "/api/v1/boards")
    assert not store.entries


@pytest.mark.parametrize(
    ("page", "csrf_token"),
    [
        pytest.param(_bare_page(status=404), "", id="not-a-200"),
        pytest.param(_bare_page(body=b"x" * (MAX_BODY + 1)), "", id="too-large"),
        pytest.param(_bare_page(headers=[*HTML, (b"set-cookie", b"a=b")]), "", id="sets-a-cookie"),
        pytest.param(_bare_page(headers=[(b"content-type", b"text/plain")]), "", id="not-html"),
        pytest.param(_bare_page(body=b"<input value=tok-123>"), "tok-123", id="has-my-csrf-token"),
    ],
)
async def test_responses_that_are_someones_own_are_not_stored(page: Any, csrf_token: str) -> None:
    store = PageStore()
    await _request(AnonymousPageCache(page, store=store), csrf_token=csrf_token)
    assert not store.entries
