"""The real thing: the porchlight command, a uvicorn process on a loopback port, signing in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

PORCHLIGHT = [sys.executable, "-m", "forum"]


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for a server process: a file, or a new PostgreSQL database."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield f"sqlite://{tmp_path}/server.db"
        return
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    name = f"porchlight_server_{uuid.uuid4().hex}"
    admin_dsn = base.replace("postgres://", "postgresql://", 1) + "/postgres"
    connection = await asyncpg.connect(admin_dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@pytest.fixture
def environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
    env.update(PORCHLIGHT_DATA_DIR=str(tmp_path / "data"), PORCHLIGHT_DATABASE_URL=database_url)
    if TEST_REDIS_URL:
        env["PORCHLIGHT_REDIS_URL"] = TEST_REDIS_URL
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PORCHLIGHT, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*PORCHLIGHT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        cwd=tmp_path,
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
        else:
            raise AssertionError((tmp_path / "server.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_migrate_is_idempotent(environment: dict[str, str], tmp_path: Path) -> None:
    first = _run(["migrate"], environment, tmp_path)
    assert first.returncode == 0, first.stderr
    second = _run(["migrate"], environment, tmp_path)
    assert second.returncode == 0, second.stderr


def test_seed_demo_fills_an_empty_database_once(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert _run(["migrate"], environment, tmp_path).returncode == 0
    seeded = _run(["seed-demo"], environment, tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "password" in seeded.stdout
    again = _run(["seed-demo"], environment, tmp_path)
    assert "nothing was seeded" in again.stdout


def test_create_admin_refuses_without_a_password(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert _run(["migrate"], environment, tmp_path).returncode == 0
    result = subprocess.run(
        [*PORCHLIGHT, "create-admin", "rosa", "--email", "r@example.org"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "PORCHLIGHT_ADMIN_PASSWORD" in result.stderr


def test_create_admin_reports_field_errors(environment: dict[str, str], tmp_path: Path) -> None:
    assert _run(["migrate"], environment, tmp_path).returncode == 0
    env = {**environment, "PORCHLIGHT_ADMIN_PASSWORD": "password"}
    result = _run(["create-admin", "rosa", "--email", "r@example.org"], env, tmp_path)
    assert result.returncode == 1
    assert "password:" in result.stderr


def test_real_server_serves_and_signs_in(
    server: str, environment: dict[str, str], tmp_path: Path
) -> None:
    env = {**environment, "PORCHLIGHT_ADMIN_PASSWORD": "the porch light is on"}
    made = _run(["create-admin", "rosa", "--email", "rosa@example.org"], env, tmp_path)
    assert made.returncode == 0, made.stderr
    with httpx.Client(base_url=server, timeout=10) as http:
        assert http.get("/readyz").json()["status"] == "ok"
        login = http.post(
            "/api/v1/auth/login", json={"username": "rosa", "password": "the porch light is on"}
        )
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]
        assert http.get("/api/v1/me").json()["user"]["role"] == "admin"
        board = http.post(
            "/api/v1/boards",
            headers={"X-CSRF-Token": csrf},
            json={"slug": "news", "name": "Neighbourhood news"},
        )
        assert board.status_code == 201, board.text
        topic = http.post(
            "/api/v1/boards/news/topics",
            headers={"X-CSRF-Token": csrf},
            json={"title": "Bins move to Tuesday", "body": "From next month."},
        )
        assert topic.status_code == 201
        page = http.get(f"/t/{topic.json()['id']}")
        assert page.status_code == 200
        assert "Bins move to Tuesday" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert http.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert http.get("/api/v1/me").status_code == 401
