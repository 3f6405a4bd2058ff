"""The aid pages work without JavaScript: post, respond, accept, thread, fulfil, thank."""

from __future__ import annotations

import re
from typing import Any

import httpx

from forum.accounts.models import User
from forum.aid import responses, services
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit


async def _signed_in(http: httpx.AsyncClient, person: User) -> str:
    await sign_in(http, person.username)
    page = await http.get("/aid")
    assert page.status_code == 200, page.text[:300]
    return csrf_from(page.text)


async def test_the_whole_flow_works_through_the_pages(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    csrf = await _signed_in(client, member)
    posted = await submit(
        client,
        "/aid/new",
        csrf,
        kind="request",
        title="A crib please",
        body="For a newborn, *thank you*.",
        category="household",
        area="mill-lane",
        urgency="urgent",
        show_name="true",
    )
    assert posted.status_code == 303
    path = posted.headers["location"]
    aid_id = int(path.rsplit("/", 1)[1])

    helper = make_client()
    helper_csrf = await _signed_in(helper, other_member)
    page = (await helper.get(path)).text
    assert "I can help" in page
    assert "A crib please" in page
    assert "open until" in page
    answered = await submit(helper, f"{path}/respond", helper_csrf, message="I have one spare")
    assert answered.status_code == 303

    owner_page = (await client.get(path)).text
    assert "I have one spare" in owner_page
    response_id = int(re.search(r"/responses/(\d+)/accept", owner_page).group(1))  # type: ignore[union-attr]
    accepted = await submit(client, f"{path}/responses/{response_id}/accept", csrf)
    assert accepted.status_code == 303
    room = re.search(r'href="/chat/(\d+)"', (await client.get(path)).text)
    assert room is not None
    thread = (await helper.get(f"/chat/{room.group(1)}")).text
    assert "Never pay up front" in thread
    assert "I have one spare" in thread

    done = await submit(helper, f"{path}/status", helper_csrf, status="fulfilled")
    assert done.status_code == 303
    thanked = await submit(client, f"{path}/thanks", csrf, thank_you="Thank you **so** much")
    assert thanked.status_code == 303
    gratitude = (await client.get("/aid/gratitude")).text
    assert "<strong>so</strong>" in gratitude
    assert "Household items" in gratitude
    timeline = (await client.get(path)).text
    assert "fulfilled by the helper" in timeline
    # Thanked: the owner's form now changes that thank-you, holding its text; a closed post
    # says nothing of being open.
    assert "Say thank you" not in timeline
    assert "Change your thank-you" in timeline
    assert "Thank you **so** much</textarea>" in timeline
    assert "open until" not in timeline
    assert (await services.access_aid(member, aid_id))["status"] == "fulfilled"


async def test_a_bad_post_comes_back_with_its_errors_and_what_was_typed(
    client: httpx.AsyncClient, member: User
) -> None:
    csrf = await _signed_in(client, member)
    answer = await submit(
        client,
        "/aid/new",
        csrf,
        kind="offer",
        title="Lifts on Tuesdays",
        body="",
        category="rides",
        area="nowhere-land",
    )
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert "Lifts on Tuesdays" in answer.text


async def test_the_board_filters_and_the_pages_are_for_members(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.aid(author=member, title="Dinner for four", category="meals")
    await factories.aid(author=member, title="Lift to the clinic", category="rides")
    assert (await client.get("/aid")).status_code == 303  # to sign in
    await _signed_in(client, member)
    page = (await client.get("/aid?category=meals&sort=urgent")).text
    assert "Dinner for four" in page
    assert "Lift to the clinic" not in page
    assert '<nav class="subnav" aria-label="Mutual aid">' in page
    assert 'href="/aid" aria-current="page">Aid</a>' in page
    mine = (await client.get("/aid/mine")).text
    assert "Dinner for four" in mine
    assert "Lift to the clinic" in mine


async def test_a_hidden_name_stays_hidden_on_the_pages(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member, show_name=False, area="hope-court")
    await _signed_in(client, other_member)
    for path in ("/aid", f"/aid/{aid['id']}"):
        page = (await client.get(path)).text
        assert "a neighbour in Hope Court" in page
        assert "Maria" not in page
        assert "maria" not in page.replace("/u/sam", "")


async def test_admins_edit_the_vocabularies_on_a_page(
    client: httpx.AsyncClient, member: User, admin: User
) -> None:
    csrf = await _signed_in(client, admin)
    page = await client.get("/admin/aid")
    assert page.status_code == 200
    assert "Companionship and check-ins" in page.text
    added = await submit(client, "/admin/aid/areas", csrf, slug="riverside", name="Riverside")
    assert added.status_code == 303
    assert "Riverside" in (await client.get("/admin/aid")).text
    refused = await submit(client, "/admin/aid/areas", csrf, slug="Bad Slug", name="x")
    assert refused.status_code == 422


async def test_a_member_cannot_open_the_vocabulary_admin(
    client: httpx.AsyncClient, member: User
) -> None:
    await _signed_in(client, member)
    assert (await client.get("/admin/aid")).status_code == 403


async def test_an_outsider_cannot_open_a_hand_off_thread_page(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    third = await factories.user(username="olu")
    aid = await factories.aid(author=member)
    made = await responses.respond(other_member, aid["id"], {"message": "private words"})
    await _signed_in(client, third)
    thread = await client.get(f"/chat/{made['room_id']}")
    assert thread.status_code == 404
    assert "private words" not in (await client.get(f"/aid/{aid['id']}")).text
