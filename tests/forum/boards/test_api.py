"""Boards, topics and posts through the JSON API."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, PostRevision, Topic
from tests import factories


async def test_new_topic_comes_with_its_first_post(client: httpx.AsyncClient, member: User) -> None:
    await factories.board()
    await factories.bearer(client, member)
    response = await client.post(
        "/api/v1/boards/general/topics",
        json={"title": "Lost cat on Elm Street", "body": "Grey, *shy*."},
    )
    assert response.status_code == 201
    topic = response.json()
    assert topic["board"] == "general"
    assert topic["post_count"] == 1
    assert topic["author"] == {"id": member.id, "username": "maria", "display_name": "Maria"}
    assert topic["first_post"]["body"] == "Grey, *shy*."
    assert topic["first_post"]["body_html"] == "<p>Grey, <em>shy</em>.</p>"
    assert topic["first_post"]["status"] == "visible"
    assert topic["first_post"]["edited_at"] is None


async def test_topic_list_puts_pinned_first_then_latest_activity(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    first = await factories.topic(author=member, title="First topic")
    second = await factories.topic(author=member, title="Second topic")
    third = await factories.topic(author=member, title="Third topic")
    await factories.reply(author=member, topic_id=first["id"])
    await factories.bearer(client, moderator)
    await client.patch(f"/api/v1/topics/{second['id']}", json={"pinned": True})
    listing = (await client.get("/api/v1/boards/general/topics")).json()
    assert [t["id"] for t in listing["items"]] == [second["id"], first["id"], third["id"]]
    assert listing["next_cursor"] is None


async def test_topic_cursor_walks_every_topic_once(client: httpx.AsyncClient, member: User) -> None:
    made = [
        (await factories.topic(author=member, title=f"Topic number {i}"))["id"] for i in range(7)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/boards/general/topics", params=params)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


async def test_posts_come_oldest_first_with_cursor(client: httpx.AsyncClient, member: User) -> None:
    topic = await factories.topic(author=member)
    replies = [
        (await factories.reply(author=member, topic_id=topic["id"], body=f"reply {i}"))
        for i in range(4)
    ]
    page1 = (await client.get(f"/api/v1/topics/{topic['id']}/posts?limit=2")).json()
    page2 = (
        await client.get(
            f"/api/v1/topics/{topic['id']}/posts",
            params={"limit": 2, "cursor": page1["next_cursor"]},
        )
    ).json()
    page3 = (
        await client.get(
            f"/api/v1/topics/{topic['id']}/posts",
            params={"limit": 2, "cursor": page2["next_cursor"]},
        )
    ).json()
    bodies = [p["body"] for p in page1["items"] + page2["items"] + page3["items"]]
    assert bodies == ["Glad to be here.", *[r["body"] for r in replies]]
    assert page3["next_cursor"] is None


async def test_limit_above_maximum_is_capped(client: httpx.AsyncClient, member: User) -> None:
    topic = await factories.topic(author=member)
    for i in range(101):
        await factories.reply(author=member, topic_id=topic["id"], body=f"r{i}")
    page = (await client.get(f"/api/v1/topics/{topic['id']}/posts?limit=500")).json()
    assert len(page["items"]) == 100
    assert page["next_cursor"] is not None


async def test_locked_topic_refuses_new_replies_from_members(
    client: httpx.AsyncClient, member: User, moderator: User
) -> None:
    topic = await factories.topic(author=member)
    await Topic.filter(id=topic["id"]).update(locked=True)
    await factories.bearer(client, member)
    response = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "Hello?"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "topic_locked"
    await factories.bearer(client, moderator)
    staff = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "Closing."})
    assert staff.status_code == 201


async def test_editing_keeps_history_and_marks_edited(
    client: httpx.AsyncClient, member: User
) -> None:
    topic = await factories.topic(author=member, body="Meet at 10")
    posts = (await client.get(f"/api/v1/topics/{topic['id']}/posts")).json()["items"]
    await factories.bearer(client, member)
    response = await client.patch(f"/api/v1/posts/{posts[0]['id']}", json={"body": "Meet at 11"})
    assert response.status_code == 200
    assert response.json()["body"] == "Meet at 11"
    assert response.json()["edited_at"] is not None
    history = await PostRevision.filter(post_id=posts[0]["id"]).values_list("body", flat=True)
    assert history == ["Meet at 10"]


async def test_deleted_post_is_a_tombstone_and_leaves_the_count(
    client: httpx.AsyncClient, member: User
) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"], body="my phone number")
    await factories.bearer(client, member)
    assert (await client.delete(f"/api/v1/posts/{post['id']}")).status_code == 204
    shown = (await client.get(f"/api/v1/posts/{post['id']}")).json()
    assert shown["status"] == "deleted"
    assert shown["body"] == ""
    assert shown["body_html"] == ""
    assert (await client.get(f"/api/v1/topics/{topic['id']}")).json()["post_count"] == 1
    again = await client.delete(f"/api/v1/posts/{post['id']}")
    assert again.status_code == 409


async def test_members_only_board_is_not_listed_for_anonymous(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.board(slug="general")
    await factories.board(slug="members", name="Members", visibility="members")
    anonymous = [b["slug"] for b in (await client.get("/api/v1/boards")).json()["items"]]
    await factories.bearer(client, member)
    signed_in = [b["slug"] for b in (await client.get("/api/v1/boards")).json()["items"]]
    assert anonymous == ["general"]
    assert signed_in == ["general", "members"]


async def test_admin_creates_board_and_duplicate_slug_is_a_field_error(
    client: httpx.AsyncClient, admin: User
) -> None:
    await factories.bearer(client, admin)
    body = {"slug": "repair-cafe", "name": "Repair café", "description": "Fix it together"}
    created = await client.post("/api/v1/boards", json=body)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("slug", "name", "description")} == body
    duplicate = await client.post("/api/v1/boards", json=body)
    assert duplicate.status_code == 422
    assert "slug" in duplicate.json()["error"]["fields"]


@pytest.mark.parametrize("slug", ["Has Space", "UPPER", "-lead", "trail-", "a--b", "x" * 41, ""])
async def test_bad_board_slugs_are_refused(
    client: httpx.AsyncClient, admin: User, slug: str
) -> None:
    await factories.bearer(client, admin)
    response = await client.post("/api/v1/boards", json={"slug": slug, "name": "Name"})
    assert response.status_code == 422
    assert "slug" in response.json()["error"]["fields"]


async def test_admin_changes_role_and_trust(
    client: httpx.AsyncClient, admin: User, member: User
) -> None:
    await factories.bearer(client, admin)
    response = await client.patch(
        "/api/v1/users/maria", json={"role": "moderator", "trust_level": 3}
    )
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "moderator"
    assert response.json()["user"]["trust_level"] == 3
    bad = await client.patch("/api/v1/users/maria", json={"role": "king", "trust_level": 9})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"role", "trust_level"}
    self_demotion = await client.patch("/api/v1/users/adminada", json={"role": "member"})
    assert self_demotion.status_code == 409


async def test_author_cannot_rewrite_a_hidden_post(client: httpx.AsyncClient, member: User) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"], body="the original words")
    await Post.filter(id=post["id"]).update(status="hidden")
    await factories.bearer(client, member)
    response = await client.patch(f"/api/v1/posts/{post['id']}", json={"body": "innocent now"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "post_hidden"
    assert (await Post.get(id=post["id"])).body == "the original words"
    assert not await PostRevision.filter(post_id=post["id"]).exists()


async def test_edit_history_is_for_the_author_and_moderators(
    client: httpx.AsyncClient, member: User, other_member: User, moderator: User
) -> None:
    topic = await factories.topic(author=member, body="call me on 0123 456")
    first = await Post.get(topic_id=topic["id"])
    await posts.edit_post(member, first.id, {"body": "message me here instead"})
    for person, status in ((other_member, 404), (member, 200), (moderator, 200)):
        await factories.bearer(client, person)
        assert (await client.get(f"/p/{first.id}/history")).status_code == status
    client.headers.pop("Authorization")
    assert (await client.get(f"/p/{first.id}/history")).status_code == 404


async def test_topic_cursor_crosses_from_pinned_to_unpinned_topics(
    client: httpx.AsyncClient, member: User
) -> None:
    made = [
        (await factories.topic(author=member, title=f"Topic number {i}"))["id"] for i in range(5)
    ]
    await Topic.filter(id__in=[made[1], made[3]]).update(pinned=True)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/boards/general/topics", params=params)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [made[3], made[1], made[4], made[2], made[0]]


async def test_board_list_pages_with_limit_and_cursor(
    client: httpx.AsyncClient, admin: User
) -> None:
    for i in range(5):
        await factories.board(slug=f"board-{i}", name=f"Board {i}")
    first = (await client.get("/api/v1/boards?limit=2")).json()
    second = (
        await client.get("/api/v1/boards", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get("/api/v1/boards", params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()
    slugs = [b["slug"] for page in (first, second, third) for b in page["items"]]
    assert slugs == [f"board-{i}" for i in range(5)]
    assert third["next_cursor"] is None
