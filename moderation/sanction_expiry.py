"""The expiry task: sanctions whose end has passed are written down as expired, once.

Standing needs no help (silenced_until and suspended_until are times, in force until they
pass), and every page computes a sanction's state from its end, so a sanction shows expired the
moment it ends. This pass does the bookkeeping: the log's "expire" entry and the person's
notification. Safe with several workers and across restarts: each sanction is claimed by a
conditional UPDATE, so two passes at once record each expiry exactly once.
"""

from __future__ import annotations

import asyncio
import logging

from tortoise.expressions import F

from forum import clock, database
from forum.notifications import services as notifications
from moderation import log
from moderation.models import Sanction
from moderation.sanctions import MY_SANCTIONS_URL, NOUNS, forget_notices

_log = logging.getLogger("porchlight.moderation")
INTERVAL_SECONDS = 60.0
BATCH = 500


async def expire_due() -> int:
    """Record every sanction whose end has passed; how many this pass recorded."""
    now = clock.now()
    due = await Sanction.filter(lifted_at=None, ends_at__lte=now).order_by("ends_at").limit(BATCH)
    recorded = 0
    for sanction in due:
        async with database.transaction():
            # lifted_at takes the end itself: the sanction expired then, nobody lifted it.
            claimed = await Sanction.filter(id=sanction.id, lifted_at=None).update(
                lifted_at=F("ends_at")
            )
            if not claimed:
                continue  # another worker recorded it, or a moderator lifted it meanwhile
            await log.record(
                None, "expire", "user", sanction.user_id, f"{NOUNS[sanction.kind]} ended"
            )
            await notifications.notify(
                [sanction.user_id],
                "moderation.sanction_expired",
                f"Your {NOUNS[sanction.kind]} has ended.",
                MY_SANCTIONS_URL,
            )
        forget_notices(sanction.user_id)
        recorded += 1
    return recorded


async def run_forever(interval: float = INTERVAL_SECONDS) -> None:
    """The lifespan's background task: a pass at start-up, then one a minute."""
    while True:
        try:
            await expire_due()
        except Exception:
            _log.exception("the sanction expiry pass failed; trying again in %s s", interval)
        await asyncio.sleep(interval)
