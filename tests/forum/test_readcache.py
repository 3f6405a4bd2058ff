"""The short-lived read caches: a second at most, one load for many, never a stale store."""

from __future__ import annotations

import asyncio
import time

from forum import database
from forum.readcache import TimedCache


async def test_an_entry_lives_no_longer_than_its_ttl_from_when_its_read_began() -> None:
    cache: TimedCache[str] = TimedCache(ttl=0.2)

    async def slow() -> str:
        await asyncio.sleep(0.1)
        return "row"

    began = time.monotonic()
    assert await cache.load("k", slow) == "row"
    assert cache.entries["k"][0] <= began + 0.2 + 0.01
    assert cache.get("k") == "row"
    await asyncio.sleep(0.15)
    assert cache.get("k") is None


async def test_concurrent_misses_share_one_load() -> None:
    cache: TimedCache[str] = TimedCache()
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "row"

    assert await asyncio.gather(*(cache.load("k", load) for _ in range(10))) == ["row"] * 10
    assert calls == 1


async def test_a_read_that_began_before_a_forget_is_not_kept() -> None:
    cache: TimedCache[str] = TimedCache()
    reading = asyncio.Event()
    release = asyncio.Event()

    async def old_row() -> str:
        reading.set()
        await release.wait()
        return "before the change"

    started = asyncio.create_task(cache.load("k", old_row))
    await reading.wait()
    cache.forget()  # the change commits while that read is in flight

    async def new_row() -> str:
        return "after the change"

    # A request arriving after the forget does not join the old read, and reads afresh.
    assert await asyncio.wait_for(cache.load("k", new_row), 1) == "after the change"
    release.set()
    assert await started == "before the change"
    assert cache.get("k") == "after the change"


async def test_missing_rows_are_not_remembered() -> None:
    cache: TimedCache[str] = TimedCache()

    async def nothing() -> None:
        return None

    assert await cache.load("k", nothing) is None
    assert "k" not in cache.entries


async def test_those_waiting_on_a_failed_load_read_for_themselves() -> None:
    cache: TimedCache[str] = TimedCache()
    attempts = 0

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        if attempts == 1:
            raise ConnectionRefusedError
        return "row"

    first, second = await asyncio.gather(
        cache.load("k", flaky), cache.load("k", flaky), return_exceptions=True
    )
    assert isinstance(first, ConnectionRefusedError)
    assert second == "row"


def test_forget_drops_only_what_it_picks() -> None:
    cache: TimedCache[int] = TimedCache()
    cache._put("a", time.monotonic() + 1, 1)
    cache._put("b", time.monotonic() + 1, 2)
    cache.forget(lambda key, value: value == 1)
    assert set(cache.entries) == {"b"}


def test_the_oldest_entries_go_first_when_full() -> None:
    cache: TimedCache[int] = TimedCache(max_entries=3)
    for n in range(5):
        cache._put(n, time.monotonic() + 1, n)
    assert list(cache.entries) == [2, 3, 4]


def test_expired_entries_do_not_linger_in_memory() -> None:
    cache: TimedCache[int] = TimedCache()
    cache._put("old", time.monotonic() - 1, 1)
    cache._put("new", time.monotonic() + 1, 2)
    assert list(cache.entries) == ["new"]


async def test_a_miss_inside_a_transaction_does_not_wait_for_a_load_begun_outside(
    db: None,
) -> None:
    """On SQLite the load outside waits for the transaction's lock: joining it would hang."""
    cache: TimedCache[str] = TimedCache()
    committed = asyncio.Event()
    loading = asyncio.Event()

    async def after_the_transaction() -> str:
        loading.set()
        await committed.wait()  # as a query waits for the one connection's lock
        return "read outside"

    outside = asyncio.create_task(cache.load("k", after_the_transaction))
    await loading.wait()

    async def in_the_transaction() -> str:
        return "read inside, uncommitted"

    async with database.transaction():
        found = await asyncio.wait_for(cache.load("k", in_the_transaction), 1)
        assert found == "read inside, uncommitted"
        # What a transaction read is not kept for others: it may yet roll back.
        assert "k" not in cache.entries
    committed.set()
    assert await outside == "read outside"
    assert cache.get("k") == "read outside"


async def test_a_load_inside_a_transaction_is_not_shared_with_readers_outside(db: None) -> None:
    cache: TimedCache[str] = TimedCache()
    inside_reading, outside_done = asyncio.Event(), asyncio.Event()
    ask = asyncio.Event()

    async def reader_outside() -> str | None:
        await ask.wait()
        try:
            return await cache.load("k", committed_row)
        finally:
            outside_done.set()

    async def committed_row() -> str:
        return "committed"

    async def uncommitted_row() -> str:
        inside_reading.set()
        await outside_done.wait()  # still reading when the reader outside asks
        return "uncommitted"

    outside = asyncio.create_task(reader_outside())  # its own context: no transaction
    async with database.transaction():
        inside = asyncio.create_task(cache.load("k", uncommitted_row))
        await inside_reading.wait()
        ask.set()
        assert await asyncio.wait_for(outside, 1) == "committed"
        assert await inside == "uncommitted"
    assert cache.get("k") == "committed"
