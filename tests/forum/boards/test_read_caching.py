"""Signed-in readers and the API share cached topics, posts and post HTML, never stale here
and never showing one viewer another's abilities or a post they may not read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import jinja2
import pytest
from starlette.applications import Starlette

from forum import clock, readcache, web
from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, Topic
from tests import factories
from tests.forum.pages import submit


@pytest.fixture
def long_lived(app: Starlette) -> None:
    """Caches that would keep an entry for a minute: only forgetting can explain a change."""
    for cache in app.state.read_caches.values():
        cache.ttl = 60.0


async def _reader(make_client: Any, person: User) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    return await factories.bearer(http, person)


async def test_an_edited_post_shows_at_once_to_a_signed_in_reader(
    make_client: Any, long_lived: None, member: User, other_member: User
) -> None:
    topic = await factories.topic(author=member, body="Meet at the corner at six")
    reader = await _reader(make_client, other_member)
    assert "at six" in (await reader.get(f"/t/{topic['id']}")).text
    author: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(author, "maria")
    first = await Post.get(topic_id=topic["id"])
    edited = await submit(author, f"/p/{first.id}/edit", csrf, body="Meet at the corner at seven")
    assert edited.status_code == 303, edited.text
    page = (await reader.get(f"/t/{topic['id']}")).text
    assert "at seven" in page
    assert "at six" not in page
    api = (await reader.get(f"/api/v1/topics/{topic['id']}/posts")).json()
    assert api["items"][0]["body"] == "Meet at the corner at seven"


async def test_a_reply_and_a_new_title_show_at_once_in_the_api(
    make_client: Any, long_lived: None, member: User, other_member: User
) -> None:
    topic = await factories.topic(author=member)
    reader = await _reader(make_client, other_member)
    assert len((await reader.get(f"/api/v1/topics/{topic['id']}/posts")).json()["items"]) == 1
    author = await _reader(make_client, member)
    replied = await author.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "More news"})
    assert replied.status_code == 201
    renamed = await author.patch(f"/api/v1/topics/{topic['id']}", json={"title": "Street news"})
    assert renamed.status_code == 200
    assert len((await reader.get(f"/api/v1/topics/{topic['id']}/posts")).json()["items"]) == 2
    assert "Street news" in (await reader.get(f"/t/{topic['id']}")).text


async def test_a_renamed_author_shows_at_once_on_their_posts(
    make_client: Any, long_lived: None, member: User, other_member: User
) -> None:
    topic = await factories.topic(author=member)
    reader = await _reader(make_client, other_member)
    assert "Maria" in (await reader.get(f"/t/{topic['id']}")).text
    author: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(author, "maria")
    assert (await submit(author, "/settings", csrf, display_name="Maria Elm")).status_code == 303
    assert "Maria Elm" in (await reader.get(f"/t/{topic['id']}")).text


async def test_a_change_made_elsewhere_shows_within_the_cache_lifetime(
    app: Starlette, make_client: Any, member: User, other_member: User
) -> None:
    """Changed behind this process's back, as another worker would: seen once the entry ages."""
    app.state.read_caches[readcache.CONTENT].ttl = 0.3
    topic = await factories.topic(author=member, title="Old title here")
    reader = await _reader(make_client, other_member)
    assert "Old title here" in (await reader.get(f"/t/{topic['id']}")).text
    await Topic.filter(id=topic["id"]).update(title="New title there")
    assert "Old title here" in (await reader.get(f"/t/{topic['id']}")).text  # cached
    await asyncio.sleep(0.35)
    assert "New title there" in (await reader.get(f"/t/{topic['id']}")).text


# Hidden posts are for moderators; pending ones for moderators and their author.
@pytest.mark.parametrize(("status", "authors_too"), [("hidden", False), ("pending", True)])
async def test_a_reader_never_gets_a_body_cached_for_someone_allowed_to_see_it(
    make_client: Any,
    long_lived: None,
    member: User,
    other_member: User,
    moderator: User,
    status: str,
    authors_too: bool,
) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"], body="Only for some eyes")
    await Post.filter(id=post["id"]).update(status=status)
    for person in (moderator, member):  # their views fill the caches first
        page = (await (await _reader(make_client, person)).get(f"/t/{topic['id']}")).text
        assert ("Only for some eyes" in page) is (person is moderator or authors_too)
    reader = await _reader(make_client, other_member)
    assert "Only for some eyes" not in (await reader.get(f"/t/{topic['id']}")).text
    api = (await reader.get(f"/api/v1/topics/{topic['id']}/posts")).json()
    assert [item["body"] for item in api["items"]][-1] == ""
    anonymous: httpx.AsyncClient = make_client()
    assert "Only for some eyes" not in (await anonymous.get(f"/t/{topic['id']}")).text


async def test_a_viewer_never_sees_another_viewers_abilities(
    make_client: Any, long_lived: None, member: User, other_member: User, moderator: User
) -> None:
    topic = await factories.topic(author=member)
    await factories.reply(author=other_member, topic_id=topic["id"], body="A reply by Sam")
    first = await Post.get(topic_id=topic["id"], author_id=member.id)
    reply = await Post.get(topic_id=topic["id"], author_id=other_member.id)
    pages = {}
    for name, person in (("mod", moderator), ("maria", member), ("sam", other_member)):
        pages[name] = (await (await _reader(make_client, person)).get(f"/t/{topic['id']}")).text
    pages["anon"] = (await make_client().get(f"/t/{topic['id']}")).text
    edit_links = {
        name: {pid for pid in (first.id, reply.id) if f'href="/p/{pid}/edit"' in html}
        for name, html in pages.items()
    }
    assert edit_links == {
        "mod": {first.id, reply.id},
        "maria": {first.id},
        "sam": {reply.id},
        "anon": set(),
    }


async def test_post_fragments_never_hold_a_form_token(
    make_client: Any, member: User, moderator: User
) -> None:
    topic = await factories.topic(author=member)
    reader: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(reader, "maria")
    page = (await reader.get(f"/t/{topic['id']}")).text
    assert csrf in page  # the reply form has it
    kept = [b"".join(pieces).decode() for pieces in web.fragments.entries.values()]
    assert any(topic["title"] in html for html in kept)
    assert not any(csrf in html for html in kept)


async def test_viewers_alike_share_the_page_and_each_gets_their_own_form_token(
    make_client: Any, member: User, other_member: User, moderator: User
) -> None:
    topic = await factories.topic(author=moderator, title="Rendered once for viewers alike")
    tokens, pages = {}, {}
    with clock.fixed_at(datetime.now(UTC)):  # one minute's fragments ("5 minutes ago")
        for name in ("maria", "sam"):
            reader: httpx.AsyncClient = make_client()
            tokens[name] = await factories.login_cookie(reader, name)
            pages[name] = (await reader.get(f"/t/{topic['id']}")).text
    assert tokens["maria"] != tokens["sam"]
    for name, other in (("maria", "sam"), ("sam", "maria")):
        assert f'name="csrf_token" value="{tokens[name]}"' in pages[name]
        assert tokens[other] not in pages[name]
        assert "\x00" not in pages[name]  # no slot left unfilled
    kept = [b"".join(pieces).decode() for pieces in web.fragments.entries.values()]
    shared = [html for html in kept if topic["title"] in html]
    assert len(shared) == 1  # both members, no post of their own: one rendering


async def test_services_outside_a_request_read_the_database_every_time(member: User) -> None:
    topic = await factories.topic(author=member, title="Before the change")
    await posts.topic_page(member, topic["id"], 1)
    await Topic.filter(id=topic["id"]).update(title="After the change")
    found, _, _ = await posts.topic_page(member, topic["id"], 1)
    assert found["title"] == "After the change"


async def test_each_caller_gets_its_own_copy_of_cached_rows(member: User) -> None:
    topic = await factories.topic(author=member, title="As it was written")
    with readcache.using({readcache.CONTENT: readcache.TimedCache()}):
        found, _, _ = await posts.topic_page(member, topic["id"], 1)
        found["title"] = "Scribbled on by one caller"
        again, _, _ = await posts.topic_page(member, topic["id"], 1)
    assert again["title"] == "As it was written"


def test_fragments_keep_within_their_budget_and_skip_huge_ones() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"draft.html": "<p>{{ body }}</p>"}), autoescape=True
    )
    fragments = web.Fragments(env, max_bytes=100 * 1000)
    for n in range(100):  # each about 1.5 kB as counted, under the 1/64 of the budget
        fragments("draft.html", body=f"draft {n:02} " * 80)
    assert 0 < len(fragments.entries) < 100
    assert fragments.size <= 100 * 1000
    kept = [b"".join(pieces) for pieces in fragments.entries.values()]
    assert sum(2 * len(html) for html in kept) == fragments.size
    huge = fragments("draft.html", body="word " * 2000)
    assert "word word" in huge
    assert not any(b"word word" in html for html in kept)


def test_a_fragment_whose_values_cannot_be_a_key_renders_every_time() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"who.html": "{% for r in rows %}{{ r.by.name }}{% endfor %}"}),
        autoescape=True,
    )
    fragments = web.Fragments(env)
    rows = [{"by": {"name": "Maria"}}]  # a dict inside a row: nothing hashable to key it by
    assert fragments("who.html", rows=rows) == "Maria"
    rows[0]["by"]["name"] = "Sam"
    assert fragments("who.html", rows=rows) == "Sam"
    assert not fragments.entries
