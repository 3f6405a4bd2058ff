"""HTTP load benchmark: seeds a large forum, then drives it and a bare Starlette app with wrk."""

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

# Siblings by plain name, imported here while bench/ still leads sys.path: main() then takes it
# off (see unshadow_stdlib_http), after which they could no longer be found that way.
from bench_profile import profile_under_load
from bench_report import print_server_errors, print_table, print_targets, targets, write_json
from bench_scenarios import (
    measure_responses,
    measure_writes,
    post_count_consistent,
    read_scenarios,
    response_scenario,
    responses_consistent,
    smoke_post,
    write_scenario,
)
from bench_seed import FULL, QUICK, Dataset, Seeded, count_posts, seed
from bench_servers import (
    Server,
    clean_environ,
    free_port,
    keep_log,
    pin,
    run_migrate,
    server_errors,
    start_forum,
    start_uvicorn,
    stop_server,
    wait_healthy,
)
from bench_settings import RESULTS_DIR, ROOT, WARMUP_SECONDS, WRK_THREADS, BenchError
from bench_wrk import Result, Scenario, measure


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--quick", action="store_true", help="small dataset (4x20x20 posts)")
    parser.add_argument(
        "--py-spy",
        dest="py_spy",
        metavar="PATH",
        help="py-spy executable: also profile one scenario (--profile) after the runs",
    )
    parser.add_argument(
        "--profile",
        default="topic_html_member",
        metavar="SCENARIO",
        help="the scenario py-spy samples (default: topic_html_member, the signed-in topic page)",
    )
    parser.add_argument(
        "--only",
        metavar="SCENARIOS",
        help="comma-separated read scenarios to run, and create_response if wanted (the bare "
        "page and create post always run; without --only, everything runs)",
    )
    parser.add_argument(
        "--serve-arg",
        dest="serve_args",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `porchlight serve`, e.g. --serve-arg=--access-log (repeatable)",
    )
    parser.add_argument(
        "--no-paired",
        dest="paired",
        action="store_false",
        help="compare every scenario with the first bare run (default: a bare run before each)",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or args.connections < 1:
        parser.error("--duration and --connections must be at least 1")
    return args


def _raise_interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


@dataclass
class Bench:
    """One run: its options, its temporary folder and the servers it started."""

    args: argparse.Namespace
    workdir: Path
    dataset: Dataset
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    servers: dict[str, Server] = field(default_factory=dict)

    def port(self, name: str) -> int:
        return self.servers[name].port


def prepare_data(bench: Bench, env: dict[str, str]) -> Seeded:
    ds = bench.dataset
    print(
        f"data folder {bench.workdir}; dataset {ds.boards} boards x {ds.topics_per_board} "
        f"topics x {ds.posts_per_topic} posts = {ds.posts} posts, {ds.users} users"
    )
    run_migrate(bench.workdir, env)
    seeded = seed(bench.workdir / "data" / "porchlight.db", ds)
    print(f"seeded {count_posts(seeded.db_path)} posts with sqlite3 in {seeded.seconds:.2f}s")
    return seeded


def start_servers(bench: Bench, env: dict[str, str], forum_port: int) -> None:
    """The forum as `porchlight serve` runs it and the bare app, pinned to the same core."""
    bench.servers["forum"] = start_forum(bench.workdir, env, forum_port, bench.args.serve_args)
    bench.servers["bare"] = start_uvicorn(
        "bare", "bench.bare:app", bench.workdir, env, free_port(), ("--app-dir", str(ROOT))
    )
    wait_healthy(bench.servers["forum"], "/healthz")
    wait_healthy(bench.servers["bare"], "/")
    print("forum server: " + " ".join(bench.servers["forum"].command))
    print("  (the console script with its default logging, as an operator starts it)")
    print("bare server:  " + " ".join(bench.servers["bare"].command))
    pinned = ", pinned: servers on CPU 0, wrk on CPU 1" if pin(0) else ""
    print(
        f"wrk: {WRK_THREADS} threads, {bench.args.connections} connections, {WARMUP_SECONDS}s "
        f"warm-up + {bench.args.duration}s per scenario{pinned}"
    )


OPTIONAL_WRITES = ("create_response",)


def chosen(bench: Bench, seeded: Seeded) -> tuple[list[Scenario], set[str]]:
    """The read scenarios to run, and which optional write tests."""
    scenarios = read_scenarios(seeded)
    if not bench.args.only:
        return scenarios, set(OPTIONAL_WRITES)
    wanted = set(bench.args.only.split(","))
    unknown = wanted - {s.key for s in scenarios} - set(OPTIONAL_WRITES)
    if unknown:
        raise BenchError(f"no such scenario: {', '.join(sorted(unknown))}")
    return [s for s in scenarios if s.key in wanted], wanted & set(OPTIONAL_WRITES)


def run_scenarios(bench: Bench, seeded: Seeded) -> tuple[dict[str, Result], dict[str, Any]]:
    """Bare page, the forum's reads, a smoke POST, then the write test (last: it adds rows).

    Other people's work on a shared machine comes and goes within a run, so each forum
    scenario is compared with a bare run measured just before it, not with the first one.
    """
    seconds, connections = bench.args.duration, bench.args.connections
    bare = Scenario("bare", "bare Starlette page", "bare", "GET", ("/",))
    bare_port = bench.port("bare")

    def adjacent_bare() -> float:
        if not bench.args.paired:
            return results["bare"].rps
        return measure(bare, bare_port, bench.workdir, seconds, connections).rps

    print(f"  running {bare.label} ...", flush=True)
    results: dict[str, Result] = {
        "bare": measure(bare, bare_port, bench.workdir, seconds, connections)
    }
    results["bare"].bare_rps = results["bare"].rps
    reads, writes = chosen(bench, seeded)
    for scenario in reads:
        print(f"  running {scenario.label} (and the bare page just before) ...", flush=True)
        bare_rps = adjacent_bare()
        port = bench.port(scenario.server)
        results[scenario.key] = measure(scenario, port, bench.workdir, seconds, connections)
        results[scenario.key].bare_rps = bare_rps
    smoke = smoke_post(bench.port("forum"), seeded)
    print(
        f"  smoke POST: status {smoke['status']}; created_at seeded "
        f"{smoke['seeded_created_at']!r}, written by the app {smoke['app_created_at']!r}: "
        f"{'same format' if smoke['same_format'] else 'DIFFERENT FORMAT'}"
    )
    print("  running create post (and the bare page just before) ...", flush=True)
    bare_rps = adjacent_bare()
    results["create_post"] = measure_writes(
        write_scenario(seeded), bench.port("forum"), bench.workdir, seconds, connections, seeded
    )
    results["create_post"].bare_rps = bare_rps
    if "create_response" in writes:
        print("  running create response (and the bare page just before) ...", flush=True)
        bare_rps = adjacent_bare()
        results["create_response"] = measure_responses(
            response_scenario(seeded, seconds),
            bench.port("forum"),
            bench.workdir,
            seconds,
            connections,
            seeded,
        )
        results["create_response"].bare_rps = bare_rps
    for result in results.values():
        result.ratio = result.rps / result.bare_rps if result.bare_rps else 0.0
    return results, smoke


def maybe_profile(bench: Bench, seeded: Seeded) -> list[str]:
    if not bench.args.py_spy:
        return []
    found = [s for s in read_scenarios(seeded) if s.key == bench.args.profile]
    if not found:
        raise BenchError(f"no such scenario to profile: {bench.args.profile}")
    scenario = found[0]
    print(
        f"\nProfiling {scenario.label} with py-spy (a separate run, not in the numbers above) ..."
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"http-{bench.stamp}-{scenario.key}-profile.txt"
    lines = profile_under_load(
        bench.args.py_spy,
        bench.servers["forum"],
        scenario,
        bench.workdir,
        bench.args.duration,
        bench.args.connections,
        out,
    )
    print("\n".join(lines))
    return lines


def machine_load(before: tuple[float, float, float]) -> dict[str, Any]:
    """Load averages around the run: other busy processes make the numbers noisy."""
    after = os.getloadavg()
    print(
        f"load average (1 min) before the run {before[0]:.2f}, after {after[0]:.2f} "
        f"on {os.cpu_count()} CPUs (the load generator and servers account for ~2)"
    )
    return {"cpus": os.cpu_count(), "loadavg_before": before, "loadavg_after": after}


def run(bench: Bench) -> int:
    load_before = os.getloadavg()
    forum_port = free_port()
    env = clean_environ(bench.workdir / "data", forum_port)
    seeded = prepare_data(bench, env)
    start_servers(bench, env, forum_port)
    results, smoke = run_scenarios(bench, seeded)
    consistent = post_count_consistent(seeded)
    stored = (
        responses_consistent(results["create_response"]) if "create_response" in results else None
    )
    print()
    print_table(list(results.values()))
    print(f"topics.post_count consistent after the write test: {'yes' if consistent else 'NO'}")
    if stored is not None:
        print(
            f"responses stored {stored['created']}, wrk's 2xx {stored['2xx']} "
            f"(sent {stored['sent']}, {stored['in_flight_at_stop']} in flight when wrk stopped, "
            f"{stored['past_end']} past the prepared list): "
            f"{'consistent' if stored['consistent'] else 'NOT CONSISTENT'}"
        )
    checks = targets(results, bench.args.connections, stored)
    print_targets(checks)
    profile = maybe_profile(bench, seeded)
    errors = {}
    for name, server in bench.servers.items():
        kept = keep_log(server, bench.stamp)
        errors[name] = {
            **server_errors(server.stderr_path),
            "log": str(kept.relative_to(ROOT)) if kept else None,
        }
    print_server_errors(errors)
    machine = machine_load(load_before)
    report = {
        "machine": machine,
        "timestamp": bench.stamp,
        "dataset": asdict(bench.dataset),
        "seed_seconds": seeded.seconds,
        "duration": bench.args.duration,
        "connections": bench.args.connections,
        "warmup_seconds": WARMUP_SECONDS,
        "wrk_threads": WRK_THREADS,
        "paired_bare_runs": bench.args.paired,
        "servers": {name: s.command for name, s in bench.servers.items()},
        "profiled": bench.args.profile if bench.args.py_spy else None,
        "smoke_post": smoke,
        "post_count_consistent": consistent,
        "responses_stored": stored,
        "results": [asdict(r) for r in results.values()],
        "targets": checks,
        "server_errors": errors,
        "profile": profile,
    }
    print(f"\nresults written to {write_json(report, bench.stamp).relative_to(ROOT)}")
    return 0 if all(c["pass"] for c in checks) else 1


def unshadow_stdlib_http() -> None:
    """Take this file's folder off sys.path, putting the repository root in its place.

    This file is named http.py: while bench/ leads sys.path it hides the standard library's
    `http` package from whatever is imported later (bleach imports http.client).
    """
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def main(argv: Sequence[str] | None = None) -> int:
    unshadow_stdlib_http()
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench/http.py needs wrk: install it with `apt-get install wrk`", file=sys.stderr)
        return 2
    # Explicitly: a shell without job control starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="porchlight-bench-"))
    bench = Bench(args, workdir, QUICK if args.quick else FULL)
    try:
        return run(bench)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        # A second Ctrl-C must not leave servers or the data folder behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in bench.servers.values():
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
