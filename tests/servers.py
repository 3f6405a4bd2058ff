"""Real `porchlight serve` processes on loopback ports, with a database of their own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_PREFIX, TEST_REDIS_URL

PORCHLIGHT = [sys.executable, "-m", "forum"]


async def _admin(sql: str) -> None:
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    dsn = base.replace("postgres://", "postgresql://", 1) + "/postgres"
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """A fresh, empty database for a server process: a file, or a new PostgreSQL database.

    Synchronous, so that a module-scoped fixture (one server for many tests) can use it.
    """
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield f"sqlite://{folder}/server.db"
        return
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    name = f"porchlight_server_{uuid.uuid4().hex}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def environment(folder: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The process environment for a server: this machine's, with only our PORCHLIGHT_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
    env.update(PORCHLIGHT_DATA_DIR=str(folder / "data"), PORCHLIGHT_DATABASE_URL=database_url)
    if TEST_REDIS_URL:
        env["PORCHLIGHT_REDIS_URL"] = TEST_REDIS_URL
        env["PORCHLIGHT_REDIS_PREFIX"] = TEST_REDIS_PREFIX
    env.update(settings)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """One porchlight command, to completion."""
    return subprocess.run(
        [*PORCHLIGHT, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """`porchlight serve` on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    log_path = cwd / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*PORCHLIGHT, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
                if process.poll() is not None:
                    break
            else:
                raise AssertionError(log_path.read_text())
            if process.poll() is not None:
                raise AssertionError(log_path.read_text())
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextlib.contextmanager
def started(folder: Path, **settings: str) -> Iterator[str]:
    """A server on a fresh database with these PORCHLIGHT_* settings; yields its base URL."""
    with fresh_database(folder) as database_url:
        env = environment(folder, database_url, **settings)
        with serving(env, folder) as url:
            yield url
