"""Rate limits: every limited action answers 429 with Retry-After, per person and per address,
and lets the person through again once its window has passed (in memory, and on Redis too)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from forum import ratelimits
from forum.accounts.models import User
from forum.aid import vocabularies
from forum.chat import rooms as chat_rooms
from forum.errors import RateLimited
from tests import factories
from tests.conftest import BASE_URL, TEST_REDIS_PREFIX, TEST_REDIS_URL
from tests.forum.chat.conftest import serving
from tests.forum.pages import submit

PER_PERSON, PER_CLIENT = 2, 3
BACKENDS = ["memory", *(["redis"] if TEST_REDIS_URL else [])]


@dataclass
class Limits:
    """The limiter a test runs with: small limits, and a way to let a window pass."""

    backend: str
    window: int
    now: list[float] = field(default_factory=lambda: [1000.0])

    async def pass_window(self) -> None:
        if self.backend == "memory":
            self.now[0] += self.window
        else:
            await asyncio.sleep(self.window + 0.2)  # Redis keeps its own time


def _small(window: int) -> dict[str, ratelimits.Limit]:
    return {
        name: ratelimits.Limit(
            window,
            per_person=PER_PERSON if limit.per_person else 0,
            per_client=PER_CLIENT if limit.per_client else 0,
        )
        for name, limit in ratelimits.LIMITS.items()
    }


@pytest.fixture(params=BACKENDS)
async def limits(request: pytest.FixtureRequest, app: Starlette) -> AsyncIterator[Limits]:
    """Configured after the app (which builds its own limiter from the settings)."""
    if request.param == "memory":
        state = Limits("memory", window=60)
        counter: ratelimits.Counter = ratelimits.MemoryCounter(clock=lambda: state.now[0])
        redis = None
    else:
        from redis.asyncio import Redis

        state = Limits("redis", window=1)
        redis = Redis.from_url(TEST_REDIS_URL)  # type: ignore[arg-type]
        await redis.flushdb()
        counter = ratelimits.RedisCounter(redis, prefix=TEST_REDIS_PREFIX + "rl-test:")
    ratelimits.configure(ratelimits.RateLimiter(counter, limits=_small(state.window)))
    yield state
    if redis is not None:
        await redis.flushdb()
        await redis.aclose()


def _from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


# One attempt at each limited action, by the person behind http; n makes each attempt new.
Attempt = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass
class Scene:
    people: list[User]
    attempt: Attempt
    ok: int


async def _topics(people: list[User]) -> Scene:
    await factories.board()

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        body = {"title": f"Topic number {n}", "body": "Hello from the lane."}
        return await http.post("/api/v1/boards/general/topics", json=body)

    return Scene(people, attempt, 201)


async def _posts(people: list[User]) -> Scene:
    topic = await factories.topic(author=people[0])

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post(f"/api/v1/topics/{topic['id']}/posts", json={"body": f"Reply {n}"})

    return Scene(people, attempt, 201)


async def _edits(people: list[User]) -> Scene:
    topic = await factories.topic(author=people[0])
    mine = {}
    for person in people:
        mine[person.username] = (await factories.reply(author=person, topic_id=topic["id"]))["id"]

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        me = (await http.get("/api/v1/me")).json()["user"]["username"]
        return await http.patch(f"/api/v1/posts/{mine[me]}", json={"body": f"Edited {n}"})

    return Scene(people, attempt, 200)


AID = {"kind": "offer", "body": "I can help.", "category": "household", "area": "elm-street"}


async def _aid_posts(people: list[User]) -> Scene:
    await vocabularies.add_defaults()

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post("/api/v1/aid", json={**AID, "title": f"Offer number {n}"})

    return Scene(people, attempt, 201)


async def _aid_responses(people: list[User]) -> Scene:
    await vocabularies.add_defaults()
    owner = await factories.user(username="owner")
    posted = [
        (await factories.aid(author=owner, title=f"Request number {n}"))["id"] for n in range(12)
    ]

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        body = {"message": "I can bring one round."}
        return await http.post(f"/api/v1/aid/{posted[n]}/responses", json=body)

    return Scene(people, attempt, 201)


async def _direct_messages(people: list[User]) -> Scene:
    for n in range(12):
        await factories.user(username=f"friend{n}")

    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post("/api/v1/rooms/direct", json={"username": f"friend{n}"})

    return Scene(people, attempt, 200)


async def _password_changes(people: list[User]) -> Scene:
    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        body = {"current_password": f"wrong guess {n}", "new_password": "a brand new sentence"}
        return await http.post("/api/v1/me/password", json=body)

    return Scene(people, attempt, 422)


async def _account_deletions(people: list[User]) -> Scene:
    async def attempt(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post("/api/v1/me/delete", json={"password": f"wrong guess {n}"})

    return Scene(people, attempt, 422)


PERSONAL = {
    "topic": _topics,
    "post": _posts,
    "edit": _edits,
    "aid": _aid_posts,
    "aid_response": _aid_responses,
    "direct_message": _direct_messages,
    "password_change": _password_changes,
    "account_deletion": _account_deletions,
}


async def _scene(name: str) -> Scene:
    people = [await factories.user(username=who) for who in ("ana", "ben", "cleo")]
    return await PERSONAL[name](people)


async def _signed_in(app: Starlette, person: User, address: str) -> httpx.AsyncClient:
    return await factories.bearer(_from(app, address), person)


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


@pytest.mark.parametrize("action", PERSONAL)
async def test_each_limit_answers_429_with_retry_after_and_recovers(
    app: Starlette, limits: Limits, action: str
) -> None:
    scene = await _scene(action)
    async with await _signed_in(app, scene.people[0], "198.51.100.1") as http:
        for n in range(PER_PERSON):
            assert (await scene.attempt(http, n)).status_code == scene.ok
        _assert_limited(await scene.attempt(http, PER_PERSON))
        await limits.pass_window()
        assert (await scene.attempt(http, PER_PERSON + 1)).status_code == scene.ok


@pytest.mark.parametrize("action", PERSONAL)
async def test_each_limit_also_counts_per_address(
    app: Starlette, limits: Limits, action: str
) -> None:
    scene = await _scene(action)
    ana, ben, cleo = scene.people
    async with (
        await _signed_in(app, ana, "203.0.113.5") as ana_http,
        await _signed_in(app, ben, "203.0.113.5") as ben_http,
        await _signed_in(app, cleo, "192.0.2.9") as cleo_http,
    ):
        for n in range(PER_PERSON):
            assert (await scene.attempt(ana_http, n)).status_code == scene.ok
        assert (await scene.attempt(ben_http, PER_PERSON)).status_code == scene.ok
        # Ben is under his own limit, but his address (shared with Ana) is at its limit.
        _assert_limited(await scene.attempt(ben_http, PER_PERSON + 1))
        assert (await scene.attempt(cleo_http, PER_PERSON + 2)).status_code == scene.ok
        await limits.pass_window()
        assert (await scene.attempt(ben_http, PER_PERSON + 3)).status_code == scene.ok


async def test_sign_ups_are_limited_per_address_and_recover(app: Starlette, limits: Limits) -> None:
    def sign_up(n: int) -> dict[str, str]:
        return {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.org",
            "password": "a long fine password",
        }

    async with _from(app, "203.0.113.8") as http, _from(app, "192.0.2.3") as elsewhere:
        for n in range(PER_CLIENT):
            assert (await http.post("/api/v1/auth/register", json=sign_up(n))).status_code == 201
        _assert_limited(await http.post("/api/v1/auth/register", json=sign_up(10)))
        assert (await elsewhere.post("/api/v1/auth/register", json=sign_up(11))).status_code == 201
        await limits.pass_window()
        assert (await http.post("/api/v1/auth/register", json=sign_up(12))).status_code == 201


async def test_sign_ins_are_limited_per_address_and_recover(
    app: Starlette, limits: Limits, member: User
) -> None:
    credentials = {"username": "maria", "password": factories.PASSWORD}

    async def sign_in(http: httpx.AsyncClient) -> httpx.Response:
        http.cookies.clear()  # each attempt as a new browser: a session cookie would want CSRF
        return await http.post("/api/v1/auth/login", json=credentials)

    async with _from(app, "203.0.113.8") as http, _from(app, "192.0.2.3") as elsewhere:
        for _ in range(PER_CLIENT):
            assert (await sign_in(http)).status_code == 200
        _assert_limited(await sign_in(http))
        assert (await sign_in(elsewhere)).status_code == 200
        await limits.pass_window()
        assert (await sign_in(http)).status_code == 200


async def test_wrong_current_passwords_stop_even_the_right_one_until_the_window_passes(
    app: Starlette, limits: Limits, member: User
) -> None:
    right = {"current_password": factories.PASSWORD, "new_password": "a brand new sentence"}
    async with await _signed_in(app, member, "198.51.100.4") as http:
        for n in range(PER_PERSON):
            wrong = {**right, "current_password": f"wrong guess {n}"}
            assert (await http.post("/api/v1/me/password", json=wrong)).status_code == 422
        _assert_limited(await http.post("/api/v1/me/password", json=right))
        # The same counter guards deleting the account.
        _assert_limited(await http.post("/api/v1/me/delete", json={"password": "x"}))
        await limits.pass_window()
        assert (await http.post("/api/v1/me/password", json=right)).status_code == 204


async def test_a_limited_page_form_answers_429_with_retry_after(
    client: httpx.AsyncClient, limits: Limits, member: User
) -> None:
    topic = await factories.topic(author=member)
    csrf = await factories.login_cookie(client, "maria")
    for n in range(PER_PERSON):
        reply = await submit(client, f"/t/{topic['id']}/reply", csrf, body=f"Reply {n}")
        assert reply.status_code == 303
    refused = await submit(client, f"/t/{topic['id']}/reply", csrf, body="One too many")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "text/html" in refused.headers["content-type"]


async def test_reports_have_a_named_limit_per_person_and_per_address(limits: Limits) -> None:
    for _ in range(PER_PERSON):
        await ratelimits.check_action("report", actor_id=7, client="203.0.113.1")
    with pytest.raises(RateLimited):
        await ratelimits.check_action("report", actor_id=7, client="192.0.2.1")
    await ratelimits.check_action("report", actor_id=8, client="203.0.113.1")
    with pytest.raises(RateLimited):
        await ratelimits.check_action("report", actor_id=9, client="203.0.113.1")
    await limits.pass_window()
    await ratelimits.check_action("report", actor_id=7, client="203.0.113.1")


async def test_chat_sends_over_the_socket_use_the_table_per_person_and_per_address(
    app: Starlette, limits: Limits, moderator: User
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Lounge", "kind": "public"})
    ana, ben = await factories.user(username="ana"), await factories.user(username="ben")

    async def send(ws: Any, n: int) -> dict[str, Any]:
        frame = {"type": "send", "room": room["id"], "body": f"hi {n}", "client_id": f"c-{n}"}
        await ws.send(json.dumps(frame))
        while True:
            answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if answer["type"] in ("ack", "error"):
                return answer

    async with serving(app) as server:
        ana_ws, ben_ws = await server.connect(ana), await server.connect(ben)
        try:
            assert [(await send(ana_ws, n))["type"] for n in range(PER_PERSON)] == ["ack"] * 2
            refused = await send(ana_ws, 10)
            assert (refused["type"], refused["code"], refused["ref"]) == (
                "error",
                "rate_limited",
                "c-10",
            )
            await limits.pass_window()
            assert [(await send(ana_ws, n))["type"] for n in (11, 12)] == ["ack"] * 2
            # Ben connects from the same address (loopback): one more, then the address's limit.
            assert (await send(ben_ws, 20))["type"] == "ack"
            assert (await send(ben_ws, 21))["code"] == "rate_limited"
            await limits.pass_window()
            assert (await send(ben_ws, 22))["type"] == "ack"
        finally:
            await ana_ws.close()
            await ben_ws.close()


async def test_rate_limits_off_turns_every_named_limit_off(db: None) -> None:
    ratelimits.configure(
        ratelimits.RateLimiter(ratelimits.MemoryCounter(), enabled=False, limits=_small(60))
    )
    for _ in range(PER_PERSON * 5):
        await ratelimits.check_action("topic", actor_id=1, client="203.0.113.1")
        await ratelimits.record_failure("password_failure", actor_id=1)
    await ratelimits.refuse_if_failing("password_failure", actor_id=1)


async def test_the_app_builds_a_disabled_limiter_when_settings_say_off(
    db: None, tmp_path: Any
) -> None:
    from forum.app import close_resources, create_app
    from forum.settings import Settings

    settings = Settings.from_environ(
        {"PORCHLIGHT_DATA_DIR": str(tmp_path / "d"), "PORCHLIGHT_RATE_LIMITS": "off"},
        cwd=tmp_path,
    )
    application = create_app(settings, manage_database=False)
    try:
        assert ratelimits.limiter.enabled is False
    finally:
        await close_resources(application)


async def test_exempt_work_counts_nothing(limits: Limits) -> None:
    with ratelimits.exempt():
        for _ in range(PER_PERSON * 3):
            await ratelimits.check_action("post", actor_id=3, client="203.0.113.1")
    for _ in range(PER_PERSON):
        await ratelimits.check_action("post", actor_id=3, client="203.0.113.1")
    with pytest.raises(RateLimited):
        await ratelimits.check_action("post", actor_id=3, client="203.0.113.1")
