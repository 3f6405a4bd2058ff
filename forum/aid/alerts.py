"""Saved alerts: a member hears once of each new post that fits a category and/or an area."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from tortoise.expressions import Q

from forum.accounts import blocks
from forum.accounts.models import User
from forum.aid import forms, vocabularies
from forum.aid.models import Aid, AidAlert
from forum.errors import NotFound
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors

ALERTS_MAX = 20
ALERT_KIND = "aid.alert_matched"
COLUMNS = ("id", "kind", "category_id", "area_id", "created_at")


async def list_alerts(actor: User | None) -> list[dict[str, Any]]:
    """This member's alerts, with the names of what they watch."""
    user = require_member(actor)
    rows = (
        await AidAlert.filter(user_id=user.id)
        .order_by("id")
        .values(
            *COLUMNS,
            category="category__slug",
            category_name="category__name",
            area="area__slug",
            area_name="area__name",
        )
    )
    return rows


async def save_alert(actor: User | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Watch a category, an area or both (and optionally one kind)."""
    user = require_member(actor)
    errors = FieldErrors()
    values = forms.ALERT.read(data, errors)
    kind, category, area = (values.get(name, "") for name in ("kind", "category", "area"))
    if not category and not area and "category" not in errors.errors:
        errors.add("category", "Choose a category, an area, or both.")
    category_id, area_id = await vocabularies.resolve(category, area, errors)
    if await AidAlert.filter(user_id=user.id).count() >= ALERTS_MAX:
        errors.add("category", f"You can keep at most {ALERTS_MAX} alerts.")
    errors.raise_if_any()
    alert = await AidAlert.create(
        user_id=user.id,
        kind=kind or None,
        category_id=category_id or None,
        area_id=area_id or None,
    )
    return next(a for a in await list_alerts(user) if a["id"] == alert.id)


async def remove_alert(actor: User | None, alert_id: int) -> None:
    user = require_member(actor)
    if not await AidAlert.filter(id=alert_id, user_id=user.id).delete():
        raise NotFound("There is no such alert.")


async def notify_matching(aid: Aid) -> None:
    """Tell each member whose alert fits this post, once however many of theirs fit.

    Called for a new post and for an edit that moves it to another category or area: whoever
    heard of this post before is not told again.
    """
    fitting = await (
        AidAlert.filter(
            Q(category_id=aid.category_id) | Q(category_id=None),
            Q(area_id=aid.area_id) | Q(area_id=None),
            Q(kind=aid.kind) | Q(kind=None),
        )
        .exclude(user_id=aid.author_id)
        .values_list("user_id", flat=True)
    )
    url = f"/aid/{aid.id}"
    # Someone who blocked the author is not told of their posts; nobody is told twice.
    apart = await blocks.blocker_ids(aid.author_id)
    told = await notifications.already_told(cast(list[int], fitting), ALERT_KIND, url)
    await notifications.notify(
        [uid for uid in cast(list[int], fitting) if uid not in apart and uid not in told],
        ALERT_KIND,
        f"New {aid.kind} that fits your alert: {aid.title}",
        url,
    )
