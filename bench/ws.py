"""WebSocket fan-out benchmark: the forum's /ws against a bare Starlette broadcast endpoint."""

import sys
from pathlib import Path

# This folder also holds http.py, which would hide the standard library's `http` package
# (websockets imports it): keep the folder on sys.path for the siblings, but last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Awaitable, Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any, NoReturn, cast  # noqa: E402

from bench_servers import (  # noqa: E402
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
from bench_settings import RESULTS_DIR, ROOT, BenchError  # noqa: E402
from bench_ws_clients import Pool, Sender, bare_frame, forum_frame, now  # noqa: E402
from bench_ws_report import print_check, print_report, print_scenario, targets  # noqa: E402
from bench_ws_scenarios import (  # noqa: E402
    Target,
    fanout,
    fixed_rate,
    idle_memory,
    stopped_reader_rounds,
    worker_sockets,
)
from bench_ws_seed import create_room, seed_people  # noqa: E402

# The bare endpoint gets the WebSocket options `porchlight serve` gives uvicorn.
WS_OPTIONS = ("--ws-max-size", "65536", "--ws-per-message-deflate", "false")
DRAIN_S = 60.0  # past a scenario's deadline: the last deliveries, the stopped reader's reads


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    add = parser.add_argument
    add("--clients", type=int, default=1000, help="clients in the fan-out runs")
    add("--messages", type=int, default=200, help="messages per fan-out run")
    add(
        "--gap",
        type=float,
        default=0.0,
        help="seconds between a message's last delivery and the next send",
    )
    add("--idle", type=int, default=2000, help="idle connections for the memory figure")
    add(
        "--users",
        type=int,
        default=10,
        help="forum accounts (the first for the stopped reader; the others shared by the clients)",
    )
    add(
        "--slow-messages",
        type=int,
        default=1200,
        help="messages sent at least while one client stops reading (more until it is cut off)",
    )
    add("--slow-rcvbuf", type=int, default=4096, help="the stopped client's SO_RCVBUF")
    add(
        "--slow-rounds",
        type=int,
        default=5,
        help="rounds of an undisturbed and a disturbed run, back to back, for the stopped reader",
    )
    add(
        "--only",
        choices=("all", "slow"),
        default="all",
        help="slow: only the stopped-reader rounds (no bare endpoint, memory or Redis runs)",
    )
    add("--redis-url", default="redis://127.0.0.1:6379/8")
    add("--redis-clients", type=int, default=2000)
    add("--rate", type=float, default=10.0, help="messages/s in the 2,000-client runs")
    add("--seconds", type=float, default=20.0, help="length of the 2,000-client runs")
    add(
        "--scenario-timeout",
        type=float,
        default=300.0,
        help="seconds a scenario (its connecting included) may send for before it is cut short",
    )
    add("--no-redis", action="store_true", help="skip the two-worker Redis scenario")
    add("--quick", action="store_true", help="a tenth of the clients and messages: a setup check")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.messages, args.idle = 100, 40, 200
        args.redis_clients, args.seconds, args.slow_messages = 200, 4.0, 400
    if args.slow_rounds < 1:
        parser.error("--slow-rounds must be at least 1")
    if args.only == "slow":
        args.no_redis = True
    if args.users < 2:
        parser.error("--users must be at least 2 (one for the stopped reader)")
    return args


def _raise_interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


@dataclass
class Recorder:
    """The results file, written again after every scenario: a crash keeps what was measured."""

    path: Path
    report: dict[str, Any]
    shown: set[str] = field(default_factory=set)
    # Whether a target whose scenarios were not run counts as a failure (not with --only).
    every_target: bool = True

    @property
    def results(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.report["results"])

    def write(self) -> None:
        self.report["targets"] = targets(self.results, final=True, all_run=self.every_target)
        self.report["machine"]["loadavg_now"] = os.getloadavg()
        partial = self.path.with_suffix(".json.partial")
        partial.write_text(json.dumps(self.report, indent=2, default=str))
        partial.replace(self.path)

    def record(self, key: str, value: Any) -> None:
        """Keep one scenario's figures, print them and every target they settle."""
        self.results[key] = value
        self.write()
        if isinstance(value, dict) and key != "frame_bytes":
            print_scenario(key, value)
        for check in targets(self.results):
            if check["target"] not in self.shown:
                self.shown.add(check["target"])
                print_check(check)


async def scenario(
    rec: Recorder, key: str, target: Target, limit: float, go: Callable[[], Awaitable[Any]]
) -> None:
    """Run one scenario within its limit; its figures or its failure go in the results."""
    print(f"  {key}: {go.__doc__ or ''}".rstrip(), flush=True)
    target.sender.deadline = now() + limit
    started = now()
    try:
        async with asyncio.timeout(limit + DRAIN_S):
            result = await go()
        result["scenario_s"] = now() - started
    except TimeoutError:
        result = {"error": f"did not finish within {limit + DRAIN_S:.0f} s"}
    except Exception as exc:  # noqa: BLE001 - one scenario failing must not lose the others
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    rec.record(key, result)


def forum_target(server: Server, room: int, tokens: list[str]) -> Target:
    pool = Pool(server.port, room)
    return Target(server, pool, Sender(pool, forum_frame(room), ""), tokens)


async def frame_size(forum: Target) -> int:
    """The length of the forum's message frame: the bare endpoint's frames are padded to it."""
    await forum.pool.resize(2, forum.tokens)
    await forum.sender.closed_loop(3, 0.0)
    await forum.pool.close()
    return forum.pool.tracker.frame_len


async def single_process(
    args: argparse.Namespace,
    rec: Recorder,
    servers: dict[str, Server],
    tokens: list[str],
    room: int,
) -> None:
    """Forum (1 worker) and the bare endpoint, each scenario with only its own clients open."""
    forum = forum_target(servers["forum"], room, tokens[1:])
    frame_len = await frame_size(forum)
    bare_pool = Pool(servers["bare"].port, None)
    pad = "x" * max(0, frame_len - len(bare_frame(1, 1.0, "")))
    bare = Target(servers["bare"], bare_pool, Sender(bare_pool, bare_frame, pad), [None])
    limit = args.scenario_timeout

    async def bare_idle() -> dict[str, Any]:
        return await idle_memory(bare, args.idle)

    async def bare_fanout() -> dict[str, Any]:
        return await fanout(bare, args.clients, args.messages, args.gap)

    async def forum_idle() -> dict[str, Any]:
        return await idle_memory(forum, args.idle)

    async def forum_fanout() -> dict[str, Any]:
        return await fanout(forum, args.clients, args.messages, args.gap)

    async def forum_slow() -> dict[str, Any]:
        return await stopped_reader_rounds(
            forum,
            tokens[0],
            "wsbench0001",
            room,
            clients=args.clients,
            messages=args.slow_messages,
            gap=args.gap,
            rcvbuf=args.slow_rcvbuf,
            rounds=args.slow_rounds,
        )

    bare_idle.__doc__ = f"bare, {args.idle} idle connections"
    bare_fanout.__doc__ = f"bare, fan-out to {args.clients} clients, {args.messages} messages"
    forum_idle.__doc__ = f"forum, {args.idle} idle subscribed connections"
    forum_fanout.__doc__ = f"forum, fan-out to {args.clients} clients, {args.messages} messages"
    forum_slow.__doc__ = (
        f"forum, {args.clients} clients: {args.slow_rounds} rounds of an undisturbed run and a "
        "run while one more client stops reading, alike in length (at least "
        f"{args.slow_messages} messages, past the calibrated cut-off)"
    )

    async def bare_rate() -> dict[str, Any]:
        return await fixed_rate(bare, args.redis_clients, args.rate, args.seconds)

    bare_rate.__doc__ = (
        f"bare, {args.rate:g} messages/s for {args.seconds:g} s to {args.redis_clients} clients"
    )
    if args.only == "slow":
        try:
            # Every run of the rounds is one scenario: its deadline covers them all.
            await scenario(rec, "forum_slow", forum, limit * (args.slow_rounds + 1), forum_slow)
        finally:
            await forum.pool.close()
        return
    try:
        await scenario(rec, "bare_idle", bare, limit, bare_idle)
        await bare.pool.shrink(0)
        await scenario(rec, "bare_fanout", bare, limit, bare_fanout)
        await bare.pool.shrink(0)
        await scenario(rec, "forum_idle", forum, limit, forum_idle)
        await scenario(rec, "forum_fanout", forum, limit, forum_fanout)
        await scenario(rec, "forum_slow", forum, limit * (args.slow_rounds + 1), forum_slow)
        frames = {"forum_message": frame_len, "bare_message": bare_pool.tracker.frame_len}
        rec.record("frame_bytes", frames)
        await forum.pool.close()
        if not args.no_redis:
            # The forum's one process is done: stopped, so the reference runs as the others did.
            await asyncio.to_thread(stop_server, servers["forum"])
            await scenario(rec, "bare_rate", bare, limit, bare_rate)
    finally:
        await forum.pool.close()
        await bare.pool.close()


async def two_workers(
    args: argparse.Namespace, rec: Recorder, server: Server, tokens: list[str], room: int
) -> None:
    t = forum_target(server, room, tokens[1:])
    before = worker_sockets(t)

    async def redis() -> dict[str, Any]:
        result = await fixed_rate(t, args.redis_clients, args.rate, args.seconds)
        after = worker_sockets(t)
        result["sockets_per_worker"] = {str(p): after[p] - before.get(p, 0) for p in after}
        return result

    redis.__doc__ = (
        f"forum, 2 workers + Redis: {args.redis_clients} clients, {args.rate:g} messages/s "
        f"for {args.seconds:g} s"
    )
    try:
        await scenario(rec, "redis", t, args.scenario_timeout, redis)
    finally:
        await t.pool.close()


def check_fd_limit(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max(args.idle, args.redis_clients, args.clients) * 2 + 200
    if hard != resource.RLIM_INFINITY and hard < need:
        raise BenchError(f"the file-descriptor limit {hard} is below the {need} this run needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it too


def run(args: argparse.Namespace, workdir: Path, servers: dict[str, Server]) -> int:
    started = now()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    check_fd_limit(args)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    machine: dict[str, Any] = {"cpus": os.cpu_count(), "loadavg_before": os.getloadavg()}
    rec = Recorder(
        RESULTS_DIR / f"ws-{stamp}.json",
        {"timestamp": stamp, "args": vars(args), "machine": machine, "results": {}, "servers": {}},
        every_target=args.only == "all",
    )
    forum_port = free_port()
    env = clean_environ(workdir / "data", forum_port)
    run_migrate(workdir, env)
    tokens = seed_people(workdir / "data" / "porchlight.db", args.users)
    servers["forum"] = start_forum(workdir, env, forum_port, name="forum-1w")
    servers["bare"] = start_uvicorn(
        "bare",
        "bench.bare_ws:app",
        workdir,
        env,
        free_port(),
        ("--app-dir", str(ROOT), *WS_OPTIONS),
    )
    wait_healthy(servers["forum"], "/healthz", timeout=60)
    wait_healthy(servers["bare"], "/")
    room = create_room(forum_port, tokens[0], "Bench lounge")
    if pin(1):
        os.sched_setaffinity(0, {1})
    for name, server in servers.items():
        rec.report["servers"][name] = server.command
        print(f"{name}: {' '.join(server.command)}")
    print(
        f"clients: this process ({os.getpid()}){', on CPU 1' if pin(1) else ''}; "
        f"{args.users - 1} forum accounts shared by the clients; "
        f"load average {machine['loadavg_before'][0]:.2f}; results in {rec.path.relative_to(ROOT)}"
    )
    try:
        asyncio.run(single_process(args, rec, servers, tokens, room))
        if not args.no_redis:
            stop_server(servers["forum"])
            env2 = clean_environ(workdir / "data", free_port())
            env2["PORCHLIGHT_REDIS_URL"] = args.redis_url
            port2 = int(env2["PORCHLIGHT_PORT"])
            extra = ("--workers", "2")
            servers["forum2"] = start_forum(workdir, env2, port2, extra, name="forum-2w")
            rec.report["servers"]["forum2"] = servers["forum2"].command
            command = " ".join(servers["forum2"].command)
            print(f"forum2: {command} (PORCHLIGHT_REDIS_URL={args.redis_url})")
            wait_healthy(servers["forum2"], "/healthz", timeout=60)
            asyncio.run(two_workers(args, rec, servers["forum2"], tokens, room))
    finally:
        machine["loadavg_after"] = os.getloadavg()
        machine["run_s"] = now() - started
        rec.report["server_errors"] = {n: server_errors(s.stderr_path) for n, s in servers.items()}
        rec.report["server_logs"] = {
            n: str(kept) for n, s in servers.items() if (kept := keep_log(s, stamp, "ws"))
        }
        rec.write()
    checks = targets(rec.results, final=True, all_run=rec.every_target)
    print_report(rec.results, checks, machine, rec.report["server_errors"])
    print(f"\nrun time {machine['run_s']:.0f} s; results written to {rec.path.relative_to(ROOT)}")
    return 0 if all(c["pass"] for c in checks) else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Explicitly: a shell without job control starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="porchlight-wsbench-"))
    servers: dict[str, Server] = {}
    try:
        return run(args, workdir, servers)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    except Exception:  # a client refused or dropped during setup: the run proves nothing
        traceback.print_exc()
        print("bench failed: see the traceback above", file=sys.stderr)
        return 2
    finally:
        # A second Ctrl-C must not leave servers or the data folder behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in servers.values():
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
