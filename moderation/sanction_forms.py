"""The bodies of sanctions, appeals, decisions and notes: shape only, no database.

One declaration per body validates the pages' forms and the API alike, and gives the OpenAPI
document its schema.
"""

from __future__ import annotations

from forum.accounts import forms as account_forms
from forum.validation import Body, Choice, Text, WholeNumber
from moderation.models import AppealStatus, SanctionKind

KINDS = tuple(k.value for k in SanctionKind)
OUTCOMES = (AppealStatus.UPHELD.value, AppealStatus.OVERTURNED.value)
HOURS_MAX = 8760  # a year: anything longer is a ban, or a suspension until lifted
REASON_MAX = 1000
MESSAGE_MAX = 2000
NOTE_MAX = 2000

REASON = Text(
    max_length=REASON_MAX,
    multiline=True,
    description="Why: the person sees it, and so does the moderation log.",
)
SANCTION = Body(
    {
        "kind": Choice(
            KINDS,
            "Choose warn, silence, suspend or ban.",
            description=(
                "warn: a notice to acknowledge; silence: read-only; suspend: cannot sign in;"
                " ban: cannot sign in, with no end."
            ),
        ),
        "reason": REASON,
        "hours": WholeNumber(
            1,
            HOURS_MAX,
            f"A number of hours from 1 to {HOURS_MAX}.",
            digit_strings=True,
            description=(
                "How long a silence or suspension lasts; absent: until a moderator lifts it."
                " A warning and a ban take none."
            ),
        ),
    }
)
LIFT = Body({"reason": Text(max_length=REASON_MAX, required=False, multiline=True)})
MESSAGE = Text(
    max_length=MESSAGE_MAX,
    multiline=True,
    description="What the moderators should know; one appeal per sanction.",
)
APPEAL = Body({"message": MESSAGE})
# A suspended person cannot sign in: their password says who they are, for this one purpose.
SUSPENDED_APPEAL = Body(
    {
        "username": account_forms.LOGIN.fields["username"],
        "password": account_forms.LOGIN.fields["password"],
        "message": MESSAGE,
    }
)
DECISION = Body(
    {
        "outcome": Choice(
            OUTCOMES,
            "Choose upheld or overturned.",
            description="overturned lifts the sanction; upheld keeps it.",
        ),
        "reason": REASON,
    }
)
NOTE = Body(
    {
        "body": Text(
            max_length=NOTE_MAX,
            multiline=True,
            description="Seen by moderators only, never by the person.",
        )
    }
)
