"""The real thing: the porchlight command, a uvicorn process on a loopback port, signing in."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import servers
from tests.servers import PORCHLIGHT
from tests.servers import run as _run


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    with servers.fresh_database(tmp_path) as database_url:
        yield servers.environment(tmp_path, database_url)


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    with servers.serving(environment, tmp_path) as url:
        yield url


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
