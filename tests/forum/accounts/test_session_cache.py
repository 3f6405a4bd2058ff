"""Cached sessions end at once on this worker, and within the cache's lifetime on any other."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum import readcache
from forum.accounts import sessions
from forum.accounts.models import Session, User
from forum.boards.models import Post
from tests import factories
from tests.forum.pages import submit

NEW_PASSWORD = "a new and longer passphrase"


@pytest.fixture
def long_lived(app: Starlette) -> dict[str, readcache.TimedCache[Any]]:
    """Caches that would keep an entry for a minute: only forgetting can explain a refusal."""
    caches: dict[str, readcache.TimedCache[Any]] = app.state.read_caches
    for cache in caches.values():
        cache.ttl = 60.0
    return caches


async def _device(make_client: Any, *, bearer: str) -> httpx.AsyncClient:
    http: httpx.AsyncClient = make_client()
    http.headers["Authorization"] = f"Bearer {bearer}"
    assert (await http.get("/api/v1/me")).status_code == 200  # now cached
    return http


async def test_logout_refuses_the_session_at_once(
    make_client: Any, long_lived: object, member: User
) -> None:
    browser: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(browser, "maria")
    copy: httpx.AsyncClient = make_client()
    copy.cookies.set("porchlight_session", browser.cookies["porchlight_session"])
    assert (await copy.get("/api/v1/me")).status_code == 200
    assert (await browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})).status_code
    assert (await copy.get("/api/v1/me")).status_code == 401


async def test_a_revoked_token_is_refused_at_once(
    make_client: Any, long_lived: object, member: User
) -> None:
    token = await _device(make_client, bearer=await factories.token_for(member))
    browser: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(browser, "maria")
    other = await Session.get(user_id=member.id, kind="token")
    assert (await submit(browser, f"/settings/sessions/{other.id}/revoke", csrf)).status_code == 303
    assert (await token.get("/api/v1/me")).status_code == 401


async def test_a_password_change_signs_out_other_devices_at_once(
    make_client: Any, long_lived: object, member: User
) -> None:
    token = await _device(make_client, bearer=await factories.token_for(member))
    browser: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(browser, "maria")
    changed = await submit(
        browser,
        "/settings/password",
        csrf,
        current_password=factories.PASSWORD,
        new_password=NEW_PASSWORD,
    )
    assert changed.status_code == 303, changed.text
    assert (await token.get("/api/v1/me")).status_code == 401
    assert (await browser.get("/api/v1/me")).status_code == 200  # this device stays


async def test_a_deleted_account_is_signed_out_everywhere_at_once(
    make_client: Any, long_lived: object, member: User
) -> None:
    token = await _device(make_client, bearer=await factories.token_for(member))
    browser: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(browser, "maria")
    deleted = await submit(browser, "/settings/delete", csrf, password=factories.PASSWORD)
    assert deleted.status_code == 303, deleted.text
    assert (await token.get("/api/v1/me")).status_code == 401


async def test_a_demoted_moderator_loses_the_view_at_once(
    make_client: Any, long_lived: object, admin: User, moderator: User, member: User
) -> None:
    topic = await factories.topic(author=member)
    post = await factories.reply(author=member, topic_id=topic["id"], body="Hidden words here")
    await Post.filter(id=post["id"]).update(status="hidden")
    mod = await _device(make_client, bearer=await factories.token_for(moderator))
    assert "Hidden words here" in (await mod.get(f"/t/{topic['id']}")).text
    boss = await _device(make_client, bearer=await factories.token_for(admin))
    demoted = await boss.patch(f"/api/v1/users/{moderator.username}", json={"role": "member"})
    assert demoted.status_code == 200, demoted.text
    assert (await mod.get("/api/v1/me")).json()["user"]["role"] == "member"
    assert "Hidden words here" not in (await mod.get(f"/t/{topic['id']}")).text


async def test_a_new_display_name_shows_in_the_header_at_once(
    make_client: Any, long_lived: object, member: User
) -> None:
    browser: httpx.AsyncClient = make_client()
    csrf = await factories.login_cookie(browser, "maria")
    assert "Maria" in (await browser.get("/")).text
    saved = await submit(browser, "/settings", csrf, display_name="Maria of Elm Street")
    assert saved.status_code == 303, saved.text
    assert "Maria of Elm Street" in (await browser.get("/")).text


async def test_another_workers_revocation_shows_within_the_cache_lifetime(
    app: Starlette, make_client: Any, member: User
) -> None:
    """Deleted behind this process's back, as another worker would: refused once the entry ages."""
    app.state.read_caches[readcache.SESSIONS].ttl = 0.3
    key, session = await sessions.start_session(member, kind="token")
    device = await _device(make_client, bearer=key)
    await Session.filter(id=session.id).delete()
    assert (await device.get("/api/v1/me")).status_code == 200  # still within its lifetime
    await asyncio.sleep(0.35)
    assert (await device.get("/api/v1/me")).status_code == 401


async def test_each_request_gets_its_own_user(member: User) -> None:
    key, _ = await sessions.start_session(member)
    with readcache.using({readcache.SESSIONS: readcache.TimedCache()}):
        first = await sessions.authenticate(key)
        assert first is not None
        first[0].display_name = "Changed by one handler"
        second = await sessions.authenticate(key)
    assert second is not None
    assert second[0] is not first[0]
    assert second[0].display_name == "Maria"
