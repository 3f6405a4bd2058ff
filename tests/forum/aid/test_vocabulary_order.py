"""Administrators put categories and areas in the order people should see them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.accounts.models import User
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit


async def _slugs(http: httpx.AsyncClient, path: str) -> list[str]:
    answer = await http.get(path)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [e["position"] for e in items] == list(range(len(items)))
    return [e["slug"] for e in items]


async def _id(http: httpx.AsyncClient, path: str, slug: str) -> int:
    items = (await http.get(path)).json()["items"]
    return int(next(e["id"] for e in items if e["slug"] == slug))


@pytest.mark.parametrize("path", ["/api/v1/aid/categories", "/api/v1/areas"])
async def test_an_admin_moves_an_entry_to_a_place_and_the_others_shift(
    client: httpx.AsyncClient, admin: User, path: str
) -> None:
    http = await factories.bearer(client, admin)
    before = await _slugs(http, path)
    third = before[2]
    moved = await http.patch(f"{path}/{await _id(http, path, third)}", json={"position": 0})
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 0
    assert await _slugs(http, path) == [third, *before[:2], *before[3:]]
    # Past the end means last.
    last = await http.patch(f"{path}/{await _id(http, path, third)}", json={"position": 999})
    assert last.json()["position"] == len(before) - 1
    assert await _slugs(http, path) == [*before[:2], *before[3:], third]


@pytest.mark.parametrize("position", [-1, 1000, "2", 1.5, None, True])
async def test_a_bad_position_is_a_422_on_that_field_and_changes_nothing(
    client: httpx.AsyncClient, admin: User, position: Any
) -> None:
    http = await factories.bearer(client, admin)
    path = "/api/v1/areas"
    before = await _slugs(http, path)
    answer = await http.patch(
        f"{path}/{await _id(http, path, before[1])}", json={"position": position}
    )
    assert answer.status_code == 422, answer.text
    assert "position" in answer.json()["error"]["fields"]
    assert await _slugs(http, path) == before


async def test_members_and_moderators_cannot_reorder(
    client: httpx.AsyncClient, make_client: Any, member: User, moderator: User
) -> None:
    for person in (member, moderator):
        http = await factories.bearer(make_client(), person)
        entry = await _id(http, "/api/v1/areas", "mill-lane")
        answer = await http.patch(f"/api/v1/areas/{entry}", json={"position": 0})
        assert answer.status_code == 403
    http = await factories.bearer(client, member)
    assert (await _slugs(http, "/api/v1/areas"))[1] == "mill-lane"


async def test_the_page_moves_entries_up_and_down_with_plain_forms(
    client: httpx.AsyncClient, make_client: Any, admin: User
) -> None:
    await sign_in(client, admin.username)
    page = await client.get("/admin/aid")
    assert page.status_code == 200
    csrf = csrf_from(page.text)
    http = await factories.bearer(make_client(), admin)
    before = await _slugs(http, "/api/v1/aid/categories")
    second = await _id(http, "/api/v1/aid/categories", before[1])
    up = await submit(client, f"/admin/aid/categories/{second}/move", csrf, direction="up")
    assert up.status_code == 303
    assert (await _slugs(http, "/api/v1/aid/categories"))[:2] == [before[1], before[0]]
    # The first entry goes no higher; the last no lower.
    again = await submit(client, f"/admin/aid/categories/{second}/move", csrf, direction="up")
    assert again.status_code == 303
    assert (await _slugs(http, "/api/v1/aid/categories"))[0] == before[1]
    down = await submit(client, f"/admin/aid/categories/{second}/move", csrf, direction="down")
    assert down.status_code == 303
    assert await _slugs(http, "/api/v1/aid/categories") == before
    bad = await submit(client, f"/admin/aid/categories/{second}/move", csrf, direction="sideways")
    assert bad.status_code == 422
    assert "Choose up or down." in bad.text
    no_token = await client.post(f"/admin/aid/categories/{second}/move", data={"direction": "up"})
    assert no_token.status_code == 403
    assert await _slugs(http, "/api/v1/aid/categories") == before


async def test_the_page_offers_no_up_on_the_first_and_no_down_on_the_last(
    client: httpx.AsyncClient, admin: User
) -> None:
    await sign_in(client, admin.username)
    page = (await client.get("/admin/aid")).text
    assert page.count('value="up"') == 14 - 1 + 6 - 1
    assert page.count('value="down"') == 14 - 1 + 6 - 1


async def test_a_member_cannot_move_an_entry_from_the_page(
    client: httpx.AsyncClient, member: User
) -> None:
    await sign_in(client, member.username)
    csrf = csrf_from((await client.get("/aid")).text)
    answer = await submit(client, "/admin/aid/areas/2/move", csrf, direction="up")
    assert answer.status_code == 403


async def test_the_order_is_the_order_of_the_boards_choices(
    client: httpx.AsyncClient, make_client: Any, admin: User
) -> None:
    http = await factories.bearer(client, admin)
    entry = await _id(http, "/api/v1/areas", "town-centre")
    await http.patch(f"/api/v1/areas/{entry}", json={"position": 0})
    browser = make_client()
    await sign_in(browser, admin.username)
    board = (await browser.get("/aid")).text
    assert board.index('value="town-centre"') < board.index('value="elm-street"')
