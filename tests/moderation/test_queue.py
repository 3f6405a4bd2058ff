"""The review queue: who may work it, its order, claiming, resolving with a reason, auto-hide."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import User
from forum.boards import posts
from forum.boards.models import Post, PostRevision
from forum.errors import InvalidInput
from moderation import items, queue
from moderation.models import ItemKind, LogEntry, QueueItem, Report
from tests import factories


async def _item(report: Any, person: User, kind: str, target_id: int, reason: str = "spam") -> int:
    response = await report(person, kind, target_id, reason)
    assert response.status_code in (200, 201), response.text
    found = await QueueItem.get(target_type=kind, target_id=target_id, status="open")
    return found.id


# Who may do what: anonymous, a member, the reported person, a moderator, an administrator. -----

ROLES = ["anonymous", "member", "reported", "moderator", "admin"]
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/api/v1/moderation/queue", None, {"moderator": 200, "admin": 200}),
    ("get", "/api/v1/moderation/queue/{id}", None, {"moderator": 200, "admin": 200}),
    ("post", "/api/v1/moderation/queue/{id}/claim", None, {"moderator": 200, "admin": 200}),
    (
        "post",
        "/api/v1/moderation/queue/{id}/resolve",
        {"action": "dismiss", "reason": "Looked fine"},
        {"moderator": 200, "admin": 200},
    ),
    ("get", "/api/v1/moderation/log", None, {"moderator": 200, "admin": 200}),
    (
        "get",
        "/api/v1/moderation/public-log",
        None,
        {"member": 200, "reported": 200, "moderator": 200, "admin": 200},
    ),
    (
        "get",
        "/api/v1/reports/mine",
        None,
        {"member": 200, "reported": 200, "moderator": 200, "admin": 200},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
async def test_permission_matrix(
    as_person: Any,
    report: Any,
    content: Any,
    member: User,
    other_member: User,
    moderator: User,
    admin: User,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: dict[str, int],
) -> None:
    reporter = await factories.user(username="tess")
    item_id = await _item(report, reporter, "post", content.post["id"])
    people = {
        "anonymous": None,
        "member": member,
        "reported": other_member,
        "moderator": moderator,
        "admin": admin,
    }
    http = await as_person(people[role])
    url = path.format(id=item_id)
    response = await (
        http.get(url)
        if body is None and method == "get"
        else http.request(method.upper(), url, json=body if body is not None else None)
    )
    expected = allowed.get(role, 401 if role == "anonymous" else 403)
    assert response.status_code == expected, (role, path, response.text)
    if method == "post" and expected != 200:
        fresh = await QueueItem.get(id=item_id)
        assert fresh.status == "open"
        assert fresh.claimed_by_id is None


async def test_a_moderator_never_sees_reports_against_their_own_content(
    report: Any, as_person: Any, moderator: User, member: User, admin: User
) -> None:
    topic = await factories.topic(author=moderator, title="House rules")
    item_id = await _item(report, member, "topic", topic["id"])
    mine = await as_person(moderator)
    assert (await mine.get("/api/v1/moderation/queue")).json()["items"] == []
    assert (await mine.get(f"/api/v1/moderation/queue/{item_id}")).status_code == 404
    resolve = await mine.post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": "dismiss", "reason": "x"}
    )
    assert resolve.status_code == 404
    other = await as_person(admin)
    assert [i["id"] for i in (await other.get("/api/v1/moderation/queue")).json()["items"]] == [
        item_id
    ]


# Order ----------------------------------------------------------------------------------------


async def test_at_risk_comes_first_then_more_and_more_trusted_reporters(
    report: Any, as_person: Any, content: Any, member: User, moderator: User, other_member: User
) -> None:
    tess = await factories.user(username="tess", trust_level=0)
    await User.filter(id=member.id).update(trust_level=0)  # two new members against one trusted
    trusted = await factories.user(username="olga")
    await User.filter(id=trusted.id).update(trust_level=4)
    trusted = await User.get(id=trusted.id)
    extra = await factories.reply(author=other_member, topic_id=content.topic["id"], body="More")
    spam_once = await _item(report, member, "post", extra["id"], "spam")
    spam_twice = await _item(report, member, "aid", content.aid["id"], "spam")
    await _item(report, tess, "aid", content.aid["id"], "spam")
    trusted_once = await _item(report, trusted, "message", content.message["id"], "spam")
    at_risk = await _item(report, member, "post", content.post["id"], "at_risk")
    listed = (await (await as_person(moderator)).get("/api/v1/moderation/queue")).json()
    order = [i["id"] for i in listed["items"]]
    assert order == [at_risk, trusted_once, spam_twice, spam_once]
    top = listed["items"][0]
    assert top["at_risk"] is True
    assert top["score"] >= items.AT_RISK_BOOST
    assert top["reports"][0]["reporter"]["username"] == "maria"


async def test_the_queue_pages_by_cursor(
    report: Any, as_person: Any, member: User, moderator: User, other_member: User
) -> None:
    topic = await factories.topic(author=other_member)
    replies = [await factories.reply(author=other_member, topic_id=topic["id"]) for _ in range(5)]
    for reply in replies:
        await _item(report, member, "post", reply["id"])
    http = await as_person(moderator)
    first = (await http.get("/api/v1/moderation/queue?limit=3")).json()
    assert len(first["items"]) == 3
    rest = (
        await http.get(f"/api/v1/moderation/queue?limit=3&cursor={first['next_cursor']}")
    ).json()
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    seen = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(seen)) == 5
    assert (await http.get("/api/v1/moderation/queue?cursor=bogus")).status_code == 400


# Claiming and resolving -------------------------------------------------------------------


async def test_a_claimed_item_is_left_to_its_moderator(
    report: Any, as_person: Any, content: Any, member: User, moderator: User, admin: User
) -> None:
    item_id = await _item(report, member, "post", content.post["id"])
    mira = await as_person(moderator)
    claimed = await mira.post(f"/api/v1/moderation/queue/{item_id}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["claimed_by"]["username"] == "modmira"
    ada = await as_person(admin)
    assert (await ada.post(f"/api/v1/moderation/queue/{item_id}/claim")).status_code == 409
    assert (await mira.post(f"/api/v1/moderation/queue/{item_id}/claim")).status_code == 200


async def test_resolving_needs_a_reason(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    item_id = await _item(report, member, "post", content.post["id"])
    http = await as_person(moderator)
    for body in (
        {"action": "hide"},
        {"action": "hide", "reason": "   "},
        {"action": "zap", "reason": "x"},
    ):
        response = await http.post(f"/api/v1/moderation/queue/{item_id}/resolve", json=body)
        assert response.status_code == 422, body
    assert (await QueueItem.get(id=item_id)).status == "open"
    assert (await Post.get(id=content.post["id"])).status == "visible"


async def test_a_second_resolution_is_a_conflict(
    report: Any, as_person: Any, content: Any, member: User, moderator: User, admin: User
) -> None:
    item_id = await _item(report, member, "post", content.post["id"])
    first = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": "hide", "reason": "Scam"}
    )
    assert first.status_code == 200
    second = await (await as_person(admin)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": "dismiss", "reason": "No"}
    )
    assert second.status_code == 409
    assert (await Post.get(id=content.post["id"])).status == "hidden"
    assert await LogEntry.filter(target_type="post", target_id=content.post["id"]).count() == 1


async def test_hiding_a_post_hides_it_from_members_and_closes_every_report(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    # Two new members' reports: below the score that hides a post by itself.
    tess = await factories.user(username="tess", trust_level=0)
    await User.filter(id=member.id).update(trust_level=0)
    item_id = await _item(report, member, "post", content.post["id"])
    await _item(report, tess, "post", content.post["id"], "scam")
    done = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": "hide", "reason": "Scam"}
    )
    body = done.json()
    assert body["status"] == "resolved"
    assert body["resolution"] == "hide"
    assert {r["status"] for r in body["reports"]} == {"resolved"}
    seen = await posts.access_post(member, content.post["id"])
    assert seen["body"] == ""
    entry = await LogEntry.get(target_type="post", target_id=content.post["id"])
    assert (entry.action, entry.actor_id, entry.reason) == ("hide", moderator.id, "Scam")
    # A new report of the same post opens a new item: the old one stays resolved.
    restored = await (await as_person(moderator)).get(f"/api/v1/moderation/queue/{item_id}")
    assert restored.json()["status"] == "resolved"


async def test_dismissing_marks_reports_dismissed_and_changes_nothing(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    item_id = await _item(report, member, "topic", content.topic["id"])
    done = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve",
        json={"action": "dismiss", "reason": "A fair sale"},
    )
    assert done.status_code == 200
    assert {r.status for r in await Report.filter(item_id=item_id)} == {"dismissed"}
    assert (await LogEntry.get(target_type="topic")).action == "dismiss"


@pytest.mark.parametrize(
    ("kind", "action", "check"),
    [
        ("post", "delete", "post_deleted"),
        ("topic", "hide", "topic_hidden"),
        ("topic", "lock", "topic_locked"),
        ("topic", "delete", "topic_hidden"),
        ("aid", "hide", "aid_hidden"),
        ("message", "hide", "message_hidden"),
        ("message", "delete", "message_deleted"),
    ],
)
async def test_each_action_changes_the_content_through_its_feature(
    report: Any,
    as_person: Any,
    content: Any,
    member: User,
    moderator: User,
    kind: str,
    action: str,
    check: str,
) -> None:
    from forum.aid.models import Aid
    from forum.boards.models import Topic
    from forum.chat.models import Message

    target = content.post["id"] if kind == "post" else getattr(content, kind)["id"]
    item_id = await _item(report, member, kind, target)
    done = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": action, "reason": "Rules"}
    )
    assert done.status_code == 200, done.text
    checks = {
        "post_deleted": lambda: Post.get(id=target).values("status"),
        "topic_hidden": lambda: Topic.get(id=target).values("status"),
        "topic_locked": lambda: Topic.get(id=target).values("locked"),
        "aid_hidden": lambda: Aid.get(id=target).values("review"),
        "message_hidden": lambda: Message.get(id=target).values("hidden"),
        "message_deleted": lambda: Message.get(id=target).values("deleted"),
    }
    value = next(iter((await checks[check]()).values()))
    assert value in ("deleted", "hidden", True), (check, value)
    assert (await LogEntry.get(target_type=kind, target_id=target)).action == action


async def test_an_action_that_makes_no_sense_for_the_target_is_refused(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    item_id = await _item(report, member, "post", content.post["id"])
    http = await as_person(moderator)
    refused = await http.post(
        f"/api/v1/moderation/queue/{item_id}/resolve", json={"action": "lock", "reason": "x"}
    )
    assert refused.status_code == 422
    assert "action" in refused.json()["error"]["fields"]
    profile = await _item(report, member, "user", content.post["author_id"])
    refused = await http.post(
        f"/api/v1/moderation/queue/{profile}/resolve", json={"action": "hide", "reason": "x"}
    )
    assert refused.status_code == 422
    assert (await QueueItem.get(id=item_id)).status == "open"
    assert await LogEntry.all().count() == 0


async def test_restore_brings_back_a_hidden_post(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    http = await as_person(moderator)
    first = await _item(report, member, "post", content.post["id"])
    await http.post(
        f"/api/v1/moderation/queue/{first}/resolve", json={"action": "hide", "reason": "a"}
    )
    tess = await factories.user(username="tess")
    await User.filter(id=tess.id).update(role="moderator")
    tess = await User.get(id=tess.id)
    # Moderators report too, and a moderator can report hidden content they can read.
    second = await _item(report, tess, "post", content.post["id"], "other")
    done = await http.post(
        f"/api/v1/moderation/queue/{second}/resolve",
        json={"action": "restore", "reason": "Mistake"},
    )
    assert done.status_code == 200, done.text
    assert (await Post.get(id=content.post["id"])).status == "visible"


# Auto-hide ---------------------------------------------------------------------------------


async def test_reports_past_the_threshold_hide_the_content_until_dismissed(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    # New members (trust 0): four of their spam reports cross the line, three do not.
    await User.filter(id=member.id).update(trust_level=0)
    people = [member] + [await factories.user(username=f"near{i}", trust_level=0) for i in range(3)]
    for person in people[:3]:
        await report(person, "post", content.post["id"], "spam")
    assert (await Post.get(id=content.post["id"])).status == "visible"
    await report(people[3], "post", content.post["id"], "spam")
    assert (await Post.get(id=content.post["id"])).status == "hidden"
    item = await QueueItem.get(target_type="post", target_id=content.post["id"])
    assert item.auto_hidden
    entry = await LogEntry.get(action="auto_hide")
    assert entry.actor_id is None
    assert (entry.target_type, entry.target_id) == ("post", content.post["id"])
    await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "dismiss", "reason": "Fine"}
    )
    assert (await Post.get(id=content.post["id"])).status == "visible"


async def test_at_risk_reports_never_hide_anything(report: Any, content: Any, member: User) -> None:
    # New members (trust 0): four of their spam reports cross the line, three do not.
    await User.filter(id=member.id).update(trust_level=0)
    people = [member] + [await factories.user(username=f"near{i}", trust_level=0) for i in range(3)]
    for person in people:
        await report(person, "post", content.post["id"], "at_risk")
    assert (await Post.get(id=content.post["id"])).status == "visible"


async def test_content_by_moderators_is_never_hidden_automatically(
    report: Any, moderator: User, member: User
) -> None:
    topic = await factories.topic(author=moderator, title="House rules")
    people = [member] + [await factories.user(username=f"near{i}") for i in range(4)]
    for person in people:
        await report(person, "topic", topic["id"], "scam")
    from forum.boards.models import Topic

    assert (await Topic.get(id=topic["id"])).status == "visible"
    assert await LogEntry.filter(action="auto_hide").count() == 0


# Sign-ups and pluggable resolvers ---------------------------------------------------------


async def test_sign_ups_wait_in_the_queue_for_administrators(
    as_person: Any, admin: User, moderator: User
) -> None:
    from forum.accounts import services as accounts

    waiting = await accounts.register(
        {"username": "newbie", "email": "n@example.org", "password": factories.PASSWORD},
        signup="approval",
    )
    assert (await (await as_person(moderator)).get("/api/v1/moderation/queue")).json()[
        "items"
    ] == []
    http = await as_person(admin)
    [item] = (await http.get("/api/v1/moderation/queue")).json()["items"]
    assert (item["kind"], item["target_type"], item["target_id"]) == ("signup", "user", waiting.id)
    again = (await http.get("/api/v1/moderation/queue")).json()["items"]
    assert [i["id"] for i in again] == [item["id"]]
    done = await http.post(
        f"/api/v1/moderation/queue/{item['id']}/resolve",
        json={"action": "approve", "reason": "A neighbour I know"},
    )
    assert done.status_code == 200, done.text
    assert (await User.get(id=waiting.id)).status == "active"
    assert (await LogEntry.get(target_type="user")).action == "approve"


async def test_a_kind_resolves_through_the_resolver_registered_for_it(
    as_person: Any, moderator: User, member: User
) -> None:
    calls: list[tuple[str, str]] = []

    async def decide(mod: User, item: QueueItem, action: str, reason: str) -> None:
        if action not in ("approve", "dismiss"):
            raise InvalidInput(fields={"action": "Overturn (approve) or uphold (dismiss)."})
        calls.append((action, reason))

    item, _ = await items.open_item(
        ItemKind.APPEAL, "sanction", 7, snapshot={"title": "Appeal"}, subject_id=member.id
    )
    http = await as_person(moderator)
    previous = queue._RESOLVERS.pop(ItemKind.APPEAL, None)
    try:
        none = await http.post(
            f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "approve", "reason": "x"}
        )
        assert none.status_code == 422
        queue.register_resolver(ItemKind.APPEAL, decide)
        wrong = await http.post(
            f"/api/v1/moderation/queue/{item.id}/resolve", json={"action": "hide", "reason": "x"}
        )
        assert wrong.status_code == 422
        done = await http.post(
            f"/api/v1/moderation/queue/{item.id}/resolve",
            json={"action": "approve", "reason": "Fair point"},
        )
        assert done.status_code == 200, done.text
    finally:
        queue._RESOLVERS.pop(ItemKind.APPEAL, None)
        if previous is not None:
            queue.register_resolver(ItemKind.APPEAL, previous)
    assert calls == [("approve", "Fair point")]
    assert (await LogEntry.get(target_type="sanction")).action == "approve"


# Edit -------------------------------------------------------------------------------------------


async def test_a_moderator_edits_reported_text_in_place_and_the_log_and_history_keep_it(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    item_id = await _item(report, member, "post", content.post["id"], "private_info")
    http = await as_person(moderator)
    no_text = await http.post(
        f"/api/v1/moderation/queue/{item_id}/resolve",
        json={"action": "edit", "reason": "Took out the number"},
    )
    assert no_text.status_code == 422
    assert set(no_text.json()["error"]["fields"]) == {"body"}
    done = await http.post(
        f"/api/v1/moderation/queue/{item_id}/resolve",
        json={"action": "edit", "reason": "Took out the number", "body": "Send [removed]"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["resolution"] == "edit"
    seen = await posts.access_post(member, content.post["id"])
    assert seen["body"] == "Send [removed]"
    # What was reported stays on the item and in the post's history, for moderators.
    assert done.json()["snapshot"]["text"] == "Send money first"
    assert (await PostRevision.get(post_id=content.post["id"])).body == "Send money first"
    entry = await LogEntry.get(target_type="post", target_id=content.post["id"])
    assert (entry.action, entry.reason) == ("edit", "Took out the number")


async def test_edit_is_refused_for_what_has_no_text_to_correct(
    report: Any, as_person: Any, content: Any, member: User, moderator: User
) -> None:
    item_id = await _item(report, member, "message", content.message["id"])
    answer = await (await as_person(moderator)).post(
        f"/api/v1/moderation/queue/{item_id}/resolve",
        json={"action": "edit", "reason": "x", "body": "tidier"},
    )
    assert answer.status_code == 422
    assert "action" in answer.json()["error"]["fields"]
    assert (await QueueItem.get(id=item_id)).status == "open"  # nothing was written
