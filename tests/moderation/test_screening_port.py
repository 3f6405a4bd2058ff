"""The port screening reaches the queue through: holds, flags and the count of reports."""

from __future__ import annotations

from typing import Any

from forum import database
from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, PostStatus
from moderation.models import LogEntry, QueueItem, Report
from moderation.screening_port import Review, ReviewQueue
from tests import factories


async def _pending_reply(author: User, topic_id: int) -> int:
    """A reply made pending by hand: what screening does, without screening's own hold."""
    post = await factories.reply(author=author, topic_id=topic_id, body="Ask at the corner shop")
    await Post.filter(id=post["id"]).update(status=PostStatus.PENDING)
    return int(post["id"])


async def test_the_app_wires_screening_to_the_queue(
    app: Any, content: Any, other_member: User, member: User
) -> None:
    """Through the real service: a phone number in a public reply waits in the queue once."""
    post = await factories.reply(
        author=other_member, topic_id=content.topic["id"], body="Call me on 555 0101"
    )
    assert post["status"] == PostStatus.PENDING
    assert (await posts.access_post(member, post["id"]))["body"] == ""
    [item] = await QueueItem.filter(kind="held", target_id=post["id"])
    assert item.reason == "personal_info"
    assert await LogEntry.filter(action="hold", target_id=post["id"]).count() == 1


async def test_a_hold_queues_the_content_once_and_logs_it_as_the_system(
    content: Any, other_member: User
) -> None:
    port: Review = ReviewQueue()
    post_id = await _pending_reply(other_member, content.topic["id"])
    async with database.transaction():
        await port.hold(
            target_type="post", target_id=post_id, author_id=other_member.id, reason="personal_info"
        )
    await port.hold(
        target_type="post", target_id=post_id, author_id=other_member.id, reason="new_member"
    )
    [item] = await QueueItem.filter(kind="held")
    assert (item.target_type, item.target_id, item.subject_id) == ("post", post_id, other_member.id)
    assert item.reason == "personal_info, new_member"
    assert item.snapshot["text"] == "Ask at the corner shop"
    holds = await LogEntry.filter(action="hold").values("actor_id", "reason")
    assert holds == [
        {"actor_id": None, "reason": "personal_info"},
        {"actor_id": None, "reason": "new_member"},
    ]


async def test_approving_a_held_post_publishes_it(
    as_person: Any, content: Any, other_member: User, member: User, moderator: User
) -> None:
    post_id = await _pending_reply(other_member, content.topic["id"])
    await ReviewQueue().hold(
        target_type="post", target_id=post_id, author_id=other_member.id, reason="personal_info"
    )
    assert (await posts.access_post(member, post_id))["body"] == ""
    item = await QueueItem.get(kind="held")
    http = await as_person(moderator)
    dismissed = await http.post(
        f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "dismiss", "reason": "?"}
    )
    assert dismissed.status_code == 422
    done = await http.post(
        f"/api/v1/moderation/queue/{item.id}/resolve",
        json={"action": "approve", "reason": "A shop's number: fine"},
    )
    assert done.status_code == 200, done.text
    assert (await posts.access_post(member, post_id))["body"] == "Ask at the corner shop"
    assert (await LogEntry.filter(target_id=post_id).values_list("action", flat=True)) == [
        "hold",
        "approve",
    ]


async def test_a_held_topic_is_approved_through_its_first_post(
    as_person: Any, other_member: User, moderator: User
) -> None:
    topic = await factories.topic(author=other_member, title="Selling a bike")
    first = await Post.filter(topic_id=topic["id"]).first()
    assert first is not None
    await Post.filter(id=first.id).update(status=PostStatus.PENDING)
    await ReviewQueue().hold(
        target_type="topic", target_id=topic["id"], author_id=other_member.id, reason="new_member"
    )
    item = await QueueItem.get(kind="held")
    done = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "approve", "reason": "ok"}
    )
    assert done.status_code == 200
    assert (await Post.get(id=first.id)).status == PostStatus.VISIBLE


async def test_a_flag_is_a_report_by_no_one_and_is_logged(content: Any, other_member: User) -> None:
    await ReviewQueue().flag(
        target_type="message",
        target_id=content.message["id"],
        author_id=other_member.id,
        reason="watched_word:wire",
    )
    report = await Report.get(target_type="message")
    assert report.reporter_id is None
    assert report.reason == "other"
    assert "watched_word:wire" in report.note
    item = await QueueItem.get(id=report.item_id)
    assert item.kind == "reports"
    assert item.score > 0
    flag = await LogEntry.get(action="flag")
    assert (flag.actor_id, flag.target_type, flag.reason) == (None, "message", "watched_word:wire")


async def test_reports_against_counts_open_and_upheld_reports_but_not_dismissed_ones(
    report: Any, as_person: Any, content: Any, member: User, other_member: User, moderator: User
) -> None:
    port = ReviewQueue()
    assert await port.reports_against(other_member.id) == 0
    await report(member, "post", content.post["id"])
    await report(member, "aid", content.aid["id"])
    await port.flag(
        target_type="topic", target_id=content.topic["id"], author_id=other_member.id, reason="x"
    )
    assert await port.reports_against(other_member.id) == 3
    http = await as_person(moderator)
    post_item = await QueueItem.get(target_type="post")
    aid_item = await QueueItem.get(target_type="aid")
    await http.post(
        f"/api/v1/moderation/queue/{post_item.id}/resolve", json={"action": "hide", "reason": "a"}
    )
    await http.post(
        f"/api/v1/moderation/queue/{aid_item.id}/resolve", json={"action": "dismiss", "reason": "b"}
    )
    assert await port.reports_against(other_member.id) == 2
    assert await port.reports_against(member.id) == 0
