"""The expiry task with a controllable clock: exactly one transition however many run at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from forum import clock
from forum.accounts.models import User
from forum.aid import expiry, services
from forum.aid.models import AidTransition
from forum.notifications import services as notifications
from tests import factories


async def _kinds(person: User) -> list[str]:
    return [n["kind"] for n in (await notifications.list_notifications(person)).items][::-1]


async def test_two_concurrent_runs_expire_a_post_exactly_once(member: User) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        aid = await factories.aid(author=member, expires_at=clock.iso(start + timedelta(days=3)))
    with clock.fixed_at(start + timedelta(days=3, seconds=1)):
        counts = await asyncio.gather(expiry.expire_due(), expiry.expire_due())
    assert sorted(counts) == [0, 1]
    steps = await AidTransition.filter(aid_id=aid["id"], to_status="expired").values("actor_id")
    assert steps == [{"actor_id": None}]
    assert (await services.access_aid(member, aid["id"]))["status"] == "expired"
    assert (await _kinds(member)).count("aid.expired") == 1


async def test_a_post_is_not_expired_before_its_time(member: User) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        aid = await factories.aid(author=member, expires_at=clock.iso(start + timedelta(days=3)))
    with clock.fixed_at(start + timedelta(days=2, hours=23)):
        assert await expiry.expire_due() == 0
    assert (await services.access_aid(member, aid["id"]))["status"] == "open"


async def test_the_owner_hears_once_two_days_before_and_again_after_a_renewal(
    member: User,
) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        aid = await factories.aid(author=member, expires_at=clock.iso(start + timedelta(days=5)))
    with clock.fixed_at(start + timedelta(days=2)):
        assert await expiry.warn_expiring() == 0  # three days left
    with clock.fixed_at(start + timedelta(days=3, minutes=1)):
        assert sorted(await asyncio.gather(expiry.warn_expiring(), expiry.warn_expiring())) == [
            0,
            1,
        ]
        assert await expiry.warn_expiring() == 0
        await services.renew(member, aid["id"], {})
    assert (await _kinds(member)).count("aid.expiring") == 1
    with clock.fixed_at(start + timedelta(days=3 + 12, minutes=2)):
        assert await expiry.warn_expiring() == 1  # the renewed post warns again, once


async def test_an_expired_post_renews_and_is_open_again(member: User) -> None:
    start = clock.now()
    with clock.fixed_at(start):
        aid = await factories.aid(author=member, expires_at=clock.iso(start + timedelta(days=1)))
    with clock.fixed_at(start + timedelta(days=2)):
        await expiry.run_once()
        renewed = await services.renew(member, aid["id"], {})
    assert renewed["status"] == "open"
    assert renewed["expires_at"] > start + timedelta(days=15)
