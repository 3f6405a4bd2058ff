"""What the benchmark asks of the forum: read scenarios, the write test and a smoke POST."""

import json
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_seed import Seeded, count_responses, query_one, settled, settled_count
from bench_servers import http_call
from bench_settings import (
    RESPONSES_PER_SECOND_CEILING,
    SESSION_COOKIE,
    WARMUP_SECONDS,
    BenchError,
)
from bench_text import LINKS, LIST_ITEMS, SENTENCES
from bench_wrk import Result, Scenario, run_wrk, to_result, write_script


def post_bodies() -> tuple[str, ...]:
    texts = (
        f"Bench reply {n}: {SENTENCES[n]}\n\n- {LIST_ITEMS[n % 6]}\n- {LIST_ITEMS[(n + 1) % 6]}"
        f"\n\nMore at {LINKS[n % 3]} and **thanks** to everyone who helped. {SENTENCES[n + 3]}"
        for n in range(5)
    )
    return tuple(json.dumps({"body": text}) for text in texts)


def read_scenarios(seeded: Seeded) -> list[Scenario]:
    slug, topic = seeded.board_slug, seeded.topic_id
    # Signed-in pages are never shared between people: a browser's session cookie, as sign-in
    # sets it, so each of these is the page as rendered for that one member.
    member = {"Cookie": f"{SESSION_COOKIE}={seeded.cookie}"}
    bearer = {"Authorization": f"Bearer {seeded.token}"}
    posts = f"/api/v1/topics/{topic}/posts?limit=20"
    return [
        Scenario("topic_html", "topic page (HTML)", "forum", "GET", (f"/t/{topic}",)),
        Scenario(
            "topic_html_member", "topic page, signed in", "forum", "GET", (f"/t/{topic}",), member
        ),
        Scenario("board_html", "board topic list (HTML)", "forum", "GET", (f"/b/{slug}",)),
        Scenario(
            "board_html_member", "board page, signed in", "forum", "GET", (f"/b/{slug}",), member
        ),
        Scenario(
            "board_json",
            "board topic list (JSON)",
            "forum",
            "GET",
            (f"/api/v1/boards/{slug}/topics",),
        ),
        Scenario("aid_html_member", "aid board, signed in", "forum", "GET", ("/aid",), member),
        Scenario(
            "aid_html_member_filtered",
            "aid board filtered, signed in",
            "forum",
            "GET",
            (f"/aid?{seeded.aid_query}",),
            member,
        ),
        Scenario("posts_json", "topic posts (JSON)", "forum", "GET", (posts,)),
        Scenario(
            "posts_json_bearer", "topic posts (JSON), token", "forum", "GET", (posts,), bearer
        ),
    ]


def write_scenario(seeded: Seeded) -> Scenario:
    bodies = post_bodies()
    # Every topic gets every body: 10 topics x 5 bodies, cycled by each wrk thread.
    paths = tuple(f"/api/v1/topics/{t}/posts" for t in seeded.post_topic_ids for _ in bodies)
    return Scenario(
        "create_post",
        "create post (JSON POST)",
        "forum",
        "POST",
        paths,
        headers={"Authorization": f"Bearer {seeded.token}", "Content-Type": "application/json"},
        bodies=bodies,
    )


def response_messages() -> tuple[str, ...]:
    texts = (
        f"I can help with this. {SENTENCES[n]}\n\nI am free {LIST_ITEMS[n % 6].lower()}; "
        "**message me** here to arrange it."
        for n in range(5)
    )
    return tuple(json.dumps({"message": text}) for text in texts)


def response_scenario(seeded: Seeded, seconds: int) -> tuple[Scenario, Scenario]:
    """Responses to open posts, each (responder, post) pair once: a warm-up's and the run's.

    One person's second response to a post is a 409, so every request is a pair of its own,
    drawn at random (a fixed seed) from responders x open posts: each list holds more than
    RESPONSES_PER_SECOND_CEILING responses a second would use, and a run that still sends past
    its end gets 409s, counted as failures.
    """
    tokens, posts = seeded.responder_tokens, seeded.open_aid_ids
    warm = RESPONSES_PER_SECOND_CEILING * WARMUP_SECONDS
    wanted = warm + RESPONSES_PER_SECOND_CEILING * seconds
    if not tokens or len(tokens) * len(posts) < wanted:
        raise BenchError(
            f"{len(tokens)} responders x {len(posts)} open posts make fewer than the "
            f"{wanted} distinct pairs the response test needs"
        )
    chosen = random.Random(20261204).sample(range(len(tokens) * len(posts)), wanted)
    paths = tuple(f"/api/v1/aid/{posts[n // len(tokens)]}/responses" for n in chosen)
    auths = tuple(f"Bearer {tokens[n % len(tokens)]}" for n in chosen)
    scenario = Scenario(
        "create_response",
        "create response (POST)",
        "forum",
        "POST",
        paths[warm:],
        headers={"Content-Type": "application/json"},
        bodies=response_messages(),
        auths=auths[warm:],
    )
    warmup = replace(scenario, key="create_response_warmup", paths=paths[:warm], auths=auths[:warm])
    return warmup, scenario


def measure_responses(
    scenarios: tuple[Scenario, Scenario],
    port: int,
    workdir: Path,
    seconds: int,
    connections: int,
    seeded: Seeded,
) -> Result:
    """The response test: created/s from rows in the database, checked against wrk's 2xx.

    Rows are counted as in measure_writes. Every 2xx must be a stored response, and stored
    responses beyond the 2xx count can only be requests wrk sent but stopped waiting for.
    """
    warmup, scenario = scenarios
    url = f"http://127.0.0.1:{port}"
    run_wrk(url, write_script(warmup, workdir, connections), WARMUP_SECONDS, connections)
    before = settled(lambda: count_responses(seeded.db_path))
    data = run_wrk(url, write_script(scenario, workdir, connections), seconds, connections)
    created = settled(lambda: count_responses(seeded.db_path)) - before
    result = to_result(
        scenario, f"POST /api/v1/aid/{{{len(set(scenario.paths))} ids}}/responses", data
    )
    result.created = created
    result.created_per_s = created / result.seconds if result.seconds else 0.0
    return result


def responses_consistent(result: Result) -> dict[str, Any]:
    """Stored responses against wrk's 2xx: equal, but for requests still in flight at the end."""
    answered = sum(result.statuses.values())
    in_flight = result.sent - answered
    created = result.created or 0
    extra = created - result.statuses["2xx"]
    return {
        "created": created,
        "2xx": result.statuses["2xx"],
        "sent": result.sent,
        "in_flight_at_stop": in_flight,
        "stored_beyond_2xx": extra,
        "past_end": result.past_end,
        "consistent": 0 <= extra <= in_flight and result.past_end == 0,
    }


def smoke_post(port: int, seeded: Seeded) -> dict[str, Any]:
    """One reply through the API: the token works, and the app writes timestamps as we did."""
    headers = {"Authorization": f"Bearer {seeded.token}", "Content-Type": "application/json"}
    body = json.dumps({"body": "Smoke test before the **write** benchmark."}).encode()
    path = f"/api/v1/topics/{seeded.post_topic_ids[0]}/posts"
    status, _ = http_call(port, "POST", path, headers, body)
    row = query_one(
        seeded.db_path,
        "SELECT created_at FROM posts WHERE author_id = ? ORDER BY id DESC LIMIT 1",
        (seeded.bench_user_id,),
    )
    app_stamp = row[0] if row else ""
    shape = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00")
    same = bool(shape.fullmatch(app_stamp)) and bool(shape.fullmatch(seeded.sample_created_at))
    return {
        "status": status,
        "app_created_at": app_stamp,
        "seeded_created_at": seeded.sample_created_at,
        "same_format": same,
    }


def measure_writes(
    scenario: Scenario, port: int, workdir: Path, seconds: int, connections: int, seeded: Seeded
) -> Result:
    """The write scenario, with created/s from rows actually in the database afterwards.

    Rows are counted around the measured run only, each count taken once the server has
    finished the requests wrk left in flight: the warm-up's posts are all in `before`, and
    `created` can exceed wrk's 2xx count by the requests still in flight when it stopped.
    """
    script, url = write_script(scenario, workdir), f"http://127.0.0.1:{port}"
    run_wrk(url, script, WARMUP_SECONDS, connections)
    before = settled_count(seeded.db_path, seeded.post_topic_ids)
    data = run_wrk(url, script, seconds, connections)
    created = settled_count(seeded.db_path, seeded.post_topic_ids) - before
    topics = len(seeded.post_topic_ids)
    result = to_result(scenario, f"POST /api/v1/topics/{{{topics} ids}}/posts", data)
    result.created = created
    result.created_per_s = created / result.seconds if result.seconds else 0.0
    return result


def post_count_consistent(seeded: Seeded) -> bool:
    """topics.post_count still equals the rows for the topics the write test hit."""
    marks = ",".join("?" * len(seeded.post_topic_ids))
    sql = (
        f"SELECT COUNT(*) FROM topics t WHERE t.id IN ({marks}) AND t.post_count != "  # noqa: S608
        "(SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.status != 'deleted')"
    )
    return bool(query_one(seeded.db_path, sql, seeded.post_topic_ids)[0] == 0)
