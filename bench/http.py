"""HTTP load benchmark: seeds a large forum, then drives it and a bare Starlette app with wrk."""

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
WARMUP_SECONDS = 2
WRK_THREADS = 2
TOPIC_PAGE_SHARE = 0.20
TOPIC_PAGE_P99_MS = 50.0
POSTS_PER_SECOND = 300.0
TARGET_CONNECTIONS = 32
# uvicorn options shared by both servers; loop and HTTP implementation stay on uvicorn's defaults.
UVICORN_OPTIONS = ("--workers", "1", "--log-level", "warning", "--no-access-log")


class BenchError(RuntimeError):
    """The benchmark could not be set up or run."""


# Dataset --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    boards: int
    topics_per_board: int
    posts_per_topic: int
    users: int

    @property
    def topics(self) -> int:
        return self.boards * self.topics_per_board

    @property
    def posts(self) -> int:
        return self.topics * self.posts_per_topic


FULL = Dataset(boards=20, topics_per_board=200, posts_per_topic=20, users=40)
QUICK = Dataset(boards=4, topics_per_board=20, posts_per_topic=20, users=12)


@dataclass(frozen=True)
class Seeded:
    db_path: Path
    token: str
    bench_user_id: int
    board_slug: str
    topic_id: int
    post_topic_ids: tuple[int, ...]
    seconds: float
    sample_created_at: str


# fmt: off
FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nils", "Olu", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wim",
    "Xia", "Yusuf", "Zoe",
)
SURNAMES = ("Lima", "Novak", "Okafor", "Brandt", "Sato", "Haddad", "Kowalski", "Moreau", "Singh")
AREAS = ("Elm Street", "Mill Lane", "Church Row", "Station Road", "Hope Court", "Park Rise")
BOARD_NAMES = (
    "Welcome", "News", "Parents", "Ask for help", "Events", "Gardening", "Lost and found",
    "For sale", "Free stuff", "Recommendations", "Safety", "Pets", "Cycling", "Local history",
    "Council", "Schools", "Sport", "Food", "Volunteering", "Off topic", "Music", "Books",
)
TITLE_SUBJECTS = (
    "Lost cat", "Street party", "Broken streetlight", "Bin day", "Spare ladder", "Plumber",
    "Seed swap", "Book club", "Noisy roadworks", "Bike repair", "Toddler group", "Choir",
    "Community fridge", "Allotment", "Charity run", "Parking",
)
TITLE_TAILS = (
    "near the bakery", "on Saturday", "any advice?", "thank you all", "this week",
    "behind the school", "by the station", "in the park", "update", "who can help?",
)
# fmt: on
SENTENCES = (
    "The bakery on Mill Lane now opens at seven, which is lovely for the school run.",
    "Does anyone know whether the council still collects garden waste on alternate Fridays?",
    "We found a small tabby cat sitting by the recycling bins, very friendly and well fed.",
    "There is a seed swap at the library on the first Saturday of every month.",
    "If you need a ladder, ours is in the shed and you are welcome to borrow it.",
    "The road works by the bridge should be finished by the end of the month.",
    "Thanks to everyone who came to the litter pick, we filled thirty bags.",
    "My neighbour recommends a plumber who was quick, tidy and fairly priced.",
    "The toddler group meets in the community hall every Thursday morning.",
    "Please slow down on Church Row, there are a lot of children about after school.",
    "I have too many tomatoes again this year, so help yourselves from the box outside.",
    "The choir is looking for tenors, no experience needed, just enthusiasm.",
)
LIST_ITEMS = ("gloves", "bin bags", "a flask of tea", "sturdy shoes", "a torch", "some cake")
LINKS = ("https://example.org/bins", "https://example.org/events", "https://example.org/map")


def _paragraph(rng: random.Random) -> str:
    text = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
    words = text.split(" ")
    spot = rng.randrange(len(words) - 2)
    words[spot] = f"**{words[spot]} {words[spot + 1]}**"
    del words[spot + 1]
    return " ".join(words)


def _markdown_body(rng: random.Random) -> str:
    """A few hundred characters of the Markdown people actually write."""
    parts = [_paragraph(rng)]
    extra = rng.choice(("list", "link", "quote", "code", "plain"))
    if extra == "list":
        parts.append("\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 3)))
    elif extra == "link":
        parts.append(
            f"Details are [on the council page]({rng.choice(LINKS)}), or see "
            f"{rng.choice(LINKS)} for the map."
        )
    elif extra == "quote":
        parts.append(f"> {rng.choice(SENTENCES)}")
    elif extra == "code":
        parts.append("The gate code is `4821#`, *please* keep it to yourselves.")
    parts.append(_paragraph(rng))
    return "\n\n".join(parts)


def _body_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """Distinct bodies rendered once with the app's own renderer, reused for every post."""
    from moderation.sanitizing import render_markdown  # imported after the sys.path repair

    bodies = {_markdown_body(rng) for _ in range(size * 3)}
    return [(body, render_markdown(body)) for body in sorted(bodies)[:size]]


def _stamp(moment: datetime) -> str:
    """Exactly what Tortoise's SQLite adapter writes for a datetime."""
    return moment.isoformat(" ")


def _insert_users(db: sqlite3.Connection, count: int, now: datetime, rng: random.Random) -> None:
    rows = []
    for n in range(1, count + 1):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], SURNAMES[n % len(SURNAMES)]
        username = f"{first.lower()}{n:02d}"
        role = "admin" if n == 1 else "moderator" if n <= 3 else "member"
        joined = now - timedelta(days=400 - n, minutes=rng.randint(0, 600))
        rows.append(
            (
                n,
                username,
                username.casefold(),
                f"{username}@example.org",
                f"{username}@example.org",
                f"{first} {last}",
                "",
                role,
                rng.randint(0, 3),
                "active",
                rng.choice(AREAS),
                f"{first} from {rng.choice(AREAS)}.",
                _stamp(joined),
                None,
            )
        )
    db.executemany(
        "INSERT INTO users (id, username, username_key, email, email_key, display_name, "
        "password_hash, role, trust_level, status, area, bio, created_at, deleted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _insert_bench_user(db: sqlite3.Connection, user_id: int, now: datetime) -> str:
    """The account the write test posts as, with a bearer token like `create_token` makes."""
    token = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO users (id, username, username_key, email, email_key, display_name, "
        "password_hash, role, trust_level, status, area, bio, created_at, deleted_at) "
        "VALUES (?, 'benchbot', 'benchbot', 'bench@example.org', 'bench@example.org', "
        "'Bench Bot', '', 'member', 2, 'active', '', '', ?, NULL)",
        (user_id, _stamp(now - timedelta(days=30))),
    )
    db.execute(
        "INSERT INTO sessions (key_hash, kind, label, created_at, last_seen_at, user_id) "
        "VALUES (?, 'token', 'bench', ?, ?, ?)",
        (hashlib.sha256(token.encode()).hexdigest(), _stamp(now), _stamp(now), user_id),
    )
    return token


def _board_slug(n: int) -> str:
    name = BOARD_NAMES[(n - 1) % len(BOARD_NAMES)]
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + f"-{n:02d}"


def _insert_boards(db: sqlite3.Connection, count: int, now: datetime) -> None:
    db.executemany(
        "INSERT INTO boards (id, slug, name, description, position, visibility, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'public', ?)",
        [
            (
                n,
                _board_slug(n),
                BOARD_NAMES[(n - 1) % len(BOARD_NAMES)],
                "Everything about this corner of the neighbourhood.",
                n - 1,
                _stamp(now - timedelta(days=365)),
            )
            for n in range(1, count + 1)
        ],
    )


def _post_times(
    start: datetime, count: int, latest: datetime, rng: random.Random
) -> list[datetime]:
    """When each post of a topic was written: minutes to hours apart, never in the future."""
    gaps = [0] + [rng.randint(2, 240) for _ in range(count - 1)]
    room = (latest - start).total_seconds() / 60
    scale = min(1.0, room / max(1, sum(gaps)))
    times, minutes = [], 0.0
    for gap in gaps:
        minutes += gap * scale
        times.append(start + timedelta(minutes=minutes))
    return times


def _topic_rows(
    ds: Dataset, now: datetime, rng: random.Random, pool: Sequence[tuple[str, str]]
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Each topic row with its posts' rows; ids are assigned here, in order."""
    span = timedelta(days=90)
    latest = now - timedelta(minutes=1)
    post_id = 0
    for index in range(ds.topics):
        topic_id, board_id = index + 1, index // ds.topics_per_board + 1
        created = now - span + span * (index / ds.topics)
        author = rng.randint(1, ds.users)
        times = _post_times(created, ds.posts_per_topic, latest, rng)
        posts = []
        for number, moment in enumerate(times):
            post_id += 1
            body, html = rng.choice(pool)
            writer = author if number == 0 else rng.randint(1, ds.users)
            posts.append((post_id, topic_id, writer, body, html, _stamp(moment), None, "visible"))
        title = f"{rng.choice(TITLE_SUBJECTS)} {rng.choice(TITLE_TAILS)} (#{topic_id})"
        pinned = int(index % ds.topics_per_board == 0)
        yield (
            (
                topic_id,
                board_id,
                author,
                title,
                _stamp(times[0]),
                _stamp(times[-1]),
                len(posts),
                0,
                pinned,
                len(posts) - 1,
            ),
            posts,
        )


def _insert_topics(
    db: sqlite3.Connection,
    ds: Dataset,
    now: datetime,
    rng: random.Random,
    pool: Sequence[tuple[str, str]],
) -> None:
    topics, posts = [], []
    for topic, topic_posts in _topic_rows(ds, now, rng, pool):
        topics.append(topic)
        posts.extend(topic_posts)
    db.executemany(
        "INSERT INTO topics (id, board_id, author_id, title, created_at, last_activity_at, "
        "post_count, locked, pinned, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        topics,
    )
    db.executemany(
        "INSERT INTO posts (id, topic_id, author_id, body, body_html, created_at, edited_at, "
        "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        posts,
    )


def seed(db_path: Path, ds: Dataset) -> Seeded:
    """Fill the migrated database straight through sqlite3, in one transaction."""
    started = time.perf_counter()
    rng = random.Random(20261124)
    now = datetime.now(UTC)
    pool = _body_pool(rng, 40)
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        _insert_users(db, ds.users, now, rng)
        bench_user = ds.users + 1
        token = _insert_bench_user(db, bench_user, now)
        _insert_boards(db, ds.boards, now)
        _insert_topics(db, ds, now, rng, pool)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sample = db.execute("SELECT created_at FROM posts ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        db.close()
    first_board_topics = range(1, ds.topics_per_board + 1)
    last_board_first = ds.topics - ds.topics_per_board + 1
    return Seeded(
        db_path=db_path,
        token=token,
        bench_user_id=bench_user,
        board_slug=_board_slug(1),
        topic_id=first_board_topics[len(first_board_topics) // 2],
        post_topic_ids=tuple(range(last_board_first + 1, last_board_first + 11)),
        seconds=time.perf_counter() - started,
        sample_created_at=sample,
    )


def count_posts(db_path: Path, topic_ids: Sequence[int] | None = None) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if topic_ids is None:
            return int(db.execute("SELECT COUNT(*) FROM posts").fetchone()[0])
        marks = ",".join("?" * len(topic_ids))
        sql = f"SELECT COUNT(*) FROM posts WHERE topic_id IN ({marks})"  # noqa: S608 - only ?s
        return int(db.execute(sql, tuple(topic_ids)).fetchone()[0])
    finally:
        db.close()


def settled_count(db_path: Path, topic_ids: Sequence[int], quiet: float = 0.5) -> int:
    """The post count once the server has finished requests still in flight when wrk stopped."""
    last, since, deadline = count_posts(db_path, topic_ids), time.monotonic(), time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = count_posts(db_path, topic_ids)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def query_one(db_path: Path, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = db.execute(sql, tuple(params)).fetchone()
        return tuple(row) if row else ()
    finally:
        db.close()


# Processes ------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    stderr_path: Path
    command: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin(core: int) -> list[str]:
    """taskset prefix for a CPU core, when taskset exists and the machine has two cores."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core)]
    return []


def clean_environ(data_dir: Path, port: int) -> dict[str, str]:
    """The caller's environment without any PORCHLIGHT_* (never touch a real database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
    env.update(
        PORCHLIGHT_DATA_DIR=str(data_dir),
        PORCHLIGHT_RATE_LIMITS="off",
        PORCHLIGHT_PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_migrate(workdir: Path, env: dict[str, str]) -> None:
    porchlight = shutil.which("porchlight", path=str(VENV_BIN)) or "porchlight"
    done = subprocess.run(
        [porchlight, "migrate"], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"porchlight migrate failed:\n{done.stdout}{done.stderr}")


def start_server(
    name: str, app: str, workdir: Path, env: dict[str, str], port: int, extra: Sequence[str] = ()
) -> Server:
    command = [
        *pin(0),
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *UVICORN_OPTIONS,
        *extra,
    ]
    stderr_path = workdir / f"{name}.stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=stderr,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, stderr_path, command)


def stop_server(server: Server) -> None:
    """SIGTERM to the server's own process group, SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    except ProcessLookupError:
        pass


def http_call(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, bytes]:
    """One HTTP/1.1 exchange on a fresh connection (the stdlib client is not needed here)."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status_line, _, rest = raw.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def wait_healthy(server: Server, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited early:\n{tail(server.stderr_path)}")
        try:
            if http_call(server.port, "GET", path)[0] == 200:
                return
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.1)
    raise BenchError(f"{server.name} did not answer {path} within {timeout:.0f}s")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def server_errors(path: Path) -> dict[str, Any]:
    """What the server wrote to stderr: tracebacks grouped by their final exception line."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    exceptions: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    inside = False
    for line in lines:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line[0].isspace():
            exceptions[line[:160]] += 1
            inside = False
        elif line and not line[0].isspace():
            messages[re.sub(r"\d+", "N", line)[:160]] += 1
    first = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
    return {
        "stderr_lines": len(lines),
        "tracebacks": sum(1 for line in lines if line.startswith("Traceback")),
        "exceptions": dict(exceptions.most_common()),
        "messages": dict(messages.most_common(20)),
        "first_traceback": lines[first : first + 60] if first is not None else [],
    }


def keep_log(server: Server, stamp: str) -> Path | None:
    """Copy a server's stderr next to the results when it has anything in it."""
    if not server.stderr_path.exists() or not server.stderr_path.stat().st_size:
        return None
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    kept = RESULTS_DIR / f"http-{stamp}-{server.name}.stderr.log"
    shutil.copyfile(server.stderr_path, kept)
    return kept


# wrk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    server: str
    method: str
    paths: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    bodies: tuple[str, ...] = ()


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
    created: int | None = None
    created_per_s: float | None = None


LUA_TEMPLATE = """-- written by bench/http.py: cycles prebuilt requests, counts status classes
local method = {method}
local paths = {paths}
local bodies = {bodies}
local headers = {headers}
local prepared = {{}}
local threads = {{}}
local n = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s2, s3, s4, s5, sx = 0, 0, 0, 0, 0
  for i, path in ipairs(paths) do
    local body = nil
    if #bodies > 0 then body = bodies[(i - 1) % #bodies + 1] end
    prepared[i] = wrk.format(method, path, headers, body)
  end
end

function request()
  n = n + 1
  return prepared[(n - 1) % #prepared + 1]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  elseif status < 600 then s5 = s5 + 1
  else sx = sx + 1 end
end

function done(summary, latency, requests)
  local t = {{s2 = 0, s3 = 0, s4 = 0, s5 = 0, sx = 0}}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + thread:get(key) end
  end
  io.write(string.format(
    "BENCH-JSON {{\\"2xx\\": %d, \\"3xx\\": %d, \\"4xx\\": %d, \\"5xx\\": %d, " ..
    "\\"other\\": %d, \\"requests\\": %d, \\"duration_us\\": %d}}\\n",
    t.s2, t.s3, t.s4, t.s5, t.sx, summary.requests, summary.duration))
end
"""


def lua_string(text: str) -> str:
    """A Lua 5.1 string literal: printable ASCII as is, every other byte as a \\ddd escape."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        ok = 32 <= byte < 127 and char not in '"\\'
        out.append(char if ok else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(scenario: Scenario) -> str:
    def table(items: Sequence[str]) -> str:
        return "{" + ", ".join(lua_string(item) for item in items) + "}"

    headers = (
        "{"
        + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in scenario.headers.items())
        + "}"
    )
    return LUA_TEMPLATE.format(
        method=lua_string(scenario.method),
        paths=table(scenario.paths),
        bodies=table(scenario.bodies),
        headers=headers,
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


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, Any]:
    command = [
        *pin(1),
        "wrk",
        f"-t{min(WRK_THREADS, connections)}",
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
    )


def write_script(scenario: Scenario, workdir: Path) -> Path:
    script = workdir / f"{scenario.key}.lua"
    script.write_text(lua_script(scenario))
    return script


def measure(scenario: Scenario, port: int, workdir: Path, seconds: int, connections: int) -> Result:
    """A discarded warm-up run, then the measured one."""
    probed = probe(port, scenario)
    script, url = write_script(scenario, workdir), f"http://127.0.0.1:{port}"
    run_wrk(url, script, WARMUP_SECONDS, connections)
    data = run_wrk(url, script, seconds, connections)
    return to_result(scenario, f"{scenario.method} {scenario.paths[0]}", data, probed)


# Scenarios ------------------------------------------------------------------------------------


def post_bodies() -> tuple[str, ...]:
    texts = (
        f"Bench reply {n}: {SENTENCES[n]}\n\n- {LIST_ITEMS[n % 6]}\n- {LIST_ITEMS[(n + 1) % 6]}"
        f"\n\nMore at {LINKS[n % 3]} and **thanks** to everyone who helped. {SENTENCES[n + 3]}"
        for n in range(5)
    )
    return tuple(json.dumps({"body": text}) for text in texts)


def read_scenarios(seeded: Seeded) -> list[Scenario]:
    slug, topic = seeded.board_slug, seeded.topic_id
    return [
        Scenario("topic_html", "topic page (HTML)", "forum", "GET", (f"/t/{topic}",)),
        # Signed-in pages are never shared between people: this is the page rendered each time.
        Scenario(
            "topic_html_member",
            "topic page, signed in",
            "forum",
            "GET",
            (f"/t/{topic}",),
            headers={"Authorization": f"Bearer {seeded.token}"},
        ),
        Scenario("board_html", "board topic list (HTML)", "forum", "GET", (f"/b/{slug}",)),
        Scenario(
            "board_json",
            "board topic list (JSON)",
            "forum",
            "GET",
            (f"/api/v1/boards/{slug}/topics",),
        ),
        Scenario(
            "posts_json",
            "topic posts (JSON)",
            "forum",
            "GET",
            (f"/api/v1/topics/{topic}/posts?limit=20",),
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


# Profile --------------------------------------------------------------------------------------


def profile_under_load(
    py_spy: str,
    server: Server,
    scenario: Scenario,
    workdir: Path,
    seconds: int,
    connections: int,
    out: Path,
) -> list[str]:
    """Sample the forum server with py-spy while wrk runs the scenario; a summary of where."""
    script = write_script(scenario, workdir)
    command = [
        *pin(1),
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{seconds + 3}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}",
    ]
    load = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        spy = subprocess.run(
            [
                py_spy,
                "record",
                "-d",
                str(seconds),
                "-p",
                str(server.process.pid),
                "--format",
                "raw",
                "--nolineno",
                "--full-filenames",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 60,
        )
    finally:
        load.wait(timeout=seconds + 30)
    if spy.returncode != 0 or not out.exists():
        return [f"py-spy failed: {spy.stderr.strip()[-400:]}"]
    return summarize_profile(out)


def _frame_path(frame: str) -> str:
    return frame[frame.rfind("(") + 1 : -1] if frame.endswith(")") else ""


def _is_project(path: str) -> bool:
    return path.startswith(f"{ROOT}/") and "site-packages/" not in path


def _short_frame(frame: str) -> str:
    """`func (path)` with the path relative to the repository or to site-packages."""
    path = _frame_path(frame)
    if "site-packages/" in path:
        short = path.split("site-packages/", 1)[1]
    elif _is_project(path):
        short = path.removeprefix(f"{ROOT}/")
    else:
        short = path.split("/lib/python3", 1)[-1].split("/", 1)[-1]
    return frame.replace(f"({path})", f"({short})")


def _package(frame: str) -> str:
    """Who the code belongs to: porchlight, a library by name, or the standard library."""
    path = _frame_path(frame)
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if _is_project(path):
        return "porchlight: " + path.removeprefix(f"{ROOT}/").split("/", 1)[0]
    return "python stdlib / runtime"


def _stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            yield stack.split(";"), int(count)


def summarize_profile(raw: Path, top: int = 15) -> list[str]:
    """Where the event-loop thread spends its time, from py-spy's raw (collapsed) stacks.

    Stacks rooted in `Thread._bootstrap` are other threads (aiosqlite runs every query in
    its own thread); they are counted apart so they do not dilute the event loop's figures.
    """
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    project: Counter[str] = Counter()
    loop = other = 0
    for frames, samples in _stacks(raw):
        if frames[0].startswith("Thread._bootstrap"):
            other += samples
            continue
        loop += samples
        own[_short_frame(frames[-1])] += samples
        packages[_package(frames[-1])] += samples
        for frame in {f for f in frames if _is_project(_frame_path(f))}:
            project[_short_frame(frame)] += samples
    if not loop:
        return ["py-spy recorded no samples of the event loop"]

    def rows(counter: Counter[str]) -> list[str]:
        return [f"  {100 * n / loop:5.1f}%  {name}" for name, n in counter.most_common(top)]

    return [
        f"{loop} event-loop samples (~{loop / (loop + other):.0%} of all; the rest are "
        f"{other} samples of other threads, mostly aiosqlite's query thread)",
        "self time by package (share of event-loop samples):",
        *rows(packages),
        "self time by function (where the CPU was):",
        *rows(own),
        "inclusive time of Porchlight's own functions and templates:",
        *rows(project),
    ]


# Report ---------------------------------------------------------------------------------------


def print_table(results: Sequence[Result]) -> None:
    head = (
        f"{'scenario':<26} {'request':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8} {'vs bare':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.label:<26} {r.request[:40]:<40} {r.rps:>9.1f} {r.p50_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {r.non_2xx:>8d} {r.ratio:>7.1%}"
        )
    for r in results:
        if r.created is not None:
            print(
                f"\ncreate post: {r.created} posts created in {r.seconds:.1f}s "
                f"= {r.created_per_s:.1f} created/s (wrk counted {r.requests} responses, "
                f"{r.statuses['2xx']} of them 2xx)"
            )
    for r in results:
        if r.non_2xx or r.probe_status not in (0, 200) or any(r.socket_errors.values()):
            print(
                f"  ! {r.label}: probe status {r.probe_status or '-'}, statuses {r.statuses}, "
                f"socket errors {r.socket_errors}"
            )


def targets(results: dict[str, Result], connections: int) -> list[dict[str, Any]]:
    bare, topic, write = results["bare"], results["topic_html"], results["create_post"]
    note = "" if connections == TARGET_CONNECTIONS else f" (run at {connections} connections)"
    topic_ok = (
        topic.non_2xx == 0
        and topic.rps >= TOPIC_PAGE_SHARE * bare.rps
        and topic.p99_ms < TOPIC_PAGE_P99_MS
    )
    write_ok = write.non_2xx == 0 and (write.created_per_s or 0.0) >= POSTS_PER_SECOND
    return [
        {
            "target": f"topic page >= {TOPIC_PAGE_SHARE:.0%} of bare req/s and p99 < "
            f"{TOPIC_PAGE_P99_MS:.0f} ms at {TARGET_CONNECTIONS} connections{note}",
            "pass": topic_ok,
            "measured": f"{topic.ratio:.1%} of bare ({topic.rps:.1f} vs {bare.rps:.1f} req/s), "
            f"p99 {topic.p99_ms:.2f} ms, non-2xx {topic.non_2xx}",
        },
        {
            "target": f"creating posts >= {POSTS_PER_SECOND:.0f}/s on SQLite{note}",
            "pass": write_ok,
            "measured": f"{write.created_per_s or 0:.1f} created/s, non-2xx {write.non_2xx}",
        },
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


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--quick", action="store_true", help="small dataset (4x20x20 posts)")
    parser.add_argument(
        "--py-spy",
        dest="py_spy",
        metavar="PATH",
        help="py-spy executable: also profile the topic page after the runs",
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
    """Both apps under the same uvicorn options, pinned to the same core."""
    bench.servers["forum"] = start_server("forum", "forum.asgi:app", bench.workdir, env, forum_port)
    bench.servers["bare"] = start_server(
        "bare", "bench.bare:app", bench.workdir, env, free_port(), ("--app-dir", str(ROOT))
    )
    wait_healthy(bench.servers["forum"], "/healthz")
    wait_healthy(bench.servers["bare"], "/")
    print("forum server: " + " ".join(bench.servers["forum"].command))
    print(
        "  (the forum runs as `uvicorn forum.asgi:app` after `porchlight migrate`, because "
        "`porchlight serve` has no flag to turn its access log off)"
    )
    print("bare server:  " + " ".join(bench.servers["bare"].command))
    pinned = ", pinned: servers on CPU 0, wrk on CPU 1" if pin(0) else ""
    print(
        f"wrk: {WRK_THREADS} threads, {bench.args.connections} connections, {WARMUP_SECONDS}s "
        f"warm-up + {bench.args.duration}s per scenario{pinned}"
    )


def run_scenarios(bench: Bench, seeded: Seeded) -> tuple[dict[str, Result], dict[str, Any]]:
    """Bare page, the forum's reads, a smoke POST, then the write test (last: it adds rows)."""
    seconds, connections = bench.args.duration, bench.args.connections
    bare = Scenario("bare", "bare Starlette page", "bare", "GET", ("/",))
    results: dict[str, Result] = {}
    for scenario in [bare, *read_scenarios(seeded)]:
        print(f"  running {scenario.label} ...", flush=True)
        port = bench.port(scenario.server)
        results[scenario.key] = measure(scenario, port, bench.workdir, seconds, connections)
    smoke = smoke_post(bench.port("forum"), seeded)
    print(
        f"  smoke POST: status {smoke['status']}; created_at seeded "
        f"{smoke['seeded_created_at']!r}, written by the app {smoke['app_created_at']!r}: "
        f"{'same format' if smoke['same_format'] else 'DIFFERENT FORMAT'}"
    )
    print("  running create post ...", flush=True)
    results["create_post"] = measure_writes(
        write_scenario(seeded), bench.port("forum"), bench.workdir, seconds, connections, seeded
    )
    for result in results.values():
        result.ratio = result.rps / results["bare"].rps if results["bare"].rps else 0.0
    return results, smoke


def maybe_profile(bench: Bench, seeded: Seeded) -> list[str]:
    if not bench.args.py_spy:
        return []
    print("\nProfiling the topic page with py-spy (a separate run, not in the numbers above) ...")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"http-{bench.stamp}-topic-profile.txt"
    scenario = read_scenarios(seeded)[0]
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
    print()
    print_table(list(results.values()))
    print(f"topics.post_count consistent after the write test: {'yes' if consistent else 'NO'}")
    checks = targets(results, bench.args.connections)
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
        "servers": {name: s.command for name, s in bench.servers.items()},
        "smoke_post": smoke,
        "post_count_consistent": consistent,
        "results": [asdict(r) for r in results.values()],
        "targets": checks,
        "server_errors": errors,
        "profile": profile,
    }
    print(f"\nresults written to {write_json(report, bench.stamp).relative_to(ROOT)}")
    return 0 if all(c["pass"] for c in checks) else 1


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
