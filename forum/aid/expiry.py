"""The expiry task: open posts whose time has passed expire, and owners hear two days before.

Safe with several workers and across restarts: everything it knows is in the database, and
each step is a conditional UPDATE, so two runs at once make each change exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import cast

from forum import clock, database
from forum.aid import services
from forum.aid.models import Aid, AidStatus
from forum.notifications import services as notifications

log = logging.getLogger("porchlight.aid")
WARN_BEFORE = timedelta(days=2)
INTERVAL_SECONDS = 60.0
BATCH = 500


async def expire_due() -> int:
    """Expire every open post whose expiry has passed; how many this run expired."""
    now = clock.now()
    due = cast(
        list[int],
        await Aid.filter(status=AidStatus.OPEN, expires_at__lte=now)
        .order_by("expires_at")
        .limit(BATCH)
        .values_list("id", flat=True),
    )
    expired = 0
    for aid_id in due:
        async with database.transaction():
            # expires_at in the condition too: an owner who renewed meanwhile keeps the post.
            if not await services.move(
                aid_id, AidStatus.OPEN, AidStatus.EXPIRED, None, only_if={"expires_at__lte": now}
            ):
                continue
            aid = await Aid.get(id=aid_id)
            await notifications.notify(
                [aid.author_id],
                "aid.expired",
                f"“{aid.title}” expired; you can renew it",
                f"/aid/{aid_id}",
            )
        expired += 1
    return expired


async def warn_expiring() -> int:
    """Tell each owner once that an open post expires within two days; how many were told."""
    now = clock.now()
    soon = cast(
        list[int],
        await Aid.filter(
            status=AidStatus.OPEN,
            expires_at__gt=now,
            expires_at__lte=now + WARN_BEFORE,
            expiry_warned_at=None,
        )
        .limit(BATCH)
        .values_list("id", flat=True),
    )
    warned = 0
    for aid_id in soon:
        async with database.transaction():
            claimed = await Aid.filter(
                id=aid_id, status=AidStatus.OPEN, expiry_warned_at=None
            ).update(expiry_warned_at=now)
            if not claimed:
                continue  # another worker told them
            aid = await Aid.get(id=aid_id)
            await notifications.notify(
                [aid.author_id],
                "aid.expiring",
                f"“{aid.title}” expires in 2 days; renew it if you still need it",
                f"/aid/{aid_id}",
            )
        warned += 1
    return warned


async def run_once() -> tuple[int, int]:
    return await warn_expiring(), await expire_due()


async def run_forever(interval: float = INTERVAL_SECONDS) -> None:
    """The lifespan's background task: a pass at start-up (catching up after a restart), then
    one a minute. A failed pass is logged and the next one tries again."""
    while True:
        try:
            await run_once()
        except Exception:
            log.exception("the aid expiry pass failed; trying again in %s s", interval)
        await asyncio.sleep(interval)
