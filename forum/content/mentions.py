"""@mentions in what people write: the usernames a text names, in the order it names them."""

from __future__ import annotations

import re

# A username after an @ that does not follow a letter (so e-mail addresses are not mentions).
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{3,30})\b")


def mentioned(text: str, *, limit: int) -> list[str]:
    """The first `limit` different usernames a text mentions, casefolded as username keys."""
    names: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        names.setdefault(match.group(1).casefold())
        if len(names) == limit:
            break
    return list(names)
