"""The aid API as API.md fixes it: shapes, bad input, privacy of the name, lists and filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from forum import clock
from forum.accounts.models import User
from tests import factories

NEW = {
    "kind": "request",
    "title": "Meals after surgery",
    "body": "Two weeks of **dinners** for a family of four.",
    "category": "meals",
    "area": "mill-lane",
}
AID_FIELDS = {
    "id",
    "kind",
    "title",
    "body",
    "body_html",
    "category",
    "area",
    "urgency",
    "status",
    "author",
    "created_at",
    "expires_at",
}


async def test_posting_a_request_answers_201_with_the_aid_shape(
    client: httpx.AsyncClient, member: User
) -> None:
    http = await factories.bearer(client, member)
    answer = await http.post("/api/v1/aid", json={**NEW, "urgency": "urgent"})
    assert answer.status_code == 201, answer.text
    aid = answer.json()
    assert set(aid) >= AID_FIELDS
    assert aid["status"] == "open"
    assert aid["urgency"] == "urgent"
    assert aid["category"] == "meals"
    assert aid["area"] == "mill-lane"
    assert "<strong>dinners</strong>" in aid["body_html"]
    assert aid["author"] == {"id": member.id, "username": "maria", "display_name": "Maria"}
    assert aid["created_at"].endswith("Z")
    assert aid["expires_at"].endswith("Z")
    got = await http.get(f"/api/v1/aid/{aid['id']}")
    assert got.json() == aid


def _in(days: float) -> str:
    return clock.iso(clock.now() + timedelta(days=days)) or ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "spaceships"}, "category"),
        ({"area": "the-moon"}, "area"),
        ({"category": "Not A Slug"}, "category"),
        ({"kind": "gift"}, "kind"),
        ({"urgency": "now"}, "urgency"),
        ({"title": ""}, "title"),
        ({"body": "   "}, "body"),
        ({"expires_at": _in(-1)}, "expires_at"),
        ({"expires_at": _in(91)}, "expires_at"),
        ({"expires_at": "next tuesday"}, "expires_at"),
        ({"expires_at": "2026-01-01T10:00:00"}, "expires_at"),  # no time zone
        ({"show_name": "maybe"}, "show_name"),
    ],
)
async def test_bad_input_is_a_422_on_its_field_and_stores_nothing(
    client: httpx.AsyncClient, member: User, change: dict[str, Any], field: str
) -> None:
    http = await factories.bearer(client, member)
    answer = await http.post("/api/v1/aid", json={**NEW, **change})
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["error"]["fields"]
    assert (await http.get("/api/v1/aid")).json()["items"] == []


async def test_expiry_defaults_to_14_days_and_may_be_chosen_up_to_90(
    client: httpx.AsyncClient, member: User
) -> None:
    http = await factories.bearer(client, member)
    plain = (await http.post("/api/v1/aid", json=NEW)).json()
    chosen = (await http.post("/api/v1/aid", json={**NEW, "expires_at": _in(89.9)})).json()
    assert plain["expires_at"][:10] == _in(14)[:10]
    assert chosen["expires_at"][:10] == _in(89.9)[:10]


async def test_offers_and_requests_are_for_members_only(
    client: httpx.AsyncClient, member: User
) -> None:
    aid = await factories.aid(author=member)
    for path in (
        "/api/v1/aid",
        f"/api/v1/aid/{aid['id']}",
        "/api/v1/aid/categories",
        "/api/v1/areas",
        f"/api/v1/aid/{aid['id']}/matches",
    ):
        assert (await client.get(path)).status_code == 401, path


@pytest.mark.parametrize(
    ("viewer", "sees_name"),
    [("member", True), ("moderator", True), ("other_member", False), ("admin", True)],
)
async def test_a_post_without_the_name_shows_author_null_to_all_but_owner_and_moderators(
    client: httpx.AsyncClient,
    member: User,
    other_member: User,
    moderator: User,
    admin: User,
    viewer: str,
    sees_name: bool,
) -> None:
    aid = await factories.aid(author=member, show_name=False)
    people = {
        "member": member,
        "other_member": other_member,
        "moderator": moderator,
        "admin": admin,
    }
    http = await factories.bearer(client, people[viewer])
    detail = (await http.get(f"/api/v1/aid/{aid['id']}")).json()
    listed = (await http.get("/api/v1/aid")).json()["items"][0]
    for shown in (detail, listed):
        assert (shown["author"] is not None) is sees_name
        assert ("maria" in str(shown)) is sees_name


async def test_a_responder_does_not_learn_the_hidden_name_from_the_api(
    client: httpx.AsyncClient, member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member, show_name=False)
    http = await factories.bearer(client, other_member)
    await http.post(f"/api/v1/aid/{aid['id']}/responses", json={"message": "I can help"})
    assert (await http.get(f"/api/v1/aid/{aid['id']}")).json()["author"] is None


async def test_the_owner_edits_while_open_and_nobody_else(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    aid = await factories.aid(author=member)
    owner = await factories.bearer(client, member)
    other = await factories.bearer(make_client(), other_member)
    path = f"/api/v1/aid/{aid['id']}"
    assert (await other.patch(path, json={"title": "Mine now"})).status_code == 403
    answer = await owner.patch(path, json={"title": "A cot or a crib", "area": "hope-court"})
    assert answer.status_code == 200
    assert answer.json()["title"] == "A cot or a crib"
    assert answer.json()["area"] == "hope-court"
    assert (await owner.patch(path, json={"area": "nowhere"})).status_code == 422
    await owner.post(f"{path}/status", json={"status": "withdrawn"})
    assert (await owner.patch(path, json={"title": "Again"})).status_code == 409


async def test_the_list_filters_sorts_and_pages(client: httpx.AsyncClient, member: User) -> None:
    made = []
    for n, (kind, urgency, category, area) in enumerate(
        [
            ("request", "low", "meals", "elm-street"),
            ("offer", "urgent", "meals", "mill-lane"),
            ("request", "urgent", "rides", "elm-street"),
            ("request", "normal", "meals", "elm-street"),
        ]
    ):
        made.append(
            await factories.aid(
                author=member,
                kind=kind,
                urgency=urgency,
                category=category,
                area=area,
                title=f"Post number {n}",
                expires_at=_in(10 - n),
            )
        )
    ids = [m["id"] for m in made]
    http = await factories.bearer(client, member)

    async def listed(query: str) -> list[int]:
        answer = await http.get("/api/v1/aid?" + query)
        assert answer.status_code == 200, answer.text
        return [a["id"] for a in answer.json()["items"]]

    assert await listed("") == ids[::-1]
    assert await listed("kind=offer") == [ids[1]]
    assert await listed("category=meals&area=elm-street") == [ids[3], ids[0]]
    assert await listed("urgency=urgent") == [ids[2], ids[1]]
    assert await listed("status=matched") == []
    assert await listed("sort=urgent") == [ids[2], ids[1], ids[3], ids[0]]
    assert await listed("sort=expiring") == ids[::-1]
    for sort in ("newest", "urgent", "expiring"):
        seen, cursor = [], None
        while True:
            page = (
                await http.get(
                    f"/api/v1/aid?sort={sort}&limit=1" + (f"&cursor={cursor}" if cursor else "")
                )
            ).json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == await listed(f"sort={sort}")
    for bad in ("kind=gift", "category=unknown", "sort=random", "status=lost"):
        assert (await http.get("/api/v1/aid?" + bad)).status_code == 422, bad
    assert (await http.get("/api/v1/aid?cursor=forged")).status_code == 400


async def test_vocabularies_list_and_admins_edit_them(
    client: httpx.AsyncClient, make_client: Any, member: User, admin: User
) -> None:
    http = await factories.bearer(client, member)
    categories = (await http.get("/api/v1/aid/categories")).json()
    assert categories["next_cursor"] is None
    assert {"slug": "meals", "name": "Meals"}.items() <= categories["items"][1].items()
    assert len(categories["items"]) == 14
    assert (await http.get("/api/v1/areas")).json()["items"][0]["slug"] == "elm-street"
    new_area = {"slug": "riverside", "name": "Riverside"}
    assert (await http.post("/api/v1/areas", json=new_area)).status_code == 403
    boss = await factories.bearer(make_client(), admin)
    added = await boss.post("/api/v1/areas", json=new_area)
    assert added.status_code == 201
    assert (await boss.post("/api/v1/areas", json=new_area)).status_code == 422
    renamed = await boss.patch(f"/api/v1/areas/{added.json()['id']}", json={"name": "By the river"})
    assert renamed.json()["name"] == "By the river"
    await factories.aid(author=member, area="riverside")
    assert (await boss.delete(f"/api/v1/areas/{added.json()['id']}")).status_code == 409
    pets = next(c for c in categories["items"] if c["slug"] == "pets")
    assert (await boss.delete(f"/api/v1/aid/categories/{pets['id']}")).status_code == 204
    page = (await http.get("/api/v1/aid/categories?limit=5")).json()
    assert len(page["items"]) == 5
    assert page["next_cursor"]
