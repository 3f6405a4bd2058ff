"""Names people may take: no hidden or reordering characters, and no passing for staff."""

from __future__ import annotations

import httpx
import pytest

from forum.accounts import services
from forum.accounts.models import User
from forum.content.lookalikes import skeleton, words
from forum.errors import InvalidInput
from tests import factories
from tests.forum.pages import form_token, join, submit

PASSWORD = "a quiet street at dusk"
HIDDEN = "Contains characters that are not allowed."
STAFF_WORD = "Names like the site's or its staff's are kept for staff; choose another."
STAFF_NAME = "That name looks like one of our moderators'; choose another."


def _sign_up(username: str, display_name: str = "") -> dict[str, str]:
    body = {"username": username, "email": f"{username}@example.org", "password": PASSWORD}
    return {**body, "display_name": display_name} if display_name else body


# --- hidden characters: the same families links refuse ----------------------------------------

HIDING = [
    pytest.param("\u202a", id="lre"),
    pytest.param("\u202b", id="rle"),
    pytest.param("\u202c", id="pdf"),
    pytest.param("\u202d", id="lro"),
    pytest.param("\u202e", id="rlo"),
    pytest.param("\u2066", id="lri"),
    pytest.param("\u2067", id="rli"),
    pytest.param("\u2068", id="fsi"),
    pytest.param("\u2069", id="pdi"),
    pytest.param("\u200e", id="lrm"),
    pytest.param("\u200f", id="rlm"),
    pytest.param("\u061c", id="arabic-letter-mark"),
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param("\u2060", id="word-joiner"),
    pytest.param("\ufeff", id="byte-order-mark"),
    pytest.param("\u00ad", id="soft-hyphen"),
    pytest.param("\u2028", id="line-separator"),
    pytest.param("\u2029", id="paragraph-separator"),
    pytest.param("\x07", id="bell"),
    pytest.param("\x1b", id="escape"),
    pytest.param("\x85", id="next-line"),
    pytest.param("\x00", id="nul"),
]


@pytest.mark.parametrize("char", HIDING)
async def test_a_display_name_with_a_hidden_character_is_refused_at_sign_up(
    client: httpx.AsyncClient, db: None, char: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=_sign_up("rosie", f"Ro{char}sie"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"display_name": HIDDEN}
    assert not await User.filter(username_key="rosie").exists()


@pytest.mark.parametrize("char", HIDING)
async def test_a_display_name_with_a_hidden_character_is_refused_on_the_profile(
    client: httpx.AsyncClient, member: User, char: str
) -> None:
    http = await factories.bearer(client, member)
    response = await http.patch("/api/v1/me", json={"display_name": f"Maria {char}G."})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"display_name": HIDDEN}
    assert (await User.get(id=member.id)).display_name == "Maria"


async def test_a_persian_name_keeps_its_zero_width_non_joiner(db: None) -> None:
    # ZWNJ (U+200C) is how Persian writes this name: single-line fields keep joiners.
    person = await services.register(
        {**_sign_up("mehrdad"), "display_name": "مهر\u200cداد"}, signup="open"
    )
    assert person.display_name == "مهر\u200cداد"


# --- passing for staff -------------------------------------------------------------------------

POSING_NAMES = [
    pytest.param("Moderator", id="plain"),
    pytest.param("moderator", id="lower-case"),
    pytest.param("Admin", id="admin"),
    pytest.param("The Administrator", id="administrator-inside"),
    pytest.param("Porchlight Team", id="site-name"),
    pytest.param("Staff", id="staff"),
    pytest.param("Ask Staff", id="staff-inside"),
    pytest.param("MODERATOR MO", id="upper-case-inside"),
    pytest.param("Mödérätör", id="accents"),
    pytest.param("M o d e r a t o r", id="spaced-out"),
    pytest.param("Mod.Erator", id="punctuated"),
    pytest.param("Mod\u200derator", id="zero-width-joiner-inside"),
    pytest.param("M0derat0r", id="digit-zero-for-o"),
    pytest.param("4dm1n", id="digits-for-letters"),
    pytest.param("Аdmin", id="cyrillic-a"),
    pytest.param("Adмin", id="cyrillic-m"),
    pytest.param("ѕtaff", id="cyrillic-dze-for-s"),
    pytest.param("Ρorchlight", id="greek-capital-rho"),
    pytest.param("Porchiight", id="i-for-l"),
    pytest.param("P0rch1ight", id="digits-for-o-and-l"),
    pytest.param("Rnoderator", id="rn-for-m"),
    pytest.param("Admiin", id="doubled-letter"),
    pytest.param("ａｄｍｉｎ", id="fullwidth"),
    pytest.param("ᴀᴅᴍɪɴ", id="small-capitals"),
    pytest.param("Adm!n", id="exclamation-for-i"),
    pytest.param("Sysadmin", id="admin-ending-a-word"),
    pytest.param("Adminjo", id="admin-starting-a-word"),
    pytest.param("TheAdmin", id="admin-after-a-capital"),
    pytest.param("Admin2024", id="admin-with-digits"),
    pytest.param("Admins", id="admin-plural"),
    pytest.param("Ad-min", id="admin-split"),
    pytest.param("Sta ff", id="staff-split"),
    pytest.param("Site Staffs", id="staff-plural"),
    pytest.param("Badministrator", id="administrator-inside-a-word"),
    pytest.param("Moderatorbob", id="moderator-inside-a-word"),
]


@pytest.mark.parametrize("name", POSING_NAMES)
async def test_a_display_name_passing_for_staff_is_refused_at_sign_up(
    client: httpx.AsyncClient, db: None, name: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=_sign_up("neighbour", name))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"display_name": STAFF_WORD}


@pytest.mark.parametrize("name", POSING_NAMES)
async def test_a_display_name_passing_for_staff_is_refused_on_the_profile(
    client: httpx.AsyncClient, member: User, name: str
) -> None:
    http = await factories.bearer(client, member)
    response = await http.patch("/api/v1/me", json={"display_name": name})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"display_name": STAFF_WORD}
    assert (await User.get(id=member.id)).display_name == "Maria"


@pytest.mark.parametrize(
    "username",
    [
        "admin",
        "siteadmin",
        "admin_jo",
        "Administrator",
        "moderator_mo",
        "porchlight-help",
        "the_staff",
        "adm1n",
        "m0d3rat0r",
    ],
)
async def test_a_username_passing_for_staff_is_refused_at_sign_up(
    client: httpx.AsyncClient, db: None, username: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=_sign_up(username, "Jo"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"username": STAFF_WORD}


# A name that holds a short staff word inside a longer word of its own is an ordinary name:
# "admin" is refused only where a word begins or ends with it (and never across two words, as
# in "Brad Min"), "staff" only as a word of its own; "moderator", "administrator" and
# "porchlight" stay refused anywhere (above), since no ordinary word holds them.
ORDINARY_NAMES_HOLDING_A_STAFF_WORD = [
    pytest.param("Badminton Bob", id="badminton"),
    pytest.param("Sysadmina", id="admin-inside-a-word"),
    pytest.param("Gladminton", id="admin-inside-a-made-up-word"),
    pytest.param("Brad Min", id="admin-across-two-words"),
    pytest.param("Stafford", id="stafford"),
    pytest.param("Falstaff", id="falstaff"),
    pytest.param("Flagstaff Fiona", id="flagstaff"),
    pytest.param("Staffan Berg", id="staffan"),
]


@pytest.mark.parametrize("name", ORDINARY_NAMES_HOLDING_A_STAFF_WORD)
async def test_a_name_holding_a_staff_word_inside_another_word_is_welcome(
    client: httpx.AsyncClient, member: User, name: str
) -> None:
    signed_up = await client.post("/api/v1/auth/register", json=_sign_up("neighbour", name))
    assert signed_up.status_code == 201, signed_up.text
    assert signed_up.json()["user"]["display_name"] == name
    http = await factories.bearer(client, member)
    changed = await http.patch("/api/v1/me", json={"display_name": name})
    assert changed.status_code == 200, changed.text
    assert (await User.get(id=member.id)).display_name == name


@pytest.mark.parametrize("username", ["badminton_bob", "sysadmina", "stafford"])
async def test_a_username_holding_a_staff_word_inside_another_word_is_welcome(
    client: httpx.AsyncClient, db: None, username: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=_sign_up(username, "Jo"))
    assert response.status_code == 201, response.text


async def test_a_name_like_a_staff_members_is_refused(
    client: httpx.AsyncClient, moderator: User
) -> None:
    await User.filter(id=moderator.id).update(display_name="Mira Okafor")
    cases = [
        ("neighbour", "M1ra 0kafor", "display_name"),  # the moderator's display name
        ("neighbour", "Real Mira Okafor", "display_name"),  # containing it
        ("modmira", "Jo", "username"),  # the moderator's username: taken anyway
        ("mod_mira_", "Jo", "username"),
        ("neighbour", "ModMira", "display_name"),
        ("neighbour", "m0dmira here", "display_name"),
    ]
    for username, display_name, field in cases:
        response = await client.post("/api/v1/auth/register", json=_sign_up(username, display_name))
        assert response.status_code == 422, (username, display_name)
        fields = response.json()["error"]["fields"]
        assert field in fields, (username, display_name, fields)
    refused = await client.post("/api/v1/auth/register", json=_sign_up("neighbour", "ModMira"))
    assert refused.json()["error"]["fields"] == {"display_name": STAFF_NAME}


async def test_a_short_staff_name_is_refused_only_whole(db: None) -> None:
    staff = await factories.user(username="ann", role="moderator")
    await User.filter(id=staff.id).update(display_name="Ann")
    with pytest.raises(InvalidInput) as refused:
        await services.register(_sign_up("neighbour", "ANN"), signup="open")
    assert refused.value.fields == {"display_name": STAFF_NAME}
    joanne = await services.register(_sign_up("joanne", "Joanne Annan"), signup="open")
    assert joanne.display_name == "Joanne Annan"


async def test_a_former_staff_members_name_is_free_once_they_step_down(db: None) -> None:
    staff = await factories.user(username="walterb", role="moderator")
    await User.filter(id=staff.id).update(role="member")
    person = await services.register(_sign_up("neighbour", "Walterb"), signup="open")
    assert person.display_name == "Walterb"


@pytest.mark.parametrize(
    "name",
    ["Maria", "Sam Okafor", "José Núñez", "Rosa Delgado", "Mo", "Ibrahim K.", "مهر\u200cداد"],
)
async def test_ordinary_names_are_welcome(client: httpx.AsyncClient, db: None, name: str) -> None:
    response = await client.post("/api/v1/auth/register", json=_sign_up("neighbour", name))
    assert response.status_code == 201, response.text
    assert response.json()["user"]["display_name"] == name


async def test_staff_may_wear_staff_names(client: httpx.AsyncClient, moderator: User) -> None:
    http = await factories.bearer(client, moderator)
    response = await http.patch("/api/v1/me", json={"display_name": "Mira (moderator)"})
    assert response.status_code == 200
    assert response.json()["user"]["display_name"] == "Mira (moderator)"


async def test_the_sign_up_page_keeps_the_input_and_names_the_field(
    client: httpx.AsyncClient, db: None
) -> None:
    token = await form_token(client, "/register")
    response = await join(
        client, token, "neighbour", "n@example.org", PASSWORD, display_name="Porchlight Help"
    )
    assert response.status_code == 422
    assert STAFF_WORD.replace("'", "&#39;") in response.text
    assert 'value="Porchlight Help"' in response.text
    assert 'value="n@example.org"' in response.text
    assert not await User.filter(username_key="neighbour").exists()


async def test_the_settings_page_keeps_the_input_and_names_the_field(
    client: httpx.AsyncClient, member: User
) -> None:
    token = await factories.login_cookie(client, "maria")
    response = await submit(
        client, "/settings", token, display_name="Admin Maria", area="Elm Street", bio=""
    )
    assert response.status_code == 422
    assert STAFF_WORD.replace("'", "&#39;") in response.text
    assert 'value="Admin Maria"' in response.text
    assert 'value="Elm Street"' in response.text
    assert (await User.get(id=member.id)).display_name == "Maria"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("A.d.m.i.n", "admin"),
        ("ÁDMIN", "admin"),
        ("Ad\u200bmin", "admin"),
        ("аdmin", "admin"),
        ("4dm1n", "admin"),
        ("rnoderator", "moderator"),
        ("Maria", "maria"),
    ],
)
def test_skeleton_folds_case_accents_spacing_and_lookalikes(text: str, folded: str) -> None:
    assert skeleton(text) == folded


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("Badminton Bob", ["Badminton", "Bob"]),
        ("TheAdmin", ["The", "Admin"]),
        ("the_admin-2", ["the", "admin", "2"]),
        ("Ad\u200bmin", ["Admin"]),
        ("@dm!n", ["@dm!n"]),
        ("José Núñez", ["José", "Núñez"]),
    ],
)
def test_words_split_where_a_reader_does(text: str, split: list[str]) -> None:
    assert words(text) == split
