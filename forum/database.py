"""Database: the Tortoise configuration, the lifespan connection and migrations."""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Sequence,
)
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError, ValidationError
from tortoise.migrations.api.migrate import migrate as tortoise_migrate
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.models import Model
from tortoise.transactions import in_transaction

from forum import readcache
from forum.settings import Settings, make_private_folder

# What the app maps to responses: a value the schema refuses (422), a database that is away (503).
FieldRefused = ValidationError
UNAVAILABLE = (DBConnectionError, ConnectionRefusedError, TimeoutError)

M = TypeVar("M", bound=Model)

APP_LABEL = "models"
MODEL_MODULES = [
    "forum.accounts.models",
    "forum.boards.models",
    "forum.chat.models",
    "forum.notifications.models",
    "forum.aid.models",
    "forum.content.models",
    "moderation.models",
]
MIGRATIONS_MODULE = "forum.migrations"

# WAL lets readers proceed during a write; the busy timeout makes a second process wait for
# the write lock instead of failing; NORMAL sync is durable across application crashes in WAL.
_SQLITE_PRAGMAS = {"foreign_keys": "ON", "busy_timeout": 5000, "synchronous": "NORMAL"}


def connection_config(database_url: str) -> dict[str, Any]:
    """Expand a Tortoise URL, adding the SQLite pragmas Porchlight depends on."""
    connection = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["credentials"] = {**_SQLITE_PRAGMAS, **connection["credentials"]}
    return connection


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _prepare_sqlite_folder(settings: Settings) -> None:
    if settings.is_sqlite:
        path = connection_config(settings.database_url)["credentials"]["file_path"]
        if path != ":memory:":
            make_private_folder(Path(path).parent)


@contextlib.asynccontextmanager
async def connected(settings: Settings, *, global_fallback: bool = False) -> AsyncIterator[None]:
    """Open the database for the duration of the block.

    The server's lifespan runs in another task than its requests, so it asks for Tortoise's
    global fallback: request handlers then see the connection opened here.
    """
    _prepare_sqlite_folder(settings)
    async with TortoiseContext() as context:
        await context.init(
            config=tortoise_config(settings.database_url),
            _enable_global_fallback=global_fallback,
        )
        yield


AfterCommit = Callable[[], Awaitable[None]]
# One list of callbacks per open transaction, innermost last; empty outside any transaction.
_after_commit: ContextVar[tuple[list[AfterCommit], ...]] = ContextVar(
    "porchlight_after_commit", default=()
)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One unit of work: all of it commits or none of it does.

    Nested blocks are savepoints. What on_commit registers inside runs once the outermost
    block has committed; a block that rolls back drops what was registered inside it.
    """
    enclosing = _after_commit.get()
    callbacks: list[AfterCommit] = []
    token = _after_commit.set((*enclosing, callbacks))
    try:
        # A cache miss in here must not wait for a load that waits for this transaction.
        with readcache.reading_alone():
            async with in_transaction():
                yield
    finally:
        _after_commit.reset(token)
    if enclosing:
        enclosing[-1].extend(callbacks)
        return
    for callback in callbacks:
        await callback()


async def on_commit(callback: AfterCommit) -> None:
    """Run callback after the enclosing transaction commits, or now outside any transaction."""
    open_transactions = _after_commit.get()
    if open_transactions:
        open_transactions[-1].append(callback)
    else:
        await callback()


async def migrate(settings: Settings) -> None:
    """Apply every pending migration (idempotent)."""
    _prepare_sqlite_folder(settings)
    async with TortoiseContext():
        await tortoise_migrate(config=tortoise_config(settings.database_url))


async def _unwritten_migrations() -> list[Any]:
    """The migrations makemigrations would write for models that forum/migrations lacks."""
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        writers: list[Any] = await MigrationAutodetector(context.apps, config["apps"]).changes()
        return writers


async def pending_model_changes() -> list[str]:
    """Names of the migrations that makemigrations would write now: empty when in step."""
    return [writer.name for writer in await _unwritten_migrations()]


async def make_migrations(name: str | None = None) -> list[str]:
    """Write a migration for the model changes not yet in forum/migrations."""
    paths = []
    for writer in await _unwritten_migrations():
        if name:
            number = writer.name.split("_", 1)[0]
            writer.name = f"{number}_{name}"
        paths.append(str(writer.write()))
    return paths


async def ping() -> None:
    """Raise if the database does not answer."""
    await connections.get("default").execute_query("SELECT 1")


@functools.lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    """PostgreSQL numbers its placeholders: ? ? becomes $1 $2 (our SQL has no literal "?")."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Rows(list[dict[str, Any]]):
    """Rows with what determines them: two lists with equal keys hold equal rows.

    A cached read's rows carry the version of that read (a new number each time the database
    is asked), and rows derived from them by a pure function carry the source's key with what
    else went in (this viewer's abilities, say). Pages key their shared fragments by it instead
    of walking every value of every row. Without a key (a read that was not cached) nothing is
    promised.
    """

    def __init__(self, rows: Iterable[dict[str, Any]] = (), key: Hashable | None = None) -> None:
        super().__init__(rows)
        self.key = key

    def derived(self, rows: Iterable[dict[str, Any]], *inputs: Hashable) -> Rows:
        """Rows computed from these and inputs alone, keyed by both."""
        return Rows(rows, None if self.key is None else (self.key, *inputs))

    def seen(
        self,
        make: Callable[[dict[str, Any]], dict[str, Any]],
        *inputs: Hashable,
        limit: int | None = None,
    ) -> Seen:
        """What make turns the first limit rows into, made only if something reads them.

        inputs must determine everything make gives for these rows (the viewer's standing,
        say): a page whose fragment is already rendered for that key never makes them.
        """
        source = self if limit is None else self[:limit]
        return Seen(source, make, None if self.key is None else (self.key, limit, *inputs))


class Seen(Sequence[dict[str, Any]]):
    """Rows one viewer sees of cached rows, keyed like Rows, made on first read."""

    __slots__ = ("_source", "_make", "_made", "key")

    def __init__(
        self,
        source: Sequence[dict[str, Any]],
        make: Callable[[dict[str, Any]], dict[str, Any]],
        key: Hashable | None,
    ) -> None:
        self._source = source
        self._make = make
        self._made: list[dict[str, Any]] | None = None
        self.key = key

    def rows(self) -> list[dict[str, Any]]:
        if self._made is None:
            self._made = [self._make(row) for row in self._source]
        return self._made

    def __len__(self) -> int:
        return len(self._source)  # counting them makes nothing

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.rows()[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]


_read_versions = itertools.count(1)


async def fetch(
    sql: str,
    params: Sequence[Any] = (),
    *,
    times: Sequence[str] = (),
    flags: Sequence[str] = (),
    cached: bool = False,
    shared: bool = False,
) -> Rows:
    """Rows of a hand-written SELECT, for the few reads on every page view.

    The query builder costs several times the query itself there. Write "?" placeholders; the
    rows come back alike on every engine: the columns named in times as aware datetimes, those
    in flags as bools (SQLite returns text and integers for them). With cached, the rows may
    come from the request's content cache (forum.readcache): only for reads whose every change
    publishes a domain event that clears it; each caller gets its own copies of the rows, or
    with shared the cache's own, for a caller that only reads them (and copies what it makes).
    """
    cache = readcache.active(readcache.CONTENT) if cached else None
    if cache is None:
        return Rows(await _fetch(sql, params, times, flags))

    async def read() -> Rows:
        return Rows(await _fetch(sql, params, times, flags), key=next(_read_versions))

    rows = await cache.load((sql, tuple(params)), read)
    if shared and isinstance(rows, Rows):
        return rows
    return Rows([dict(row) for row in rows or ()], key=rows.key if rows else None)


async def _fetch(
    sql: str, params: Sequence[Any], times: Sequence[str], flags: Sequence[str]
) -> list[dict[str, Any]]:
    connection = connections.get("default")
    if connection.capabilities.dialect == "sqlite":
        rows: list[dict[str, Any]] = await connection.execute_query_dict(sql, list(params))
        for row in rows:
            for name in times:
                row[name] = _moment(row[name])
            for name in flags:
                row[name] = bool(row[name])
        return rows
    found: list[dict[str, Any]] = await connection.execute_query_dict(_numbered(sql), list(params))
    return found


def model_from_row(model: type[M], row: dict[str, Any]) -> M:
    """A model instance from a fetched row of its columns, converted by its own fields."""
    # Tortoise's own loader (used by every queryset); the instance counts as saved.
    return model._init_from_db(**row)
