"""The topic the board page tests read, write in and moderate."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import User
from tests import factories


@pytest.fixture
async def topic(member: User) -> dict[str, Any]:
    return await factories.topic(
        author=member, title="Lifts to the clinic", body="I drive there on *Tuesdays*."
    )
