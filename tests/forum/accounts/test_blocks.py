"""Blocking people: the API, the settings page and the profile button, and the cached set."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum import readcache
from forum.accounts import blocks
from forum.accounts.models import Block, User
from tests import factories
from tests.forum.pages import csrf_from, sign_in


async def test_blocking_someone_answers_201_then_200_and_lists_them(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await factories.bearer(client, member)
    made = await client.post("/api/v1/me/blocks", json={"username": "SAM"})
    again = await client.post("/api/v1/me/blocks", json={"username": "sam"})
    listed = await client.get("/api/v1/me/blocks")
    assert made.status_code == 201
    assert made.json()["block"]["user"] == {
        "id": other_member.id,
        "username": "sam",
        "display_name": "Sam",
    }
    assert again.status_code == 200
    assert [b["user"]["username"] for b in listed.json()["items"]] == ["sam"]
    assert await Block.filter(blocker_id=member.id).count() == 1


@pytest.mark.parametrize(
    ("username", "status", "field"),
    [
        ("maria", 422, "username"),
        ("nobody-here", 404, None),
        ("x", 422, "username"),
        (7, 422, "username"),
    ],
)
async def test_blocking_yourself_or_nobody_is_refused(
    client: httpx.AsyncClient, member: User, username: Any, status: int, field: str | None
) -> None:
    await factories.bearer(client, member)
    response = await client.post("/api/v1/me/blocks", json={"username": username})
    assert response.status_code == status
    if field:
        assert field in response.json()["error"]["fields"]
    assert not await Block.exists()


async def test_unblocking_answers_204_then_404(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await factories.bearer(client, member)
    await client.post("/api/v1/me/blocks", json={"username": "sam"})
    assert (await client.delete("/api/v1/me/blocks/sam")).status_code == 204
    assert (await client.delete("/api/v1/me/blocks/sam")).status_code == 404
    assert (await client.delete("/api/v1/me/blocks/nobody-here")).status_code == 404
    assert (await client.get("/api/v1/me/blocks")).json()["items"] == []


async def test_blocks_need_someone_signed_in(client: httpx.AsyncClient, other_member: User) -> None:
    assert (await client.get("/api/v1/me/blocks")).status_code == 401
    assert (await client.post("/api/v1/me/blocks", json={"username": "sam"})).status_code == 401


async def test_a_blocked_person_is_not_told(
    client: httpx.AsyncClient, member: User, other_member: User, recorded_events: list[Any]
) -> None:
    await blocks.block(member, {"username": "sam"})
    audiences = {e.audience.channel for e in recorded_events}
    assert audiences == {f"user:{member.id}"}
    assert [e.data["mute"] for e in recorded_events] == [[other_member.id]]


async def test_the_cached_set_is_forgotten_when_a_block_changes(
    db: None, member: User, other_member: User
) -> None:
    caches = {readcache.BLOCKS: readcache.TimedCache[Any]()}
    with readcache.using(caches):
        assert await blocks.blocked_ids(member) == frozenset()
        await blocks.block(member, {"username": "sam"})
        assert await blocks.blocked_ids(member) == {other_member.id}
        assert await blocks.blocked_either(other_member.id, member.id)
        await blocks.unblock(member, "sam")
        assert await blocks.blocked_ids(member) == frozenset()
        assert not await blocks.blocked_either(other_member.id, member.id)


async def test_the_cached_set_is_read_once_per_second(
    db: None, member: User, other_member: User
) -> None:
    caches = {readcache.BLOCKS: readcache.TimedCache[Any]()}
    with readcache.using(caches):
        await blocks.blocked_ids(member)
        # Behind the service's back: the cache does not see it until it expires.
        await Block.create(blocker_id=member.id, blocked_id=other_member.id)
        assert await blocks.blocked_ids(member) == frozenset()
    assert await blocks.blocked_ids(member) == {other_member.id}


async def test_the_profile_page_blocks_and_unblocks(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/u/sam")
    assert 'action="/u/sam/block"' in page.text
    done = await client.post("/u/sam/block", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    assert done.headers["location"] == "/u/sam?notice=blocked"
    page = await client.get("/u/sam?notice=blocked")
    assert 'action="/u/sam/unblock"' in page.text
    assert "They are not told" in page.text
    assert await blocks.blocked_ids(member) == {other_member.id}
    done = await client.post("/u/sam/unblock", data={"csrf_token": csrf_from(page.text)})
    assert done.headers["location"] == "/u/sam?notice=unblocked"
    assert await blocks.blocked_ids(member) == frozenset()


async def test_a_block_form_without_its_token_is_refused(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await sign_in(client, "maria")
    refused = await client.post("/u/sam/block", data={})
    assert refused.status_code == 403
    assert not await Block.exists()


async def test_the_settings_page_lists_blocked_people_with_unblock_buttons(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/settings/blocks")
    assert "You have not blocked anyone." in page.text
    done = await client.post(
        "/settings/blocks", data={"csrf_token": csrf_from(page.text), "username": "sam"}
    )
    assert done.headers["location"] == "/settings/blocks?notice=blocked"
    page = await client.get("/settings/blocks")
    assert 'action="/settings/blocks/sam/unblock"' in page.text
    done = await client.post(
        "/settings/blocks/sam/unblock", data={"csrf_token": csrf_from(page.text)}
    )
    assert done.headers["location"] == "/settings/blocks?notice=unblocked"
    assert not await Block.exists()


@pytest.mark.parametrize(
    ("username", "message"), [("nobody-here", "no one here"), ("maria", "yourself")]
)
async def test_the_settings_block_form_keeps_what_was_typed(
    client: httpx.AsyncClient, member: User, username: str, message: str
) -> None:
    await sign_in(client, "maria")
    page = await client.get("/settings/blocks")
    refused = await client.post(
        "/settings/blocks", data={"csrf_token": csrf_from(page.text), "username": username}
    )
    assert refused.status_code in (404, 422)
    assert message in refused.text
    assert f'value="{username}"' in refused.text


async def test_a_deleted_account_leaves_the_list_of_blocks(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    from forum.accounts import services as accounts

    await blocks.block(member, {"username": "sam"})
    await accounts.delete_account(other_member, factories.PASSWORD)
    await factories.bearer(client, member)
    assert (await client.get("/api/v1/me/blocks")).json()["items"] == []


async def test_the_list_of_blocks_pages_by_cursor(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    third = await factories.user(username="olu")
    await blocks.block(member, {"username": "sam"})
    await blocks.block(member, {"username": third.username})
    await factories.bearer(client, member)
    first = (await client.get("/api/v1/me/blocks?limit=1")).json()
    assert [b["user"]["username"] for b in first["items"]] == ["olu"]
    rest = (await client.get(f"/api/v1/me/blocks?limit=1&cursor={first['next_cursor']}")).json()
    assert [b["user"]["username"] for b in rest["items"]] == ["sam"]
    assert rest["next_cursor"] is None


async def test_blocks_stop_at_the_cap_with_a_conflict(
    client: httpx.AsyncClient, member: User, other_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await factories.user(username="olu")
    monkeypatch.setattr(blocks, "BLOCKS_MAX", 1)
    await factories.bearer(client, member)
    assert (await client.post("/api/v1/me/blocks", json={"username": "sam"})).status_code == 201
    refused = await client.post("/api/v1/me/blocks", json={"username": "olu"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_blocks"
    # Blocking someone already blocked is still a plain 200.
    assert (await client.post("/api/v1/me/blocks", json={"username": "sam"})).status_code == 200
