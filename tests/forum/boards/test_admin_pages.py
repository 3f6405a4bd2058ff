"""Board administration pages: creating, editing and reordering boards, for admins only."""

from __future__ import annotations

import httpx

from forum.accounts.models import User
from forum.boards.models import Board
from tests import factories
from tests.forum.pages import submit

# Board administration -------------------------------------------------------------------------


async def test_an_admin_creates_a_board_through_the_form(
    client: httpx.AsyncClient, admin: User
) -> None:
    csrf = await factories.login_cookie(client, "adminada")
    response = await submit(
        client,
        "/admin/boards",
        csrf,
        slug="ask-for-help",
        name="Ask for help",
        description="No question too small.",
        visibility="members",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/boards?notice=board_created"
    board = await Board.get(slug="ask-for-help")
    assert (board.name, board.visibility) == ("Ask for help", "members")
    page = await client.get(response.headers["location"])
    assert "The board is ready." in page.text
    assert "Ask for help" in page.text


async def test_board_form_errors_keep_the_input(client: httpx.AsyncClient, admin: User) -> None:
    await factories.board(slug="general")
    csrf = await factories.login_cookie(client, "adminada")
    response = await submit(
        client,
        "/admin/boards",
        csrf,
        slug="General Chat",
        name="General chat",
        description="",
        visibility="public",
    )
    assert response.status_code == 422
    assert "Use lowercase letters, digits and single hyphens" in response.text
    assert 'value="General Chat"' in response.text
    duplicate = await submit(
        client, "/admin/boards", csrf, slug="general", name="Again", visibility="public"
    )
    assert duplicate.status_code == 422
    assert "A board already uses that address." in duplicate.text


async def test_members_cannot_create_boards(client: httpx.AsyncClient, member: User) -> None:
    csrf = await factories.login_cookie(client, "maria")
    response = await submit(
        client, "/admin/boards", csrf, slug="mine", name="Mine", visibility="public"
    )
    assert response.status_code == 403
    assert not await Board.exists()


async def test_an_admin_reorders_boards(client: httpx.AsyncClient, admin: User) -> None:
    first = await factories.board(slug="first", name="First")
    await factories.board(slug="second", name="Second")
    csrf = await factories.login_cookie(client, "adminada")
    response = await submit(client, f"/admin/boards/{first['id']}/move", csrf, step="1")
    assert response.status_code == 303
    home = (await client.get("/")).text
    assert home.index(">Second<") < home.index(">First<")
    bad = await submit(client, f"/admin/boards/{first['id']}/move", csrf, step="5")
    assert bad.status_code == 400


async def test_an_admin_edits_a_board(client: httpx.AsyncClient, admin: User) -> None:
    board = await factories.board(slug="general", name="General")
    csrf = await factories.login_cookie(client, "adminada")
    form = await client.get(f"/admin/boards/{board['id']}/edit")
    assert 'value="general"' in form.text
    response = await submit(
        client,
        f"/admin/boards/{board['id']}/edit",
        csrf,
        slug="town-square",
        name="Town square",
        description="Everything local.",
        visibility="public",
    )
    assert response.status_code == 303
    assert (await Board.get(id=board["id"])).slug == "town-square"
    bad = await submit(
        client,
        f"/admin/boards/{board['id']}/edit",
        csrf,
        slug="town-square",
        name="",
        visibility="public",
    )
    assert bad.status_code == 422
    assert 'id="name-error"' in bad.text
