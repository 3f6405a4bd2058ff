"""Someone at risk: every moderator is told at once, and the reporter sees where to get help.

The resources are the community's own: `PORCHLIGHT_CRISIS_RESOURCES` names a text file, one
resource a line (`Name | what it is | phone or link`; blank lines and lines starting with #
are skipped), read again whenever it changes, so an administrator edits it without a restart
or any code. Without the setting, a short general list stands in, saying to change it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from forum.accounts.models import STAFF_ROLES, User, UserStatus
from forum.guards import require_member
from forum.notifications import services as notifications

_log = logging.getLogger("porchlight.moderation")
QUEUE_URL = "/moderation"  # the queue page: at-risk items are on top
MAX_RESOURCES = 20
# Only these become links: a telephone number, a text message or a web page.
_LINK = re.compile(r"(?:https?://|tel:|sms:)[^\s<>\"']{1,300}")


@dataclass(frozen=True)
class Resource:
    name: str
    detail: str
    link: str  # "" when the line gave none (or one that is not a phone number or web page)


DEFAULT_RESOURCES = (
    Resource(
        "Emergency",
        "If someone is in danger right now, call your local emergency number (911, 999, 112).",
        "",
    ),
    Resource(
        "988 Suicide & Crisis Lifeline (US)",
        "Call or text 988, any time, for someone thinking about suicide or in crisis.",
        "tel:988",
    ),
    Resource(
        "2-1-1 (US and Canada)",
        "Call 2-1-1 for local help with food, housing, bills and health, any time.",
        "tel:211",
    ),
    Resource(
        "For this community's moderators",
        "This is the default list: set PORCHLIGHT_CRISIS_RESOURCES to a file of your own"
        " local services.",
        "",
    ),
)

_read: dict[Path, tuple[float, tuple[Resource, ...]]] = {}


def parse(text: str) -> tuple[Resource, ...]:
    """The resources a file's text lists, at most MAX_RESOURCES."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("|")
        detail, _, link = rest.partition("|")
        link = link.strip()
        found.append(
            Resource(
                name.strip()[:120],
                detail.strip()[:500],
                link if _LINK.fullmatch(link) else "",
            )
        )
    return tuple(found[:MAX_RESOURCES])


def _load(path: Path) -> tuple[Resource, ...]:
    try:
        changed = path.stat().st_mtime
        kept = _read.get(path)
        if kept is not None and kept[0] == changed:
            return kept[1]
        resources = parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        _log.warning("cannot read the crisis resources in %s (%s): showing the defaults", path, exc)
        return DEFAULT_RESOURCES
    _read[path] = (changed, resources)
    return resources or DEFAULT_RESOURCES


async def resources(path: Path | None) -> tuple[Resource, ...]:
    """The community's crisis and local resources (the defaults without a file)."""
    if path is None:
        return DEFAULT_RESOURCES
    return await asyncio.to_thread(_load, path)


async def resources_for_member(actor: User | None, path: Path | None) -> tuple[Resource, ...]:
    """The resources through the API: for signed-in members (the page shows them to anyone)."""
    require_member(actor)
    return await resources(path)


async def at_risk_reported(report_id: int, target_type: str, target_id: int) -> None:
    """A report says someone may be at risk: tell every moderator, live, at once.

    The notification names no one (it reaches every staff member's phone): the queue shows the
    report, on top.
    """
    staff = await User.filter(role__in=STAFF_ROLES, status=UserStatus.ACTIVE.value).values_list(
        "id", flat=True
    )
    await notifications.notify(
        staff,  # type: ignore[arg-type]
        "moderation.at_risk",
        f"Someone may be at risk: a member has just reported a {target_type}. Please look now.",
        QUEUE_URL,
    )
