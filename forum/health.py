"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

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
    redis_url = request.app.state.settings.redis_url
    if redis_url:
        checks["redis"] = await _redis_state(redis_url)
    ready = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _redis_state(url: str) -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        return "down"
    finally:
        await client.aclose()


routes = [
    Route("/healthz", healthz, methods=["GET"], name="health:live"),
    Route("/readyz", readyz, methods=["GET"], name="health:ready"),
]
