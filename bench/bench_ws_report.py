"""The WebSocket benchmark's lines, tables and targets (issue 6)."""

from collections.abc import Callable
from typing import Any

from bench_ws_scenarios import round_line

P99_SHARE = 1.5  # forum p99 at most this times the bare endpoint's
RATE_SHARE = 0.60  # forum deliveries/s at least this share of the bare endpoint's
MEMORY_SHARE = 1.5  # forum memory per idle connection at most this times the bare endpoint's
SLOW_SHARE = 1.2  # others' p99 with a stopped reader at most this times the undisturbed run's

Result = dict[str, Any]


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def _lost(x: Result) -> str:
    lost, dropped, failed = (
        x.get(k, 0) for k in ("lost_deliveries", "dropped_clients", "connect_failures")
    )
    if not (lost or dropped or failed):
        return ""
    return f"; lost {lost} deliveries, {dropped} clients dropped, {failed} could not connect"


def _clean(x: Result) -> bool:
    """Nothing lost: every client connected, stayed and got every message."""
    return not (
        x["incomplete_messages"]
        or x["lost_deliveries"]
        or x["dropped_clients"]
        or x["connect_failures"]
    )


def _fanout_p99(r: Result) -> tuple[bool, str]:
    ff, bf = r["forum_fanout"], r["bare_fanout"]
    ok = ff["p99_ms"] <= P99_SHARE * bf["p99_ms"] and _clean(ff)
    ratio = _ratio(ff["p99_ms"], bf["p99_ms"])
    return ok, f"{ff['p99_ms']:.1f} ms vs {bf['p99_ms']:.1f} ms = {ratio:.2f}x{_lost(ff)}"


def _fanout_rate(r: Result) -> tuple[bool, str]:
    ff, bf = r["forum_fanout"], r["bare_fanout"]
    share = _ratio(ff["deliveries_per_s"], bf["deliveries_per_s"])
    return (
        share >= RATE_SHARE,
        f"{ff['deliveries_per_s']:,.0f} vs {bf['deliveries_per_s']:,.0f} = {share:.0%}",
    )


def _memory(r: Result) -> tuple[bool, str]:
    fi, bi = r["forum_idle"], r["bare_idle"]
    ratio = _ratio(fi["per_connection_kib"], bi["per_connection_kib"])
    return (
        ratio <= MEMORY_SHARE and not fi["connect_failures"],
        f"{fi['per_connection_kib']:.1f} KiB vs {bi['per_connection_kib']:.1f} KiB = "
        f"{ratio:.2f}x at {fi['connections']} connections",
    )


def _slow_p99(r: Result) -> tuple[bool, str]:
    """The median over the rounds of disturbed p99 / undisturbed p99 (runs alike in length)."""
    slow = r["forum_slow"]
    disturbed = [p["disturbed"] for p in slow["rounds"]]
    undisturbed = [p["undisturbed"] for p in slow["rounds"]]
    lost = next((_lost(x) for x in disturbed + undisturbed if not _clean(x)), "")
    return (
        slow["ratio_median"] <= SLOW_SHARE and not lost,
        f"median {slow['ratio_median']:.2f}x over {len(disturbed)} rounds (spread "
        f"{slow['ratio_min']:.2f}x-{slow['ratio_max']:.2f}x); median p99 "
        f"{slow['disturbed_p99_median_ms']:.1f} ms vs {slow['undisturbed_p99_median_ms']:.1f} ms, "
        f"{slow['messages_per_run']} messages a run; pooled p99 "
        f"{slow['pooled_p99_ms']['disturbed']:.1f} ms vs "
        f"{slow['pooled_p99_ms']['undisturbed']:.1f} ms = {slow['pooled_ratio']:.2f}x{lost}",
    )


def _slow_cut(r: Result) -> tuple[bool, str]:
    slow = r["forum_slow"]
    cuts = [p["disturbed"]["cut_after_messages"] for p in slow["rounds"]]
    if slow["all_disconnected"]:
        return True, f"cut after {min(cuts)}-{max(cuts)} messages in every round"
    return False, f"not cut in {cuts.count(None)} of {len(cuts)} rounds"


def _redis_loss(r: Result) -> tuple[bool, str]:
    rd = r["redis"]
    return (
        _clean(rd),
        f"{rd['lost_deliveries']} of {rd['expected_deliveries']} deliveries lost, "
        f"{rd['clients_missing_any']} clients missing some, {rd['dropped_clients']} dropped, "
        f"{rd['connect_failures']} could not connect, {rd['incomplete_messages']} messages "
        "not delivered to all",
    )


def _redis_p99(r: Result) -> tuple[bool, str]:
    rd, br = r["redis"], r["bare_rate"]
    ratio = _ratio(rd["p99_ms"], br["p99_ms"])
    return (
        rd["p99_ms"] <= P99_SHARE * br["p99_ms"],
        f"{rd['p99_ms']:.1f} ms vs bare {br['p99_ms']:.1f} ms = {ratio:.2f}x",
    )


# (target, the results it compares, how it is judged), in the order the scenarios complete.
TARGETS: list[tuple[str, tuple[str, ...], Callable[[Result], tuple[bool, str]]]] = [
    ("idle memory/conn <= 1.5x bare", ("forum_idle", "bare_idle"), _memory),
    ("fan-out p99 <= 1.5x bare, nothing lost", ("forum_fanout", "bare_fanout"), _fanout_p99),
    ("deliveries/s >= 60% of bare", ("forum_fanout", "bare_fanout"), _fanout_rate),
    ("others' p99 with a stopped reader <= 1.2x", ("forum_slow",), _slow_p99),
    ("stopped reader disconnected by the server", ("forum_slow",), _slow_cut),
    ("2 workers + Redis: no loss", ("redis",), _redis_loss),
    ("2 workers + Redis: p99 <= 1.5x bare", ("redis", "bare_rate"), _redis_p99),
]


def targets(r: Result, *, final: bool = False, all_run: bool = True) -> list[dict[str, Any]]:
    """The targets whose results are in; with final, the others too, as not measured (but
    not, when all_run is False, those whose scenarios were left out of the run: --only)."""
    checks = []
    for name, needs, judge in TARGETS:
        missing = [n for n in needs if n not in r or "error" in r[n]]
        if not missing:
            ok, detail = judge(r)
            checks.append({"target": name, "pass": bool(ok), "detail": detail})
        elif not all_run and all(n not in r for n in missing):
            continue
        elif final and not (name.startswith("2 workers") and "redis" not in r):
            why = "; ".join(f"{n}: {r[n]['error']}" if n in r else f"{n}: not run" for n in missing)
            checks.append({"target": name, "pass": False, "detail": f"not measured ({why})"})
    return checks


def print_check(check: dict[str, Any]) -> None:
    print(f"  {'PASS' if check['pass'] else 'FAIL'}  {check['target']:<44} {check['detail']}")


HEADER = (
    f"{'run':<34} {'recip':>6} {'msgs':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
    f"{'deliv/s':>10} {'incmp':>5} {'lost':>6} {'srv':>5} {'cli':>5} {'load':>5}"
)
IDLE_HEADER = "idle connections      conns  RSS before  RSS after  per conn  connect s  load"
LABELS = {
    "bare_fanout": "bare, 1 process",
    "forum_fanout": "forum, 1 process",
    "forum_slow": "forum, one client stops reading",
    "forum_slow_base": "forum, the same, undisturbed",
    "bare_rate": "bare, 1 process, fixed rate",
    "redis": "forum, 2 workers + Redis, rate",
    "bare_idle": "bare",
    "forum_idle": "forum",
}


def row(key: str, x: Result) -> str:
    label = LABELS.get(key, key)
    if "error" in x:
        return f"{label:<34} not measured: {x['error']}"
    if key.endswith("_idle"):
        return (
            f"{label:<20} {x['connections']:>7} {x['rss_before_kib'] / 1024:>8.1f} MiB "
            f"{x['rss_after_kib'] / 1024:>7.1f} MiB {x['per_connection_kib']:>6.1f} KiB "
            f"{x['connect_s']:>8.1f} {x['loadavg'][0]:>6.2f}{_lost(x)}"
        )
    return (
        f"{label:<34} {x['recipients']:>6} {x['messages']:>5} {x['p50_ms']:>8.1f} "
        f"{x['p99_ms']:>8.1f} {x['max_ms']:>8.1f} {x['deliveries_per_s']:>10,.0f} "
        f"{x['incomplete_messages']:>5} {x['lost_deliveries']:>6} {x['server_cpu_share']:>5.0%} "
        f"{x['client_cpu_share']:>5.0%} {x['loadavg'][0]:>5.2f}"
    )


def print_scenario(key: str, x: Result) -> None:
    """One scenario's figures as soon as it completes."""
    print(f"    {IDLE_HEADER if key.endswith('_idle') else HEADER}")
    print(f"    {row(key, x)}")
    if "error" not in x and (x.get("dropped_why") or x.get("connect_failures_why")):
        print(f"    dropped: {x['dropped_why']}; could not connect: {x['connect_failures_why']}")
    if key == "forum_slow" and "error" not in x:
        print(f"    {row('forum_slow_base', x['middle_round_undisturbed'])}  (median round)")
        for n, pair in enumerate(x["rounds"], 1):
            print(f"    {round_line(n, pair)}")
        cpu = x["server_cpu_ms_per_message_median"]
        print(
            f"    calibration: cut after {x['calibration']['cut_after_messages']} messages; "
            f"{x['messages_per_run']} messages a run; median server CPU a message "
            f"{cpu['undisturbed']:.2f} ms undisturbed, {cpu['disturbed']:.2f} ms disturbed"
        )
        print(
            f"    stopped reader (median round): disconnected={x['disconnected']} after "
            f"{x['cut_after_messages']} messages ({x['cut_at_s']} s); server side at the end "
            f"{x['server_side_state_at_end']}, most bytes queued in the kernel "
            f"{x['server_side_max_tx_queue']:,}; it had received "
            f"{x['slow_client_got_messages']} messages; close {x['slow_client_close']}"
        )
    if key == "redis" and "error" not in x:
        print(f"    new sockets per worker {x['sockets_per_worker']}")


def print_report(
    r: Result, checks: list[dict[str, Any]], machine: dict[str, Any], errors: dict[str, Any]
) -> None:
    print(f"\n{HEADER}")
    for key in ("bare_fanout", "forum_fanout", "forum_slow", "bare_rate", "redis"):
        if key in r:
            print(row(key, r[key]))
        if key == "forum_slow" and key in r and "error" not in r[key]:
            print(row("forum_slow_base", r[key]["middle_round_undisturbed"]))
    print(f"\n{IDLE_HEADER}")
    for key in ("bare_idle", "forum_idle"):
        if key in r:
            print(row(key, r[key]))
    if "frame_bytes" in r:
        print(f"\nframe sizes (bytes): {r['frame_bytes']}")
    print("lost: deliveries that did not reach a client of the run (dropped clients included)")
    print("srv/cli: CPU time of the server (all workers), of this client process, over wall time")
    print("\ntargets")
    for check in checks:
        print_check(check)
    for name, e in errors.items():
        if e["tracebacks"]:
            print(f"\n{name} stderr: {e['tracebacks']} tracebacks: {e['exceptions']}")
    print(
        f"\nload average (1 min) before {machine['loadavg_before'][0]:.2f}, after "
        f"{machine['loadavg_after'][0]:.2f} on {machine['cpus']} CPUs"
    )
