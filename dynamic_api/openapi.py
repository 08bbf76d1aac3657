"""The OpenAPI 3.1 document, generated from the routes so each endpoint documents itself.

An endpoint's docstring is a short prose summary, then ``---``, then the YAML of its
OpenAPI *operation* (Starlette's :class:`~starlette.schemas.SchemaGenerator` convention)::

    @requires()
    async def update_me(request: Request) -> Response:
        \"\"\"Why this endpoint exists.

        ---
        summary: Update my account
        security: [{session: []}]
        requestBody:
          content:
            application/json:
              schema: {$ref: "#/components/schemas/UpdateMe"}
        responses:
          "200":
            description: The account, updated.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/UserView"}
          "429": {$ref: "#/components/responses/RateLimited"}
        \"\"\"

Schemas come from pydantic models (OpenAPI 3.1 *is* JSON Schema 2020-12, so pydantic's
output drops in as is); each area lists its models in ``schema_models`` beside ``routes``.
Every error status has a reusable entry under ``components/responses``.

A docstring lists only the responses particular to its endpoint; :func:`implied_responses`
adds the errors that follow from the operation itself (above: 400, 413, 415 and 422 for
the JSON body, 401 for ``security``, 403 for an unsafe method, and 500). A response the
docstring writes wins, so an endpoint can describe a status its own way (``"400":`` with
a ``description`` naming its codes), and ``"415": null`` drops an implied one (the PayPal
webhook reads its JSON body as raw bytes, not with ``read_json``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from dynamic_api.__version__ import __version__
from dynamic_api.errors import ErrorResponse

logger = logging.getLogger(__name__)

OPENAPI_VERSION = "3.1.0"

#: ``components/responses`` name → (status, description). Docstrings reference those that
#: :func:`implied_responses` does not add, e.g.
#: ``"429": {$ref: "#/components/responses/RateLimited"}``.
ERROR_RESPONSES: dict[str, tuple[int, str]] = {
    "BadRequest": (400, "Malformed request (`malformed_json`)."),
    "Unauthorized": (401, "Not signed in (`not_authenticated`)."),
    "Forbidden": (403, "Signed in, but not allowed; `message` says why."),
    "NotFound": (404, "Unknown path or resource (`not_found`)."),
    "MethodNotAllowed": (405, "The path exists, the method does not (`method_not_allowed`)."),
    "Conflict": (409, "The request conflicts with the current state."),
    "PayloadTooLarge": (
        413,
        "The body is larger than this endpoint accepts (`payload_too_large`).",
    ),
    "UnsupportedMediaType": (415, "The body is not `application/json` (`unsupported_media_type`)."),
    "InvalidFields": (
        422,
        "Well-formed JSON that the endpoint refuses (`invalid_fields`); "
        "`fields` maps each dotted field path to a message.",
    ),
    "RateLimited": (429, "Too many requests (`rate_limited`); see `Retry-After`."),
    "InternalError": (
        500,
        "An unexpected error (`internal_error`); details are only in the server log.",
    ),
}

#: Status → its name in ``components/responses``.
_ERROR_NAMES: dict[int, str] = {status: name for name, (status, _) in ERROR_RESPONSES.items()}

#: What ``read_json`` answers besides the endpoint's own refusals.
_JSON_BODY_ERRORS = (400, 413, 415, 422)

#: Methods the cross-origin check (``dynamic_api/csrf.py``) may refuse with 403.
_UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})

#: How callers authenticate; endpoints that need it say ``security: [{session: []}]``.
SECURITY_SCHEMES: dict[str, Any] = {
    "deployToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "`LMS_DEPLOY_TOKEN`, for `lms publish --to URL` (CI).",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "lms_session",
        "description": "The session cookie set by `POST /api/auth/login` (HttpOnly). "
        "Browsers send it with `credentials: 'include'`.",
    },
}

_DESCRIPTION = """\
The API of the learning platform: what the static site cannot do by itself.

JSON in and out. Every error has the same shape,
`{"error": {"code": "snake_case", "message": "Human sentence.", "fields": {...}}}`:
branch on `code`, show `message`, and show each entry of `fields` beside its form input.
"""


def _component_schemas(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """JSON Schemas of ``models`` and everything they reference, keyed by model name."""
    unique = list(dict.fromkeys(models))
    if not unique:
        return {}
    _, top = models_json_schema(
        [(model, "validation") for model in unique],
        ref_template="#/components/schemas/{model}",
    )
    return dict(top.get("$defs", {}))


def _error_responses() -> dict[str, Any]:
    return {
        name: {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
            },
        }
        for name, (_status, description) in ERROR_RESPONSES.items()
    }


def _string_keys(value: Any) -> Any:
    """YAML reads ``200:`` as an int; OpenAPI wants every map key (status codes) a string."""
    if isinstance(value, dict):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_string_keys(item) for item in value]
    return value


def implied_responses(
    path: str, method: str, operation: dict[str, Any], endpoint: Callable[..., Any] | None = None
) -> list[int]:
    """The error statuses that follow from the operation itself, so no docstring repeats them.

    Only what the API answers whatever the endpoint does: 500 anywhere; 401 when the
    operation needs credentials (a non-empty ``security`` with no optional ``{}`` entry);
    403 from the cross-origin check on unsafe methods and from ``requires`` with roles; 404
    when the path has a parameter (an unknown id or slug); and what ``read_json`` refuses
    (400, 413, 415, 422) when the body is ``application/json``.
    """
    statuses = {500}
    security = operation.get("security") or []
    if security and all(security):
        statuses.add(401)
    if method in _UNSAFE_METHODS or getattr(endpoint, "required_roles", None):
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
        statuses.update(_JSON_BODY_ERRORS)
    return sorted(statuses)


def _with_implied(responses: dict[str, Any], implied: Iterable[int]) -> dict[str, Any]:
    """``responses`` plus a ``$ref`` for each implied status it lacks, ordered by status;
    an explicit ``null`` drops the implied entry."""
    merged = {
        str(status): {"$ref": f"#/components/responses/{_ERROR_NAMES[status]}"}
        for status in implied
    }
    merged.update(responses)
    return {
        status: merged[status]
        for status in sorted(merged, key=lambda status: (status == "default", status))
        if merged[status] is not None
    }


def build_openapi(
    routes: Sequence[BaseRoute], schema_models: Iterable[type[BaseModel]] = ()
) -> dict[str, Any]:
    """The whole document for ``routes``; the error models are always included."""
    generator = SchemaGenerator(
        {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": "Static LMS API",
                "version": __version__,
                "description": _DESCRIPTION,
                "license": {"name": "MIT", "identifier": "MIT"},
            },
        }
    )
    document = _string_keys(generator.get_schema(list(routes)))
    for endpoint in generator.get_endpoints(list(routes)):
        operation = document["paths"].get(endpoint.path, {}).get(endpoint.http_method)
        if operation is None:  # no YAML in the docstring; a test catches it
            continue
        implied = implied_responses(endpoint.path, endpoint.http_method, operation, endpoint.func)
        operation["responses"] = _with_implied(operation.get("responses", {}), implied)
    document["components"] = {
        "schemas": _component_schemas([ErrorResponse, *schema_models]),
        "responses": _error_responses(),
        "securitySchemes": SECURITY_SCHEMES,
    }
    return _string_keys(document)
