"""The OpenAPI document is the real contract: complete, resolvable, valid OpenAPI 3.1."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from forum.accounts import forms as account_forms
from forum.aid import forms as aid_forms
from forum.boards import forms as board_forms
from forum.validation import FieldErrors, Text

# Operations that read no body: the server ignores whatever is sent.
BODILESS_WRITES = {
    ("/api/v1/auth/logout", "post"),
    ("/api/v1/admin/signups/{id}/approve", "post"),
    ("/api/v1/admin/signups/{id}/refuse", "post"),
    ("/api/v1/aid/{id}/responses/{response_id}/accept", "post"),
    ("/api/v1/aid/{id}/responses/{response_id}/decline", "post"),
    ("/api/v1/me/aid-feed/reset", "post"),
    ("/api/v1/moderation/queue/{id}/claim", "post"),
    ("/api/v1/me/sanctions/{id}/acknowledge", "post"),
}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()
    ]


async def test_openapi_covers_every_api_route(document: dict[str, Any], app: Starlette) -> None:
    expected = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/v1"):
            path = re.sub(r"{([^}:]+)(:[^}]+)?}", r"{\1}", route.path)
            expected |= {(path, m.lower()) for m in route.methods or () if m != "HEAD"}
    described = {(path, method) for path, method, _ in operations(document)}
    assert expected == described
    for _, _, operation in operations(document):
        assert operation["summary"]
        assert operation["operationId"]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_write_describes_its_body_and_every_operation_its_answers(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        if method in ("post", "patch", "put") and (path, method) not in BODILESS_WRITES:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert schema["type"] == "object", (path, method)
            assert schema["properties"], (path, method)
            assert {"400", "415", "422", "413"} <= set(operation["responses"]), (path, method)
        successes = [s for s in operation["responses"] if s.startswith("2")]
        assert successes, (path, method)
        for status in successes:
            answer = operation["responses"][status]
            assert status == "204" or "schema" in answer["content"]["application/json"]
        assert "default" not in operation["responses"]


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas
    for name in ("User", "Author", "Board", "Topic", "Post", "Error", "TopicPage"):
        assert name in schemas


def test_lists_say_how_limit_is_applied(document: dict[str, Any]) -> None:
    lists = [op for _, m, op in operations(document) if m == "get" and "parameters" in op]
    limits = [p for op in lists for p in op["parameters"] if p["name"] == "limit"]
    assert len(limits) >= 6
    for limit in limits:
        assert limit["schema"]["minimum"] == 1
        assert limit["schema"]["maximum"] > 100  # 500 is accepted and capped, not refused
        assert "capped at 100" in limit["description"]


def test_id_parameters_are_bounded_as_the_convertor_matches(document: dict[str, Any]) -> None:
    topic = document["paths"]["/api/v1/topics/{id}"]["get"]
    assert topic["parameters"][0]["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 999_999_999,
    }


def test_request_schemas_come_from_the_validating_fields(document: dict[str, Any]) -> None:
    me = document["paths"]["/api/v1/me"]["patch"]["requestBody"]["content"]["application/json"]
    properties = me["schema"]["properties"]
    assert properties["dm_policy"]["enum"] == ["everyone", "interacted", "nobody"]
    assert properties["display_name"]["maxLength"] == account_forms.DISPLAY_NAME_MAX
    assert "required" not in me["schema"]
    topic = document["paths"]["/api/v1/boards/{slug}/topics"]["post"]["requestBody"]
    schema = topic["content"]["application/json"]["schema"]
    assert schema["required"] == ["title", "body"]
    assert schema["properties"]["title"] == {"type": "string", "minLength": 3, "maxLength": 200}
    assert schema["additionalProperties"] is True


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        (board_forms.TITLE, "x" * 200, True),
        (board_forms.TITLE, "x" * 201, False),
        (board_forms.TITLE, "  " + "x" * 199, False),  # the limit counts what was sent
        (account_forms.USERNAME, " ana ", True),
        (account_forms.USERNAME, "an", False),
        (aid_forms.TITLE, "x" * 120, True),
        (aid_forms.TITLE, "x" * 121, False),
        (aid_forms.CATEGORY, " meals ", True),
        (aid_forms.CATEGORY, "Meals", False),
        (aid_forms.CATEGORY, "meals--at-home", False),
    ],
)
def test_what_the_schema_refuses_the_field_refuses(field: Text, value: str, accepted: bool) -> None:
    errors = FieldErrors()
    field.read({"f": value}, "f", errors)
    schema = field.schema()
    within = len(value) <= schema.get("maxLength", len(value)) and (
        "pattern" not in schema or re.search(schema["pattern"], value) is not None
    )
    assert within == accepted
    assert (not errors.errors) == accepted


async def test_a_method_the_path_does_not_offer_names_every_one_it_does(
    client: httpx.AsyncClient, db: None
) -> None:
    response = await client.put("/api/v1/boards")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
    page = await client.options("/login")
    assert page.status_code == 405
    assert page.headers["allow"] == "GET, HEAD, POST"
