"""The page where a private room's owner invites and removes people, without JavaScript."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts import blocks
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat.models import RoomMember
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit


async def _in_room(room_id: int, person: User) -> bool:
    return await RoomMember.filter(room_id=room_id, user_id=person.id).exists()


@pytest.fixture
async def planning(moderator: User, member: User) -> dict[str, int]:
    """A private room its owner (the moderator) made, with maria in it."""
    room = await chat_rooms.create_room(moderator, {"name": "Planning", "kind": "private"})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    return {"id": room["id"]}


async def test_the_owner_invites_and_removes_people_from_the_page(
    client: httpx.AsyncClient,
    moderator: User,
    member: User,
    other_member: User,
    planning: dict[str, int],
) -> None:
    await sign_in(client, moderator.username)
    room_page = await client.get(f"/chat/{planning['id']}")
    assert f'href="/chat/{planning["id"]}/members"' in room_page.text
    page = await client.get(f"/chat/{planning['id']}/members")
    assert page.status_code == 200
    assert '<label for="username">Their username</label>' in page.text
    assert 'name="csrf_token"' in page.text
    assert 'Remove<span class="visually-hidden"> Maria' in page.text  # a named button
    assert 'Remove<span class="visually-hidden"> Modmira' not in page.text  # the owner stays

    invited = await submit(
        client, f"/chat/{planning['id']}/members", csrf_from(page.text), username="SAM"
    )
    assert invited.status_code == 303
    assert await _in_room(planning["id"], other_member)
    after = await client.get(invited.headers["location"])
    assert "They are in the room now." in after.text
    assert 'href="/u/sam"' in after.text

    removed = await submit(
        client, f"/chat/{planning['id']}/members/remove", csrf_from(after.text), username="maria"
    )
    assert removed.status_code == 303
    assert not await _in_room(planning["id"], member)
    assert "They are out of the room now." in (await client.get(removed.headers["location"])).text


async def test_others_get_no_form_and_their_posts_are_refused_as_the_api_refuses_them(
    make_client: Any, moderator: User, member: User, other_member: User, planning: dict[str, int]
) -> None:
    # maria is in the room but does not own it: 403, as the API answers; sam is not in it: 404.
    for person, status in ((member, 403), (other_member, 404)):
        http = make_client()
        await sign_in(http, person.username)
        home = await http.get("/chat")
        csrf = csrf_from(home.text)
        room_page = await http.get(f"/chat/{planning['id']}")
        assert "/members" not in room_page.text
        assert (await http.get(f"/chat/{planning['id']}/members")).status_code == status
        newcomer = await factories.user(username=f"new{person.username}")
        invite = await submit(
            http, f"/chat/{planning['id']}/members", csrf, username=newcomer.username
        )
        assert invite.status_code == status
        assert 'name="username"' not in invite.text
        assert not await _in_room(planning["id"], newcomer)
        api = await factories.bearer(make_client(), person)
        by_api = await api.post(
            f"/api/v1/rooms/{planning['id']}/members", json={"username": newcomer.username}
        )
        assert by_api.status_code == status
        remove = await submit(
            http, f"/chat/{planning['id']}/members/remove", csrf, username=member.username
        )
        assert remove.status_code == status
    assert await _in_room(planning["id"], member)


@pytest.mark.parametrize("blocker", ["owner", "invitee"])
async def test_a_block_answers_with_the_neutral_refusal_and_keeps_the_form(
    client: httpx.AsyncClient,
    moderator: User,
    other_member: User,
    planning: dict[str, int],
    blocker: str,
) -> None:
    if blocker == "owner":
        await blocks.block(moderator, {"username": other_member.username})
        message = "You blocked this person; unblock them first."
    else:
        await blocks.block(other_member, {"username": moderator.username})
        message = "You can&#39;t add this person to this room."
    await sign_in(client, moderator.username)
    page = await client.get(f"/chat/{planning['id']}/members")
    refused = await submit(
        client, f"/chat/{planning['id']}/members", csrf_from(page.text), username="sam"
    )
    assert refused.status_code == 403
    assert message in refused.text
    assert 'value="sam"' in refused.text
    assert "<title>Error: " in refused.text
    assert not await _in_room(planning["id"], other_member)


async def test_an_unknown_username_is_a_clear_error_with_the_form_kept(
    client: httpx.AsyncClient, moderator: User, other_member: User, planning: dict[str, int]
) -> None:
    await sign_in(client, moderator.username)
    page = await client.get(f"/chat/{planning['id']}/members")
    refused = await submit(
        client, f"/chat/{planning['id']}/members", csrf_from(page.text), username="nobody-here"
    )
    assert refused.status_code == 422
    assert "There is no one here by that name." in refused.text
    assert 'value="nobody-here"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert await RoomMember.filter(room_id=planning["id"]).count() == 2
    # Removing someone who is not in the room says so, on the same page.
    absent = await submit(
        client, f"/chat/{planning['id']}/members/remove", csrf_from(page.text), username="sam"
    )
    assert absent.status_code == 404
    assert "That person is not in this room." in absent.text
    assert "Invite someone" in absent.text


async def test_the_member_forms_need_the_page_token(
    client: httpx.AsyncClient,
    moderator: User,
    member: User,
    other_member: User,
    planning: dict[str, int],
) -> None:
    await sign_in(client, moderator.username)
    invite = await client.post(f"/chat/{planning['id']}/members", data={"username": "sam"})
    remove = await client.post(f"/chat/{planning['id']}/members/remove", data={"username": "maria"})
    assert invite.status_code == remove.status_code == 403
    assert not await _in_room(planning["id"], other_member)
    assert await _in_room(planning["id"], member)
