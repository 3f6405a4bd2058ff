"""Each rule about reading a post, on its own: each test fails when its one rule is removed.

The rules live in forum.boards.posts (may_read_body, may_see_history). Every test here checks
the person for whom no other rule would step in: the author of a hidden post (the pending rule
lets authors read), a moderator on a deleted post (staff may see any history).
"""

from __future__ import annotations

import httpx

from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, PostStatus
from tests import factories


async def _post(author: User, status: PostStatus, words: str) -> tuple[int, int]:
    """A topic with a reply of these words, edited once (so it has a history), in status."""
    topic = await factories.topic(author=author)
    post = await factories.reply(author=author, topic_id=topic["id"], body="A first draft.")
    await posts.edit_post(author, post["id"], {"body": words})
    await Post.filter(id=post["id"]).update(status=status)
    return topic["id"], post["id"]


async def _as(http: httpx.AsyncClient, person: User | None) -> httpx.AsyncClient:
    http.headers.pop("Authorization", None)
    if person is not None:
        await factories.bearer(http, person)
    return http


async def test_hidden_post_body_is_blank_for_its_author_on_the_topic_page(
    client: httpx.AsyncClient, member: User, other_member: User, moderator: User
) -> None:
    topic_id, post_id = await _post(member, PostStatus.HIDDEN, "My number is 0123 456 789")
    for person, shown in ((member, False), (other_member, False), (moderator, True)):
        await _as(client, person)
        page = await client.get(f"/t/{topic_id}")
        assert ("0123 456 789" in page.text) is shown, person.username
        assert ("This post was removed." in page.text) is not shown
        api = (await client.get(f"/api/v1/posts/{post_id}")).json()
        assert api["body"] == ("My number is 0123 456 789" if shown else "")
        assert (api["body_html"] != "") is shown


async def test_pending_post_body_is_blank_for_everyone_but_its_author_and_moderators(
    client: httpx.AsyncClient, member: User, other_member: User, moderator: User
) -> None:
    topic_id, post_id = await _post(member, PostStatus.PENDING, "Held back for a look")
    for person, shown in ((None, False), (other_member, False), (member, True), (moderator, True)):
        await _as(client, person)
        page = await client.get(f"/t/{topic_id}")
        assert ("Held back for a look" in page.text) is shown
        assert ("This post is waiting for review." in page.text) is not shown
        listed = (await client.get(f"/api/v1/topics/{topic_id}/posts")).json()["items"]
        body = next(p["body"] for p in listed if p["id"] == post_id)
        assert body == ("Held back for a look" if shown else "")


async def test_hidden_post_history_is_closed_to_its_author(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    _, post_id = await _post(member, PostStatus.HIDDEN, "Regretted words")
    await _as(client, member)
    assert (await client.get(f"/p/{post_id}/history")).status_code == 404
    await _as(client, moderator)
    assert (await client.get(f"/p/{post_id}/history")).status_code == 200


async def test_deleted_post_history_is_closed_to_its_author_and_to_moderators(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    _, post_id = await _post(member, PostStatus.DELETED, "Words taken back")
    for person in (member, moderator):
        await _as(client, person)
        history = await client.get(f"/p/{post_id}/history")
        assert history.status_code == 404
        assert "A first draft." not in history.text


async def test_pending_post_history_is_closed_to_others(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    # Two rules close this one (others see the text blanked, and the history is the author's):
    # removing either alone leaves it closed. The hidden and deleted tests above pin the first,
    # a visible post's history (test_api, the visibility matrix) the second.
    _, post_id = await _post(member, PostStatus.PENDING, "Waiting words")
    for person, status in ((None, 404), (other_member, 404), (member, 200)):
        await _as(client, person)
        assert (await client.get(f"/p/{post_id}/history")).status_code == status
