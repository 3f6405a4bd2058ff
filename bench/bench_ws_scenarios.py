"""The WebSocket benchmark's scenarios, each on an already running server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench_servers import Server
from bench_ws_clients import MARK, Pool, Run, Sender, open_ws, small_buffer_socket
from bench_ws_probes import cpu_seconds, rss_kib, server_pids, socket_fds, tcp_state
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

SLOW_LIMIT = 90.0  # uvicorn pings every 20 s and gives up after 20 more: a silent client is gone


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of the values do not exceed."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(run: Run, server_cpu: float, client_cpu: float) -> dict[str, Any]:
    return {
        # Each message's latency, for pooling runs (the stopped-reader rounds); not written out.
        "_latencies_ms": run.latencies_ms,
        "server_cpu_ms_per_message": server_cpu * 1000 / len(run.ks) if run.ks else 0.0,
        "messages": len(run.ks),
        "recipients": run.recipients,
        "p50_ms": percentile(run.latencies_ms, 0.50),
        "p99_ms": percentile(run.latencies_ms, 0.99),
        "max_ms": max(run.latencies_ms, default=float("nan")),
        "incomplete_messages": run.incomplete,
        "deliveries": run.deliveries,
        "elapsed_s": run.elapsed,
        "deliveries_per_s": run.deliveries / run.elapsed if run.elapsed else 0.0,
        "server_cpu_share": server_cpu / run.elapsed if run.elapsed else 0.0,
        "client_cpu_share": client_cpu / run.elapsed if run.elapsed else 0.0,
        "pacing": run.pacing,
        "loadavg": list(os.getloadavg()),
    }


@dataclass
class Target:
    """A server under test with the clients connected to it."""

    server: Server
    pool: Pool
    sender: Sender
    tokens: Sequence[str | None]  # what its clients sign in with, shared round-robin

    @property
    def pids(self) -> list[int]:
        return server_pids(self.server.process.pid)


def losses(target: Target) -> dict[str, Any]:
    """The clients dropped and connections refused since the last call."""
    return target.pool.take_losses().summary()


async def measured(target: Target, go: Callable[[], Awaitable[Run]]) -> dict[str, Any]:
    """Run a send sequence, noting CPU time around it and what each client of the pool lost."""
    clients = list(target.pool.clients)
    server0, client0 = cpu_seconds(target.pids), time.process_time()
    run = await go()
    server1, client1 = cpu_seconds(target.pids), time.process_time()
    result = summary(run, server1 - server0, client1 - client0)
    ks = set(run.ks)
    missing = [len(ks - client.got) for client in clients]
    result.update(
        clients_missing_any=sum(1 for m in missing if m),
        lost_deliveries=sum(missing),
        expected_deliveries=len(ks) * len(clients),
    )
    return result


async def idle_memory(target: Target, count: int) -> dict[str, Any]:
    """RSS before and after opening `count` idle clients (subscribed, on the forum)."""
    pool, pid = target.pool, target.server.process.pid
    await pool.resize(20, target.tokens)  # warm up whatever is lazily imported or cached
    await pool.settle(0.5)
    await pool.shrink(0)
    await asyncio.sleep(1.0)
    before = rss_kib(pid)
    connect_s = await pool.grow(count, target.tokens)
    settle_s = await pool.settle()
    await asyncio.sleep(1.0)
    after = rss_kib(pid)
    opened = len(pool.clients)
    return {
        "connections": opened,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "per_connection_kib": (after - before) / opened if opened else float("nan"),
        "connect_s": connect_s,
        "settle_s": settle_s,
        "frames_during_setup": pool.tracker.frames,
        "loadavg": list(os.getloadavg()),
        **losses(target),
    }


async def fanout(target: Target, clients: int, messages: int, gap: float) -> dict[str, Any]:
    connect_s = await target.pool.resize(clients, target.tokens)
    await target.pool.settle()
    await target.sender.closed_loop(10, gap)  # warm-up, not counted
    result = await measured(target, lambda: target.sender.closed_loop(messages, gap))
    result.pop("_latencies_ms")
    return {**result, "connect_s": connect_s, **losses(target)}


async def fixed_rate(target: Target, clients: int, rate: float, seconds: float) -> dict[str, Any]:
    connect_s = await target.pool.resize(clients, target.tokens)
    await target.pool.settle()
    count = max(1, round(rate * seconds))
    result = await measured(target, lambda: target.sender.fixed_rate(count, rate))
    result.pop("_latencies_ms")
    return {**result, "connect_s": connect_s, **losses(target)}


async def slow_reader(
    target: Target,
    token: str,
    username: str,
    room: int,
    messages: int,
    gap: float,
    rcvbuf: int,
    *,
    exact: bool = False,
) -> dict[str, Any]:
    """One more client subscribes and then never reads; the others' fan-out is measured.

    The measured run is `messages` long, and with exact=False it goes on until the server has
    let the stopped reader go (its outgoing queue overflowed, or uvicorn's keepalive found it
    silent), up to SLOW_LIMIT seconds. With exact=True the measured run is exactly `messages`
    long (as long as the undisturbed run it is compared with) and the messages that follow
    until the cut-off, if it has not come yet, are sent unmeasured.
    """
    sock = small_buffer_socket(target.server.port, rcvbuf)
    ws = await open_ws(target.server.port, token, sock=sock, max_queue=1)
    try:
        return await _stopped_reader(target, ws, username, room, messages, gap, rcvbuf, exact)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 2)


async def _stopped_reader(
    target: Target,
    ws: ClientConnection,
    username: str,
    room: int,
    messages: int,
    gap: float,
    rcvbuf: int,
    exact: bool,
) -> dict[str, Any]:
    slow_port = ws.local_address[1]
    await ws.send(json.dumps({"type": "subscribe", "room": room}))
    async with asyncio.timeout(30):
        while not str(await ws.recv()).startswith('{"type":"subscribed"'):
            pass
    watch: dict[str, Any] = {"cut_at_s": None, "cut_after_messages": None, "max_tx_queue": 0}
    first = target.sender.next_k
    tracker = target.pool.tracker
    await target.pool.settle()
    # The server tells the room when it lets a connection go: the others' presence frames
    # then no longer list the slow client's account (one that no other client uses).
    tracker.absent_mark, tracker.absent_at = f'"{username}"', None
    started = time.perf_counter()

    async def poll() -> None:
        while True:
            state = tcp_state(target.server.port, slow_port)
            if state is not None:
                watch["max_tx_queue"] = max(watch["max_tx_queue"], state[1])
            if tracker.absent_at is not None and watch["cut_at_s"] is None:
                watch["cut_at_s"] = tracker.absent_at - started
                watch["cut_after_messages"] = target.sender.next_k - first
            await asyncio.sleep(0.1)

    def not_yet_cut() -> bool:
        return tracker.absent_at is None and time.perf_counter() - started < SLOW_LIMIT

    poller = asyncio.create_task(poll())
    more = None if exact else not_yet_cut
    result = await measured(target, lambda: target.sender.closed_loop(messages, gap, more))
    if exact and not_yet_cut():
        await target.sender.closed_loop(0, gap, not_yet_cut)  # unmeasured: up to the cut-off
    await asyncio.sleep(1.0)
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller
    tracker.absent_mark = None
    end_state = tcp_state(target.server.port, slow_port)
    # Now read what reached the slow client and how its connection ended.
    received, code, reason = 0, None, ""
    try:
        while True:
            text = str(await asyncio.wait_for(ws.recv(), 5))
            received += MARK in text
    except ConnectionClosed as closed:
        if closed.rcvd is not None:
            code, reason = closed.rcvd.code, closed.rcvd.reason
    except TimeoutError:
        pass
    result.update(
        slow_rcvbuf=rcvbuf,
        disconnected=watch["cut_at_s"] is not None,
        cut_at_s=watch["cut_at_s"],
        cut_after_messages=watch["cut_after_messages"],
        server_side_state_at_end=end_state[0] if end_state else "gone",
        server_side_max_tx_queue=watch["max_tx_queue"],
        slow_client_got_messages=received,
        slow_client_close=(code, reason),
        **losses(target),
    )
    return result


CALIBRATION_MARGIN = 1.25  # each run is this much longer than the calibration's cut-off


async def stopped_reader_rounds(
    target: Target,
    token: str,
    username: str,
    room: int,
    *,
    clients: int,
    messages: int,
    gap: float,
    rcvbuf: int,
    rounds: int,
) -> dict[str, Any]:
    """The others' p99 with and without a stopped reader, in like runs, several rounds.

    A calibration run (not counted) finds how many messages it takes the server to let a
    stopped reader go; every run after it is that many and a quarter more (at least
    `messages`), so each disturbed run holds the whole stop, the cut-off and some time after,
    and each undisturbed run is exactly as long. The two run back to back on the same clients,
    in alternating order (undisturbed first in even rounds), so drift in the machine's load
    falls on both alike; the rounds' medians and spread are the figures.
    """
    connect_s = await target.pool.resize(clients, target.tokens)
    await target.pool.settle()
    await target.sender.closed_loop(10, gap)  # warm-up, not counted
    losses(target)
    calibration = await slow_reader(target, token, username, room, messages, gap, rcvbuf)
    cut = calibration["cut_after_messages"]
    length = max(messages, math.ceil(cut * CALIBRATION_MARGIN)) if cut else calibration["messages"]
    pairs: list[dict[str, Any]] = []
    for n in range(rounds):
        order = ("undisturbed", "disturbed") if n % 2 == 0 else ("disturbed", "undisturbed")
        pair: dict[str, Any] = {"order": "/".join(order)}
        for kind in order:
            await target.pool.settle()
            if kind == "undisturbed":
                run = await measured(target, lambda: target.sender.closed_loop(length, gap))
                pair[kind] = {**run, **losses(target)}
            else:
                pair[kind] = await slow_reader(
                    target, token, username, room, length, gap, rcvbuf, exact=True
                )
        pair["ratio"] = pair["disturbed"]["p99_ms"] / pair["undisturbed"]["p99_ms"]
        pairs.append(pair)
        print(f"    {round_line(n + 1, pair)}", flush=True)
    # Pooled: every message of all the rounds' runs of one kind, so one run's spike (another
    # process on the machine) weighs as one message among all, not as one run's whole p99.
    pooled = {
        kind: percentile([ms for p in pairs for ms in p[kind].pop("_latencies_ms")], 0.99)
        for kind in ("undisturbed", "disturbed")
    }
    ratios = sorted(p["ratio"] for p in pairs)
    middle = sorted(pairs, key=lambda p: p["ratio"])[(len(pairs) - 1) // 2]
    return {
        **middle["disturbed"],
        "connect_s": connect_s,
        "messages_per_run": length,
        "calibration": {
            k: calibration[k]
            for k in ("messages", "cut_after_messages", "cut_at_s", "disconnected", "p99_ms")
        },
        "rounds": pairs,
        "undisturbed_p99_median_ms": statistics.median(p["undisturbed"]["p99_ms"] for p in pairs),
        "disturbed_p99_median_ms": statistics.median(p["disturbed"]["p99_ms"] for p in pairs),
        "ratio_median": statistics.median(ratios),
        "pooled_p99_ms": pooled,
        "pooled_ratio": pooled["disturbed"] / pooled["undisturbed"],
        "server_cpu_ms_per_message_median": {
            kind: statistics.median(p[kind]["server_cpu_ms_per_message"] for p in pairs)
            for kind in ("undisturbed", "disturbed")
        },
        "ratio_min": ratios[0],
        "ratio_max": ratios[-1],
        "all_disconnected": all(p["disturbed"]["disconnected"] for p in pairs),
        "middle_round_undisturbed": middle["undisturbed"],
    }


def round_line(n: int, pair: dict[str, Any]) -> str:
    """One round's figures: both p99s, their ratio, and where the cut-off came."""
    u, d = pair["undisturbed"], pair["disturbed"]
    cut = f"cut after {d['cut_after_messages']}" if d["disconnected"] else "NOT cut"
    return (
        f"round {n} ({pair['order']}): p99 {u['p99_ms']:.1f} ms undisturbed, "
        f"{d['p99_ms']:.1f} ms disturbed = {pair['ratio']:.2f}x (p50 {u['p50_ms']:.1f} / "
        f"{d['p50_ms']:.1f} ms; server CPU {u['server_cpu_ms_per_message']:.2f} / "
        f"{d['server_cpu_ms_per_message']:.2f} ms a message; {d['messages']} messages each; "
        f"{cut}; lost "
        f"{u['lost_deliveries']} / {d['lost_deliveries']})"
    )


def worker_sockets(target: Target) -> dict[int, int]:
    return {pid: socket_fds(pid) for pid in target.pids}
