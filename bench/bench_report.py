"""The benchmark report: results table, targets, server errors and the JSON file."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_settings import (
    MEMBER_P99_MS,
    MEMBER_SHARE,
    POSTS_PER_SECOND,
    RESULTS_DIR,
    TARGET_CONNECTIONS,
    TOPIC_PAGE_P99_MS,
    TOPIC_PAGE_SHARE,
)
from bench_wrk import Result


def print_table(results: Sequence[Result]) -> None:
    head = (
        f"{'scenario':<26} {'request':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8} {'bare r/s':>9} {'vs bare':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.label:<26} {r.request[:40]:<40} {r.rps:>9.1f} {r.p50_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {r.non_2xx:>8d} {r.bare_rps:>9.1f} {r.ratio:>7.1%}"
        )
    for r in results:
        if r.created is not None:
            print(
                f"\n{r.label}: {r.created} rows created in {r.seconds:.1f}s "
                f"= {r.created_per_s:.1f} created/s, p99 {r.p99_ms:.2f} ms (wrk counted "
                f"{r.requests} responses, {r.statuses['2xx']} of them 2xx)"
            )
    for r in results:
        if r.non_2xx or r.probe_status not in (0, 200) or any(r.socket_errors.values()):
            print(
                f"  ! {r.label}: probe status {r.probe_status or '-'}, statuses {r.statuses}, "
                f"socket errors {r.socket_errors}"
            )


def _share_target(
    results: dict[str, Result], key: str, share: float, p99_ms: float, note: str
) -> dict[str, Any]:
    """A read scenario's target: at least `share` of the bare app's req/s, p99 under `p99_ms`."""
    found = results.get(key)
    label = found.label if found else key
    target = (
        f"{label} >= {share:.0%} of bare req/s and p99 < {p99_ms:.0f} ms "
        f"at {TARGET_CONNECTIONS} connections{note}"
    )
    if found is None:
        return {"target": target, "pass": False, "measured": "not run (see --only)"}
    return {
        "target": target,
        "pass": found.non_2xx == 0 and found.ratio >= share and found.p99_ms < p99_ms,
        "measured": f"{found.ratio:.1%} of bare ({found.rps:.1f} vs {found.bare_rps:.1f} req/s), "
        f"p99 {found.p99_ms:.2f} ms, non-2xx {found.non_2xx}",
    }


def _aid_target(results: dict[str, Result], key: str) -> dict[str, Any]:
    """Issue 7: the aid board at least as fast as the signed-in topic page of the same run.

    As the issue says it: requests a second and p99 of the two scenarios in this run, on the
    same server. Each one's share of the bare run just before it is shown beside them: on a
    quiet machine the bare runs themselves vary by a few percent, more than the two pages
    differ, so a share decided the verdict by whichever bare run happened to be faster.
    """
    aid, topic = results.get(key), results.get("topic_html_member")
    label = aid.label if aid else key
    target = f"{label} >= the signed-in topic page (req/s and p99 in the same run)"
    if aid is None or topic is None:
        return {"target": target, "pass": False, "measured": "not run (see --only)"}
    return {
        "target": target,
        "pass": aid.non_2xx == 0 and aid.rps >= topic.rps and aid.p99_ms <= topic.p99_ms,
        "measured": f"{aid.rps:.1f} req/s, p99 {aid.p99_ms:.2f} ms ({aid.ratio:.1%} of its "
        f"bare run) vs {topic.rps:.1f} req/s, p99 {topic.p99_ms:.2f} ms ({topic.ratio:.1%})",
    }


def _responses_target(
    results: dict[str, Result], stored: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Issue 7 sets no rate for responses: what is checked is that each 2xx is a stored one."""
    found = results.get("create_response")
    if found is None or stored is None:
        return []
    return [
        {
            "target": "create response: no refusals, every 2xx stored and nothing stored "
            "beyond the requests in flight when wrk stopped",
            "pass": found.non_2xx == 0 and stored["consistent"],
            "measured": f"{found.created_per_s or 0:.1f} created/s, p99 {found.p99_ms:.2f} ms, "
            f"{stored['created']} stored for {stored['2xx']} 2xx "
            f"({stored['in_flight_at_stop']} in flight), non-2xx {found.non_2xx}",
        }
    ]


def targets(
    results: dict[str, Result], connections: int, stored: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    write = results["create_post"]
    note = "" if connections == TARGET_CONNECTIONS else f" (run at {connections} connections)"
    write_ok = write.non_2xx == 0 and (write.created_per_s or 0.0) >= POSTS_PER_SECOND
    return [
        _share_target(results, "topic_html_member", MEMBER_SHARE, MEMBER_P99_MS, note),
        _share_target(results, "posts_json", MEMBER_SHARE, MEMBER_P99_MS, note),
        _share_target(results, "topic_html", TOPIC_PAGE_SHARE, TOPIC_PAGE_P99_MS, note),
        *(_aid_target(results, key) for key in ("aid_html_member", "aid_html_member_filtered")),
        {
            "target": f"creating posts >= {POSTS_PER_SECOND:.0f}/s on SQLite{note}",
            "pass": write_ok,
            "measured": f"{write.created_per_s or 0:.1f} created/s, non-2xx {write.non_2xx}",
        },
        *_responses_target(results, stored),
    ]


def print_targets(checks: Sequence[dict[str, Any]]) -> None:
    print("\nTargets")
    for check in checks:
        print(f"  {'PASS' if check['pass'] else 'FAIL'}  {check['target']}")
        print(f"        {check['measured']}")


def write_json(report: dict[str, Any], stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"http-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return path


def print_server_errors(errors: dict[str, dict[str, Any]]) -> None:
    for name, found in errors.items():
        print(
            f"{name} server stderr: {found['stderr_lines']} lines, {found['tracebacks']} tracebacks"
        )
        for exception, count in found["exceptions"].items():
            print(f"    {count:>5} x {exception}")
        for message, count in found["messages"].items():
            print(f"    {count:>5} x {message}")
        if found.get("log"):
            print(f"    full log: {found['log']}")
