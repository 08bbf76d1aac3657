"""dynamic_api/openapi.py: the error responses each operation implies, and the real API's use."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from dynamic_api.auth import requires
from dynamic_api.openapi import ERROR_RESPONSES, build_openapi, implied_responses
from dynamic_api.routes import routes as api_routes


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


async def public_list(request: Request) -> Response:
    """A public read.

    ---
    responses:
      "200": {description: The items.}
    """
    raise NotImplementedError


async def public_item(request: Request) -> Response:
    """A public read of one item.

    ---
    responses:
      "200": {description: The item.}
    """
    raise NotImplementedError


@requires()
async def signed_in_update(request: Request) -> Response:
    """A signed-in user changes something, with a JSON body.

    ---
    security: [{session: []}]
    requestBody:
      content:
        application/json:
          schema: {type: object}
    responses:
      "200": {description: Changed.}
    """
    raise NotImplementedError


@requires("admin")
async def admin_report(request: Request) -> Response:
    """For admins only.

    ---
    security: [{session: []}]
    responses:
      "200": {description: The report.}
    """
    raise NotImplementedError


async def optional_sign_in(request: Request) -> Response:
    """Signed in or not.

    ---
    security: [{session: []}, {}]
    responses:
      "200": {description: Either way.}
    """
    raise NotImplementedError


async def own_words(request: Request) -> Response:
    """Says more about two statuses and reads its JSON body as raw bytes.

    ---
    requestBody:
      content:
        application/json:
          schema: {type: object}
    responses:
      "204": {description: Done.}
      "400":
        description: "`invalid_signature`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "415": null
      "422": null
      "500": {description: Deliver again later.}
    """
    raise NotImplementedError


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    document = build_openapi(
        [
            Route("/api/items", public_list),
            Route("/api/items/{item_id:int}", public_item),
            Route("/api/me", signed_in_update, methods=["PATCH"]),
            Route("/api/report", admin_report),
            Route("/api/maybe", optional_sign_in),
            Route("/api/hook", own_words, methods=["POST"]),
        ]
    )
    return document["paths"]


def test_every_operation_may_fail_with_500(paths: dict[str, Any]) -> None:
    operations = [operation for item in paths.values() for operation in item.values()]

    assert len(operations) == 6
    for operation in operations:
        assert "500" in operation["responses"]


def test_a_public_read_implies_only_500(paths: dict[str, Any]) -> None:
    assert paths["/api/items"]["get"]["responses"] == {
        "200": {"description": "The items."},
        "500": ref("InternalError"),
    }


def test_a_path_parameter_implies_404(paths: dict[str, Any]) -> None:
    assert paths["/api/items/{item_id}"]["get"]["responses"]["404"] == ref("NotFound")


def test_security_implies_401(paths: dict[str, Any]) -> None:
    assert paths["/api/me"]["patch"]["responses"]["401"] == ref("Unauthorized")
    assert paths["/api/report"]["get"]["responses"]["401"] == ref("Unauthorized")
    assert "401" not in paths["/api/maybe"]["get"]["responses"]  # {} makes it optional


def test_a_json_body_implies_what_read_json_refuses(paths: dict[str, Any]) -> None:
    responses = paths["/api/me"]["patch"]["responses"]

    assert responses["400"] == ref("BadRequest")
    assert responses["413"] == ref("PayloadTooLarge")
    assert responses["415"] == ref("UnsupportedMediaType")
    assert responses["422"] == ref("InvalidFields")


def test_unsafe_methods_and_roles_imply_403(paths: dict[str, Any]) -> None:
    assert paths["/api/me"]["patch"]["responses"]["403"] == ref("Forbidden")  # cross-origin
    assert paths["/api/report"]["get"]["responses"]["403"] == ref("Forbidden")  # a role
    assert "403" not in paths["/api/items"]["get"]["responses"]


def test_implied_responses_are_ordered_by_status(paths: dict[str, Any]) -> None:
    statuses = list(paths["/api/me"]["patch"]["responses"])

    assert statuses == ["200", "400", "401", "403", "413", "415", "422", "500"]


def test_the_docstring_wins_over_an_implied_response(paths: dict[str, Any]) -> None:
    responses = paths["/api/hook"]["post"]["responses"]

    assert responses["400"]["description"] == "`invalid_signature`."
    assert responses["500"] == {"description": "Deliver again later."}
    assert "415" not in responses  # null drops it
    assert "422" not in responses
    assert responses["413"] == ref("PayloadTooLarge")


def test_every_implied_status_has_a_component() -> None:
    statuses = {status for status, _ in ERROR_RESPONSES.values()}
    everything = {
        "security": [{"session": []}],
        "requestBody": {"content": {"application/json": {}}},
    }

    assert set(implied_responses("/api/x/{id}", "post", everything)) <= statuses


# --- the real API -------------------------------------------------------------------------


def test_guarded_endpoints_declare_their_security() -> None:
    """``requires`` answers 401, which the document shows only for an operation with
    ``security``."""
    generator = SchemaGenerator({})
    for endpoint in generator.get_endpoints(list(api_routes)):
        if hasattr(endpoint.func, "required_roles"):
            operation = generator.parse_docstring(endpoint.func)
            assert operation.get("security"), (endpoint.http_method, endpoint.path)


def test_docstrings_do_not_repeat_implied_responses() -> None:
    """A docstring leaves out what :func:`implied_responses` adds anyway (it may still say
    more about such a status in its own words)."""
    names = {status: name for name, (status, _) in ERROR_RESPONSES.items()}
    generator = SchemaGenerator({})
    for endpoint in generator.get_endpoints(list(api_routes)):
        operation = generator.parse_docstring(endpoint.func)
        written = {str(status): item for status, item in operation.get("responses", {}).items()}
        implied = implied_responses(endpoint.path, endpoint.http_method, operation, endpoint.func)
        repeated = [status for status in implied if written.get(str(status)) == ref(names[status])]
        assert not repeated, (endpoint.http_method, endpoint.path, repeated)
