"""Writing and moderating through the pages: topics, replies, edits, deletions, locks, pins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.boards import posts, services
from forum.boards.models import Post, Topic
from tests import factories
from tests.forum.pages import reply_form_shown, submit

# Writing --------------------------------------------------------------------------------------


async def test_starting_a_topic_through_the_form(client: httpx.AsyncClient, member: User) -> None:
    await factories.board()
    csrf = await factories.login_cookie(client, "maria")
    form = await client.get("/b/general/new")
    assert "Markdown" in form.text
    response = await submit(
        client, "/b/general/new", csrf, title="Need a crib", body="For a family on Oak Road."
    )
    assert response.status_code == 303
    created = await Topic.get(title="Need a crib")
    assert response.headers["location"] == f"/t/{created.id}"
    assert "For a family on Oak Road." in (await client.get(f"/t/{created.id}")).text


async def test_a_refused_topic_keeps_the_draft(client: httpx.AsyncClient, member: User) -> None:
    await factories.board()
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(
        client, "/b/general/new", csrf, title="Hi", body="A long careful message <kept>"
    )
    assert response.status_code == 422
    assert "Use at least 3 characters." in response.text
    assert 'value="Hi"' in response.text
    assert "A long careful message &lt;kept&gt;</textarea>" in response.text
    assert 'aria-describedby="title-hint title-error" aria-invalid="true"' in response.text
    assert not await Topic.exists()


async def test_a_reply_lands_on_its_own_anchor(
    client: httpx.AsyncClient, other_member: User, topic: dict[str, Any]
) -> None:
    csrf = await factories.login_cookie(client, "sam")
    page = await client.get(f"/t/{topic['id']}")
    assert reply_form_shown(page.text)
    response = await submit(
        client, f"/t/{topic['id']}/reply?page=1", csrf, body="I can help on Thursdays."
    )
    assert response.status_code == 303
    post = await Post.get(body="I can help on Thursdays.")
    assert response.headers["location"] == f"/t/{topic['id']}?page=1#post-{post.id}"
    html = (await client.get(f"/t/{topic['id']}")).text
    assert f'id="post-{post.id}"' in html
    assert "1 reply" in html


async def test_a_reply_on_a_full_page_lands_on_the_last_page(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    for n in range(services.POSTS_PER_PAGE - 1):
        await factories.reply(author=member, topic_id=topic["id"], body=f"Reply {n}")
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, f"/t/{topic['id']}/reply", csrf, body="Onto page two")
    post = await Post.get(body="Onto page two")
    assert response.headers["location"] == f"/t/{topic['id']}?page=2#post-{post.id}"


async def test_a_refused_reply_keeps_the_draft_next_to_the_error(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    csrf = await factories.login_cookie(client, "maria")
    draft = "word " * 4001
    response = await submit(client, f"/t/{topic['id']}/reply?page=1", csrf, body=draft)
    assert response.status_code == 422
    assert "Must be at most 20000 characters." in response.text
    assert 'id="body-error"' in response.text
    assert draft in response.text
    assert "I drive there on" in response.text
    assert await Post.filter(topic_id=topic["id"]).count() == 1


async def test_editing_a_post_keeps_its_history(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    post = await Post.get(topic_id=topic["id"])
    csrf = await factories.login_cookie(client, "maria")
    form = await client.get(f"/p/{post.id}/edit")
    assert "I drive there on *Tuesdays*.</textarea>" in form.text
    response = await submit(
        client, f"/p/{post.id}/edit", csrf, body="I drive there on Wednesdays now."
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/p/{post.id}"
    page = (await client.get(f"/t/{topic['id']}")).text
    assert "Wednesdays now" in page
    assert f'href="/p/{post.id}/history">edited</a>' in page
    history = (await client.get(f"/p/{post.id}/history")).text
    assert "Wednesdays now" in history
    assert '<pre class="source">I drive there on *Tuesdays*.</pre>' in history


async def test_history_shows_old_markup_as_text(client: httpx.AsyncClient, member: User) -> None:
    created = await factories.topic(author=member, body="<b>bold</b> & <img src=x>")
    post = await Post.get(topic_id=created["id"])
    await posts.edit_post(member, post.id, {"body": "Plain now."})
    await factories.bearer(client, member)
    html = (await client.get(f"/p/{post.id}/history")).text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x&gt;" in html
    assert "<img src=x>" not in html


async def test_an_empty_edit_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    post = await Post.get(topic_id=topic["id"])
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(client, f"/p/{post.id}/edit", csrf, body="")
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert (await Post.get(id=post.id)).body == "I drive there on *Tuesdays*."


async def test_others_cannot_edit_or_delete_a_post(
    client: httpx.AsyncClient, other_member: User, topic: dict[str, Any]
) -> None:
    post = await Post.get(topic_id=topic["id"])
    csrf = await factories.login_cookie(client, "sam")
    page = (await client.get(f"/t/{topic['id']}")).text
    assert f'href="/p/{post.id}/edit"' not in page
    edit = await submit(client, f"/p/{post.id}/edit", csrf, body="Mine now")
    delete = await submit(client, f"/p/{post.id}/delete", csrf)
    assert (edit.status_code, delete.status_code) == (403, 403)
    assert (await Post.get(id=post.id)).status == "visible"


async def test_deleting_a_post_leaves_a_tombstone(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    added = await factories.reply(author=member, topic_id=topic["id"], body="Oops, wrong topic")
    csrf = await factories.login_cookie(client, "maria")
    confirm = await client.get(f"/p/{added['id']}/delete")
    assert "Oops, wrong topic" in confirm.text
    response = await submit(client, f"/p/{added['id']}/delete", csrf)
    assert response.status_code == 303
    assert response.headers["location"] == f"/p/{added['id']}"
    html = (await client.get(f"/t/{topic['id']}")).text
    assert "This post was removed." in html
    assert "Oops, wrong topic" not in html
    assert f'href="/p/{added["id"]}/edit"' not in html


async def test_a_moderator_deletes_any_post(
    client: httpx.AsyncClient, moderator: User, topic: dict[str, Any]
) -> None:
    post = await Post.get(topic_id=topic["id"])
    csrf = await factories.login_cookie(client, "modmira")
    response = await submit(client, f"/p/{post.id}/delete", csrf)
    assert response.status_code == 303
    assert (await Post.get(id=post.id)).status == "deleted"


async def test_the_author_retitles_a_topic(
    client: httpx.AsyncClient, member: User, topic: dict[str, Any]
) -> None:
    csrf = await factories.login_cookie(client, "maria")
    form = await client.get(f"/t/{topic['id']}/edit")
    assert 'value="Lifts to the clinic"' in form.text
    response = await submit(
        client, f"/t/{topic['id']}/edit", csrf, title="Lifts to the clinic (Tuesdays)"
    )
    assert response.status_code == 303
    assert (await Topic.get(id=topic["id"])).title == "Lifts to the clinic (Tuesdays)"
    bad = await submit(client, f"/t/{topic['id']}/edit", csrf, title="")
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text


# Moderating -----------------------------------------------------------------------------------


async def test_locking_hides_the_reply_form_from_members_but_not_moderators(
    make_client: Any, member: User, moderator: User, topic: dict[str, Any]
) -> None:
    mod, person = make_client(), make_client()
    mod_csrf = await factories.login_cookie(mod, "modmira")
    person_csrf = await factories.login_cookie(person, "maria")
    page = (await mod.get(f"/t/{topic['id']}")).text
    assert ">Lock</button>" in page
    response = await submit(mod, f"/t/{topic['id']}/moderate", mod_csrf, locked="true")
    assert response.status_code == 303
    member_view = (await person.get(f"/t/{topic['id']}")).text
    assert "This topic is locked." in member_view
    assert not reply_form_shown(member_view)
    assert ">Lock</button>" not in member_view
    mod_view = (await mod.get(f"/t/{topic['id']}")).text
    assert reply_form_shown(mod_view)
    assert ">Unlock</button>" in mod_view
    refused = await submit(person, f"/t/{topic['id']}/reply", person_csrf, body="Sneaking in")
    assert refused.status_code == 409


async def test_pinning_puts_a_topic_first_on_its_board(
    client: httpx.AsyncClient, member: User, moderator: User, topic: dict[str, Any]
) -> None:
    await factories.topic(author=member, title="A newer topic")
    csrf = await factories.login_cookie(client, "modmira")
    await submit(client, f"/t/{topic['id']}/moderate", csrf, pinned="true")
    html = (await client.get("/b/general")).text
    assert html.index("Lifts to the clinic") < html.index("A newer topic")
    assert ">Unpin</button>" in (await client.get(f"/t/{topic['id']}")).text


@pytest.mark.parametrize(
    ("username", "status"), [("maria", 403), ("sam", 403), ("modmira", 303), ("adminada", 303)]
)
async def test_only_staff_lock_topics(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    admin: User,
    topic: dict[str, Any],
    username: str,
    status: int,
) -> None:
    csrf = await factories.login_cookie(client, username)
    response = await submit(client, f"/t/{topic['id']}/moderate", csrf, locked="true")
    assert response.status_code == status
    assert (await Topic.get(id=topic["id"])).locked is (status == 303)


async def test_a_nonsense_lock_value_is_refused(
    client: httpx.AsyncClient, moderator: User, topic: dict[str, Any]
) -> None:
    csrf = await factories.login_cookie(client, "modmira")
    response = await submit(client, f"/t/{topic['id']}/moderate", csrf, locked="yes please")
    assert response.status_code == 422
    assert not (await Topic.get(id=topic["id"])).locked
