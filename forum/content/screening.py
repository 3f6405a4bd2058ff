"""Automatic screening every writer runs: watched words, personal information, and the port
through which what it holds or flags reaches the moderators' review queue.

The queue belongs to `moderation`, which sits above every feature: the app wires its adapter
here at start-up (`wire`), so features and this layer never import it. Until something is
wired, held and flagged content is only logged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from forum.errors import InvalidInput

log = logging.getLogger("porchlight.screening")

TARGET_TYPES = ("post", "topic", "aid", "message", "user")
PERSONAL_INFO = "personal_info"
NEW_MEMBER = "new_member"
PERSONAL_INFO_NOTICE = (
    "Share phone numbers and addresses in the private hand-off thread instead, so only the"
    " person helping you sees them."
)
HELD_NOTICE = "A moderator will look at it shortly; until then only you and they can see it."


class Review(Protocol):
    async def hold(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        """Content stored as pending: it waits in the review queue."""
        ...

    async def flag(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        """Content published and reported automatically."""
        ...

    async def reports_against(self, user_id: int) -> int:
        """Reports upheld or open against this person (trust promotion waits while any)."""
        ...


class _Unwired:
    """Before the app wires moderation in: nothing is kept, and no one has reports."""

    async def hold(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        log.info(
            "held %s %s by %s (%s); no review queue wired",
            target_type,
            target_id,
            author_id,
            reason,
        )

    async def flag(self, *, target_type: str, target_id: int, author_id: int, reason: str) -> None:
        log.info(
            "flagged %s %s by %s (%s); no review queue wired",
            target_type,
            target_id,
            author_id,
            reason,
        )

    async def reports_against(self, user_id: int) -> int:
        return 0


_review: Review = _Unwired()


def wire(review: Review) -> None:
    """Hand in the review queue's adapter (the composition root does, at start-up)."""
    global _review  # noqa: PLW0603 - the one port of this layer, set once by the app
    _review = review


def wired() -> Review:
    return _review


async def hold(*, target_type: str, target_id: int, author_id: int, reason: str) -> None:
    await _review.hold(
        target_type=target_type, target_id=target_id, author_id=author_id, reason=reason
    )


async def flag(*, target_type: str, target_id: int, author_id: int, reason: str) -> None:
    await _review.flag(
        target_type=target_type, target_id=target_id, author_id=author_id, reason=reason
    )


async def reports_against(user_id: int) -> int:
    return await _review.reports_against(user_id)


# What screening decided about one piece of writing ------------------------------------------


@dataclass
class Verdict:
    """Held (stored pending, with the first reason) or published; flags report it as well."""

    held: str | None = None
    flags: list[str] = field(default_factory=list)
    notice: str | None = None

    def hold_for(self, reason: str, notice: str = HELD_NOTICE) -> None:
        if self.held is None:
            self.held, self.notice = reason, notice

    def merge(self, other: Verdict) -> Verdict:
        if other.held is not None:
            self.hold_for(other.held, other.notice or HELD_NOTICE)
        self.flags.extend(r for r in other.flags if r not in self.flags)
        return self

    async def record(self, *, target_type: str, target_id: int, author_id: int) -> None:
        """Tell the review queue; call it inside the transaction that stores the content."""
        if self.held is not None:
            await hold(
                target_type=target_type, target_id=target_id, author_id=author_id, reason=self.held
            )
            return  # a held item is already in the queue: flags would only repeat it
        for reason in self.flags:
            await flag(
                target_type=target_type, target_id=target_id, author_id=author_id, reason=reason
            )


def notice_key(held: str | None) -> str | None:
    """Which notice a page shows its author after a redirect (base.html's notices by key)."""
    if held is None:
        return None
    return "personal_info" if held == PERSONAL_INFO else "held"


# Matching watched words -----------------------------------------------------------------------


def fold(text: str) -> str:
    """Text as matching sees it: no case, no accents, no invisible characters.

    NFKD splits accented letters and turns look-alike compatibility forms (fullwidth, ligatures)
    into plain ones; combining marks and format characters (zero-width spaces and joiners, bidi
    controls, soft hyphens) are dropped, so "Ｓ\u200bcám" reads as "scam".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (
        c
        for c in decomposed
        if not unicodedata.combining(c) and unicodedata.category(c) not in ("Cf", "Mn")
    )
    return "".join(kept).casefold()


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A watched word or phrase as a regex over folded text: whole words, `*` any letters."""
    words = fold(pattern).split()
    parts = [r"\w*".join(re.escape(piece) for piece in word.split("*")) for word in words]
    return re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)")


def clean_pattern(raw: str) -> str | None:
    """A pattern as stored (single spaces, no edges), or None when nothing is left to match."""
    pattern = " ".join(raw.split())
    if not re.search(r"\w", fold(pattern).replace("*", "")):
        return None
    return pattern


def pattern_key(pattern: str) -> str:
    """What a pattern reads as to matching: two patterns with one key are the same watched word."""
    return " ".join(fold(pattern).split())


@dataclass(frozen=True)
class Watched:
    id: int
    pattern: str
    action: str
    regex: re.Pattern[str]


def match_words(
    words: Sequence[Watched], texts: Mapping[str, str], *, can_hold: bool = True
) -> Verdict:
    """Refuse a `block` word (422 `watched_word`, naming the field); hold or flag the others.

    can_hold is False where nothing can wait pending (chat messages): `hold` then flags.
    """
    verdict = Verdict()
    folded = {name: fold(text) for name, text in texts.items() if text}
    blocked: dict[str, str] = {}
    for word in words:
        for name, text in folded.items():
            if not word.regex.search(text):
                continue
            if word.action == "block":
                blocked.setdefault(name, "This uses a word the community has chosen not to allow.")
            elif word.action == "hold" and can_hold:
                verdict.hold_for(f"watched_word:{word.pattern}")
            elif f"watched_word:{word.pattern}" not in verdict.flags:
                verdict.flags.append(f"watched_word:{word.pattern}")
    if blocked:
        raise InvalidInput(
            "Please reword this: it uses a word this community does not allow.",
            code="watched_word",
            fields=blocked,
        )
    return verdict


# Personal information -------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)")
# Digit groups joined by one space, dot or hyphen, optionally led by +country and (area).
_PHONE = re.compile(
    r"(?<![\w+.,/-])(\+\d{1,3}[ .-]?)?(\(\d{1,5}\)[ .-]?)?\d{1,8}(?:[ .-]\d{1,8}){0,5}(?![\w/])"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _looks_like_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 15:
        return False
    international = candidate.startswith("+")
    groups = re.findall(r"\d+", candidate)
    separated = len(groups) > 1
    if not (international or separated):
        return False  # a long bare number is an order or a reference, not a phone
    if international:
        return True
    if _DATE.fullmatch(candidate):
        return False
    if all(_YEAR.fullmatch(g) for g in groups):
        return False  # "1998 2004 2011": years
    # "10.000.000" or "1 250 000": a number with thousands separators
    thousands = all(len(g) == 3 for g in groups[1:])
    return not (thousands and re.fullmatch(r"[\d.]+|[\d ]+", candidate))


def has_personal_info(text: str) -> bool:
    """A phone number in a realistic format, or an e-mail address."""
    if _EMAIL.search(text):
        return True
    return any(_looks_like_phone(m.group(0)) for m in _PHONE.finditer(text))


def check_personal_info(texts: Mapping[str, str]) -> Verdict:
    """Hold public writing that carries a phone number or e-mail address, with a nudge."""
    verdict = Verdict()
    if any(has_personal_info(text) for text in texts.values() if text):
        verdict.hold_for(PERSONAL_INFO, PERSONAL_INFO_NOTICE)
    return verdict


_LINK = re.compile(r"<a\s[^>]*href=", re.IGNORECASE)


def count_links(html: str) -> int:
    """Links in sanitized HTML (bare URLs are linked by the sanitizer, so they count too)."""
    return len(_LINK.findall(html))
