"""Trust level 0: what a new account may not do yet, how it rises to 1, and who sets levels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from forum import clock
from forum.accounts import trust
from forum.accounts.models import User
from forum.aid import vocabularies
from forum.boards import posts
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.errors import InvalidInput, PermissionDenied
from tests import factories
from tests.conftest import RecordingReview
from tests.forum.pages import csrf_from, sign_in, submit

LINKS = "See https://a.example, https://b.example and https://c.example"


@pytest.fixture
async def newcomer(db: None) -> User:
    return await factories.user(username="newton", trust_level=0)


@pytest.fixture
async def topic(member: User) -> dict[str, Any]:
    return await factories.topic(author=member)


async def _fresh(person: User) -> User:
    return await User.get(id=person.id)


async def test_a_new_member_cannot_start_a_direct_message_but_can_write_to_a_moderator(
    client: httpx.AsyncClient, newcomer: User, member: User, moderator: User
) -> None:
    await factories.bearer(client, newcomer)
    refused = await client.post("/api/v1/rooms/direct", json={"username": member.username})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "cannot_message"
    assert "New members" in refused.json()["error"]["message"]
    to_staff = await client.post("/api/v1/rooms/direct", json={"username": moderator.username})
    assert to_staff.status_code == 200


async def test_a_new_member_can_answer_a_direct_message_someone_else_started(
    newcomer: User, member: User
) -> None:
    room = await chat_rooms.direct_room(member, newcomer.username)
    again = await chat_rooms.direct_room(newcomer, member.username)
    assert again["id"] == room["id"]
    sent, _ = await chat.send_message(newcomer, room["id"], "Hello back!")
    assert sent["body"] == "Hello back!"


async def test_the_direct_message_form_says_why_with_the_name_kept(
    client: httpx.AsyncClient, newcomer: User, member: User
) -> None:
    await sign_in(client, "newton")
    page = await client.get("/chat")
    refused = await submit(client, "/chat/direct", csrf_from(page.text), username="maria")
    assert refused.status_code == 403
    assert "New members can start direct messages" in refused.text
    assert "maria" in refused.text


async def test_a_new_member_may_put_two_links_in_a_post_and_not_three(
    client: httpx.AsyncClient, newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    await factories.bearer(client, newcomer)
    path = f"/api/v1/topics/{topic['id']}/posts"
    refused = await client.post(path, json={"body": LINKS})
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["body"]
    two = "See https://a.example and https://b.example"
    assert (await client.post(path, json={"body": two})).status_code == 201


async def test_a_new_member_may_not_put_three_links_in_an_offer(
    client: httpx.AsyncClient, newcomer: User, review: RecordingReview
) -> None:
    await vocabularies.add_defaults()
    await factories.bearer(client, newcomer)
    refused = await client.post(
        "/api/v1/aid",
        json={
            "kind": "offer",
            "title": "Books",
            "body": LINKS,
            "category": "household",
            "area": "elm-street",
        },
    )
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["body"]


async def test_a_new_members_first_two_posts_wait_for_review(
    newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    first = await posts.reply(newcomer, topic["id"], {"body": "Hello, I am new"})
    second = await posts.reply(newcomer, topic["id"], {"body": "Still new"})
    third = await posts.reply(newcomer, topic["id"], {"body": "Third time"})
    assert [p["status"] for p in (first, second, third)] == ["pending", "pending", "visible"]
    assert first["notice"]
    assert third["notice"] is None
    assert [(h["target_id"], h["reason"]) for h in review.held] == [
        (first["id"], "new_member"),
        (second["id"], "new_member"),
    ]


async def test_a_new_members_first_post_through_the_page_says_it_waits(
    client: httpx.AsyncClient, newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    await sign_in(client, "newton")
    page = await client.get(f"/t/{topic['id']}")
    sent = await submit(client, f"/t/{topic['id']}/reply", csrf_from(page.text), body="Hi all")
    assert sent.status_code == 303
    assert "notice=held" in sent.headers["location"]
    shown = await client.get(sent.headers["location"])
    assert "A moderator will look at your post shortly" in shown.text


async def test_a_new_member_may_write_five_items_on_the_first_day_and_not_six(
    client: httpx.AsyncClient, newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    for n in range(5):
        await posts.reply(newcomer, topic["id"], {"body": f"Post number {n}"})
    await factories.bearer(client, newcomer)
    refused = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": "Sixth"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "new_member_limit"
    # An edit is not a new item.
    edited = await posts.edit_post(newcomer, review.held[0]["target_id"], {"body": "Edited"})
    assert edited["body"] == "Edited"
    # Without a promotion (a report stands against them), the day's cap still lifts.
    review.reports[newcomer.id] = 1
    with clock.fixed_at(newcomer.created_at + timedelta(hours=25)):
        later = await posts.reply(await _fresh(newcomer), topic["id"], {"body": "Next day"})
    assert later["status"] == "visible"
    assert (await _fresh(newcomer)).trust_level == 0


async def _three_visible_posts(newcomer: User, topic: dict[str, Any]) -> None:
    for n in range(5):  # the first two wait; three stay visible
        await posts.reply(newcomer, topic["id"], {"body": f"Post number {n}"})


async def test_a_new_member_rises_to_level_one_after_a_day_with_three_visible_posts(
    newcomer: User, member: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    await _three_visible_posts(newcomer, topic)
    with clock.fixed_at(newcomer.created_at + timedelta(hours=23)):
        assert not await trust.promote_if_due(await _fresh(newcomer))
    with clock.fixed_at(newcomer.created_at + timedelta(days=1, minutes=1)):
        person = await _fresh(newcomer)
        added = await posts.reply(person, topic["id"], LINKS_BODY)
        assert person.trust_level == 1
        room = await chat_rooms.direct_room(person, member.username)
    assert added["status"] == "visible"
    assert room["kind"] == "direct"
    assert (await _fresh(newcomer)).trust_level == 1


LINKS_BODY = {"body": LINKS}


async def test_a_new_member_who_has_earned_it_rises_when_starting_a_direct_message(
    newcomer: User, member: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    await _three_visible_posts(newcomer, topic)
    with clock.fixed_at(newcomer.created_at + timedelta(days=2)):
        room = await chat_rooms.direct_room(await _fresh(newcomer), member.username)
    assert room["kind"] == "direct"
    assert (await _fresh(newcomer)).trust_level == 1


async def test_a_report_against_a_new_member_keeps_them_at_level_zero(
    newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    await _three_visible_posts(newcomer, topic)
    review.reports[newcomer.id] = 1
    with clock.fixed_at(newcomer.created_at + timedelta(days=2)):
        assert not await trust.promote_if_due(await _fresh(newcomer))
        with pytest.raises(InvalidInput):
            await posts.reply(await _fresh(newcomer), topic["id"], LINKS_BODY)
    assert (await _fresh(newcomer)).trust_level == 0


async def test_too_few_visible_posts_keep_a_new_member_at_level_zero(
    newcomer: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    for n in range(4):  # two wait, two visible: one short
        await posts.reply(newcomer, topic["id"], {"body": f"Post number {n}"})
    with clock.fixed_at(newcomer.created_at + timedelta(days=2)):
        assert not await trust.promote_if_due(await _fresh(newcomer))


async def test_staff_at_level_zero_have_none_of_the_limits(
    db: None, member: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    staff = await factories.user(username="modnew", role="moderator", trust_level=0)
    added = await posts.reply(staff, topic["id"], LINKS_BODY)
    assert added["status"] == "visible"
    assert (await chat_rooms.direct_room(staff, member.username))["kind"] == "direct"
    assert review.held == []


async def test_members_at_level_one_are_not_held(
    member: User, other_member: User, topic: dict[str, Any], review: RecordingReview
) -> None:
    added = await posts.reply(other_member, topic["id"], LINKS_BODY)
    assert added["status"] == "visible"
    assert review.held == []


@pytest.mark.parametrize(
    ("role", "trust_status", "role_status"),
    [("member", 403, 403), ("moderator", 200, 403), ("admin", 200, 200)],
)
async def test_moderators_set_trust_levels_and_only_admins_set_roles(
    client: httpx.AsyncClient, newcomer: User, role: str, trust_status: int, role_status: int
) -> None:
    actor = await factories.user(username=f"acting{role}", role=role)
    await factories.bearer(client, actor)
    changed = await client.patch("/api/v1/users/newton", json={"trust_level": 1})
    assert changed.status_code == trust_status, changed.text
    if trust_status == 200:
        assert changed.json()["user"]["trust_level"] == 1
    both = await client.patch("/api/v1/users/newton", json={"trust_level": 2, "role": "member"})
    assert both.status_code == role_status
    # The member changed nothing; the moderator only the level; the admin both.
    assert (await _fresh(newcomer)).trust_level == {"member": 0, "moderator": 1, "admin": 2}[role]


async def test_a_moderator_sets_a_trust_level_on_the_profile_page(
    client: httpx.AsyncClient, newcomer: User, moderator: User
) -> None:
    await sign_in(client, "modmira")
    page = await client.get("/u/newton")
    assert "Trust level" in page.text
    assert 'name="role"' not in page.text
    saved = await submit(client, "/u/newton/role", csrf_from(page.text), trust_level="1")
    assert saved.status_code == 303
    assert (await _fresh(newcomer)).trust_level == 1


async def test_a_member_sees_no_trust_form_and_cannot_post_one(
    client: httpx.AsyncClient, newcomer: User, member: User
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/u/newton")
    assert "Save trust level" not in page.text
    refused = await submit(client, "/u/newton/role", csrf_from(page.text), trust_level="3")
    assert refused.status_code == 403
    assert (await _fresh(newcomer)).trust_level == 0


async def test_an_account_made_by_sign_up_starts_at_level_zero(
    client: httpx.AsyncClient, member: User
) -> None:
    made = await client.post(
        "/api/v1/auth/register",
        json={"username": "fresh", "email": "fresh@example.org", "password": "a long password 1"},
    )
    assert made.json()["user"]["trust_level"] == 0
    with pytest.raises(PermissionDenied):
        await chat_rooms.direct_room(await User.get(username="fresh"), member.username)
