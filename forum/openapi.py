"""The OpenAPI 3.1 document, generated from the /api/v1 routes and the contracts on their handlers.

Request bodies come from the same field declarations (forum.validation.Body) that validate
them, and response schemas from the components declared beside each serializer, so the
document cannot drift from what the server does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.pagination import DEFAULT_LIMIT, MAX_LIMIT
from forum.validation import Body

_PARAM = re.compile(r"{([^}:]+)(?::([^}]+))?}")
CONTRACT_ATTRIBUTE = "__openapi__"
SAFE_METHODS = frozenset({"get", "head", "options"})

INTEGER: dict[str, Any] = {"type": "integer"}
STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
MOMENT: dict[str, Any] = {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class Component:
    """A named schema: written once under components/schemas, referenced everywhere else."""

    name: str
    schema: Mapping[str, Any]


def nullable(schema: Mapping[str, Any] | Component) -> dict[str, Any]:
    """The schema, or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def record(
    required: Mapping[str, Any], optional: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A JSON object with exactly these properties: anything else in a response is a leak."""
    properties = {**required, **(optional or {})}
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


def page(item: Component) -> Component:
    """Every list's shape: one page of items and the cursor of the next (null on the last)."""
    return Component(
        f"{item.name}Page",
        record({"items": {"type": "array", "items": item}, "next_cursor": nullable(STRING)}),
    )


ERROR = Component(
    "Error",
    record(
        {
            "error": record(
                {
                    "code": STRING,
                    "message": STRING,
                    "fields": {"type": "object", "additionalProperties": STRING},
                }
            )
        }
    ),
)
_ERROR_MEANINGS = {
    400: "Malformed request: not valid JSON, not an object, or a bad limit or cursor.",
    401: "Not signed in.",
    403: "Not allowed (or, for a cookie-signed request, a missing or wrong X-CSRF-Token).",
    404: "Absent, or not visible to this user.",
    409: "Conflicts with the current state.",
    413: "The body is larger than 1 MiB.",
    415: "The body is not sent as application/json.",
    422: "A field is invalid; `fields` names each one.",
    429: "Rate limited; Retry-After says how many seconds to wait.",
    503: "A backing service is down.",
}


@dataclass(frozen=True)
class Link:
    """For the stateful fuzzer and client generators: what to call next with this answer."""

    route: str
    method: str
    parameters: Mapping[str, str]


@dataclass(frozen=True)
class Contract:
    """What one operation accepts and answers, beyond what its route says."""

    responses: Mapping[int, Any]
    body: Body | None = None
    errors: tuple[int, ...] = ()
    signed_in: bool = False
    paged: bool = False
    links: Mapping[str, Link] = field(default_factory=dict)


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def operation(
    responses: Mapping[int, Any],
    *,
    body: Body | None = None,
    errors: tuple[int, ...] = (),
    signed_in: bool = False,
    paged: bool = False,
    links: Mapping[str, Link] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Declare a handler's contract: responses by status (a schema, or None for no body),
    the body it reads, the error statuses its service raises, and whether it needs a user."""
    contract = Contract(responses, body, errors, signed_in, paged, links or {})

    def attach(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, CONTRACT_ATTRIBUTE, contract)
        return endpoint

    return attach


def contract_of(route: Route) -> Contract | None:
    found = getattr(route.endpoint, CONTRACT_ATTRIBUTE, None)
    return found if isinstance(found, Contract) else None


class _Schemas:
    """Turns Components into $refs, collecting each one (and those it uses) once."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def resolve(self, node: Any) -> Any:
        if isinstance(node, Component):
            if node.name not in self.components:
                self.components[node.name] = {}  # placeholder: a component may refer to itself
                self.components[node.name] = self.resolve(node.schema)
            return {"$ref": f"#/components/schemas/{node.name}"}
        if isinstance(node, Mapping):
            return {key: self.resolve(value) for key, value in node.items()}
        if isinstance(node, list | tuple):
            return [self.resolve(value) for value in node]
        return node


def _operation_id(name: str, method: str) -> str:
    return f"{name}_{method}".replace(":", "_")


def _path_parameter(name: str, kind: str | None) -> dict[str, Any]:
    if kind == "id":
        # As the {id:id} convertor matches: 1 to 9 ASCII digits; anything else is a 404.
        schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 999_999_999}
    elif kind == "int":
        schema = {"type": "integer", "minimum": 0}
    else:
        schema = {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


_PAGE_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "description": (
            f"How many items (default {DEFAULT_LIMIT}). Larger values are accepted and capped"
            f" at {MAX_LIMIT}; 0, negative numbers and anything but up to 9 digits are a 400."
        ),
        "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "The next_cursor of the previous page; a forged one is a 400.",
        "schema": {"type": "string"},
    },
]


def _error_statuses(method: str, contract: Contract, has_path_params: bool) -> set[int]:
    statuses = set(contract.errors) | {503}
    if contract.body is not None:
        statuses |= {400, 413, 415, 422}
    if method not in SAFE_METHODS:
        statuses.add(403)  # the CSRF and Origin guard of cookie-signed requests
    if contract.paged:
        statuses.add(400)
    if contract.signed_in:
        statuses.add(401)
    if has_path_params:
        statuses.add(404)
    return statuses


def _responses(
    method: str, contract: Contract, has_path_params: bool, schemas: _Schemas
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in sorted(contract.responses.items()):
        answer: dict[str, Any] = {"description": "Done" if schema is None else "OK"}
        if schema is not None:
            answer["content"] = {"application/json": {"schema": schemas.resolve(schema)}}
        if contract.links and 200 <= status < 300 and schema is not None:
            answer["links"] = {
                name: {
                    "operationId": _operation_id(link.route, link.method),
                    "parameters": dict(link.parameters),
                }
                for name, link in contract.links.items()
            }
        responses[str(status)] = answer
    for status in sorted(_error_statuses(method, contract, has_path_params)):
        answer = {
            "description": _ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": schemas.resolve(ERROR)}},
        }
        if status == 429:
            answer["headers"] = {"Retry-After": {"required": True, "schema": STRING}}
        responses[str(status)] = answer
    return responses


def _operation(
    route: Route, method: str, path_params: list[tuple[str, str | None]], schemas: _Schemas
) -> dict[str, Any]:
    contract = contract_of(route)
    if contract is None:
        raise LookupError(f"{route.name} has no OpenAPI contract: declare one with @operation")
    doc = (route.endpoint.__doc__ or route.name or "").strip().splitlines()[0]
    operation: dict[str, Any] = {
        "operationId": _operation_id(route.name, method),
        "summary": doc,
        "responses": _responses(method, contract, bool(path_params), schemas),
    }
    if contract.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": contract.body.schema()}},
        }
    parameters = [_path_parameter(name, kind) for name, kind in path_params]
    if contract.paged:
        parameters += _PAGE_PARAMETERS
    if parameters:
        operation["parameters"] = parameters
    public: list[dict[str, list[str]]] = [] if contract.signed_in else [{}]
    operation["security"] = [{"bearer": []}, {"cookie": []}, *public]
    return operation


def build(routes: list[Any]) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or not route.path.startswith("/api/v1"):
            continue
        path_params = [(n, k or None) for n, k in _PARAM.findall(route.path)]
        path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", route.path)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(
                route, method.lower(), path_params, schemas
            )
    schemas.resolve(ERROR)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Porchlight API",
            "version": "1",
            "description": (
                "Unknown body fields are ignored. Cookie-signed unsafe requests need the"
                " X-CSRF-Token header from login or GET /api/v1/me; bearer ones do not."
                " A method a path does not offer answers 405 with an Allow header."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "porchlight_session"},
            },
        },
    }


@operation({200: {"type": "object", "description": "This document."}})
async def document(request: Request) -> Response:
    """This API's OpenAPI 3.1 description."""
    return JSONResponse(build(request.app.routes))
