"""Moderation pages as a browser uses them: report links, the report form, the queue, the logs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.boards.models import Post
from moderation.models import LogEntry, QueueItem, Report
from tests.forum.pages import csrf_from, form_token, sign_in, submit


async def _signed_in(make_client: Any, person: User) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    response = await sign_in(http, person.username)
    assert response.status_code == 303
    return http


async def test_every_kind_of_content_offers_a_report_link(
    make_client: Any, content: Any, member: User, other_member: User
) -> None:
    http = await _signed_in(make_client, member)
    pages = {
        f"/t/{content.topic['id']}": [
            f"/report?target_type=post&amp;target_id={content.post['id']}",
            f"/report?target_type=topic&amp;target_id={content.topic['id']}",
        ],
        f"/aid/{content.aid['id']}": [f"/report?target_type=aid&amp;target_id={content.aid['id']}"],
        f"/chat/{content.room['id']}": [
            f"/report?target_type=message&amp;target_id={content.message['id']}"
        ],
        "/u/sam": [f"/report?target_type=user&amp;target_id={other_member.id}"],
    }
    for path, links in pages.items():
        html = (await http.get(path)).text
        for link in links:
            assert link in html, (path, link)
    sam = await _signed_in(make_client, other_member)
    own = (await sam.get(f"/t/{content.topic['id']}")).text
    assert "target_type=topic" not in own


async def test_a_member_reports_through_the_form_and_sees_it_in_my_reports(
    make_client: Any, content: Any, member: User
) -> None:
    http = await _signed_in(make_client, member)
    page = await http.get(f"/report?target_type=post&target_id={content.post['id']}")
    assert page.status_code == 200
    assert "Send money first" in page.text
    refused = await submit(
        http,
        "/report",
        csrf_from(page.text),
        target_type="post",
        target_id=str(content.post["id"]),
        note="no reason chosen",
    )
    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    assert "no reason chosen" in refused.text
    done = await submit(
        http,
        "/report",
        csrf_from(page.text),
        target_type="post",
        target_id=str(content.post["id"]),
        reason="scam",
        note="asks for money",
    )
    assert done.status_code == 303
    mine = await http.get(done.headers["location"])
    assert "A scam or fraud" in mine.text
    assert "Thank you" in mine.text
    assert await Report.filter(reporter_id=member.id).count() == 1


async def test_the_report_page_of_something_invisible_is_a_404(
    make_client: Any, content: Any, member: User
) -> None:
    http = await _signed_in(make_client, member)
    assert (await http.get("/report?target_type=post&target_id=99999")).status_code == 404
    assert (await http.get("/report?target_type=planet&target_id=1")).status_code == 404
    assert (await http.get("/report?target_type=post&target_id=x")).status_code == 400
    anonymous: httpx.AsyncClient = make_client()
    assert (await anonymous.get("/report?target_type=post&target_id=1")).status_code == 303


@pytest.mark.parametrize("path", ["/moderation", "/moderation/log"])
async def test_members_cannot_open_the_moderators_pages(
    make_client: Any, member: User, path: str
) -> None:
    http = await _signed_in(make_client, member)
    assert (await http.get(path)).status_code == 403
    assert (await http.get("/moderation/public-log")).status_code == 200


async def test_a_moderator_works_an_item_from_the_queue_page(
    make_client: Any, report: Any, content: Any, member: User, moderator: User
) -> None:
    await report(member, "post", content.post["id"], "at_risk", note="<script>alert(1)</script>")
    await report(member, "aid", content.aid["id"], "spam")
    http = await _signed_in(make_client, moderator)
    page = await http.get("/moderation")
    assert page.status_code == 200
    assert "Someone may be at risk" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    post_item = await QueueItem.get(target_type="post")
    assert page.text.index("Selling cheap phones") < page.text.index("A crib for a newborn")
    token = csrf_from(page.text)
    claimed = await submit(
        http, f"/moderation/items/{post_item.id}/claim", token, next="/moderation"
    )
    assert claimed.headers["location"] == "/moderation?done=claimed"
    refused = await submit(
        http, f"/moderation/items/{post_item.id}/resolve", token, action="hide", reason=""
    )
    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    done = await submit(
        http,
        f"/moderation/items/{post_item.id}/resolve",
        token,
        action="hide",
        reason="Asks for money",
        next="https://evil.example/",
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/moderation?done=resolved"
    assert (await Post.get(id=content.post["id"])).status == "hidden"
    again = await submit(
        http, f"/moderation/items/{post_item.id}/resolve", token, action="dismiss", reason="x"
    )
    assert again.status_code == 409
    logged = await http.get("/moderation/log")
    assert "Asks for money" in logged.text
    assert "Modmira" in logged.text
    public = await (await _signed_in(make_client, member)).get("/moderation/public-log")
    assert "Asks for money" in public.text
    assert "Modmira" not in public.text


async def test_the_item_page_shows_the_persons_record_and_the_sanction_form(
    make_client: Any, report: Any, content: Any, member: User, other_member: User, moderator: User
) -> None:
    from moderation.models import Note, Sanction

    await Sanction.create(
        user_id=other_member.id, kind="warn", reason="Earlier spam", created_by_id=moderator.id
    )
    await Note.create(about_id=other_member.id, author_id=moderator.id, body="Watch the links")
    await report(member, "post", content.post["id"], "scam")
    item = await QueueItem.get(target_type="post")
    http = await _signed_in(make_client, moderator)
    page = await http.get(f"/moderation/items/{item.id}")
    assert page.status_code == 200
    assert "Earlier spam" in page.text
    assert "Watch the links" in page.text
    assert 'action="/moderation/users/sam/sanctions"' in page.text
    for field in ('name="kind"', 'name="reason"', 'name="hours"', 'name="next"'):
        assert field in page.text
    assert await LogEntry.all().count() == 0
    assert (await http.get("/moderation/items/99999")).status_code == 404


async def test_the_moderation_link_is_for_moderators(
    make_client: Any, member: User, moderator: User
) -> None:
    assert 'href="/moderation"' in (await (await _signed_in(make_client, moderator)).get("/")).text
    assert 'href="/moderation"' not in (await (await _signed_in(make_client, member)).get("/")).text
    assert await form_token(make_client(), "/login")


async def test_a_refused_action_links_its_error_to_the_field(
    make_client: Any, report: Any, content: Any, member: User, moderator: User
) -> None:
    await report(member, "post", content.post["id"], "scam")
    item = await QueueItem.get(target_type="post")
    http = await _signed_in(make_client, moderator)
    token = csrf_from((await http.get("/moderation")).text)
    refused = await submit(
        http, f"/moderation/items/{item.id}/resolve", token, action="lock", reason="Rules"
    )
    assert refused.status_code == 422
    assert f'href="#action-{item.id}"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert ">Rules</textarea>" in refused.text


async def test_a_moderator_corrects_a_post_from_its_item_page(
    make_client: Any, report: Any, content: Any, member: User, moderator: User
) -> None:
    await report(member, "post", content.post["id"], "private_info")
    item = await QueueItem.get(target_type="post")
    http = await _signed_in(make_client, moderator)
    page = await http.get(f"/moderation/items/{item.id}")
    assert 'name="body"' in page.text
    assert "Send money first</textarea>" in page.text
    token = csrf_from(page.text)
    refused = await submit(
        http, f"/moderation/items/{item.id}/resolve", token, action="edit", reason="x", body=" "
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text  # the text field, kept open with its error
    done = await submit(
        http,
        f"/moderation/items/{item.id}/resolve",
        token,
        action="edit",
        reason="Took the account details out",
        body="Send [removed by a moderator]",
    )
    assert done.status_code == 303
    assert (await Post.get(id=content.post["id"])).body == "Send [removed by a moderator]"
