"""A blocked person's posts: folded on topic pages, left out of the API, for the blocker only."""

from __future__ import annotations

from typing import Any

import httpx

from forum.accounts import blocks
from forum.accounts.models import User
from tests import factories
from tests.forum.pages import sign_in

FOLDED = "Post hidden because you blocked @sam"


async def test_the_blocker_sees_the_post_folded_with_a_way_to_open_it(
    client: httpx.AsyncClient, topic: dict[str, Any], member: User, other_member: User
) -> None:
    await factories.reply(author=other_member, topic_id=topic["id"], body="Sam's *reply*")
    await blocks.block(member, {"username": "sam"})
    await sign_in(client, "maria")
    page = await client.get(f"/t/{topic['id']}")
    assert FOLDED in page.text
    # The body is still there, inside <details>: no JavaScript needed to look.
    folded = page.text[page.text.index("<details") : page.text.index("</details>")]
    assert "<em>reply</em>" in folded
    # Maria's own first post is not folded.
    assert page.text.count("<details") == 1


async def test_everyone_else_sees_the_post_as_usual(
    make_client: Any, topic: dict[str, Any], member: User, other_member: User
) -> None:
    await factories.reply(author=other_member, topic_id=topic["id"], body="Sam's *reply*")
    await blocks.block(member, {"username": "sam"})
    third = await factories.user(username="olu")
    seen_by_olu = make_client()
    await sign_in(seen_by_olu, third.username)
    page = await seen_by_olu.get(f"/t/{topic['id']}")
    assert "<em>reply</em>" in page.text
    assert "Post hidden" not in page.text
    anonymous = await make_client().get(f"/t/{topic['id']}")
    assert "Post hidden" not in anonymous.text
    # Sam, blocked, sees nothing of it either.
    seen_by_sam = make_client()
    await sign_in(seen_by_sam, "sam")
    assert "Post hidden" not in (await seen_by_sam.get(f"/t/{topic['id']}")).text


async def test_unblocking_shows_the_post_again_at_once(
    client: httpx.AsyncClient, topic: dict[str, Any], member: User, other_member: User
) -> None:
    await factories.reply(author=other_member, topic_id=topic["id"])
    await blocks.block(member, {"username": "sam"})
    await sign_in(client, "maria")
    assert FOLDED in (await client.get(f"/t/{topic['id']}")).text
    await blocks.unblock(member, "sam")
    assert FOLDED not in (await client.get(f"/t/{topic['id']}")).text


async def test_the_api_marks_a_blocked_persons_post_and_leaves_its_text_out(
    client: httpx.AsyncClient, topic: dict[str, Any], member: User, other_member: User
) -> None:
    reply = await factories.reply(author=other_member, topic_id=topic["id"], body="Hello")
    await blocks.block(member, {"username": "sam"})
    await factories.bearer(client, member)
    items = (await client.get(f"/api/v1/topics/{topic['id']}/posts")).json()["items"]
    assert [(p["author"]["username"], p["blocked"], p["body"]) for p in items] == [
        ("maria", False, "I drive there on *Tuesdays*."),
        ("sam", True, ""),
    ]
    assert items[1]["body_html"] == ""
    one = (await client.get(f"/api/v1/posts/{reply['id']}")).json()
    assert (one["blocked"], one["body"], one["body_html"]) == (True, "", "")


async def test_the_api_shows_the_post_to_the_blocked_person_and_others(
    client: httpx.AsyncClient, topic: dict[str, Any], member: User, other_member: User
) -> None:
    await factories.reply(author=other_member, topic_id=topic["id"], body="Hello")
    await blocks.block(member, {"username": "sam"})
    await factories.bearer(client, other_member)
    items = (await client.get(f"/api/v1/topics/{topic['id']}/posts")).json()["items"]
    assert [(p["blocked"], p["body"]) for p in items] == [
        (False, "I drive there on *Tuesdays*."),
        (False, "Hello"),
    ]


async def test_lists_leave_out_a_blocked_persons_topics_for_the_blocker_only(
    make_client: Any, member: User, other_member: User
) -> None:
    await factories.topic(author=other_member, title="Sam's garage sale")
    await factories.topic(author=member, title="Maria's plant swap")
    await blocks.block(member, {"username": "sam"})
    maria, olu = make_client(), make_client()
    await sign_in(maria, "maria")
    await factories.user(username="olu")
    await sign_in(olu, "olu")
    for reader, sees_sam in ((maria, False), (olu, True)):
        for path in ("/b/general", "/"):
            page = (await reader.get(path)).text
            assert "Maria&#39;s plant swap" in page
            assert ("Sam&#39;s garage sale" in page) is sees_sam, path
        api = (await reader.get("/api/v1/boards/general/topics")).json()
        titles = {item["title"] for item in api["items"]}
        assert ("Sam's garage sale" in titles) is sees_sam
    # A direct link still opens it for the blocker, as a post's does.
    sams = next(t for t in api["items"] if t["title"] == "Sam's garage sale")
    assert (await maria.get(f"/t/{sams['id']}")).status_code == 200
    await blocks.unblock(member, "sam")
    assert "Sam&#39;s garage sale" in (await maria.get("/b/general")).text
