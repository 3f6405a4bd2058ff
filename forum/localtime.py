"""Times as pages show them: in the community's time zone, and "3 hours ago" when recent."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_RECENT = timedelta(days=1)


def full(moment: datetime, zone: ZoneInfo) -> str:
    """ "24 Nov 2026, 18:00 GMT": the date and time in the zone, with its abbreviation.

    The abbreviation tells summer from winter time (BST or GMT); zones whose abbreviation is
    only an offset ("+03") read better without it.
    """
    local = moment.astimezone(zone)
    text = local.strftime("%-d %b %Y, %H:%M")
    abbreviation = local.tzname() or ""
    return f"{text} {abbreviation}" if abbreviation.isalpha() else text


def day(moment: datetime, zone: ZoneInfo) -> str:
    """ "24 November 2026": the date in the zone."""
    return moment.astimezone(zone).strftime("%-d %B %Y")


def relative(moment: datetime, now: datetime) -> str | None:
    """ "just now", "5 minutes ago", "3 hours ago" (or "in 3 hours"); None a day or more away."""
    difference = now - moment
    ahead = difference < timedelta(0)
    distance = abs(difference)
    if distance >= _RECENT:
        return None
    minutes = int(distance.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    amount, unit = (minutes, "minute") if minutes < 60 else (minutes // 60, "hour")
    phrase = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"in {phrase}" if ahead else f"{phrase} ago"
