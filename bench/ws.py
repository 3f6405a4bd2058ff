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
from collections.abc import Sequence  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

from bench_servers import (  # noqa: E402
    Server,
    clean_environ,
    free_port,
    pin,
    run_migrate,
    server_errors,
    spawn,
    start_server,
    stop_server,
    wait_healthy,
)
from bench_settings import RESULTS_DIR, ROOT, VENV_BIN, BenchError  # noqa: E402
from bench_ws_clients import Pool, Sender, bare_frame, forum_frame  # noqa: E402
from bench_ws_report import print_report, targets  # noqa: E402
from bench_ws_scenarios import Target, fanout, fixed_rate, idle_memory, slow_reader, worker_sockets  # noqa: E402
from bench_ws_seed import create_room, seed_people  # noqa: E402

WS_OPTIONS = ("--ws-max-size", "65536", "--ws-per-message-deflate", "false")


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
    add("--users", type=int, default=100, help="distinct forum accounts the clients sign in as")
    add(
        "--slow-messages",
        type=int,
        default=1200,
        help="messages sent while one client stops reading",
    )
    add("--slow-rcvbuf", type=int, default=4096, help="the stopped client's SO_RCVBUF")
    add("--redis-url", default="redis://127.0.0.1:6379/8")
    add("--redis-clients", type=int, default=2000)
    add("--rate", type=float, default=10.0, help="messages/s in the 2,000-client runs")
    add("--seconds", type=float, default=20.0, help="length of the 2,000-client runs")
    add("--no-redis", action="store_true", help="skip the two-worker Redis scenario")
    add("--quick", action="store_true", help="a tenth of the clients and messages: a setup check")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.messages, args.idle = 100, 40, 200
        args.redis_clients, args.seconds, args.slow_messages = 200, 4.0, 1200
    return args


def _raise_interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def start_forum(workdir: Path, env: dict[str, str], port: int, workers: int) -> Server:
    """The forum exactly as `porchlight serve` starts it, pinned like the bare endpoint."""
    porchlight = shutil.which("porchlight", path=str(VENV_BIN)) or "porchlight"
    command = [*pin(0), porchlight, "serve", "--port", str(port), "--workers", str(workers)]
    server = spawn(f"forum-{workers}w", command, workdir, env, port)
    wait_healthy(server, "/healthz", timeout=60)
    return server


async def single_process(
    args: argparse.Namespace, servers: dict[str, Server], tokens: list[str], room: int
) -> dict[str, Any]:
    forum, bare = servers["forum"], servers["bare"]
    out: dict[str, Any] = {}
    f = Target(forum, Pool(forum.port, room), None)  # type: ignore[arg-type]
    f.sender = Sender(f.pool, forum_frame(room), "")
    print(f"  forum: {args.idle} idle subscribed connections ...", flush=True)
    out["forum_idle"] = await idle_memory(f, tokens[1:], args.idle)
    print(f"  forum: fan-out to {args.clients} clients, {args.messages} messages ...", flush=True)
    out["forum_fanout"] = await fanout(f, args.clients, args.messages, args.gap)
    frame_len = f.pool.tracker.frame_len
    print("  forum: the same while one more client stops reading ...", flush=True)
    out["forum_slow"] = await slow_reader(
        f, tokens[0], "wsbench0001", room, args.slow_messages, args.gap, args.slow_rcvbuf
    )
    await f.pool.close()

    b = Target(bare, Pool(bare.port, None), None)  # type: ignore[arg-type]
    probe = len(bare_frame(1, 1.0, ""))
    b.sender = Sender(b.pool, bare_frame, "x" * max(0, frame_len - probe))
    print(f"  bare: {args.idle} idle connections ...", flush=True)
    out["bare_idle"] = await idle_memory(b, [None], args.idle)
    print(f"  bare: {args.rate:g} messages/s for {args.seconds:g}s to {args.idle} ...", flush=True)
    out["bare_rate"] = await fixed_rate(b, args.rate, args.seconds)
    print(f"  bare: fan-out to {args.clients} clients, {args.messages} messages ...", flush=True)
    out["bare_fanout"] = await fanout(b, args.clients, args.messages, args.gap)
    out["frame_bytes"] = {"forum_message": frame_len, "bare_message": b.pool.tracker.frame_len}
    await b.pool.close()
    return out


async def two_workers(
    args: argparse.Namespace, server: Server, tokens: list[str], room: int
) -> dict[str, Any]:
    t = Target(server, Pool(server.port, room), None)  # type: ignore[arg-type]
    t.sender = Sender(t.pool, forum_frame(room), "")
    before = worker_sockets(t)
    print(f"  forum, 2 workers + Redis: {args.redis_clients} clients ...", flush=True)
    connect_s = await t.pool.grow(args.redis_clients, tokens[1:])
    after = worker_sockets(t)
    print(
        f"  forum, 2 workers + Redis: {args.rate:g} messages/s for {args.seconds:g}s ...",
        flush=True,
    )
    result = await fixed_rate(t, args.rate, args.seconds)
    result.update(
        connect_s=connect_s,
        sockets_per_worker={str(pid): after[pid] - before.get(pid, 0) for pid in after},
    )
    await t.pool.close()
    return result


def run(args: argparse.Namespace, workdir: Path, servers: dict[str, Server]) -> int:
    load_before = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max(args.idle, args.redis_clients) * 2 + 200
    if hard != resource.RLIM_INFINITY and hard < need:
        raise BenchError(f"the file-descriptor limit {hard} is below the {need} this run needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it too
    forum_port = free_port()
    env = clean_environ(workdir / "data", forum_port)
    run_migrate(workdir, env)
    tokens = seed_people(workdir / "data" / "porchlight.db", args.users)
    servers["forum"] = start_forum(workdir, env, forum_port, 1)
    servers["bare"] = start_server(
        "bare",
        "bench.bare_ws:app",
        workdir,
        env,
        free_port(),
        ("--app-dir", str(ROOT), *WS_OPTIONS),
    )
    wait_healthy(servers["bare"], "/")
    room = create_room(forum_port, tokens[0], "Bench lounge")
    if pin(1):
        os.sched_setaffinity(0, {1})
    print(f"forum: {' '.join(servers['forum'].command)}")
    print(f"bare:  {' '.join(servers['bare'].command)}")
    print(
        f"clients: this process ({os.getpid()}){', on CPU 1' if pin(1) else ''}; "
        f"{args.users} forum accounts; load average {load_before[0]:.2f}"
    )
    results = asyncio.run(single_process(args, servers, tokens, room))
    stop_server(servers.pop("forum"))
    if not args.no_redis:
        env2 = clean_environ(workdir / "data", free_port())
        env2["PORCHLIGHT_REDIS_URL"] = args.redis_url
        servers["forum2"] = start_forum(workdir, env2, int(env2["PORCHLIGHT_PORT"]), 2)
        results["redis"] = asyncio.run(two_workers(args, servers["forum2"], tokens, room))
    checks = targets(results)
    machine = {
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    errors = {name: server_errors(s.stderr_path) for name, s in servers.items()}
    errors["forum-1w"] = server_errors(workdir / "forum-1w.stderr.log")
    print_report(results, checks, machine, errors)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"ws-{stamp}.json"
    report = {
        "timestamp": stamp,
        "args": vars(args),
        "machine": machine,
        "results": results,
        "targets": checks,
        "server_errors": errors,
        "servers": {name: s.command for name, s in servers.items()},
    }
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nresults written to {path.relative_to(ROOT)}")
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
