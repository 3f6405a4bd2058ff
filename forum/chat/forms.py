"""What chat requests carry: shape only, the same declarations for checks and the API document."""

from __future__ import annotations

from forum.chat.models import RoomKind
from forum.validation import Body, Choice, Text, WholeNumber

ROOM_NAME_MAX = 80
MESSAGE_MAX = 4000
SEQ_MAX = 2**31 - 1

ROOM = Body(
    {
        "name": Text(max_length=ROOM_NAME_MAX),
        "kind": Choice(
            (RoomKind.PUBLIC.value, RoomKind.PRIVATE.value),
            "Choose public or private.",
            description="Direct rooms open through POST /api/v1/rooms/direct.",
        ),
    }
)
PERSON = Body({"username": Text(max_length=30, description="Their username.")})
READ = Body({"seq": WholeNumber(0, SEQ_MAX, "Send the seq of the latest message read.")})
MESSAGE = Body({"body": Text(max_length=MESSAGE_MAX, multiline=True, strip=False)})
