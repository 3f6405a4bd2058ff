"""Shared fixtures: a fresh database per test, the app, personas and factories."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from starlette.applications import Starlette
from tortoise.backends.base.config_generator import generate_config
from tortoise.context import TortoiseContext, tortoise_test_context

from forum import ratelimits
from forum.accounts import passwords
from forum.accounts.models import User
from forum.app import close_resources, create_app
from forum.database import MODEL_MODULES
from forum.settings import Settings
from realtime import events
from tests import factories

TEST_DATABASE_URL = os.environ.get("PORCHLIGHT_TEST_DATABASE_URL") or "sqlite://:memory:"
TEST_REDIS_URL = os.environ.get("PORCHLIGHT_TEST_REDIS_URL") or None
# Pub/sub channels are global to a Redis server (the db number does not separate them): each test
# run talks on channels and keys of its own, so runs sharing one server never hear each other.
TEST_REDIS_PREFIX = f"porchlight-test-{secrets.token_hex(6)}:"
BASE_URL = "http://127.0.0.1:8000"

# The property tests (tests/forum/content/test_sanitizer_properties.py) draw the same examples on
# every run, here and in CI: derandomized, so a run cannot fail on a draw the one before did not
# make, and the examples change only with the tests or Hypothesis itself. To look for new
# failures, draw fresh ones: `pytest --hypothesis-profile=explore tests/forum/content`.
settings.register_profile(
    "porchlight",
    max_examples=500,
    derandomize=True,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the checkout
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", settings.get_profile("porchlight"), derandomize=False, max_examples=5000
)
settings.load_profile("porchlight")

# Real argon2id, at a cost that keeps the suite fast; production uses the library defaults.
passwords.configure(time_cost=1, memory_cost=1024, parallelism=1)


def _suite_database_url() -> str:
    """PostgreSQL: one database for this test process, emptied before each test."""
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    return f"{base}/porchlight_test_{os.getpid()}"


# Creating a PostgreSQL database per test cost about two seconds each (its files are written and
# synced); emptying the tables of one database costs a few milliseconds.
_suite_schema_ready = False


async def _empty_every_table(ctx: TortoiseContext) -> None:
    """Delete every row and restart every id sequence, as a new database would start.

    DELETE rather than TRUNCATE: truncating gives each table new files, synced to disk, which
    costs nearly what a new database does. Foreign keys are not checked while emptying.
    """
    deletes = "; ".join(
        f'DELETE FROM "{model._meta.db_table}"'  # noqa: S608  (names from the models)
        for model in ctx.apps.get_models_iterable()
    )
    await ctx.db().execute_script(
        f"SET session_replication_role = replica; {deletes}; "  # noqa: S608
        "SET session_replication_role = DEFAULT; "
        "DO $$ DECLARE s record; BEGIN FOR s IN SELECT sequence_name FROM "
        "information_schema.sequences WHERE sequence_schema = current_schema() LOOP "
        "EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequence_name); END LOOP; END $$"
    )


@pytest.fixture(scope="session", autouse=True)
def drop_suite_database() -> Iterator[None]:
    yield
    if TEST_DATABASE_URL.startswith("sqlite") or not _suite_schema_ready:
        return
    import asyncpg

    async def drop() -> None:
        base, _, _ = TEST_DATABASE_URL.rpartition("/")
        admin = await asyncpg.connect(f"{base}/postgres".replace("postgres://", "postgresql://", 1))
        try:
            name = _suite_database_url().rpartition("/")[2]
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await admin.close()

    asyncio.run(drop())


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """The limiter is process-wide (one app per process); give each test its own."""
    ratelimits.configure(ratelimits.RateLimiter(ratelimits.MemoryCounter()))
    yield
    ratelimits.configure(ratelimits.RateLimiter(ratelimits.MemoryCounter()))


@pytest.fixture(autouse=True)
async def bus() -> AsyncIterator[events.EventBus]:
    """The test's event bus: bound for services called directly, and handed to the app."""
    test_bus = events.EventBus()
    with events.bound(test_bus):
        yield test_bus


@pytest.fixture
def recorded_events(bus: events.EventBus) -> list[events.Event]:
    """Every event services publish (after commit) during the test, in order."""
    seen: list[events.Event] = []

    async def record(event: events.Event) -> None:
        seen.append(event)

    bus.subscribe("", record)
    return seen


@pytest.fixture
async def db() -> AsyncIterator[None]:
    if TEST_DATABASE_URL.startswith("sqlite"):
        async with tortoise_test_context(MODEL_MODULES, db_url=TEST_DATABASE_URL):
            yield
        return
    global _suite_schema_ready
    config = generate_config(
        _suite_database_url(), app_modules={"models": MODEL_MODULES}, testing=True
    )
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, _create_db=not _suite_schema_ready, use_tz=True)
        if _suite_schema_ready:
            await _empty_every_table(ctx)
        else:
            await ctx.generate_schemas(safe=False)
            _suite_schema_ready = True
        yield
        await ctx.db().close()


@pytest.fixture
async def redis_url() -> AsyncIterator[str | None]:
    if TEST_REDIS_URL is None:
        yield None
        return
    from redis.asyncio import Redis

    client = Redis.from_url(TEST_REDIS_URL)
    await client.flushdb()
    yield TEST_REDIS_URL
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def settings(tmp_path: Path, redis_url: str | None) -> Settings:
    return Settings.from_environ(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path / "data"),
            "PORCHLIGHT_DATABASE_URL": TEST_DATABASE_URL,
            **(
                {"PORCHLIGHT_REDIS_URL": redis_url, "PORCHLIGHT_REDIS_PREFIX": TEST_REDIS_PREFIX}
                if redis_url
                else {}
            ),
        },
        cwd=tmp_path,
    )


@pytest.fixture
async def app(db: None, settings: Settings, bus: events.EventBus) -> AsyncIterator[Starlette]:
    application = create_app(settings, manage_database=False, bus=bus)
    yield application
    await close_resources(application)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture
def make_client(app: Starlette) -> Any:
    """Open more clients (one per person) on the same app; closed at teardown."""
    opened: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
        opened.append(http)
        return http

    yield make
    # AsyncClient.aclose on ASGITransport holds no sockets; dropping them is enough.
    opened.clear()


@pytest.fixture
async def member(db: None) -> User:
    return await factories.user(username="maria")


@pytest.fixture
async def other_member(db: None) -> User:
    return await factories.user(username="sam")


@pytest.fixture
async def moderator(db: None) -> User:
    return await factories.user(username="modmira", role="moderator")


@pytest.fixture
async def admin(db: None) -> User:
    return await factories.user(username="adminada", role="admin")


class RecordingReview:
    """A review queue that remembers what screening sent it (the screening port's fake)."""

    def __init__(self) -> None:
        self.held: list[dict[str, Any]] = []
        self.flagged: list[dict[str, Any]] = []
        self.reports: dict[int, int] = {}

    async def hold(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        self.held.append(
            {
                "target_type": target_type,
                "target_id": target_id,
                "author_id": author_id,
                "reason": reason,
            }
        )

    async def flag(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        self.flagged.append(
            {
                "target_type": target_type,
                "target_id": target_id,
                "author_id": author_id,
                "reason": reason,
            }
        )

    async def reports_against(self, user_id: int) -> int:
        return self.reports.get(user_id, 0)


@pytest.fixture
async def review(app: Starlette) -> AsyncIterator[RecordingReview]:
    """Wire a recording review queue (after the app, which may wire the real one)."""
    from forum.content import screening

    before = screening.wired()
    recorder = RecordingReview()
    screening.wire(recorder)
    yield recorder
    screening.wire(before)
