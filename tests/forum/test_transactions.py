"""One transaction helper: events wait for the outermost commit, and a rollback drops them."""

from __future__ import annotations

import httpx
import pytest

from forum import database, events
from forum.boards.models import Board
from realtime.events import Event, EventBus, bound
from tests import factories


class Refused(Exception):
    pass


async def _write_then_fail(slug: str) -> None:
    async with database.transaction():
        await Board.create(slug=slug, name=slug.title())
        await events.publish(f"tests.{slug}", events.EVERYONE)
        raise Refused


async def _commit_inner_then_fail_outer() -> None:
    async with database.transaction():
        async with database.transaction():
            await events.publish("tests.inner", events.EVERYONE)
        raise Refused


async def test_an_event_waits_for_the_outermost_commit(
    db: None, recorded_events: list[Event]
) -> None:
    async with database.transaction():
        async with database.transaction():
            await events.publish("tests.inner", events.EVERYONE)
            assert recorded_events == []
        await events.publish("tests.outer", events.STAFF)
        assert recorded_events == []
    assert [(e.name, e.audience) for e in recorded_events] == [
        ("tests.inner", events.EVERYONE),
        ("tests.outer", events.STAFF),
    ]


async def test_a_rolled_back_write_publishes_nothing_and_writes_nothing(
    db: None, recorded_events: list[Event]
) -> None:
    with pytest.raises(Refused):
        await _write_then_fail("gone")
    assert recorded_events == []
    assert not await Board.filter(slug="gone").exists()


async def test_a_savepoint_that_rolls_back_drops_only_its_own_events(
    db: None, recorded_events: list[Event]
) -> None:
    async with database.transaction():
        await Board.create(slug="kept", name="Kept")
        await events.publish("tests.kept", events.EVERYONE)
        with pytest.raises(Refused):
            await _write_then_fail("dropped")
    assert [e.name for e in recorded_events] == ["tests.kept"]
    assert await Board.filter(slug="kept").exists()
    assert not await Board.filter(slug="dropped").exists()


async def test_an_outer_rollback_drops_what_a_committed_savepoint_published(
    db: None, recorded_events: list[Event]
) -> None:
    with pytest.raises(Refused):
        await _commit_inner_then_fail_outer()
    assert recorded_events == []


async def test_outside_a_transaction_an_event_is_delivered_at_once(
    db: None, recorded_events: list[Event]
) -> None:
    await events.publish("tests.now", events.to_user(7), note="hi")
    assert recorded_events == [Event("tests.now", events.to_user(7), {"note": "hi"})]


async def test_a_failing_subscriber_does_not_stop_the_others(db: None) -> None:
    seen: list[str] = []

    async def broken(event: Event) -> None:
        raise RuntimeError("subscriber bug")

    async def record(event: Event) -> None:
        seen.append(event.name)

    own_bus = EventBus()
    own_bus.subscribe("tests.", broken)
    own_bus.subscribe("tests.", record)
    with bound(own_bus):
        await events.publish("tests.after_broken", events.EVERYONE)
    assert seen == ["tests.after_broken"]


async def _create_board_through_the_api(client: httpx.AsyncClient) -> None:
    admin = await factories.user(username="adminada", role="admin")
    http = await factories.bearer(client, admin)
    response = await http.post("/api/v1/boards", json={"slug": "news", "name": "News"})
    assert response.status_code == 201, response.text


# Fixtures are set up in the order a test names them: both orders share the test's bus.
async def test_requests_publish_on_the_bus_recorded_before_the_app_was_built(
    recorded_events: list[Event], client: httpx.AsyncClient
) -> None:
    await _create_board_through_the_api(client)
    assert [e.name for e in recorded_events] == ["boards.board_created"]


async def test_requests_publish_on_the_bus_recorded_after_the_app_was_built(
    client: httpx.AsyncClient, recorded_events: list[Event]
) -> None:
    await _create_board_through_the_api(client)
    assert [e.name for e in recorded_events] == ["boards.board_created"]
