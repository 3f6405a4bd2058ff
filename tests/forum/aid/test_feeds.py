"""The private Atom feed: a member's key in the address, the board's filters, nothing private."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from forum.accounts import standing
from forum.accounts.models import User
from forum.aid.models import Aid, AidFeedToken, AidReview
from tests import factories
from tests.forum.pages import csrf_from, sign_in, submit

ATOM = "{http://www.w3.org/2005/Atom}"


async def _feed_path(http: httpx.AsyncClient) -> str:
    answer = await http.get("/api/v1/me/aid-feed")
    assert answer.status_code == 200, answer.text
    url = urlsplit(answer.json()["url"])
    assert url.path.startswith("/aid/feed/")
    assert url.path.endswith(".atom")
    return url.path


def _entries(text: str) -> list[ET.Element]:
    root = ET.fromstring(text)  # noqa: S314 (our own output, parsed to check it is well formed)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert root.find(ATOM + name) is not None, name
    entries = root.findall(ATOM + "entry")
    for entry in entries:
        for name in ("id", "title", "updated", "link", "author"):
            assert entry.find(ATOM + name) is not None, name
        assert entry.findtext(f"{ATOM}author/{ATOM}name")
    return entries


async def test_the_feed_is_valid_atom_of_open_posts_without_signing_in(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    shown = await factories.aid(author=other_member, title="Soup for a week")
    closed = await factories.aid(author=other_member, title="Old request")
    await Aid.filter(id=closed["id"]).update(status="withdrawn")
    path = await _feed_path(await factories.bearer(client, member))
    answer = await make_client().get(path)  # a feed reader: no cookie, no token
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/atom+xml")
    assert "no-store" in answer.headers["cache-control"]
    entries = _entries(answer.text)
    assert [e.findtext(ATOM + "title") for e in entries] == ["Request: Soup for a week"]
    link = entries[0].find(ATOM + "link")
    assert link is not None
    assert link.get("href", "").endswith(f"/aid/{shown['id']}")


async def test_the_feed_keeps_the_boards_filters(
    client: httpx.AsyncClient, make_client: Any, member: User
) -> None:
    await factories.aid(author=member, title="Rides to the clinic", kind="offer", category="rides")
    await factories.aid(author=member, title="Meals after surgery", category="meals")
    path = await _feed_path(await factories.bearer(client, member))
    reader = make_client()
    titles = [
        e.findtext(ATOM + "title")
        for e in _entries((await reader.get(path + "?kind=offer&category=rides")).text)
    ]
    assert titles == ["Offer: Rides to the clinic"]
    assert (await reader.get(path + "?category=nowhere")).status_code == 422


async def test_a_hidden_name_reads_a_neighbour_in_the_area_and_no_address_appears(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    await factories.aid(author=member, show_name=False, area="mill-lane", title="Help please")
    path = await _feed_path(await factories.bearer(client, other_member))
    text = (await make_client().get(path)).text
    (entry,) = _entries(text)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "a neighbour in Mill Lane"
    assert "maria" not in text.casefold()
    # The owner's own feed names them: they may see who posted it.
    own = await _feed_path(await factories.bearer(make_client(), member))
    (mine,) = _entries((await make_client().get(own)).text)
    assert mine.findtext(f"{ATOM}author/{ATOM}name") == "Maria"


@pytest.mark.parametrize("review", [AidReview.PENDING, AidReview.HIDDEN])
async def test_posts_held_or_hidden_by_moderation_never_reach_a_feed(
    client: httpx.AsyncClient, make_client: Any, member: User, review: AidReview
) -> None:
    held = await factories.aid(author=member, title="Held for review")
    await factories.aid(author=member, title="Plainly visible")
    await Aid.filter(id=held["id"]).update(review=review.value)
    # Not even to its owner: a feed reader keeps what it once fetched.
    path = await _feed_path(await factories.bearer(client, member))
    titles = [e.findtext(ATOM + "title") for e in _entries((await make_client().get(path)).text)]
    assert titles == ["Request: Plainly visible"]


async def test_a_reset_retires_the_old_address_and_the_new_one_works(
    client: httpx.AsyncClient, make_client: Any, member: User
) -> None:
    http = await factories.bearer(client, member)
    old = await _feed_path(http)
    assert await _feed_path(http) == old  # asking again shows the same address
    reset = await http.post("/api/v1/me/aid-feed/reset")
    assert reset.status_code == 200
    new = urlsplit(reset.json()["url"]).path
    assert new != old
    reader = make_client()
    assert (await reader.get(old)).status_code == 404
    assert (await reader.get(new)).status_code == 200


@pytest.mark.parametrize(
    "key",
    ["nonsense", "1-" + "A" * 43, "999-" + "A" * 43, "1-" + "A" * 42, "1-" + "A" * 44],
)
async def test_a_wrong_key_is_absent(client: httpx.AsyncClient, member: User, key: str) -> None:
    await _feed_path(await factories.bearer(client, member))
    client.headers.pop("Authorization")
    assert (await client.get(f"/aid/feed/{key}.atom")).status_code == 404


async def test_another_members_key_with_my_row_id_is_refused(
    client: httpx.AsyncClient, make_client: Any, member: User, other_member: User
) -> None:
    mine = await _feed_path(await factories.bearer(client, member))
    theirs = await _feed_path(await factories.bearer(make_client(), other_member))
    my_id = mine.split("/")[-1].split("-")[0]
    their_mac = theirs.split("-", 1)[1]
    assert (await make_client().get(f"/aid/feed/{my_id}-{their_mac}")).status_code == 404


async def test_the_key_is_not_stored_as_it_appears_in_the_address(
    client: httpx.AsyncClient, member: User
) -> None:
    path = await _feed_path(await factories.bearer(client, member))
    stored = await AidFeedToken.get(user_id=member.id)
    assert stored.token not in path


async def test_a_suspended_members_feed_stops(
    client: httpx.AsyncClient, make_client: Any, member: User
) -> None:
    path = await _feed_path(await factories.bearer(client, member))
    await standing.set_suspended(member.id, standing.FOREVER)
    assert (await make_client().get(path)).status_code == 404


async def test_the_feed_api_is_for_members_only(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me/aid-feed")).status_code == 401
    assert (await client.post("/api/v1/me/aid-feed/reset")).status_code == 401


async def test_the_mine_page_shows_the_address_and_resets_it_with_a_form(
    client: httpx.AsyncClient, make_client: Any, member: User
) -> None:
    await sign_in(client, member.username)
    page = (await client.get("/aid/mine")).text
    assert 'id="feed-url"' in page
    old = urlsplit(page.split('id="feed-url" class="secret" type="text" value="')[1].split('"')[0])
    assert (await make_client().get(old.path)).status_code == 200
    refused = await client.post("/aid/feed/reset", data={})  # no CSRF token
    assert refused.status_code == 403
    assert (await make_client().get(old.path)).status_code == 200
    reset = await submit(client, "/aid/feed/reset", csrf_from(page))
    assert reset.status_code == 303
    assert "notice=feed_reset" in reset.headers["location"]
    assert (await make_client().get(old.path)).status_code == 404
    assert old.path not in (await client.get("/aid/mine")).text


async def test_the_boards_feed_link_leads_to_the_address_with_its_filters(
    client: httpx.AsyncClient, member: User
) -> None:
    await sign_in(client, member.username)
    board = (await client.get("/aid?kind=offer&area=mill-lane")).text
    assert 'href="/aid/feed?kind=offer' in board
    answer = await client.get("/aid/feed?kind=offer&area=mill-lane")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path.endswith(".atom")
    assert target.query == "kind=offer&area=mill-lane"
