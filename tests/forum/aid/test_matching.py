"""Matches (opposite kind, same category, same area first) and alerts that fire once per post."""

from __future__ import annotations

import httpx

from forum.accounts.models import User
from forum.aid import alerts, listing, services
from forum.notifications import services as notifications
from tests import factories


async def _alerted(person: User) -> list[str]:
    found = (await notifications.list_notifications(person)).items
    return [n["url"] for n in found if n["kind"] == "aid.alert_matched"]


async def test_matches_are_open_posts_of_the_opposite_kind_same_area_first(
    member: User, other_member: User
) -> None:
    request = await factories.aid(author=member, category="meals", area="elm-street")
    far = await factories.aid(
        author=other_member, kind="offer", title="Soup", category="meals", area="mill-lane"
    )
    near = await factories.aid(
        author=other_member, kind="offer", title="Stew", category="meals", area="elm-street"
    )
    await factories.aid(author=other_member, kind="offer", title="A lift", category="rides")
    await factories.aid(author=other_member, kind="request", title="Pie", category="meals")
    found = await listing.matches(member, request["id"])
    assert [m["id"] for m in found] == [near["id"], far["id"]]


async def test_the_matches_api_answers_a_list(client: httpx.AsyncClient, member: User) -> None:
    request = await factories.aid(author=member)
    http = await factories.bearer(client, member)
    answer = await http.get(f"/api/v1/aid/{request['id']}/matches")
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "next_cursor": None}


async def test_an_alert_fires_once_per_matching_post_however_many_alerts_fit(
    member: User, other_member: User
) -> None:
    await alerts.save_alert(other_member, {"category": "meals"})
    await alerts.save_alert(other_member, {"category": "meals", "area": "elm-street"})
    await alerts.save_alert(other_member, {"area": "mill-lane", "kind": "offer"})
    fits = await factories.aid(author=member, category="meals", area="elm-street")
    await factories.aid(author=member, category="rides", area="mill-lane")  # a request: no
    offer = await factories.aid(author=member, kind="offer", category="rides", area="mill-lane")
    assert sorted(await _alerted(other_member)) == sorted(
        [f"/aid/{fits['id']}", f"/aid/{offer['id']}"]
    )


async def test_your_own_post_does_not_alert_you(member: User) -> None:
    await alerts.save_alert(member, {"category": "meals"})
    await factories.aid(author=member, category="meals")
    assert await _alerted(member) == []


async def test_alerts_through_the_api(client: httpx.AsyncClient, member: User) -> None:
    http = await factories.bearer(client, member)
    assert (await http.post("/api/v1/aid/alerts", json={})).status_code == 422
    assert (await http.post("/api/v1/aid/alerts", json={"area": "atlantis"})).status_code == 422
    made = await http.post("/api/v1/aid/alerts", json={"category": "pets"})
    assert made.status_code == 201
    assert made.json()["category"] == "pets"
    assert len((await http.get("/api/v1/aid/alerts")).json()["items"]) == 1
    assert (await http.delete(f"/api/v1/aid/alerts/{made.json()['id']}")).status_code == 204


async def test_an_edit_that_makes_a_post_fit_an_alert_fires_it_once(
    member: User, other_member: User
) -> None:
    await alerts.save_alert(other_member, {"category": "meals", "area": "mill-lane"})
    post = await factories.aid(author=member, category="rides", area="elm-street")
    assert await _alerted(other_member) == []
    await services.update_aid(member, post["id"], {"category": "meals"})
    assert await _alerted(other_member) == []  # fits the category, not yet the area
    await services.update_aid(member, post["id"], {"area": "mill-lane"})
    assert await _alerted(other_member) == [f"/aid/{post['id']}"]
    # Moving away and back, or a change of title, tells nobody again.
    await services.update_aid(member, post["id"], {"area": "elm-street"})
    await services.update_aid(member, post["id"], {"area": "mill-lane", "title": "Soup, please"})
    assert await _alerted(other_member) == [f"/aid/{post['id']}"]


async def test_an_edit_does_not_repeat_an_alert_the_new_post_already_fired(
    member: User, other_member: User
) -> None:
    await alerts.save_alert(other_member, {"category": "meals"})
    post = await factories.aid(author=member, category="meals", area="elm-street")
    await services.update_aid(member, post["id"], {"area": "mill-lane"})
    assert await _alerted(other_member) == [f"/aid/{post['id']}"]
