"""Health and readiness probes."""

from __future__ import annotations

from pathlib import Path

import httpx

from forum.app import close_resources, create_app
from forum.settings import Settings
from tests.conftest import BASE_URL


async def test_healthz_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


async def test_readyz_is_503_when_redis_does_not_answer(db: None, tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {"PORCHLIGHT_DATA_DIR": str(tmp_path), "PORCHLIGHT_REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            response = await http.get("/readyz")
    finally:
        await close_resources(app)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "down"}
