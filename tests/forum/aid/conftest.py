"""Aid tests start from the default vocabularies, as a migrated site does."""

from __future__ import annotations

import pytest

from forum.aid import vocabularies


@pytest.fixture(autouse=True)
async def default_vocabularies(db: None) -> None:
    await vocabularies.add_defaults()
