"""What the app wires between moderation's parts: appeals in the queue, the at-risk alert."""

from __future__ import annotations

from typing import Any

from forum.accounts import standing
from forum.accounts.models import User
from forum.notifications.models import Notification
from moderation.models import Appeal, ItemKind, QueueItem
from realtime.events import to_user
from tests import factories
from tests.forum.pages import sign_in
from tests.moderation.conftest import Content


async def test_an_appeal_resolved_from_the_queue_overturns_the_sanction(
    as_person: Any, moderator: User, other_member: User
) -> None:
    staff = await as_person(moderator)
    made = await staff.post(
        "/api/v1/moderation/users/sam/sanctions",
        json={"kind": "silence", "reason": "Insults in chat", "hours": 72},
    )
    sam = await as_person(other_member)
    appealed = await sam.post(
        f"/api/v1/me/sanctions/{made.json()['id']}/appeal", json={"message": "A misunderstanding."}
    )
    assert appealed.status_code == 201
    queue = (await staff.get("/api/v1/moderation/queue")).json()["items"]
    item = next(i for i in queue if i["kind"] == ItemKind.APPEAL.value)
    answer = await staff.post(
        f"/api/v1/moderation/queue/{item['id']}/resolve",
        json={"action": "approve", "reason": "Read in context, it was friendly."},
    )
    assert answer.status_code == 200, answer.text
    assert (await Appeal.get()).status == "overturned"
    assert not standing.is_silenced(await User.get(id=other_member.id))
    assert (await QueueItem.get(id=item["id"])).status == "resolved"
    mine = (await sam.get("/api/v1/me/sanctions")).json()["items"]
    assert mine[0]["appeal"]["status"] == "overturned"


async def test_an_at_risk_report_alerts_every_moderator_and_shows_the_reporter_help(
    client: Any, content: Content, member: User, moderator: User, recorded_events: list[Any]
) -> None:
    admin = await factories.user(username="ada", role="admin")
    await sign_in(client, "maria")
    form = await client.get(f"/report?target_type=post&target_id={content.post['id']}")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = await client.post(
        "/report",
        data={
            "csrf_token": token,
            "target_type": "post",
            "target_id": str(content.post["id"]),
            "reason": "at_risk",
            "note": "They wrote they cannot go on.",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/crisis-resources?at_risk=1"
    told = set(
        await Notification.filter(kind="moderation.at_risk").values_list("user_id", flat=True)
    )
    staff = await User.filter(role__in=("moderator", "admin")).values_list("id", flat=True)
    assert told == set(staff) >= {moderator.id, admin.id}
    live = [e for e in recorded_events if e.name == "notifications.created"]
    assert {e.audience for e in live} == {to_user(uid) for uid in staff}
    help_page = await client.get(answer.headers["location"])
    assert help_page.status_code == 200
    assert "988" in help_page.text
