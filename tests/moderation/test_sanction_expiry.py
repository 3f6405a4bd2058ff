"""Sanctions end by themselves: shown ended at once, recorded once by the expiry task."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from forum import clock
from forum.accounts import services as accounts
from forum.accounts import standing
from forum.accounts.models import User
from forum.errors import Conflict
from forum.notifications.models import Notification
from moderation import sanction_expiry, sanctions
from moderation.models import LogEntry, Sanction
from tests import factories


async def test_a_suspension_ends_by_itself_and_is_recorded_exactly_once(
    moderator: User, other_member: User
) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        made = await sanctions.impose(
            moderator, "sam", {"kind": "suspend", "reason": "Cooling off", "hours": 24}
        )
    later = start + timedelta(hours=24, seconds=1)
    with clock.fixed_at(later):
        sam = await User.get(id=other_member.id)
        assert not standing.is_suspended(sam)
        # Shown ended before the task has run, and sign-in works again.
        assert (await sanctions.my_sanctions(sam))[0]["state"] == "expired"
        assert (await accounts.check_credentials("sam", factories.PASSWORD)).id == sam.id
        counts = await asyncio.gather(sanction_expiry.expire_due(), sanction_expiry.expire_due())
        assert sorted(counts) == [0, 1]
        assert await sanction_expiry.expire_due() == 0
        row = (await sanctions.my_sanctions(sam))[0]
    assert row["state"] == "expired"
    assert row["lifted_at"] is None  # expiry is not a lift
    stored = await Sanction.get(id=made["id"])
    assert stored.lifted_at == stored.ends_at
    assert stored.lifted_by_id is None
    entries = await LogEntry.filter(action="expire").values("actor_id", "target_id")
    assert entries == [{"actor_id": None, "target_id": other_member.id}]
    assert await Notification.filter(kind="moderation.sanction_expired").count() == 1


async def test_nothing_expires_before_its_end_and_warnings_and_bans_never(
    moderator: User, other_member: User, member: User
) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        await sanctions.impose(moderator, "sam", {"kind": "silence", "reason": "x", "hours": 5})
        await sanctions.impose(moderator, "sam", {"kind": "warn", "reason": "y"})
        await sanctions.impose(moderator, "maria", {"kind": "ban", "reason": "z"})
    with clock.fixed_at(start + timedelta(hours=4, minutes=59)):
        assert await sanction_expiry.expire_due() == 0
        assert standing.is_silenced(await User.get(id=other_member.id))
    with clock.fixed_at(start + timedelta(days=3650)):
        assert await sanction_expiry.expire_due() == 1
        assert standing.is_suspended(await User.get(id=member.id))
    assert await LogEntry.filter(action="expire").count() == 1


async def test_an_expired_sanction_cannot_be_lifted(moderator: User, other_member: User) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        made = await sanctions.impose(
            moderator, "sam", {"kind": "silence", "reason": "x", "hours": 1}
        )
    with clock.fixed_at(start + timedelta(hours=2)), pytest.raises(Conflict):
        await sanctions.lift(moderator, made["id"])
