"""What moderation requests carry: shape only, the same declarations for checks and the API."""

from __future__ import annotations

from forum.validation import Body, Choice, Text, WholeNumber
from moderation.models import Reason, TargetType

NOTE_MAX = 1000
REASON_MAX = 1000
ID_MAX = 2**31 - 1
RESOLVE_ACTIONS = ("dismiss", "hide", "delete", "restore", "approve", "lock", "edit")
# A moderator's correction of a post (edit): as long as a post may be.
EDIT_MAX = 20_000

REPORT = Body(
    {
        "target_type": Choice(
            tuple(t.value for t in TargetType), "Choose what kind of thing you are reporting."
        ),
        "target_id": WholeNumber(
            1, ID_MAX, "Give the id of what you are reporting.", digit_strings=True
        ),
        "reason": Choice(tuple(r.value for r in Reason), "Choose a reason from the list."),
        "note": Text(
            max_length=NOTE_MAX,
            required=False,
            multiline=True,
            description="Anything the moderators should know (optional).",
        ),
    }
)
RESOLVE = Body(
    {
        "action": Choice(
            RESOLVE_ACTIONS,
            "Choose what to do: " + ", ".join(RESOLVE_ACTIONS) + ".",
            description=(
                "lock applies to topics; approve to held content and sign-ups; edit to posts"
                " and topics (with body)."
            ),
        ),
        "body": Text(
            max_length=EDIT_MAX,
            required=False,
            multiline=True,
            description="edit only: the corrected text (Markdown), published in place.",
        ),
        "reason": Text(
            max_length=REASON_MAX,
            multiline=True,
            description="Why: it goes into the moderation log (the public one too).",
        ),
    }
)
