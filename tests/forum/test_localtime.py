"""Pages show times in the community's time zone, "3 hours ago" when recent; the API stays UTC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from forum import clock, localtime
from forum.accounts.models import User
from forum.app import close_resources, create_app
from forum.boards.models import Post, Topic
from forum.settings import Settings, SettingsError
from realtime import events
from tests import factories, servers
from tests.conftest import BASE_URL, TEST_DATABASE_URL

LONDON = ZoneInfo("Europe/London")
SUMMER = datetime(2025, 7, 1, 17, 0, tzinfo=UTC)  # 18:00 BST
WINTER = datetime(2025, 11, 24, 18, 0, tzinfo=UTC)  # 18:00 GMT


@pytest.fixture
async def london(
    db: None, tmp_path: Path, bus: events.EventBus
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a community whose PORCHLIGHT_TIMEZONE is Europe/London."""
    settings = Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_DATABASE_URL": TEST_DATABASE_URL,
            "PORCHLIGHT_TIMEZONE": "Europe/London",
        },
        cwd=tmp_path,
    )
    app = create_app(settings, manage_database=False, bus=bus)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c
    await close_resources(app)


async def _topic_at(author: User, started: datetime, active: datetime) -> int:
    """A topic whose first post was written at started and which was last active at active."""
    topic = await factories.topic(author=author, title="Street party")
    await Post.filter(topic_id=topic["id"]).update(created_at=started)
    await Topic.filter(id=topic["id"]).update(created_at=started, last_activity_at=active)
    return int(topic["id"])


# How a moment reads -------------------------------------------------------------------------


def test_london_times_follow_summer_and_winter_time() -> None:
    assert localtime.full(SUMMER, LONDON) == "1 Jul 2025, 18:00 BST"
    assert localtime.full(WINTER, LONDON) == "24 Nov 2025, 18:00 GMT"
    assert localtime.full(WINTER, ZoneInfo("UTC")) == "24 Nov 2025, 18:00 UTC"


def test_a_zone_whose_abbreviation_is_an_offset_shows_none() -> None:
    assert localtime.full(WINTER, ZoneInfo("Asia/Dubai")) == "24 Nov 2025, 22:00"


def test_the_date_is_the_community_s_date() -> None:
    late = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    assert localtime.day(late, LONDON) == "1 July 2025"
    assert localtime.day(late, ZoneInfo("UTC")) == "30 June 2025"


@pytest.mark.parametrize(
    ("age", "reads"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5, seconds=30), "5 minutes ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=3, minutes=40), "3 hours ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), None),
        (timedelta(seconds=-20), "just now"),
        (timedelta(hours=-3), "in 3 hours"),
        (timedelta(days=-2), None),
    ],
)
def test_times_under_a_day_away_read_relative(age: timedelta, reads: str | None) -> None:
    now = datetime(2025, 11, 24, 18, 0, tzinfo=UTC)
    assert localtime.relative(now - age, now) == reads


# Pages --------------------------------------------------------------------------------------


async def test_a_london_community_shows_bst_and_gmt_times(
    london: httpx.AsyncClient, member: User
) -> None:
    topic_id = await _topic_at(member, SUMMER, WINTER)
    topic = (await london.get(f"/t/{topic_id}")).text
    assert '<time datetime="2025-07-01T17:00:00Z">1 Jul 2025, 18:00 BST</time>' in topic
    board = (await london.get("/b/general")).text
    assert '<time datetime="2025-11-24T18:00:00Z">24 Nov 2025, 18:00 GMT</time>' in board


async def test_the_default_community_zone_is_utc(client: httpx.AsyncClient, member: User) -> None:
    topic_id = await _topic_at(member, SUMMER, WINTER)
    topic = (await client.get(f"/t/{topic_id}")).text
    assert '<time datetime="2025-07-01T17:00:00Z">1 Jul 2025, 17:00 UTC</time>' in topic


async def test_recent_times_read_relative_with_the_full_time_in_the_title(
    london: httpx.AsyncClient, member: User
) -> None:
    started = (clock.now() - timedelta(hours=3, minutes=5)).replace(microsecond=0)
    topic_id = await _topic_at(member, started, clock.now())
    html = (await london.get(f"/t/{topic_id}")).text
    full = localtime.full(started, LONDON)
    assert f'<time datetime="{clock.iso(started)}" title="{full}">3 hours ago</time>' in html
    board = (await london.get("/b/general")).text
    assert ">just now</time>" in board


async def test_a_profile_shows_the_day_joined_in_the_community_zone(
    london: httpx.AsyncClient, member: User
) -> None:
    await User.filter(id=member.id).update(created_at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    html = (await london.get("/u/maria")).text
    assert '<time datetime="2025-06-30T23:30:00Z">1 July 2025</time>' in html


async def test_the_api_keeps_utc_times(london: httpx.AsyncClient, member: User) -> None:
    topic_id = await _topic_at(member, SUMMER, WINTER)
    topic = (await london.get(f"/api/v1/topics/{topic_id}")).json()
    assert topic["created_at"] == "2025-07-01T17:00:00Z"
    assert topic["last_activity_at"] == "2025-11-24T18:00:00Z"
    posts = (await london.get(f"/api/v1/topics/{topic_id}/posts")).json()["items"]
    assert posts[0]["created_at"] == "2025-07-01T17:00:00Z"


# The setting --------------------------------------------------------------------------------


def test_the_timezone_setting_defaults_to_utc(tmp_path: Path) -> None:
    assert Settings.from_environ({}, cwd=tmp_path).timezone == ZoneInfo("UTC")
    chosen = Settings.from_environ({"PORCHLIGHT_TIMEZONE": "Europe/London"}, cwd=tmp_path)
    assert chosen.timezone == LONDON


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/london", "../../etc/passwd", "BST"])
def test_an_unknown_time_zone_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SettingsError, match="PORCHLIGHT_TIMEZONE must be an IANA time zone"):
        Settings.from_environ({"PORCHLIGHT_TIMEZONE": name}, cwd=tmp_path)


def test_the_server_refuses_to_start_in_an_unknown_time_zone(tmp_path: Path) -> None:
    env = servers.environment(tmp_path, f"sqlite://{tmp_path}/unused.db")
    env["PORCHLIGHT_TIMEZONE"] = "Mars/Olympus"
    port = str(servers.free_port())
    result = servers.run(["serve", "--host", "127.0.0.1", "--port", port], env, tmp_path)
    assert result.returncode == 2
    assert "PORCHLIGHT_TIMEZONE" in result.stderr
    assert "Mars/Olympus" in result.stderr
