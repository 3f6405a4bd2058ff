"""The private Atom feed of offers and requests: a per-member key in its address, resettable.

The address must be shown again on every visit (a second feed reader, a new phone), so the key
cannot be a secret kept only as a hash. It is an HMAC, under the site's secret key, of a random
salt that the database keeps: a copy of the database alone does not give anyone's feed, a reset
draws a new salt (the old address answers 404 at once), and a key is checked in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from tortoise.exceptions import IntegrityError

from forum import clock, database
from forum.accounts.models import User, UserStatus
from forum.aid import listing
from forum.aid.models import AidFeedToken
from forum.errors import NotFound
from forum.guards import require_member
from forum.pagination import Page

FEED_SIZE = 50
_KEY_RE = re.compile(r"([0-9]{1,9})-([A-Za-z0-9_-]{43})")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _mac(secret: str, row_id: int, salt: str) -> str:
    digest = hmac.new(
        secret.encode(), f"aid-feed:{row_id}:{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def feed_key(actor: User | None, secret: str) -> str:
    """This member's feed key, made the first time they ask for it."""
    user = require_member(actor)
    row = await AidFeedToken.get_or_none(user_id=user.id)
    if row is None:
        try:
            async with database.transaction():
                row = await AidFeedToken.create(user_id=user.id, token=secrets.token_hex(32))
        except IntegrityError:
            # Two first requests at once (two tabs): both show the one that was stored.
            row = await AidFeedToken.get(user_id=user.id)
    return f"{row.id}-{_mac(secret, row.id, row.token)}"


async def reset_feed_key(actor: User | None, secret: str) -> str:
    """A new feed key for this member: the old address stops working at once."""
    user = require_member(actor)
    async with database.transaction():
        await AidFeedToken.filter(user_id=user.id).update(token=secrets.token_hex(32))
    # No feed yet: the first key is as new as a reset one.
    return await feed_key(user, secret)


async def feed_reader(key: str, secret: str) -> User:
    """The member whose feed key this is, if it is current and they may still read; else 404."""
    absent = NotFound("There is no such feed.")
    match = _KEY_RE.fullmatch(key)
    if match is None:
        raise absent
    row = await AidFeedToken.get_or_none(id=int(match.group(1)))
    if row is None or not hmac.compare_digest(_mac(secret, row.id, row.token), match.group(2)):
        raise absent
    user = await User.get_or_none(id=row.user_id)
    now = clock.now()
    if (
        user is None
        or user.status != UserStatus.ACTIVE
        or (user.suspended_until is not None and user.suspended_until > now)
    ):
        raise absent
    return user


def _xml_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


async def feed_entries(
    key: str, secret: str, query: Mapping[str, Any]
) -> tuple[User, Page[dict[str, Any]]]:
    """The feed's reader and its newest posts for the board's filters (open ones by default).

    Only what moderation left visible: a post held for review or hidden never reaches a feed,
    not even its owner's, because a feed reader keeps what it once fetched.
    """
    reader = await feed_reader(key, secret)
    chosen = {k: v for k, v in query.items() if k != "cursor"}
    chosen.setdefault("status", "open")
    page = await listing.list_aid(reader, chosen, limit=FEED_SIZE, reviewed_only=True)
    items = [_xml_safe(row) for row in page.items]
    return reader, Page(items, None)
