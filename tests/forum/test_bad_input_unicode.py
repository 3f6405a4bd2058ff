"""Characters that disguise text are refused in names and titles, empty-looking posts too;
real writing (emoji sequences, Persian with ZWNJ, soft hyphens in a post) still passes."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts.models import User
from forum.boards.models import Board, Post, Topic
from tests import factories
from tests.forum import pages

# The characters the issue names, by what they are: each one hides or disguises text.
DISGUISING = {
    "soft-hyphen": "\u00ad",
    "left-to-right-mark": "\u200e",
    "right-to-left-mark": "\u200f",
    "word-joiner": "\u2060",
    "hangul-filler": "\u3164",
    "c1-next-line": "\u0085",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "zero-width-space": "\u200b",
    "byte-order-mark": "\ufeff",
    # More of the same categories and fillers, beyond the list.
    "right-to-left-override": "\u202e",
    "hangul-choseong-filler": "\u115f",
    "halfwidth-hangul-filler": "\uffa0",
    "braille-blank": "\u2800",
    "combining-grapheme-joiner": "\u034f",
    "private-use": "\ue000",
    "unassigned": "\U000e0080",
}
each_character = pytest.mark.parametrize("char", list(DISGUISING.values()), ids=list(DISGUISING))

# Bodies that render as nothing a reader can see.
EMPTY_LOOKING = {
    "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d",
    "zero-width-non-joiner": "\u200c",
    "word-joiner": "\u2060",
    "byte-order-mark": "\ufeff",
    "soft-hyphen": "\u00ad",
    "direction-marks": "\u200e\u200f",
    "hangul-filler": "\u3164",
    "braille-blank": "\u2800",
    "all-of-them": "\u200b\u200c\u200d\u2060\ufeff\u00ad",
    "on-several-lines": "\u200b\n\u200d\n\n\u2060",
    "as-an-entity": "&#8203;&zwj;",
    "lone-combining-mark": "\u0301",
}
each_empty_body = pytest.mark.parametrize(
    "body", list(EMPTY_LOOKING.values()), ids=list(EMPTY_LOOKING)
)


def _field_error(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text[:500]
    assert field in response.json()["error"]["fields"]


def _form_error(response: httpx.Response, field: str) -> None:
    """A refused HTML form: 422, the form again with the error beside the field."""
    assert response.status_code == 422, response.text[:500]
    assert f'id="{field}-error"' in response.text


# Display names and usernames ------------------------------------------------------------------


def _joining(username: str = "newcomer", **more: object) -> dict[str, object]:
    return {"username": username, "email": "new@example.org", "password": "a long pass phrase"}


@each_character
async def test_a_display_name_with_a_disguising_character_is_refused_at_sign_up(
    client: httpx.AsyncClient, db: None, char: str
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={**_joining(), "display_name": f"Ro{char}sa"}
    )
    _field_error(response, "display_name")
    assert await User.all().count() == 0


@each_character
async def test_the_sign_up_form_refuses_a_disguised_display_name(
    client: httpx.AsyncClient, db: None, char: str
) -> None:
    csrf = await pages.form_token(client, "/register")
    response = await pages.join(
        client, csrf, "newcomer", "new@example.org", "a long pass phrase", display_name=f"{char}Ro"
    )
    _form_error(response, "display_name")
    assert await User.all().count() == 0


@each_character
async def test_a_display_name_with_a_disguising_character_is_refused_in_the_profile(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    await factories.bearer(client, member)
    response = await client.patch("/api/v1/me", json={"display_name": f"Ma{char}ria"})
    _field_error(response, "display_name")
    assert (await User.get(id=member.id)).display_name == "Maria"


@each_character
async def test_the_settings_form_refuses_a_disguised_display_name(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    await pages.sign_in(client, "maria")
    csrf = await pages.form_token(client, "/settings")
    response = await pages.submit(client, "/settings", csrf, display_name=f"Ma{char}ria")
    _form_error(response, "display_name")
    assert (await User.get(id=member.id)).display_name == "Maria"


@each_character
async def test_a_username_with_a_disguising_character_is_refused(
    client: httpx.AsyncClient, db: None, char: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=_joining(f"ro{char}sa"))
    _field_error(response, "username")
    assert await User.all().count() == 0


# Titles ---------------------------------------------------------------------------------------


@each_character
async def test_a_title_with_a_disguising_character_is_refused(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    await factories.board()
    await factories.bearer(client, member)
    response = await client.post(
        "/api/v1/boards/general/topics", json={"title": f"Free{char} sofa", "body": "Come by."}
    )
    _field_error(response, "title")
    assert await Topic.all().count() == 0
    assert await Post.all().count() == 0


@each_character
async def test_the_new_topic_form_refuses_a_disguised_title(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    await factories.board()
    await pages.sign_in(client, "maria")
    csrf = await pages.form_token(client, "/b/general/new")
    response = await pages.submit(
        client, "/b/general/new", csrf, title=f"Free{char} sofa", body="Come by."
    )
    _form_error(response, "title")
    assert await Topic.all().count() == 0


@each_character
async def test_a_retitle_with_a_disguising_character_changes_nothing(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    topic = await factories.topic(author=member, title="Free sofa")
    await factories.bearer(client, member)
    response = await client.patch(f"/api/v1/topics/{topic['id']}", json={"title": f"Free{char}"})
    _field_error(response, "title")
    assert (await Topic.get(id=topic["id"])).title == "Free sofa"


@each_character
async def test_the_topic_edit_form_refuses_a_disguised_title(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    topic = await factories.topic(author=member, title="Free sofa")
    await pages.sign_in(client, "maria")
    path = f"/t/{topic['id']}/edit"
    response = await pages.submit(
        client, path, await pages.form_token(client, path), title=f"Free {char}sofa"
    )
    _form_error(response, "title")
    assert (await Topic.get(id=topic["id"])).title == "Free sofa"


# Board names ----------------------------------------------------------------------------------


@each_character
async def test_a_board_name_with_a_disguising_character_is_refused(
    client: httpx.AsyncClient, admin: User, char: str
) -> None:
    await factories.bearer(client, admin)
    response = await client.post("/api/v1/boards", json={"slug": "news", "name": f"Ne{char}ws"})
    _field_error(response, "name")
    assert not await Board.exists()


@each_character
async def test_renaming_a_board_with_a_disguising_character_changes_nothing(
    client: httpx.AsyncClient, admin: User, char: str
) -> None:
    board = await factories.board(name="General")
    await factories.bearer(client, admin)
    response = await client.patch(f"/api/v1/boards/{board['id']}", json={"name": f"{char}General"})
    _field_error(response, "name")
    assert (await Board.get(id=board["id"])).name == "General"


@each_character
async def test_the_board_forms_refuse_a_disguised_name(
    client: httpx.AsyncClient, admin: User, char: str
) -> None:
    board = await factories.board(name="General")
    await pages.sign_in(client, "adminada")
    csrf = await pages.form_token(client, "/admin/boards")
    created = await pages.submit(
        client, "/admin/boards", csrf, slug="news", name=f"Ne{char}ws", visibility="public"
    )
    _form_error(created, "name")
    edit = f"/admin/boards/{board['id']}/edit"
    edited = await pages.submit(
        client, edit, csrf, slug="general", name=f"Gen{char}eral", visibility="public"
    )
    _form_error(edited, "name")
    assert await Board.all().values_list("name", flat=True) == ["General"]


# Bodies that show nothing ---------------------------------------------------------------------


@each_empty_body
async def test_a_topic_whose_post_shows_nothing_is_refused(
    client: httpx.AsyncClient, member: User, body: str
) -> None:
    await factories.board()
    await factories.bearer(client, member)
    response = await client.post(
        "/api/v1/boards/general/topics", json={"title": "Look at this", "body": body}
    )
    _field_error(response, "body")
    assert await Topic.all().count() == 0
    assert await Post.all().count() == 0


@each_empty_body
async def test_a_reply_that_shows_nothing_is_refused(
    client: httpx.AsyncClient, member: User, body: str
) -> None:
    topic = await factories.topic(author=member)
    await factories.bearer(client, member)
    response = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": body})
    _field_error(response, "body")
    assert await Post.all().count() == 1


@each_empty_body
async def test_an_edit_that_would_show_nothing_changes_nothing(
    client: httpx.AsyncClient, member: User, body: str
) -> None:
    topic = await factories.topic(author=member, body="Glad to be here.")
    post = await Post.get(topic_id=topic["id"])
    await factories.bearer(client, member)
    response = await client.patch(f"/api/v1/posts/{post.id}", json={"body": body})
    _field_error(response, "body")
    assert (await Post.get(id=post.id)).body == "Glad to be here."


@each_empty_body
async def test_the_reply_form_refuses_a_post_that_shows_nothing(
    client: httpx.AsyncClient, member: User, body: str
) -> None:
    topic = await factories.topic(author=member)
    await pages.sign_in(client, "maria")
    csrf = await pages.form_token(client, f"/t/{topic['id']}")
    response = await pages.submit(client, f"/t/{topic['id']}/reply?page=1", csrf, body=body)
    _form_error(response, "body")
    assert await Post.all().count() == 1


# Real writing still passes --------------------------------------------------------------------

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # woman, ZWJ, woman, ZWJ, girl
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a ZWNJ


async def test_an_emoji_zwj_sequence_is_a_fine_display_name(
    client: httpx.AsyncClient, db: None
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={**_joining(), "display_name": f"Rosa {FAMILY}"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["display_name"] == f"Rosa {FAMILY}"


async def test_an_emoji_zwj_sequence_alone_is_a_fine_profile_name(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.bearer(client, member)
    response = await client.patch("/api/v1/me", json={"display_name": FAMILY})
    assert response.status_code == 200, response.text
    assert (await User.get(id=member.id)).display_name == FAMILY


async def test_persian_with_a_zero_width_non_joiner_is_a_fine_title(
    client: httpx.AsyncClient, member: User
) -> None:
    await factories.board()
    await factories.bearer(client, member)
    response = await client.post(
        "/api/v1/boards/general/topics", json={"title": PERSIAN, "body": PERSIAN}
    )
    assert response.status_code == 201, response.text
    assert (await Topic.get()).title == PERSIAN


async def test_a_soft_hyphen_inside_a_post_is_kept(client: httpx.AsyncClient, member: User) -> None:
    topic = await factories.topic(author=member)
    await factories.bearer(client, member)
    body = "The Donau\u00addampf\u00adschiff\u00adfahrt is back, word\u2060joiner and all."
    response = await client.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": body})
    assert response.status_code == 201, response.text
    assert response.json()["body"] == body
    assert "\u00ad" in response.json()["body_html"] or "&shy;" in response.json()["body_html"]
