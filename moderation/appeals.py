"""Appeals: one per sanction, entering the review queue; a moderator upholds or overturns it.

An appeal is a QueueItem of kind APPEAL about the person (target_type "user"), its snapshot
holding the sanction and the message as they were when appealed. The queue's resolve hands an
appeal item to resolve_appeal (approve overturns, dismiss upholds); decide() is the same
decision through this module's own endpoint, and also closes the queue item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.exceptions import IntegrityError

from forum import clock, database, ratelimits
from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.accounts.services import require_staff
from forum.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors
from moderation import log, sanction_forms, sanctions
from moderation.models import (
    Appeal,
    AppealStatus,
    ItemKind,
    ItemStatus,
    QueueItem,
    Sanction,
    TargetType,
)

# Above any ordinary report (a person waiting to be let back in), below `at_risk`.
APPEAL_SCORE = 50.0
_OUTCOME_OF_ACTION = {"approve": AppealStatus.OVERTURNED, "dismiss": AppealStatus.UPHELD}


def _read_message(data: Mapping[str, Any]) -> str:
    errors = FieldErrors()
    message: str = sanction_forms.APPEAL.read(data, errors).get("message", "")
    errors.raise_if_any()
    return message


async def appeal(actor: User | None, sanction_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Appeal one of one's own sanctions, once (409 for a second appeal)."""
    user = require_member(actor)
    message = _read_message(data)
    return await file_appeal(user, sanction_id, message)


async def appeal_while_suspended(data: Mapping[str, Any], *, client: str = "") -> dict[str, Any]:
    """A suspended person appeals their suspension with their password, since they cannot
    sign in; the same limits as signing in hold, and one appeal per sanction still."""
    await ratelimits.check(f"suspended-appeal:{client}", limit=10, window=3600)
    message = _read_message(data)
    user = await accounts.check_suspended_credentials(
        data.get("username"), data.get("password"), client=client
    )
    suspension = await sanctions.suspension_in_force(user.id)
    if suspension is None:
        raise NotFound("There is no suspension in force to appeal.")
    earlier = await Appeal.get_or_none(sanction_id=suspension.id)
    if earlier is not None:
        raise Conflict(_already(earlier), code="already_appealed")
    return await file_appeal(user, suspension.id, message)


def _already(earlier: Appeal) -> str:
    if earlier.status == AppealStatus.OPEN:
        return "You have already appealed; the moderators have not decided yet."
    return f"You have already appealed, and the moderators upheld it: {earlier.decision_reason}"


async def file_appeal(user: User, sanction_id: int, message: str) -> dict[str, Any]:
    """The appeal itself, for a person already known to be who they say (signed in, or a
    suspended person who gave their password)."""
    sanction = await Sanction.get_or_none(id=sanction_id, user_id=user.id)
    if sanction is None:
        raise NotFound("That sanction does not exist.")
    if sanctions.state_of(sanction) is sanctions.State.LIFTED:
        raise Conflict("That sanction has already been lifted.", code="already_lifted")
    if await Appeal.filter(sanction_id=sanction.id).exists():
        raise Conflict("You have already appealed this sanction.", code="already_appealed")
    try:
        async with database.transaction():
            filed = await Appeal.create(sanction_id=sanction.id, message=message)
            await QueueItem.create(
                kind=ItemKind.APPEAL.value,
                target_type=TargetType.USER.value,
                target_id=user.id,
                subject_id=user.id,
                snapshot={
                    "appeal_id": filed.id,
                    "message": message,
                    "sanction": {
                        "id": sanction.id,
                        "kind": sanction.kind,
                        "reason": sanction.reason,
                        "created_at": clock.iso(sanction.created_at),
                        "ends_at": clock.iso(sanction.ends_at),
                    },
                },
                reason=f"Appeal of a {sanctions.NOUNS[sanction.kind]}",
                score=APPEAL_SCORE,
            )
    except IntegrityError:
        # Two appeals raced: the one-to-one column let only the first in.
        raise Conflict(
            "You have already appealed this sanction.", code="already_appealed"
        ) from None
    return await sanctions.sanction_row(sanction, appeal=filed, fetched=True)


async def decide(actor: User | None, appeal_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Uphold or overturn an appeal with a reason (409 once decided); the queue item closes."""
    moderator = require_staff(actor)
    errors = FieldErrors()
    values = sanction_forms.DECISION.read(data, errors)
    errors.raise_if_any()
    found = await Appeal.get_or_none(id=appeal_id)
    if found is None:
        raise NotFound("That appeal does not exist.")
    async with database.transaction():
        sanction = await _decide(
            moderator, found, AppealStatus(values["outcome"]), values["reason"]
        )
        now = clock.now()
        for item in await QueueItem.filter(
            kind=ItemKind.APPEAL.value, subject_id=sanction.user_id, status=ItemStatus.OPEN.value
        ):
            if item.snapshot.get("appeal_id") == found.id:
                await QueueItem.filter(id=item.id, status=ItemStatus.OPEN.value).update(
                    status=ItemStatus.RESOLVED.value,
                    resolved_by_id=moderator.id,
                    resolved_at=now,
                    resolution="approve" if values["outcome"] == "overturned" else "dismiss",
                    resolution_reason=values["reason"],
                )
    return await sanctions.sanction_row(await Sanction.get(id=sanction.id), staff=True)


async def resolve_appeal(actor: User, item: QueueItem, action: str, reason: str) -> None:
    """The queue's resolver for APPEAL items: approve overturns, dismiss upholds.

    Changes the appeal and the sanction only; the queue marks its own item resolved.
    """
    moderator = require_staff(actor)
    outcome = _OUTCOME_OF_ACTION.get(action)
    if outcome is None:
        raise InvalidInput(
            "An appeal is approved (overturning the sanction) or dismissed (upholding it).",
            fields={"action": "Choose approve or dismiss for an appeal."},
        )
    appeal_id = item.snapshot.get("appeal_id")
    found = await Appeal.get_or_none(id=appeal_id) if isinstance(appeal_id, int) else None
    if found is None:
        raise NotFound("That appeal does not exist.")
    async with database.transaction():
        await _decide(moderator, found, outcome, reason)


async def _decide(moderator: User, found: Appeal, outcome: AppealStatus, reason: str) -> Sanction:
    sanction = await Sanction.get(id=found.sanction_id)
    person = await User.get(id=sanction.user_id)
    if not sanctions.may_sanction(moderator, person):
        raise PermissionDenied("You cannot decide this person's appeal.", code="cannot_sanction")
    decided = await Appeal.filter(id=found.id, status=AppealStatus.OPEN.value).update(
        status=outcome.value,
        decided_by_id=moderator.id,
        decided_at=clock.now(),
        decision_reason=reason,
    )
    if not decided:
        raise Conflict("That appeal has already been decided.", code="already_decided")
    await log.record(moderator, f"appeal_{outcome.value}", "user", person.id, reason)
    noun = sanctions.NOUNS[sanction.kind]
    if outcome is AppealStatus.OVERTURNED:
        if sanctions.state_of(sanction) is sanctions.State.ACTIVE:
            await sanctions.end_sanction(
                moderator, sanction, "lift", f"appeal overturned: {reason}", tell=False
            )
        text = f"Your appeal was accepted: your {noun} is overturned. {reason}"
    else:
        text = f"Your appeal was reviewed: the {noun} stands. {reason}"
    await notifications.notify(
        [person.id], "moderation.appeal_decided", text, sanctions.MY_SANCTIONS_URL
    )
    return sanction
