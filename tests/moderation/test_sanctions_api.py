"""Sanctions through the API: who may impose and lift them, and what each one does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from forum import clock
from forum.accounts import standing
from forum.accounts.models import Session, User
from forum.notifications.models import Notification
from moderation.models import LogEntry, Sanction
from realtime import events
from tests import factories

SANCTION_FIELDS = {
    "id", "user_id", "kind", "reason", "created_at", "ends_at", "lifted_at",
    "acknowledged_at", "state", "appeal",
}  # fmt: skip


async def _as(make_client: Any, person: User | None) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    if person is not None:
        await factories.bearer(http, person)
    return http


async def _person(username: str) -> User:
    return await User.get(username_key=username)


def _sanction(kind: str = "silence", reason: str = "Shouting at neighbours", **more: Any) -> Any:
    return {"kind": kind, "reason": reason, **more}


# The permission matrix ------------------------------------------------------------------------

ROLES = ("anonymous", "member", "moderator", "admin")


async def _persona(role: str) -> User | None:
    if role == "anonymous":
        return None
    return await factories.user(username=f"p-{role}", role=role)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("member", 403), ("moderator", 201), ("admin", 201)],
)
async def test_only_staff_may_sanction(
    make_client: Any, other_member: User, role: str, expected: int
) -> None:
    http = await _as(make_client, await _persona(role))
    answer = await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction("warn"))
    assert answer.status_code == expected, answer.text
    assert await Sanction.filter(user_id=other_member.id).count() == (expected == 201)


@pytest.mark.parametrize(
    ("role", "target_role", "expected"),
    [
        ("moderator", "moderator", 403),
        ("moderator", "admin", 403),
        ("admin", "moderator", 201),
        ("admin", "admin", 403),
    ],
)
async def test_moderators_cannot_sanction_staff_and_nobody_an_admin(
    make_client: Any, db: None, role: str, target_role: str, expected: int
) -> None:
    actor = await factories.user(username="actor", role=role)
    await factories.user(username="target", role=target_role)
    http = await _as(make_client, actor)
    answer = await http.post("/api/v1/moderation/users/target/sanctions", json=_sanction())
    assert answer.status_code == expected, answer.text


async def test_nobody_sanctions_themselves(make_client: Any, admin: User) -> None:
    http = await _as(make_client, admin)
    answer = await http.post("/api/v1/moderation/users/adminada/sanctions", json=_sanction())
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/moderation/users/sam/sanctions", None),
        ("DELETE", "/api/v1/moderation/sanctions/{id}", None),
        (
            "POST",
            "/api/v1/moderation/appeals/{appeal}/decide",
            {"outcome": "upheld", "reason": "x"},
        ),
        ("GET", "/api/v1/moderation/users/sam/notes", None),
        ("POST", "/api/v1/moderation/users/sam/notes", {"body": "Seems to mean well."}),
    ],
)
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("anonymous", 401), ("member", 403), ("moderator", None), ("admin", None)],
)
async def test_moderator_endpoints_refuse_members_and_strangers(
    make_client: Any,
    moderator: User,
    other_member: User,
    method: str,
    path: str,
    body: Any,
    role: str,
    allowed: int | None,
) -> None:
    staff = await _as(make_client, moderator)
    made = (await staff.post("/api/v1/moderation/users/sam/sanctions", json=_sanction())).json()
    sam = await _as(make_client, other_member)
    appealed = await sam.post(
        f"/api/v1/me/sanctions/{made['id']}/appeal", json={"message": "Sorry"}
    )
    appeal_id = appealed.json()["appeal"]["id"]
    http = await _as(make_client, await _persona(role))
    url = path.format(id=made["id"], appeal=appeal_id)
    answer = await http.request(method, url, json=body)
    if allowed is None:
        assert answer.status_code in (200, 201), answer.text
    else:
        assert answer.status_code == allowed, answer.text


@pytest.mark.parametrize(
    ("path", "expected_signed_in"),
    [
        ("/api/v1/me/sanctions", 200),
        ("/api/v1/moderation/crisis-resources", 200),
    ],
)
async def test_member_endpoints_need_someone_signed_in(
    make_client: Any, member: User, path: str, expected_signed_in: int
) -> None:
    assert (await (await _as(make_client, None)).get(path)).status_code == 401
    assert (await (await _as(make_client, member)).get(path)).status_code == expected_signed_in


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "silence"}, "reason"),
        ({"kind": "silence", "reason": "   "}, "reason"),
        ({"kind": "exile", "reason": "x"}, "kind"),
        ({"reason": "x"}, "kind"),
        ({"kind": "silence", "reason": "x", "hours": 0}, "hours"),
        ({"kind": "silence", "reason": "x", "hours": 8761}, "hours"),
        ({"kind": "silence", "reason": "x", "hours": "12"}, None),
        ({"kind": "silence", "reason": "x", "hours": True}, "hours"),
        ({"kind": "ban", "reason": "x", "hours": 5}, "hours"),
        ({"kind": "warn", "reason": "x", "hours": 5}, "hours"),
    ],
)
async def test_bad_sanctions_are_422_on_the_field(
    make_client: Any, moderator: User, other_member: User, body: Any, field: str | None
) -> None:
    http = await _as(make_client, moderator)
    answer = await http.post("/api/v1/moderation/users/sam/sanctions", json=body)
    if field is None:
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["error"]["fields"]
    assert not await Sanction.exists()
    assert not await LogEntry.exists()


async def test_sanctioning_someone_unknown_is_404(make_client: Any, moderator: User) -> None:
    http = await _as(make_client, moderator)
    for name in ("nobody", "not a name", "~deleted-1"):
        answer = await http.post(f"/api/v1/moderation/users/{name}/sanctions", json=_sanction())
        assert answer.status_code == 404, name


async def test_lifting_an_unknown_sanction_is_404(make_client: Any, moderator: User) -> None:
    http = await _as(make_client, moderator)
    assert (await http.delete("/api/v1/moderation/sanctions/999")).status_code == 404


# What each kind does ------------------------------------------------------------------------


async def test_a_silence_takes_effect_is_logged_told_and_lifts(
    make_client: Any, moderator: User, other_member: User, recorded_events: list[events.Event]
) -> None:
    http = await _as(make_client, moderator)
    answer = await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction(hours=24))
    assert answer.status_code == 201
    made = answer.json()
    assert set(made) >= SANCTION_FIELDS
    assert made["state"] == "active"
    assert made["appeal"] is None
    assert made["created_by"]["username"] == "modmira"
    ends = clock.now() + timedelta(hours=24)
    assert abs((standing_until := (await _person("sam")).silenced_until) - ends) < timedelta(
        minutes=1
    )
    assert standing_until is not None
    assert standing.is_silenced(await _person("sam"))
    entry = await LogEntry.get(action="silence")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        moderator.id,
        "user",
        other_member.id,
    )
    assert entry.reason == "Shouting at neighbours"
    told = await Notification.get(user_id=other_member.id, kind="moderation.sanction")
    assert "Shouting at neighbours" in told.text
    assert "until" in told.text
    assert any(
        e.name == "notifications.created" and e.audience == events.to_user(other_member.id)
        for e in recorded_events
    )

    lifted = await http.delete(f"/api/v1/moderation/sanctions/{made['id']}")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["state"] == "lifted"
    assert lifted.json()["lifted_at"]
    assert lifted.json()["lifted_by"]["username"] == "modmira"
    assert not standing.is_silenced(await _person("sam"))
    assert await LogEntry.filter(action="lift", target_id=other_member.id).count() == 1
    again = await http.delete(f"/api/v1/moderation/sanctions/{made['id']}")
    assert again.status_code == 409


async def test_lifting_one_silence_keeps_another_in_force(
    make_client: Any, moderator: User, other_member: User
) -> None:
    http = await _as(make_client, moderator)
    short = (
        await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction(hours=2))
    ).json()
    endless = (await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction())).json()
    assert (await _person("sam")).silenced_until == standing.FOREVER
    await http.delete(f"/api/v1/moderation/sanctions/{endless['id']}")
    sam = await _person("sam")
    assert standing.is_silenced(sam)
    assert sam.silenced_until is not None
    assert sam.silenced_until < clock.now() + timedelta(hours=3)
    await http.delete(f"/api/v1/moderation/sanctions/{short['id']}")
    assert (await _person("sam")).silenced_until is None


async def test_a_suspension_ends_every_session_refuses_sign_in_with_the_reason_and_lifts(
    make_client: Any, moderator: User, other_member: User, recorded_events: list[events.Event]
) -> None:
    sam = await _as(make_client, other_member)
    assert (await sam.get("/api/v1/me")).status_code == 200
    http = await _as(make_client, moderator)
    made = (
        await http.post(
            "/api/v1/moderation/users/sam/sanctions",
            json=_sanction("suspend", "Selling fake tickets", hours=48),
        )
    ).json()
    assert not await Session.filter(user_id=other_member.id).exists()
    assert (await sam.get("/api/v1/me")).status_code == 401
    assert any(e.name == standing.SUSPENDED_EVENT for e in recorded_events)
    login = await make_client().post(
        "/api/v1/auth/login", json={"username": "sam", "password": factories.PASSWORD}
    )
    assert login.status_code == 403
    error = login.json()["error"]
    assert error["code"] == "suspended"
    assert "Selling fake tickets" in error["message"]
    assert "until" in error["message"]
    assert await LogEntry.filter(action="suspend", target_id=other_member.id).exists()

    assert (await http.delete(f"/api/v1/moderation/sanctions/{made['id']}")).status_code == 200
    assert not standing.is_suspended(await _person("sam"))
    login = await make_client().post(
        "/api/v1/auth/login", json={"username": "sam", "password": factories.PASSWORD}
    )
    assert login.status_code == 200


async def test_a_ban_is_forever(make_client: Any, moderator: User, other_member: User) -> None:
    http = await _as(make_client, moderator)
    made = await http.post(
        "/api/v1/moderation/users/sam/sanctions", json=_sanction("ban", "Threats")
    )
    assert made.status_code == 201
    assert made.json()["ends_at"] is None
    sam = await _person("sam")
    assert sam.suspended_until == standing.FOREVER
    assert standing.is_suspended(sam, clock.now() + timedelta(days=365 * 50))
    login = await make_client().post(
        "/api/v1/auth/login", json={"username": "sam", "password": factories.PASSWORD}
    )
    assert login.status_code == 403
    assert "Threats" in login.json()["error"]["message"]


async def test_a_warning_waits_to_be_acknowledged(
    make_client: Any, moderator: User, other_member: User
) -> None:
    http = await _as(make_client, moderator)
    made = (
        await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction("warn", "Be kind"))
    ).json()
    sam = await _person("sam")
    assert not standing.is_silenced(sam)
    assert not standing.is_suspended(sam)
    mine = await (await _as(make_client, other_member)).get("/api/v1/me/sanctions")
    assert [s["acknowledged_at"] for s in mine.json()["items"]] == [None]
    assert "created_by" not in mine.json()["items"][0]  # the person never learns who
    owner = await _as(make_client, other_member)
    done = await owner.post(f"/api/v1/me/sanctions/{made['id']}/acknowledge")
    assert done.status_code == 200
    assert done.json()["acknowledged_at"]
    stranger = await _as(make_client, moderator)
    assert (
        await stranger.post(f"/api/v1/me/sanctions/{made['id']}/acknowledge")
    ).status_code == 404


async def test_a_silence_cannot_be_acknowledged_away(
    make_client: Any, moderator: User, other_member: User
) -> None:
    http = await _as(make_client, moderator)
    made = (await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction())).json()
    owner = await _as(make_client, other_member)
    assert (await owner.post(f"/api/v1/me/sanctions/{made['id']}/acknowledge")).status_code == 409


async def test_staff_list_a_persons_sanctions_with_their_state(
    make_client: Any, moderator: User, other_member: User
) -> None:
    http = await _as(make_client, moderator)
    first = (
        await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction("warn"))
    ).json()
    await http.post("/api/v1/moderation/users/sam/sanctions", json=_sanction(hours=1))
    listed = (await http.get("/api/v1/moderation/users/sam/sanctions")).json()
    assert listed["next_cursor"] is None
    assert [s["kind"] for s in listed["items"]] == ["silence", "warn"]
    assert listed["items"][1]["id"] == first["id"]
    with clock.fixed_at(clock.now() + timedelta(hours=2)):
        later = (await http.get("/api/v1/moderation/users/sam/sanctions")).json()
    assert [s["state"] for s in later["items"]] == ["expired", "active"]


async def test_a_moderator_cannot_lift_or_decide_on_a_fellow_moderators_sanction(
    make_client: Any, admin: User, moderator: User
) -> None:
    await factories.user(username="modmo", role="moderator")
    by_admin = await _as(make_client, admin)
    made = (
        await by_admin.post("/api/v1/moderation/users/modmo/sanctions", json=_sanction())
    ).json()
    modmo = await _as(make_client, await _person("modmo"))
    appealed = await modmo.post(
        f"/api/v1/me/sanctions/{made['id']}/appeal", json={"message": "Unfair"}
    )
    assert appealed.status_code == 201
    peer = await _as(make_client, moderator)
    assert (await peer.delete(f"/api/v1/moderation/sanctions/{made['id']}")).status_code == 403
    decided = await peer.post(
        f"/api/v1/moderation/appeals/{appealed.json()['appeal']['id']}/decide",
        json={"outcome": "overturned", "reason": "Friend of mine"},
    )
    assert decided.status_code == 403
    assert standing.is_silenced(await _person("modmo"))
    assert (await by_admin.delete(f"/api/v1/moderation/sanctions/{made['id']}")).status_code == 200
