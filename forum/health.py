"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum import database


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 only when the database (and Redis, when configured) answer."""
    checks: dict[str, str] = {}
    try:
        await database.ping()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = "down"
    redis = request.app.state.redis
    if redis is not None:
        checks["redis"] = await _redis_state(redis)
    ready = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _redis_state(redis: Any) -> str:
    # The app's own client (forum.app opens it): only the composition root imports redis.
    try:
        await asyncio.wait_for(redis.ping(), timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        return "down"


routes = [
    Route("/healthz", healthz, methods=["GET"], name="health:live"),
    Route("/readyz", readyz, methods=["GET"], name="health:ready"),
]
