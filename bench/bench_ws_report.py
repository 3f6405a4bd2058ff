"""The WebSocket benchmark's table and targets."""

from typing import Any

P99_SHARE = 1.5  # forum p99 at most this times the bare endpoint's
RATE_SHARE = 0.60  # forum deliveries/s at least this share of the bare endpoint's
MEMORY_SHARE = 1.5  # forum memory per idle connection at most this times the bare endpoint's
SLOW_SHARE = 1.2  # others' p99 with a stopped reader at most this times the undisturbed run's


def _check(name: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"target": name, "pass": bool(ok), "detail": detail}


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    ff, bf, fi, bi, slow = (
        r["forum_fanout"],
        r["bare_fanout"],
        r["forum_idle"],
        r["bare_idle"],
        r["forum_slow"],
    )
    checks = [
        _check(
            "fan-out p99 <= 1.5x bare",
            ff["p99_ms"] <= P99_SHARE * bf["p99_ms"] and not ff["incomplete_messages"],
            f"{ff['p99_ms']:.1f} ms vs {bf['p99_ms']:.1f} ms = {ff['p99_ms'] / bf['p99_ms']:.2f}x",
        ),
        _check(
            "deliveries/s >= 60% of bare",
            ff["deliveries_per_s"] >= RATE_SHARE * bf["deliveries_per_s"],
            f"{ff['deliveries_per_s']:,.0f} vs {bf['deliveries_per_s']:,.0f} = "
            f"{ff['deliveries_per_s'] / bf['deliveries_per_s']:.0%}",
        ),
        _check(
            "idle memory/conn <= 1.5x bare",
            fi["per_connection_kib"] <= MEMORY_SHARE * bi["per_connection_kib"],
            f"{fi['per_connection_kib']:.1f} KiB vs {bi['per_connection_kib']:.1f} KiB = "
            f"{fi['per_connection_kib'] / bi['per_connection_kib']:.2f}x",
        ),
        _check(
            "others' p99 with a stopped reader <= 1.2x",
            slow["p99_ms"] <= SLOW_SHARE * ff["p99_ms"] and not slow["incomplete_messages"],
            f"{slow['p99_ms']:.1f} ms vs {ff['p99_ms']:.1f} ms = "
            f"{slow['p99_ms'] / ff['p99_ms']:.2f}x",
        ),
        _check(
            "stopped reader disconnected by the server",
            slow["disconnected"],
            f"cut after {slow['cut_after_messages']} messages, {slow['cut_at_s']:.1f} s"
            if slow["disconnected"]
            else f"still {slow['server_side_state_at_end']} on the server side at the end",
        ),
    ]
    if "redis" in r:
        rd, br = r["redis"], r["bare_rate"]
        checks += [
            _check(
                "2 workers + Redis: no loss",
                rd["lost_deliveries"] == 0,
                f"{rd['lost_deliveries']} of {rd['expected_deliveries']} deliveries lost, "
                f"{rd['clients_missing_any']} clients missing some",
            ),
            _check(
                "2 workers + Redis: p99 <= 1.5x bare",
                rd["p99_ms"] <= P99_SHARE * br["p99_ms"],
                f"{rd['p99_ms']:.1f} ms vs bare {br['p99_ms']:.1f} ms = "
                f"{rd['p99_ms'] / br['p99_ms']:.2f}x",
            ),
        ]
    return checks


def _row(label: str, x: dict[str, Any]) -> str:
    return (
        f"{label:<34} {x['recipients']:>6} {x['messages']:>5} {x['p50_ms']:>8.1f} "
        f"{x['p99_ms']:>8.1f} {x['max_ms']:>8.1f} {x['deliveries_per_s']:>10,.0f} "
        f"{x['incomplete_messages']:>5} {x['server_cpu_share']:>5.0%} "
        f"{x['client_cpu_share']:>5.0%} "
        f"{x['loadavg'][0]:>5.2f}"
    )


def print_report(
    r: dict[str, Any], checks: list[dict[str, Any]], machine: dict[str, Any], errors: dict[str, Any]
) -> None:
    print(
        f"\n{'run':<34} {'recip':>6} {'msgs':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'deliv/s':>10} {'incmp':>5} {'srv':>5} {'cli':>5} {'load':>5}"
    )
    print(_row("bare, 1 process", r["bare_fanout"]))
    print(_row("forum, 1 process", r["forum_fanout"]))
    print(_row("forum, one client stops reading", r["forum_slow"]))
    print(_row("bare, 1 process, fixed rate", r["bare_rate"]))
    if "redis" in r:
        print(_row("forum, 2 workers + Redis, rate", r["redis"]))
    print("\nidle connections      conns  RSS before  RSS after  per conn  connect s  load")
    for name in ("bare", "forum"):
        x = r[f"{name}_idle"]
        print(
            f"{name:<20} {x['connections']:>7} {x['rss_before_kib'] / 1024:>8.1f} MiB "
            f"{x['rss_after_kib'] / 1024:>7.1f} MiB {x['per_connection_kib']:>6.1f} KiB "
            f"{x['connect_s']:>8.1f} {x['loadavg'][0]:>6.2f}"
        )
    s = r["forum_slow"]
    print(
        f"\nstopped reader: disconnected={s['disconnected']} "
        f"after {s['cut_after_messages']} messages "
        f"({s['cut_at_s']} s); server side at the end {s['server_side_state_at_end']}, most bytes "
        f"queued in the kernel {s['server_side_max_tx_queue']:,}; it had received "
        f"{s['slow_client_got_messages']} messages; close {s['slow_client_close']}"
    )
    if "redis" in r:
        print(
            f"2 workers: new sockets per worker {r['redis']['sockets_per_worker']}, "
            f"lost {r['redis']['lost_deliveries']} of {r['redis']['expected_deliveries']}"
        )
    print(f"frame sizes (bytes): {r['frame_bytes']}")
    print("srv/cli: CPU time of the server (all workers), of this client process, over wall time")
    print("\ntargets")
    for c in checks:
        print(f"  {'PASS' if c['pass'] else 'FAIL'}  {c['target']:<44} {c['detail']}")
    for name, e in errors.items():
        if e["tracebacks"]:
            print(f"\n{name} stderr: {e['tracebacks']} tracebacks: {e['exceptions']}")
    print(
        f"\nload average (1 min) before {machine['loadavg_before'][0]:.2f}, after "
        f"{machine['loadavg_after'][0]:.2f} on {machine['cpus']} CPUs"
    )
