"""Reports: on every kind of target, one open per person and item, never on what you cannot see."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import User
from forum.boards import review as boards_review
from forum.boards.models import PostStatus
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from moderation import reports
from moderation.models import QueueItem, Report
from tests import factories


def _target(content: Any, kind: str) -> int:
    if kind == "user":
        return int(content.post["author_id"])
    return int(getattr(content, kind)["id"])


@pytest.mark.parametrize("kind", ["post", "topic", "aid", "message", "user"])
async def test_a_member_reports_each_kind_once_and_the_second_report_returns_the_first(
    report: Any, content: Any, member: User, kind: str
) -> None:
    first = await report(member, kind, _target(content, kind), "scam", note="Asked for money")
    assert first.status_code == 201, first.text
    body = first.json()
    assert set(body) == {"id", "target_type", "target_id", "reason", "status", "created_at"}
    assert body["status"] == "open"
    assert body["target_type"] == kind
    again = await report(member, kind, _target(content, kind), "spam")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert await Report.filter(target_type=kind).count() == 1


async def test_reports_of_one_item_by_several_people_share_one_queue_item(
    report: Any, content: Any, member: User, moderator: User
) -> None:
    third = await factories.user(username="tess")
    for person in (member, third):
        assert (await report(person, "post", content.post["id"])).status_code == 201
    item = await QueueItem.get(target_type="post", target_id=content.post["id"])
    assert await Report.filter(item_id=item.id).count() == 2
    assert item.snapshot["text"] == "Send money first"
    assert item.snapshot["author"] == "sam"
    assert item.subject_id == content.post["author_id"]


async def test_the_snapshot_keeps_what_was_reported_after_an_edit(
    report: Any, content: Any, member: User, other_member: User
) -> None:
    await report(member, "post", content.post["id"])
    from forum.boards import posts

    await posts.edit_post(other_member, content.post["id"], {"body": "Nothing to see"})
    third = await factories.user(username="tess")
    await report(third, "post", content.post["id"])
    item = await QueueItem.get(target_type="post", target_id=content.post["id"])
    assert item.snapshot["text"] == "Send money first"
    later = await Report.get(reporter_id=third.id)
    assert later.snapshot["text"] == "Nothing to see"


async def test_reporting_what_does_not_exist_is_a_404(
    report: Any, content: Any, member: User
) -> None:
    for kind in ("post", "topic", "aid", "message", "user"):
        response = await report(member, kind, 999_999)
        assert response.status_code == 404, kind


async def test_reporting_what_you_cannot_see_is_a_404(
    report: Any, content: Any, member: User, other_member: User, moderator: User
) -> None:
    third = await factories.user(username="tess")
    direct = await chat_rooms.direct_room(other_member, "tess")
    private, _ = await chat.send_message(other_member, direct["id"], "Just between us")
    assert (await report(member, "message", private["id"])).status_code == 404
    assert (await report(third, "message", private["id"])).status_code == 201
    await boards_review.set_post_status(content.post["id"], PostStatus.HIDDEN)
    assert (await report(member, "post", content.post["id"])).status_code == 404
    pending = await factories.user(username="waiting")
    await User.filter(id=pending.id).update(status="pending")
    assert (await report(member, "user", pending.id)).status_code == 404
    assert await Report.filter(reporter_id=member.id).count() == 0


async def test_a_hidden_offer_cannot_be_reported_or_read_by_members(
    report: Any, content: Any, member: User, as_person: Any
) -> None:
    from forum.aid import review as aid_review
    from forum.aid.models import AidReview

    await aid_review.set_review(content.aid["id"], AidReview.HIDDEN)
    assert (await report(member, "aid", content.aid["id"])).status_code == 404
    http = await as_person(member)
    assert (await http.get(f"/api/v1/aid/{content.aid['id']}")).status_code == 404
    listed = (await http.get("/api/v1/aid")).json()["items"]
    assert content.aid["id"] not in [a["id"] for a in listed]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "post", "reason": "nonsense"}, "reason"),
        ({"target_type": "post"}, "reason"),
        ({"target_type": "planet", "reason": "spam"}, "target_type"),
        ({"target_type": "post", "reason": "spam", "target_id": None}, "target_id"),
        ({"target_type": "post", "reason": "spam", "target_id": "abc"}, "target_id"),
        ({"target_type": "post", "reason": "spam", "note": "x" * 1001}, "note"),
    ],
)
async def test_a_bad_report_names_the_field(
    as_person: Any, content: Any, member: User, body: dict[str, Any], field: str
) -> None:
    http = await as_person(member)
    body = {"target_id": content.post["id"], **body}
    response = await http.post("/api/v1/reports", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]


async def test_a_missing_target_id_is_a_422(as_person: Any, member: User, content: Any) -> None:
    http = await as_person(member)
    response = await http.post("/api/v1/reports", json={"target_type": "post", "reason": "spam"})
    assert response.status_code == 422
    assert "target_id" in response.json()["error"]["fields"]


async def test_you_cannot_report_your_own_content_except_to_ask_for_help(
    report: Any, content: Any, other_member: User
) -> None:
    refused = await report(other_member, "post", content.post["id"], "spam")
    assert refused.status_code == 422
    assert "target_id" in refused.json()["error"]["fields"]
    asked = await report(other_member, "post", content.post["id"], "at_risk")
    assert asked.status_code == 201


async def test_signed_out_people_cannot_report(report: Any, as_person: Any, content: Any) -> None:
    http = await as_person(None)
    response = await http.post(
        "/api/v1/reports", json={"target_type": "post", "target_id": 1, "reason": "spam"}
    )
    assert response.status_code == 401


async def test_a_member_files_at_most_twenty_reports_a_day(
    report: Any, member: User, other_member: User
) -> None:
    topic = await factories.topic(author=other_member)
    posts = [await factories.reply(author=other_member, topic_id=topic["id"]) for _ in range(21)]
    for post in posts[:20]:
        assert (await report(member, "post", post["id"])).status_code == 201
    refused = await report(member, "post", posts[20]["id"])
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    # A repeat of an open report is not a new one: it still answers.
    assert (await report(member, "post", posts[0]["id"])).status_code == 200


async def test_my_reports_show_their_status_and_outcome_and_never_a_reporter(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    filed = (await report(member, "post", content.post["id"], note="fishy")).json()
    item = await QueueItem.get(target_type="post", target_id=content.post["id"])
    mod = await as_person(moderator)
    done = await mod.post(
        f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "hide", "reason": "Scam"}
    )
    assert done.status_code == 200, done.text
    mine = (await (await as_person(member)).get("/api/v1/reports/mine")).json()
    assert mine["next_cursor"] is None
    [row] = mine["items"]
    assert row["id"] == filed["id"]
    assert (row["status"], row["outcome"], row["note"]) == ("resolved", "hide", "fishy")
    assert "reporter" not in row


async def test_the_reported_person_reads_nothing_that_names_the_reporter(
    report: Any, as_person: Any, content: Any, member: User, other_member: User
) -> None:
    await report(member, "post", content.post["id"], note="from maria")
    sam = await as_person(other_member)
    for path in (
        "/api/v1/reports/mine",
        "/api/v1/moderation/public-log",
        f"/api/v1/topics/{content.topic['id']}/posts",
        "/api/v1/notifications",
    ):
        response = await sam.get(path)
        assert response.status_code == 200, path
        assert "maria" not in response.text, path
    assert (await sam.get("/api/v1/moderation/queue")).status_code == 403


async def test_describe_target_refuses_what_cannot_be_reported(member: User, content: Any) -> None:
    from forum.errors import NotFound

    with pytest.raises(NotFound):
        await reports.describe_target(member, "planet", 1)
    shown = await reports.describe_target(member, "post", content.post["id"])
    assert (shown["excerpt"], shown["own"]) == ("Send money first", False)


async def test_a_hidden_topic_cannot_be_reported_by_members(
    report: Any, content: Any, member: User, moderator: User
) -> None:
    from forum.boards.models import TopicStatus

    await boards_review.set_topic_status(content.topic["id"], TopicStatus.HIDDEN)
    assert (await report(member, "topic", content.topic["id"])).status_code == 404
    assert (await report(moderator, "topic", content.topic["id"])).status_code == 201


async def test_an_offer_under_review_is_for_its_owner_and_moderators(
    as_person: Any, content: Any, member: User, other_member: User, moderator: User
) -> None:
    from forum.aid import review as aid_review
    from forum.aid.models import AidReview

    offer = await factories.aid(author=member, kind="offer", title="A spare crib")
    request_id = content.aid["id"]
    sam = await as_person(other_member)
    matches = (await sam.get(f"/api/v1/aid/{request_id}/matches")).json()["items"]
    assert [m["id"] for m in matches] == [offer["id"]]
    await aid_review.set_review(offer["id"], AidReview.PENDING)
    assert (await sam.get(f"/api/v1/aid/{offer['id']}")).status_code == 404
    assert (await sam.get(f"/api/v1/aid/{request_id}/matches")).json()["items"] == []
    owner = await as_person(member)
    assert (await owner.get(f"/api/v1/aid/{offer['id']}")).status_code == 200
    assert offer["id"] in [a["id"] for a in (await owner.get("/api/v1/aid")).json()["items"]]
    staff = await as_person(moderator)
    assert (await staff.get(f"/api/v1/aid/{offer['id']}")).status_code == 200
    await aid_review.set_review(offer["id"], AidReview.HIDDEN)
    assert (await owner.get(f"/api/v1/aid/{offer['id']}")).status_code == 404
    assert (await staff.get(f"/api/v1/aid/{offer['id']}")).status_code == 200
