"""Moderators' notes stay among staff; someone at risk reaches every moderator at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from forum.app import create_app
from forum.notifications.models import Notification
from forum.settings import Settings, SettingsError
from moderation import crisis
from moderation.models import Note
from realtime import events
from tests import factories


async def _as(make_client: Any, person: User | None) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    if person is not None:
        await factories.bearer(http, person)
    return http


async def test_notes_are_written_and_read_by_staff_only(
    make_client: Any, moderator: User, admin: User, other_member: User
) -> None:
    staff = await _as(make_client, moderator)
    answer = await staff.post(
        "/api/v1/moderation/users/sam/notes", json={"body": "Asked for help with rent."}
    )
    assert answer.status_code == 201, answer.text
    note = answer.json()
    assert note["author"]["username"] == "modmira"
    assert note["created_at"].endswith("Z")
    listed = await (await _as(make_client, admin)).get("/api/v1/moderation/users/sam/notes")
    assert [n["body"] for n in listed.json()["items"]] == ["Asked for help with rent."]
    sam = await _as(make_client, other_member)
    assert (await sam.get("/api/v1/moderation/users/sam/notes")).status_code == 403
    assert "Asked for help" not in (await sam.get("/api/v1/me/sanctions")).text
    assert "Asked for help" not in (await sam.get("/api/v1/users/sam")).text


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "x" * 2001}, {"body": ["a"]}])
async def test_a_note_needs_a_body(
    make_client: Any, moderator: User, other_member: User, body: Any
) -> None:
    staff = await _as(make_client, moderator)
    answer = await staff.post("/api/v1/moderation/users/sam/notes", json=body)
    assert answer.status_code == 422
    assert "body" in answer.json()["error"]["fields"]
    assert not await Note.exists()


async def test_notes_about_someone_unknown_are_404(make_client: Any, moderator: User) -> None:
    staff = await _as(make_client, moderator)
    assert (await staff.get("/api/v1/moderation/users/nobody/notes")).status_code == 404
    answer = await staff.post("/api/v1/moderation/users/nobody/notes", json={"body": "x"})
    assert answer.status_code == 404


async def test_an_at_risk_report_tells_every_moderator_live(
    moderator: User, admin: User, member: User, recorded_events: list[events.Event]
) -> None:
    second = await factories.user(username="modmo", role="moderator")
    await crisis.at_risk_reported(41, "post", 7)
    told = await Notification.filter(kind="moderation.at_risk").values_list("user_id", flat=True)
    assert sorted(told) == sorted([moderator.id, admin.id, second.id])
    live = {e.audience for e in recorded_events if e.name == "notifications.created"}
    assert live == {events.to_user(p.id) for p in (moderator, admin, second)}
    note = await Notification.get(user_id=moderator.id, kind="moderation.at_risk")
    assert note.url.startswith(crisis.QUEUE_URL)
    assert "maria" not in note.text  # the reporter is never named


async def test_the_reporter_sees_the_default_resources_after_reporting(
    client: httpx.AsyncClient, db: None
) -> None:
    page = await client.get("/crisis-resources?at_risk=1")
    assert page.status_code == 200
    assert "Every moderator has been told" in page.text
    assert 'href="tel:988"' in page.text
    assert "2-1-1" in page.text
    assert "PORCHLIGHT_CRISIS_RESOURCES" in page.text


async def test_the_resources_come_from_the_communitys_file(
    tmp_path: Path, make_client: Any, db: None, bus: events.EventBus
) -> None:
    listing = tmp_path / "crisis.txt"
    listing.write_text(
        "# our list\n"
        "Riverside Crisis Line | Call any time, day or night | tel:+15550100\n"
        "Mill Lane Food Bank | Tuesdays and Fridays, 10 to 4\n"
        "Bad link | This must not become a link | javascript:alert(1)\n",
        encoding="utf-8",
    )
    settings = Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_CRISIS_RESOURCES": "crisis.txt",
        },
        cwd=tmp_path,
    )
    assert settings.crisis_resources == listing.resolve()
    app = create_app(settings, manage_database=False, bus=bus)
    member = await factories.user(username="maria")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as http:
        page = await http.get("/crisis-resources")
        assert "Riverside Crisis Line" in page.text
        assert 'href="tel:+15550100"' in page.text
        assert "javascript:" not in page.text
        assert "988" not in page.text
        assert (await http.get("/api/v1/moderation/crisis-resources")).status_code == 401
        await factories.bearer(http, member)
        items = (await http.get("/api/v1/moderation/crisis-resources")).json()["items"]
    assert [r["name"] for r in items] == [
        "Riverside Crisis Line",
        "Mill Lane Food Bank",
        "Bad link",
    ]
    assert items[1]["link"] == ""
    assert items[2]["link"] == ""


def test_a_missing_resources_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="PORCHLIGHT_CRISIS_RESOURCES"):
        Settings.from_environ(
            {
                "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
                "PORCHLIGHT_CRISIS_RESOURCES": "nowhere.txt",
            },
            cwd=tmp_path,
        )


async def test_an_edited_resources_file_shows_without_a_restart(tmp_path: Path) -> None:
    listing = tmp_path / "crisis.txt"
    listing.write_text("First | one\n", encoding="utf-8")
    assert [r.name for r in await crisis.resources(listing)] == ["First"]
    listing.write_text("Second | two\n", encoding="utf-8")
    stat = listing.stat()
    os.utime(listing, (stat.st_atime, stat.st_mtime + 5))
    assert [r.name for r in await crisis.resources(listing)] == ["Second"]
    listing.unlink()
    assert await crisis.resources(listing) == crisis.DEFAULT_RESOURCES
