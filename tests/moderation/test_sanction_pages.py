"""Sanctions in the browser: the notice on every page, my sanctions, the moderators' page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts import standing
from forum.accounts.models import User
from moderation import sanctions
from moderation.models import Appeal, LogEntry, Note, Sanction
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit


async def _signed_in(make_client: Any, username: str) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    answer = await sign_in(http, username)
    assert answer.status_code == 303, answer.text[:300]
    return http


async def test_a_warning_shows_on_every_page_until_acknowledged(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made = await sanctions.impose(moderator, "sam", {"kind": "warn", "reason": "Keep it civil"})
    sam = await _signed_in(make_client, "sam")
    for path in ("/", "/aid", "/settings"):
        page = await sam.get(path)
        assert "A warning from the moderators" in page.text, path
        assert "Keep it civil" in page.text
    page = await sam.get("/aid")
    done = await submit(
        sam, f"/me/sanctions/{made['id']}/acknowledge", csrf_from(page.text), next="/aid"
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/aid"
    assert "Keep it civil" not in (await sam.get("/")).text
    assert (await Sanction.get(id=made["id"])).acknowledged_at is not None


async def test_acknowledging_never_sends_people_off_the_site(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made = await sanctions.impose(moderator, "sam", {"kind": "warn", "reason": "Careful"})
    sam = await _signed_in(make_client, "sam")
    page = await sam.get("/")
    done = await submit(
        sam,
        f"/me/sanctions/{made['id']}/acknowledge",
        csrf_from(page.text),
        next="//evil.example/",
    )
    assert done.headers["location"] == "/me/sanctions"


async def test_a_silence_shows_its_reason_and_end_while_in_force(
    make_client: Any, moderator: User, other_member: User
) -> None:
    sam = await _signed_in(make_client, "sam")
    assert "You are silenced" not in (await sam.get("/")).text
    # Through the API, so that this process forgets what it had cached of sam at once.
    staff: httpx.AsyncClient = make_client()
    await factories.bearer(staff, moderator)
    made = (
        await staff.post(
            "/api/v1/moderation/users/sam/sanctions",
            json={"kind": "silence", "reason": "Spamming the board", "hours": 12},
        )
    ).json()
    page = (await sam.get("/")).text
    assert "You are silenced" in page
    assert "Spamming the board" in page
    assert "until" in page
    assert 'action="/me/sanctions/' not in page  # nothing to acknowledge away
    await staff.delete(f"/api/v1/moderation/sanctions/{made['id']}")
    assert "You are silenced" not in (await sam.get("/")).text


async def test_my_sanctions_page_offers_one_appeal_then_shows_it(
    make_client: Any, moderator: User, other_member: User
) -> None:
    made = await sanctions.impose(
        moderator, "sam", {"kind": "silence", "reason": "Rude replies", "hours": 3}
    )
    sam = await _signed_in(make_client, "sam")
    page = await sam.get("/me/sanctions")
    assert page.status_code == 200
    assert "Rude replies" in page.text
    assert f'action="/me/sanctions/{made["id"]}/appeal"' in page.text
    refused = await submit(
        sam, f"/me/sanctions/{made['id']}/appeal", csrf_from(page.text), message=" "
    )
    assert refused.status_code == 422
    assert "Error:" in refused.text
    sent = await submit(
        sam, f"/me/sanctions/{made['id']}/appeal", csrf_from(page.text), message="I misread it."
    )
    assert sent.status_code == 303
    page = await sam.get(sent.headers["location"])
    assert "Your appeal is with the moderators" in page.text
    assert "I misread it." in page.text
    assert f'action="/me/sanctions/{made["id"]}/appeal"' not in page.text
    assert await Appeal.filter(sanction_id=made["id"]).count() == 1


async def test_the_moderators_page_is_for_staff_only(
    make_client: Any, moderator: User, other_member: User, member: User
) -> None:
    await Note.create(about_id=other_member.id, author_id=moderator.id, body="Lives alone; kind.")
    maria = await _signed_in(make_client, "maria")
    assert (await maria.get("/moderation/users/sam")).status_code == 403
    anonymous = make_client()
    assert (await anonymous.get("/moderation/users/sam")).status_code == 303
    staff = await _signed_in(make_client, "modmira")
    page = await staff.get("/moderation/users/sam")
    assert page.status_code == 200
    assert "Lives alone; kind." in page.text
    assert 'action="/moderation/users/sam/sanctions"' in page.text
    assert (await staff.get("/moderation/users/nobody")).status_code == 404


async def test_a_moderator_sanctions_lifts_and_notes_from_the_page(
    make_client: Any, moderator: User, other_member: User
) -> None:
    staff = await _signed_in(make_client, "modmira")
    page = await staff.get("/moderation/users/sam")
    token = csrf_from(page.text)
    done = await submit(
        staff,
        "/moderation/users/sam/sanctions",
        token,
        kind="silence",
        reason="Flooding chat",
        hours="",
        next="/moderation/queue",
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/moderation/queue"
    assert (await User.get(id=other_member.id)).silenced_until == standing.FOREVER
    made = await Sanction.get(user_id=other_member.id)
    page = await staff.get("/moderation/users/sam")
    assert f'action="/moderation/sanctions/{made.id}/lift"' in page.text
    lifted = await submit(
        staff, f"/moderation/sanctions/{made.id}/lift", token, reason="Settled", next="https://x.y/"
    )
    assert lifted.headers["location"] == "/moderation/users/sam"
    assert (await User.get(id=other_member.id)).silenced_until is None
    assert (await LogEntry.get(action="lift")).reason == "Settled"
    noted = await submit(staff, "/moderation/users/sam/notes", token, body="Talked it over.")
    assert noted.status_code == 303
    assert "Talked it over." in (await staff.get("/moderation/users/sam")).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "silence", "reason": ""}, "This field is required."),
        ({"kind": "silence", "reason": "x", "hours": "soon"}, "A number of hours"),
        ({"kind": "ban", "reason": "x", "hours": "4"}, "A ban has no end"),
    ],
)
async def test_a_refused_sanction_form_keeps_what_was_typed(
    make_client: Any, moderator: User, other_member: User, fields: dict[str, str], message: str
) -> None:
    staff = await _signed_in(make_client, "modmira")
    token = csrf_from((await staff.get("/moderation/users/sam")).text)
    refused = await submit(staff, "/moderation/users/sam/sanctions", token, **fields)
    assert refused.status_code == 422
    assert message in refused.text
    assert not await Sanction.exists()


async def test_a_member_cannot_post_the_sanction_form(
    make_client: Any, other_member: User, member: User
) -> None:
    maria = await _signed_in(make_client, "maria")
    token = csrf_from((await maria.get("/")).text)
    answer = await submit(maria, "/moderation/users/sam/sanctions", token, kind="ban", reason="x")
    assert answer.status_code == 403
    assert not await Sanction.exists()


async def test_the_sign_in_page_tells_a_suspended_person_why_and_until_when(
    make_client: Any, moderator: User, other_member: User
) -> None:
    await sanctions.impose(
        moderator, "sam", {"kind": "suspend", "reason": "Posting scams", "hours": 72}
    )
    http = make_client()
    answer = await sign_in(http, "sam")
    assert answer.status_code == 403
    assert "Posting scams" in answer.text
    assert "suspended until" in answer.text


async def test_staff_see_a_link_to_the_moderators_page_on_a_profile(
    make_client: Any, moderator: User, other_member: User, member: User
) -> None:
    staff = await _signed_in(make_client, "modmira")
    assert 'href="/moderation/users/sam"' in (await staff.get("/u/sam")).text
    maria = await _signed_in(make_client, "maria")
    assert 'href="/moderation/users/sam"' not in (await maria.get("/u/sam")).text


async def test_page_notices_cost_nothing_for_api_calls(
    make_client: Any, moderator: User, other_member: User
) -> None:
    await sanctions.impose(moderator, "sam", {"kind": "warn", "reason": "Mind the tone"})
    http: httpx.AsyncClient = make_client()
    await factories.bearer(http, other_member)
    assert "Mind the tone" not in (await http.get("/api/v1/me")).text
