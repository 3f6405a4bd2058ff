"""The wrk driver: scenarios, the generated Lua script, wrk runs and their parsed results."""

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_servers import http_call, pin
from bench_settings import WARMUP_SECONDS, WRK_THREADS, BenchError


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    server: str
    method: str
    paths: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    bodies: tuple[str, ...] = ()
    # With these, each path is sent once, as its own person (Authorization: auths[i]) with
    # bodies[i % len(bodies)], instead of the paths being cycled with the same headers.
    auths: tuple[str, ...] = ()


@dataclass
class Result:
    key: str
    label: str
    request: str
    probe_status: int
    probe_bytes: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float
    non_2xx: int
    wrk_non_2xx_3xx: int
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    ratio: float = 0.0
    # The bare app's req/s in the run just before this one: what ratio compares with.
    bare_rps: float = 0.0
    created: int | None = None
    created_per_s: float | None = None
    # Requests wrk sent (those it sent but got no answer to were in flight when it stopped),
    # and those sent past the end of a list of requests each to be sent once.
    sent: int = 0
    past_end: int = 0


# Counting, shared by both scripts: status classes, requests sent (`sent` less the responses
# counted is what was still in flight when wrk stopped) and requests past a pair list's end.
LUA_COUNTING = """
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  elseif status < 600 then s5 = s5 + 1
  else sx = sx + 1 end
end

function done(summary, latency, requests)
  local t = {s2 = 0, s3 = 0, s4 = 0, s5 = 0, sx = 0, sent = 0, spent = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + thread:get(key) end
  end
  io.write(string.format(
    "BENCH-JSON {\\"2xx\\": %d, \\"3xx\\": %d, \\"4xx\\": %d, \\"5xx\\": %d, " ..
    "\\"other\\": %d, \\"requests\\": %d, \\"duration_us\\": %d, \\"sent\\": %d, " ..
    "\\"past_end\\": %d}\\n",
    t.s2, t.s3, t.s4, t.s5, t.sx, summary.requests, summary.duration, t.sent, t.spent))
end
"""

LUA_TEMPLATE = """-- written by bench/http.py: cycles prebuilt requests, counts status classes
local method = {method}
local paths = {paths}
local bodies = {bodies}
local headers = {headers}
local prepared = {{}}
local threads = {{}}

function init(args)
  s2, s3, s4, s5, sx, sent, spent = 0, 0, 0, 0, 0, 0, 0
  for i, path in ipairs(paths) do
    local body = nil
    if #bodies > 0 then body = bodies[(i - 1) % #bodies + 1] end
    prepared[i] = wrk.format(method, path, headers, body)
  end
end

function request()
  sent = sent + 1
  return prepared[(sent - 1) % #prepared + 1]
end
""" + LUA_COUNTING.replace("{", "{{").replace("}", "}}")

# Requests that must each be sent once (a response to a post by one person, twice, is a 409):
# a file of `path<TAB>Authorization<TAB>body number` lines, line i for thread i mod N, each
# thread sending its own lines in order, once.
LUA_ONCE_TEMPLATE = """-- written by bench/http.py: each request of a list once, over the threads
local method = {method}
local lines_file = {lines_file}
local thread_count = {thread_count}
local bodies = {bodies}
local headers = {headers}
local prepared = {{}}
local threads = {{}}

function init(args)
  s2, s3, s4, s5, sx, sent, spent = 0, 0, 0, 0, 0, 0, 0
  local i = 0
  for line in io.lines(lines_file) do
    if i % thread_count == tid then
      local path, auth, body = line:match("^([^\t]+)\t([^\t]+)\t(%d+)$")
      local these = {{Authorization = auth}}
      for k, v in pairs(headers) do these[k] = v end
      prepared[#prepared + 1] = wrk.format(method, path, these, bodies[tonumber(body)])
    end
    i = i + 1
  end
end

function request()
  sent = sent + 1
  if sent > #prepared then
    -- The list ran out: send its last again, which the server refuses (counted as 4xx).
    spent = spent + 1
    return prepared[#prepared]
  end
  return prepared[sent]
end
""" + LUA_COUNTING.replace("{", "{{").replace("}", "}}")


def lua_string(text: str) -> str:
    """A Lua 5.1 string literal: printable ASCII as is, every other byte as a \\ddd escape."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        ok = 32 <= byte < 127 and char not in '"\\'
        out.append(char if ok else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(
    scenario: Scenario, lines_file: Path | None = None, thread_count: int = WRK_THREADS
) -> str:
    """The scenario's script; one whose requests are each sent once reads them from lines_file
    and shares them out over thread_count threads (wrk's -t)."""

    def table(items: Sequence[str]) -> str:
        return "{" + ", ".join(lua_string(item) for item in items) + "}"

    headers = (
        "{"
        + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in scenario.headers.items())
        + "}"
    )
    if scenario.auths:
        if lines_file is None:
            raise BenchError(f"{scenario.key} sends each request once: it needs a lines file")
        return LUA_ONCE_TEMPLATE.format(
            method=lua_string(scenario.method),
            lines_file=lua_string(str(lines_file)),
            thread_count=thread_count,
            bodies=table(scenario.bodies),
            headers=headers,
        )
    return LUA_TEMPLATE.format(
        method=lua_string(scenario.method),
        paths=table(scenario.paths),
        bodies=table(scenario.bodies),
        headers=headers,
    )


def once_lines(scenario: Scenario) -> str:
    """path, Authorization and body number (from 1, as Lua counts) of each request, a line each."""
    if len(scenario.auths) != len(scenario.paths) or not scenario.bodies:
        raise BenchError(f"{scenario.key}: one Authorization per path, and bodies, are needed")
    if any("\t" in item or "\n" in item for item in (*scenario.paths, *scenario.auths)):
        raise BenchError(f"{scenario.key}: a path or Authorization holds a tab or a newline")
    return "".join(
        f"{path}\t{auth}\t{n % len(scenario.bodies) + 1}\n"
        for n, (path, auth) in enumerate(zip(scenario.paths, scenario.auths, strict=True))
    )


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, p50/p99 latency, error counts and the Lua status summary from wrk's output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    percentiles = {
        int(p): float(v) * _UNITS_MS[unit]
        for p, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    }
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    summary = re.search(r"^BENCH-JSON (.*)$", output, re.M)
    if rps is None or summary is None or len(percentiles) != 2:
        raise BenchError(f"could not read wrk's output:\n{output}")
    names = ("connect", "read", "write", "timeout")
    return {
        "rps": float(rps.group(1)),
        "p50_ms": percentiles[50],
        "p99_ms": percentiles[99],
        "wrk_non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": dict(zip(names, map(int, sockets.groups()), strict=True))
        if sockets
        else dict.fromkeys(names, 0),
        "summary": json.loads(summary.group(1)),
    }


def threads_for(connections: int) -> int:
    """wrk's threads: never more than its connections."""
    return min(WRK_THREADS, connections)


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, Any]:
    command = [
        *pin(1),
        "wrk",
        f"-t{threads_for(connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def probe(port: int, scenario: Scenario) -> tuple[int, int]:
    """Status and size of one request like the scenario's first (GETs only: no side effects)."""
    if scenario.method != "GET":
        return 0, 0
    status, body = http_call(port, "GET", scenario.paths[0], scenario.headers)
    return status, len(body)


def to_result(
    scenario: Scenario, request: str, data: dict[str, Any], probed: tuple[int, int] = (0, 0)
) -> Result:
    summary = data["summary"]
    statuses = {k: int(summary[k]) for k in ("2xx", "3xx", "4xx", "5xx", "other")}
    return Result(
        key=scenario.key,
        label=scenario.label,
        request=request,
        probe_status=probed[0],
        probe_bytes=probed[1],
        rps=data["rps"],
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        requests=int(summary["requests"]),
        seconds=summary["duration_us"] / 1e6,
        non_2xx=sum(statuses.values()) - statuses["2xx"],
        wrk_non_2xx_3xx=data["wrk_non_2xx_3xx"],
        statuses=statuses,
        socket_errors=data["socket_errors"],
        sent=int(summary["sent"]),
        past_end=int(summary["past_end"]),
    )


def write_script(scenario: Scenario, workdir: Path, connections: int = WRK_THREADS) -> Path:
    """The scenario's Lua script (and its list of requests, for one sending each once)."""
    script = workdir / f"{scenario.key}.lua"
    lines_file = None
    if scenario.auths:
        lines_file = workdir / f"{scenario.key}.requests.tsv"
        lines_file.write_text(once_lines(scenario))
    script.write_text(lua_script(scenario, lines_file, threads_for(connections)))
    return script


def measure(scenario: Scenario, port: int, workdir: Path, seconds: int, connections: int) -> Result:
    """A discarded warm-up run, then the measured one."""
    probed = probe(port, scenario)
    script, url = write_script(scenario, workdir), f"http://127.0.0.1:{port}"
    run_wrk(url, script, WARMUP_SECONDS, connections)
    data = run_wrk(url, script, seconds, connections)
    return to_result(scenario, f"{scenario.method} {scenario.paths[0]}", data, probed)
