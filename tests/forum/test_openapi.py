"""The OpenAPI document describes every /api/v1 route and method."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette
from starlette.routing import Route


async def test_openapi_covers_every_api_route(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    expected = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/v1"):
            path = re.sub(r"{([^}:]+)(:[^}]+)?}", r"{\1}", route.path)
            expected |= {(path, m.lower()) for m in route.methods or () if m != "HEAD"}
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert expected == described
    assert ("/api/v1/topics/{id}/posts", "post") in described
    assert ("/api/v1/auth/login", "post") in described
    for ops in document["paths"].values():
        for operation in ops.values():
            assert operation["summary"]
            assert operation["operationId"]
