"""Board and topic pages as readers see them: listings, badges, paging, prompts to sign in."""

from __future__ import annotations

import re
from typing import Any

import httpx

from forum.accounts import services as accounts_services
from forum.accounts.models import User
from forum.boards import services
from tests import factories
from tests.forum.pages import reply_form_shown

# Reading --------------------------------------------------------------------------------------


async def test_board_page_lists_topics_with_counts_and_badges(
    client: httpx.AsyncClient, member: User, moderator: User, topic: dict[str, Any]
) -> None:
    await factories.reply(author=moderator, topic_id=topic["id"])
    await services.update_topic(moderator, topic["id"], {"pinned": True, "locked": True})
    html = (await client.get("/b/general")).text
    assert f'href="/t/{topic["id"]}"' in html
    assert "1 reply" in html
    assert ">Pinned<" in html
    assert ">Locked<" in html
    assert "<time datetime=" in html


async def test_anonymous_visitors_are_invited_to_sign_in_to_post(
    client: httpx.AsyncClient, topic: dict[str, Any]
) -> None:
    board_html = (await client.get("/b/general")).text
    assert "Start a topic" not in board_html
    assert 'href="/login?next=/b/general"' in board_html
    topic_html = (await client.get(f"/t/{topic['id']}")).text
    assert not reply_form_shown(topic_html)
    assert f'href="/login?next=/t/{topic["id"]}"' in topic_html


async def test_members_see_the_start_a_topic_button(
    client: httpx.AsyncClient, topic: dict[str, Any]
) -> None:
    await factories.login_cookie(client, "maria")
    html = (await client.get("/b/general")).text
    assert 'href="/b/general/new"' in html


async def test_an_empty_board_says_so(client: httpx.AsyncClient, db: None) -> None:
    await factories.board(slug="quiet", name="Quiet corner")
    html = (await client.get("/b/quiet")).text
    assert "No one has posted here yet." in html


async def test_older_topics_link_pages_through_a_long_board(
    client: httpx.AsyncClient, member: User
) -> None:
    for n in range(21):
        await factories.topic(author=member, title=f"Topic number {n}")
    first = await client.get("/b/general")
    assert first.text.count('class="topic-item"') == 20
    older = re.search(r'href="(/b/general\?cursor=[^"]+)"', first.text)
    assert older, "no link to older topics"
    second = await client.get(older.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('class="topic-item"') == 1
    assert "Topic number 0" in second.text
    assert 'href="/b/general">Newest topics' in second.text


async def test_topic_page_shows_posts_with_authors_times_and_sanitized_bodies(
    client: httpx.AsyncClient, member: User, other_member: User, topic: dict[str, Any]
) -> None:
    await factories.reply(
        author=other_member,
        topic_id=topic["id"],
        body="Count me in <script>alert(1)</script> **thanks**",
    )
    html = (await client.get(f"/t/{topic['id']}")).text
    assert "<em>Tuesdays</em>" in html
    assert "<strong>thanks</strong>" in html
    assert "<script" not in html
    assert 'href="/u/sam">Sam</a>' in html
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+">just now<', html
    )


async def test_long_topics_have_previous_and_next_page_links(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    for n in range(services.POSTS_PER_PAGE):
        await factories.reply(author=member, topic_id=topic["id"], body=f"Reply {n}")
    first = (await client.get(f"/t/{topic['id']}")).text
    assert f'href="/t/{topic["id"]}?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    second = (await client.get(f"/t/{topic['id']}?page=2")).text
    assert f'href="/t/{topic["id"]}?page=1" rel="prev"' in second
    assert "Reply 19" in second


async def test_a_deleted_authors_posts_stay_without_a_profile_link(
    client: httpx.AsyncClient, member: User
) -> None:
    topic = await factories.topic(author=member, body="Advice that is still useful")
    await accounts_services.delete_account(member, factories.PASSWORD)
    html = (await client.get(f"/t/{topic['id']}")).text
    assert "Advice that is still useful" in html
    assert "deleted user" in html
    assert "/u/~deleted" not in html
    assert "maria" not in html.lower()
