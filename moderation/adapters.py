"""One adapter per kind of thing a member can report, over the owning feature's services.

Moderation owns none of this content: it reads it (a snapshot for the queue), asks the feature
whether a reporter may see it (the feature's own access functions: a report of something you
cannot see is a 404), and changes it only through the feature's review functions. A feature
added later becomes reportable by writing one adapter and registering it here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from forum.accounts.models import User, UserStatus
from forum.aid import review as aid_review
from forum.aid import services as aid_services
from forum.aid.models import AidReview
from forum.boards import posts as board_posts
from forum.boards import review as boards_review
from forum.boards import services as boards_services
from forum.boards.models import PostStatus, TopicStatus
from forum.chat import review as chat_review
from forum.chat import rooms as chat_rooms
from forum.errors import InvalidInput, NotFound
from moderation.models import TargetType

# What resolving an item may do to its content; "dismiss" changes nothing (and undoes an auto-hide).
CONTENT_ACTIONS = ("hide", "delete", "restore", "approve", "lock")
SNAPSHOT_TEXT_MAX = 4000


def _clip(text: str | None) -> str:
    return (text or "")[:SNAPSHOT_TEXT_MAX]


class Adapter(ABC):
    """The base: reading and checking are required, each action only where it means something."""

    target_type: ClassVar[str]
    noun: ClassVar[str]
    actions: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        """The content as it is now (title, text, author, author_id, url, status), or None."""

    @abstractmethod
    async def visible_to(self, actor: User, target_id: int) -> None:
        """Raise NotFound unless this person may see the target now."""

    async def edit(self, moderator: User, target_id: int, text: str) -> None:
        """Replace the text with a moderator's correction (kept in the edit history)."""
        raise InvalidInput(
            f"A {self.noun} cannot be edited from the queue: hide or delete it instead.",
            fields={"action": f"Choose one of: dismiss, {', '.join(self.actions)}."},
        )

    async def act(self, action: str, target_id: int) -> bool:
        """Apply one of `actions`; False when the content was already that way."""
        if action not in self.actions:
            raise InvalidInput(
                f"A {self.noun} cannot be {_past(action)}.",
                fields={"action": f"Choose one of: dismiss, {', '.join(self.actions)}."},
            )
        method = getattr(self, action)
        return bool(await method(target_id))


def _past(action: str) -> str:
    return {"hide": "hidden", "lock": "locked", "approve": "approved"}.get(action, action + "d")


class PostAdapter(Adapter):
    target_type = TargetType.POST.value
    noun = "post"
    actions = ("hide", "delete", "restore", "approve")

    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        post = await boards_review.stored_post(target_id)
        if post is None:
            return None
        return {
            "title": post["topic_title"],
            "text": _clip(post["body"]),
            "author": post["author_username"],
            "author_id": post["author_id"],
            "url": f"/p/{target_id}",
            "status": post["status"],
        }

    async def visible_to(self, actor: User, target_id: int) -> None:
        post = await board_posts.access_post(actor, target_id)
        if not board_posts.may_read_body(actor, post):
            raise NotFound("That post does not exist.")

    async def hide(self, target_id: int) -> bool:
        return await boards_review.set_post_status(target_id, PostStatus.HIDDEN)

    async def delete(self, target_id: int) -> bool:
        return await boards_review.set_post_status(target_id, PostStatus.DELETED)

    async def restore(self, target_id: int) -> bool:
        return await boards_review.set_post_status(
            target_id, PostStatus.VISIBLE, only_from=(PostStatus.HIDDEN, PostStatus.DELETED)
        )

    async def approve(self, target_id: int) -> bool:
        return await boards_review.set_post_status(
            target_id, PostStatus.VISIBLE, only_from=(PostStatus.PENDING,)
        )

    async def edit(self, moderator: User, target_id: int, text: str) -> None:
        await board_posts.edit_post(moderator, target_id, {"body": text})


class TopicAdapter(Adapter):
    """A topic is its title and first post: a held topic waits through its first post."""

    target_type = TargetType.TOPIC.value
    noun = "topic"
    actions = ("hide", "delete", "restore", "approve", "lock")

    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        topic = await boards_review.stored_topic(target_id)
        if topic is None:
            return None
        first = topic["first_post"] or {}
        return {
            "title": topic["title"],
            "text": _clip(first.get("body")),
            "author": topic["author_username"],
            "author_id": topic["author_id"],
            "url": f"/t/{target_id}",
            "status": topic["status"],
        }

    async def visible_to(self, actor: User, target_id: int) -> None:
        await boards_services.access_topic(actor, target_id)

    async def _first_post(self, target_id: int) -> int | None:
        topic = await boards_review.stored_topic(target_id)
        return topic["first_post"]["id"] if topic and topic["first_post"] else None

    async def hide(self, target_id: int) -> bool:
        return await boards_review.set_topic_status(target_id, TopicStatus.HIDDEN)

    async def edit(self, moderator: User, target_id: int, text: str) -> None:
        """A topic's text is its first post's."""
        first = await self._first_post(target_id)
        if first is None:
            raise InvalidInput(fields={"action": "This topic has no opening post to edit."})
        await board_posts.edit_post(moderator, first, {"body": text})

    async def delete(self, target_id: int) -> bool:
        # Topics have no deleted state: hidden from all but moderators, its opening text removed.
        hidden = await boards_review.set_topic_status(target_id, TopicStatus.HIDDEN)
        first = await self._first_post(target_id)
        removed = first is not None and await boards_review.set_post_status(
            first, PostStatus.DELETED
        )
        return hidden or removed

    async def restore(self, target_id: int) -> bool:
        shown = await boards_review.set_topic_status(target_id, TopicStatus.VISIBLE)
        first = await self._first_post(target_id)
        back = first is not None and await boards_review.set_post_status(
            first, PostStatus.VISIBLE, only_from=(PostStatus.DELETED, PostStatus.HIDDEN)
        )
        return shown or back

    async def approve(self, target_id: int) -> bool:
        first = await self._first_post(target_id)
        return first is not None and await boards_review.set_post_status(
            first, PostStatus.VISIBLE, only_from=(PostStatus.PENDING,)
        )

    async def lock(self, target_id: int) -> bool:
        return await boards_review.set_topic_locked(target_id, True)


class AidAdapter(Adapter):
    target_type = TargetType.AID.value
    noun = "offer or request"
    actions = ("hide", "delete", "restore", "approve")

    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        aid = await aid_review.stored_aid(target_id)
        if aid is None:
            return None
        return {
            "title": aid["title"],
            "text": _clip(aid["body"]),
            "author": aid["author_username"],
            "author_id": aid["author_id"],
            "url": f"/aid/{target_id}",
            "status": aid["review"],
        }

    async def visible_to(self, actor: User, target_id: int) -> None:
        await aid_services.access_aid(actor, target_id)

    async def hide(self, target_id: int) -> bool:
        return await aid_review.set_review(target_id, AidReview.HIDDEN)

    # An offer or request keeps its record (responses and hand-off threads hang on it): a
    # deletion hides it for good from everyone but moderators.
    delete = hide

    async def restore(self, target_id: int) -> bool:
        return await aid_review.set_review(
            target_id, AidReview.VISIBLE, only_from=(AidReview.HIDDEN,)
        )

    async def approve(self, target_id: int) -> bool:
        return await aid_review.set_review(
            target_id, AidReview.VISIBLE, only_from=(AidReview.PENDING,)
        )


class MessageAdapter(Adapter):
    """Chat and direct messages: moderators reach a private room's message through a report."""

    target_type = TargetType.MESSAGE.value
    noun = "message"
    actions = ("hide", "delete", "restore")

    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        message = await chat_review.stored_message(target_id)
        if message is None:
            return None
        where = message["room_name"] or f"a {message['room_kind']} conversation"
        return {
            "title": f"Message in {where}",
            "text": _clip(message["body"]),
            "author": message["author_username"],
            "author_id": message["author_id"],
            "url": f"/chat/{message['room_id']}#m-{message['seq']}",
            "status": "deleted"
            if message["deleted"]
            else "hidden"
            if message["hidden"]
            else "visible",
        }

    async def visible_to(self, actor: User, target_id: int) -> None:
        message = await chat_review.stored_message(target_id)
        if message is None or message["deleted"] or message["hidden"]:
            raise NotFound("There is no such message.")
        await chat_rooms.access_room(actor, message["room_id"])

    async def hide(self, target_id: int) -> bool:
        return await chat_review.set_message_hidden(target_id, True)

    async def delete(self, target_id: int) -> bool:
        return await chat_review.delete_message(target_id)

    async def restore(self, target_id: int) -> bool:
        # Only a hidden message comes back: a deletion is a tombstone for good.
        return await chat_review.set_message_hidden(target_id, False)


class UserAdapter(Adapter):
    """A profile: nothing to hide or delete here; a moderator answers with a sanction."""

    target_type = TargetType.USER.value
    noun = "profile"
    actions = ()

    async def snapshot(self, target_id: int) -> dict[str, Any] | None:
        person = await User.get_or_none(id=target_id, status=UserStatus.ACTIVE)
        if person is None:
            return None
        return {
            "title": f"Profile of {person.shown_name}",
            "text": _clip("\n".join(p for p in (person.area, person.bio) if p)),
            "author": person.username,
            "author_id": person.id,
            "url": f"/u/{person.username}",
            "status": person.status,
        }

    async def visible_to(self, actor: User, target_id: int) -> None:
        if not await User.exists(id=target_id, status=UserStatus.ACTIVE):
            raise NotFound("There is no one here by that name.")


ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> None:
    """Make a kind of target reportable (one adapter per target_type)."""
    ADAPTERS[adapter.target_type] = adapter


for _adapter in (PostAdapter(), TopicAdapter(), AidAdapter(), MessageAdapter(), UserAdapter()):
    register(_adapter)


def adapter_for(target_type: str) -> Adapter:
    found = ADAPTERS.get(target_type)
    if found is None:
        raise NotFound("That kind of thing cannot be reported.")
    return found


def describe(snapshot: Mapping[str, Any]) -> str:
    """One line naming what a snapshot is, for lists."""
    return str(snapshot.get("title") or snapshot.get("text", "")[:80])
