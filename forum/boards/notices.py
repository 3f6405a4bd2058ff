"""Who hears of a post: the topic's owner of a reply, and the people a post @mentions.

Only people who may read the topic are told (a mention in a topic moderators hid tells only
moderators), never the writer, and nobody twice of the same post: an edit that adds a mention
tells the newly named, and saving it again tells no one more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from forum import clock
from forum.accounts.models import User, UserStatus
from forum.boards.models import PostStatus
from forum.content.mentions import mentioned
from forum.notifications import services as notifications

# More names than this in one post is a roll call, not a conversation: the rest are not told.
MENTIONS_MAX = 10
ReadRule = Callable[[User, Mapping[str, Any]], bool]


def _reachable(person: User) -> bool:
    now = clock.now()
    suspended = person.suspended_until is not None and person.suspended_until > now
    return person.status == UserStatus.ACTIVE and not suspended


async def tell_of_post(
    author: User,
    topic: Mapping[str, Any],
    post: Mapping[str, Any],
    may_read: ReadRule,
    *,
    is_reply: bool,
) -> None:
    """After a post is written or edited: notify whom it mentions and, for a reply, the owner."""
    if post["status"] != PostStatus.VISIBLE:
        return  # held for review: nobody hears of it until a moderator lets it through
    url = f"/p/{post['id']}"
    names = [n for n in mentioned(post["body"], limit=MENTIONS_MAX) if n != author.username_key]
    people = await User.filter(username_key__in=names) if names else []
    told = await notifications.already_told([p.id for p in people], "boards.mention", url)
    mentioned_ids = [
        p.id for p in people if p.id not in told and _reachable(p) and may_read(p, topic)
    ]
    await notifications.notify(
        mentioned_ids,
        "boards.mention",
        f"{author.shown_name} mentioned you in “{topic['title']}”",
        url,
    )
    owner_id = topic["author_id"]
    if not is_reply or owner_id == author.id or owner_id in {p.id for p in people}:
        return  # a mention of the owner already told them of this reply
    owner = await User.get_or_none(id=owner_id)
    if owner is None or not _reachable(owner) or not may_read(owner, topic):
        return
    if await notifications.already_told([owner_id], "boards.reply", url):
        return
    await notifications.notify(
        [owner_id], "boards.reply", f"{author.shown_name} replied to “{topic['title']}”", url
    )
