"""Committed migrations build the schema the models describe, on the engine under test."""

from __future__ import annotations

from pathlib import Path

from tortoise import connections
from tortoise.context import TortoiseContext

from forum import database
from forum.settings import Settings


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
