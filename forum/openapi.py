"""The OpenAPI 3 document, generated from the /api/v1 routes themselves so it cannot drift."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_PARAM = re.compile(r"{([^}:]+)(?::([^}]+))?}")
_ERROR = {"$ref": "#/components/schemas/Error"}
_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    },
    "Author": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
        },
    },
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string", "enum": ["member", "moderator", "admin"]},
            "trust_level": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Board": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "visibility": {"type": "string", "enum": ["public", "members"]},
            "position": {"type": "integer"},
        },
    },
    "Topic": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "board": {"type": "string"},
            "title": {"type": "string"},
            "author": {"$ref": "#/components/schemas/Author"},
            "created_at": {"type": "string", "format": "date-time"},
            "last_activity_at": {"type": "string", "format": "date-time"},
            "post_count": {"type": "integer"},
            "locked": {"type": "boolean"},
            "pinned": {"type": "boolean"},
        },
    },
    "Post": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "topic_id": {"type": "integer"},
            "author": {"$ref": "#/components/schemas/Author"},
            "body": {"type": "string"},
            "body_html": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "edited_at": {"type": ["string", "null"], "format": "date-time"},
            "status": {"type": "string", "enum": ["visible", "pending", "hidden", "deleted"]},
        },
    },
}


def _operation(
    route: Route, method: str, path_params: list[tuple[str, str | None]]
) -> dict[str, Any]:
    doc = (route.endpoint.__doc__ or route.name or "").strip().splitlines()[0]
    operation: dict[str, Any] = {
        "operationId": f"{route.name}_{method}".replace(":", "_"),
        "summary": doc,
        "responses": {
            "default": {
                "description": "An error",
                "content": {"application/json": {"schema": _ERROR}},
            },
        },
    }
    if method in ("post", "patch", "put"):
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if method == "delete" or route.name in ("api:logout",):
        operation["responses"]["204"] = {"description": "Done"}
    else:
        operation["responses"]["200"] = {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if method == "post":
        operation["responses"]["201"] = {"description": "Created"}
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if kind in ("int", "id") else "string"},
        }
        for name, kind in path_params
    ]
    if method == "get" and route.name in _LISTS:
        params += [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
        ]
    if params:
        operation["parameters"] = params
    return operation


_LISTS = {
    "api:boards",
    "api:topics",
    "api:posts",
    "api:aid",
    "api:aid_mine",
    "api:aid_categories",
    "api:aid_areas",
}


def build(routes: list[Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or not route.path.startswith("/api/v1"):
            continue
        path_params = _PARAM.findall(route.path)
        path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", route.path)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(
                route, method.lower(), [(n, k or None) for n, k in path_params]
            )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Porchlight API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "porchlight_session"},
            },
        },
        "security": [{"bearer": []}, {"cookie": []}, {}],
    }


async def document(request: Request) -> Response:
    """This API's OpenAPI 3 description."""
    return JSONResponse(build(request.app.routes))
