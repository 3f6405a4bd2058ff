"""Responses to offers and requests, each with its private hand-off room, accepted or declined."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from forum import database, events, ratelimits
from forum.accounts import blocks, standing
from forum.accounts.models import User
from forum.aid import forms, services
from forum.aid.models import AidResponse, AidStatus, ResponseStatus
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.errors import Conflict, NotFound, PermissionDenied
from forum.guards import require_member
from forum.notifications import services as notifications
from forum.validation import FieldErrors

COLUMNS = ("id", "aid_id", "responder_id", "message", "status", "created_at", "room_id")
_SELECT = (
    "SELECT s.id, s.aid_id, s.responder_id, s.message, s.status, s.created_at, s.room_id, "
    "u.username AS responder_username, u.display_name AS responder_display_name "
    "FROM aid_responses s JOIN users u ON u.id = s.responder_id "
)


def withheld_owner(aid: dict[str, Any]) -> dict[int, str]:
    """A post without the name shown: its owner is "a neighbour in <area>" in every thread
    until they accept that response."""
    if aid["show_name"]:
        return {}
    return {aid["author_id"]: f"a neighbour in {aid['area_name']}"}


async def _responses(condition: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    return await database.fetch(_SELECT + condition, params, times=("created_at",))


async def respond(actor: User | None, aid_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """ "I can help" or "I'd like this": a message, and a private room for the two people."""
    user = require_member(actor)
    standing.require_voice(user)
    aid = await services.access_aid(user, aid_id)
    if not services.may_respond(user, aid):
        raise PermissionDenied("You cannot respond to your own post.", code="own_post")
    if aid["my_response"] is not None:
        raise Conflict("You have already responded to this post.", code="already_responded")
    if aid["status"] != AidStatus.OPEN:
        raise Conflict(f"This post is {aid['status']}: it takes no more responses.", code="closed")
    owner = await User.get(id=aid["author_id"])
    # Neither of two people apart by a block may reach the other through a response.
    await blocks.require_not_blocked(user, owner, "respond to this post")
    errors = FieldErrors()
    message = forms.RESPONSE.read(data, errors).get("message", "")
    errors.raise_if_any()
    await ratelimits.check_action("aid_response", actor_id=user.id)
    try:
        async with database.transaction():
            room = await chat_rooms.open_linked_room(
                [owner, user],
                name=f"Hand-off: {aid['title']}"[:80],
                aid_id=aid_id,
                shown_as=withheld_owner(aid),
            )
            response = await AidResponse.create(
                aid_id=aid_id, responder_id=user.id, message=message, room_id=room["id"]
            )
            # The message opens the thread, where the two people carry on.
            await chat.send_message(user, room["id"], message)
            await notifications.notify(
                [owner.id],
                "aid.response_received",
                f"{user.shown_name} responded to “{aid['title']}”",
                f"/aid/{aid_id}",
            )
            await events.publish(
                "aid.response_created",
                events.to_user(owner.id),
                aid_id=aid_id,
                response_id=response.id,
            )
    except IntegrityError:
        raise Conflict(
            "You have already responded to this post.", code="already_responded"
        ) from None
    return (await _responses("WHERE s.id = ?", (response.id,)))[0]


async def list_responses(actor: User | None, aid_id: int) -> list[dict[str, Any]]:
    """The owner sees every response, a responder their own; to anyone else they are absent."""
    user = require_member(actor)
    aid = await services.access_aid(user, aid_id)
    if services.is_owner(user, aid):
        return await _responses("WHERE s.aid_id = ? ORDER BY s.id", (aid_id,))
    if aid["my_response"] is None:
        raise NotFound("There is no such response.")
    return await _responses("WHERE s.id = ?", (aid["my_response"]["id"],))


async def access_response(
    actor: User | None, aid_id: int, response_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(post, response) when this person is one of its two people; else absent (404)."""
    aid = await services.access_aid(actor, aid_id)
    found = await _responses("WHERE s.id = ? AND s.aid_id = ?", (response_id, aid_id))
    if not found or not services.may_see_response(actor, aid, found[0]["responder_id"]):
        raise NotFound("There is no such response.")
    return aid, found[0]


async def accept(actor: User | None, aid_id: int, response_id: int) -> dict[str, Any]:
    """The owner takes one response: the post is matched, the others hear it was taken."""
    aid, response = await access_response(actor, aid_id, response_id)
    if not services.may_accept(actor, aid):
        raise PermissionDenied("Only the owner of the post can accept a response.")
    if response["status"] != ResponseStatus.PENDING or aid["status"] != AidStatus.OPEN:
        raise Conflict(
            services.refusal(aid["status"], AidStatus.MATCHED)
            if aid["status"] != AidStatus.OPEN
            else "Only a pending response can be accepted.",
            code="lifecycle",
        )
    owner = cast(User, actor)
    async with database.transaction():
        if not await services.move(aid_id, AidStatus.OPEN, AidStatus.MATCHED, owner.id):
            raise Conflict("The post changed meanwhile; look again.", code="lifecycle")
        await AidResponse.filter(id=response_id).update(status=ResponseStatus.ACCEPTED)
        # Accepting is when the helper learns who asked (issue 7): the thread names them now.
        await chat_rooms.show_member_as(response["room_id"], owner.id, None)
        others = cast(
            list[int],
            await AidResponse.filter(aid_id=aid_id, status=ResponseStatus.PENDING).values_list(
                "responder_id", flat=True
            ),
        )
        await AidResponse.filter(aid_id=aid_id, status=ResponseStatus.PENDING).update(
            status=ResponseStatus.DECLINED
        )
        await notifications.notify(
            [response["responder_id"]],
            "aid.response_accepted",
            f"Your response to “{aid['title']}” was accepted",
            f"/chat/{response['room_id']}",
        )
        await notifications.notify(
            others,
            "aid.taken",
            f"“{aid['title']}” was taken by someone else; thank you",
            f"/aid/{aid_id}",
        )
    return await services.access_aid(actor, aid_id)


async def decline(actor: User | None, aid_id: int, response_id: int) -> dict[str, Any]:
    """The owner turns a pending response down; its responder is told."""
    aid, response = await access_response(actor, aid_id, response_id)
    if not services.may_accept(actor, aid):
        raise PermissionDenied("Only the owner of the post can decline a response.")
    async with database.transaction():
        declined = await AidResponse.filter(id=response_id, status=ResponseStatus.PENDING).update(
            status=ResponseStatus.DECLINED
        )
        if not declined:
            raise Conflict("Only a pending response can be declined.", code="lifecycle")
        await notifications.notify(
            [response["responder_id"]],
            "aid.response_declined",
            f"Your response to “{aid['title']}” was declined",
            f"/aid/{aid_id}",
        )
    response["status"] = ResponseStatus.DECLINED.value
    return response
