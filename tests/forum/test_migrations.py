"""Committed migrations build the schema the models describe, on the engine under test."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from forum import database, migrations
from forum.settings import Settings
from tests import servers


async def test_models_and_migrations_are_in_step() -> None:
    assert await database.pending_model_changes() == []


async def test_migrations_apply_to_an_empty_database_and_again(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {"PORCHLIGHT_DATABASE_URL": f"sqlite://{tmp_path}/m.db"}, cwd=tmp_path
    )
    await database.migrate(settings)
    await database.migrate(settings)
    async with TortoiseContext() as context:
        await context.init(config=database.tortoise_config(settings.database_url))
        _, rows = await connections.get("default").execute_query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
        tables = {row["name"] for row in rows}
    assert {"users", "sessions", "invites", "boards", "topics", "posts", "post_revisions"} <= tables


def _fill_every_table(path: Path, n: int) -> None:
    """Row n of every table, each NOT NULL column given a value of its type (unique per row)."""
    samples = {"INT": n, "BIGINT": n, "SMALLINT": n, "REAL": n, "TIMESTAMP": "2026-01-01 00:00:00"}
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("sqlite_", "tortoise_"))
        ]
        for table in tables:
            columns, values = [], []
            for _, column, kind, notnull, default, is_key in db.execute(
                f'PRAGMA table_info("{table}")'
            ):
                if is_key or not notnull or default is not None:
                    continue
                columns.append(f'"{column}"')
                # Unique columns (keys, usernames) get a fresh value each time.
                fresh = f"{table}-{column}-{uuid.uuid4()}"
                values.append(samples.get(kind.split("(")[0], fresh))
            marks = ", ".join("?" for _ in values)
            # Table and column names come from the schema itself, never from input.
            insert = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})'  # noqa: S608
            db.execute(insert, values)


async def test_every_migration_upgrades_a_database_that_already_has_rows(tmp_path: Path) -> None:
    """A community's database is never empty: each step must apply to tables holding rows.

    (A NOT NULL column added without a default in the database itself fails on a table with
    rows, on SQLite and PostgreSQL alike: such a field needs db_default.)
    """
    url = f"sqlite://{tmp_path}/m.db"
    names = sorted(
        p.stem for p in Path(migrations.__file__).parent.glob("[0-9][0-9][0-9][0-9]_*.py")
    )
    for n, name in enumerate(names, start=1):
        async with TortoiseContext():
            await tortoise_migrate(config=database.tortoise_config(url), target=f"models.{name}")
        _fill_every_table(tmp_path / "m.db", n)
    with sqlite3.connect(tmp_path / "m.db") as db:
        assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == len(names)


async def test_0013_merges_watched_words_that_read_the_same_keeping_the_strictest(
    tmp_path: Path,
) -> None:
    """On the engine under test: rows written before the unique key become one per key."""
    scratch = servers.fresh_database(tmp_path)
    url = await asyncio.to_thread(scratch.__enter__)
    try:
        config = database.tortoise_config(url)
        async with TortoiseContext():
            await tortoise_migrate(config=config, target="models.0012_watched_words")
        async with TortoiseContext() as context:
            await context.init(config=config)
            seeded = [("Scam", "flag"), ("lottery", "hold"), ("scám", "block"), ("SCAM", "hold")]
            values = ", ".join(f"('{p}', '{a}', '2026-01-01 00:00:00')" for p, a in seeded)
            await connections.get("default").execute_script(
                f"INSERT INTO watched_words (pattern, action, created_at) VALUES {values}"  # noqa: S608
            )
        async with TortoiseContext():
            await tortoise_migrate(config=config, target="models.0013_watched_word_keys")
        async with TortoiseContext() as context:
            await context.init(config=config)
            _, rows = await connections.get("default").execute_query(
                "SELECT id, pattern, pattern_key, action FROM watched_words ORDER BY id"
            )
        assert [tuple(row.values()) for row in map(dict, rows)] == [
            (1, "Scam", "scam", "block"),
            (2, "lottery", "lottery", "hold"),
        ]
    finally:
        await asyncio.to_thread(scratch.__exit__, None, None, None)
