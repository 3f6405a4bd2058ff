"""The benchmark's server processes: start, probe and stop them, read what they logged."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_settings import RESULTS_DIR, UVICORN_OPTIONS, VENV_BIN, BenchError


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


def _launch(name: str, command: list[str], workdir: Path, env: dict[str, str], port: int) -> Server:
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


def start_forum(
    workdir: Path, env: dict[str, str], port: int, extra: Sequence[str] = (), name: str = "forum"
) -> Server:
    """The forum exactly as an operator starts it: the `porchlight serve` console script.

    Pinned to CPU 0 like the bare servers; with `--workers` in extra, the supervisor and every
    worker it starts (they inherit the affinity).
    """
    porchlight = shutil.which("porchlight", path=str(VENV_BIN)) or "porchlight"
    command = [*pin(0), porchlight, "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    return _launch(name, command, workdir, env, port)


def start_uvicorn(
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
    return _launch(name, command, workdir, env, port)


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


def keep_log(server: Server, stamp: str, bench: str = "http") -> Path | None:
    """Copy a server's stderr next to the results when it has anything in it."""
    if not server.stderr_path.exists() or not server.stderr_path.stat().st_size:
        return None
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    kept = RESULTS_DIR / f"{bench}-{stamp}-{server.name}.stderr.log"
    shutil.copyfile(server.stderr_path, kept)
    return kept
