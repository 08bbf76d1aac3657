"""The OpenAPI 3.1 document, generated from the routes so each endpoint documents itself.

An endpoint's docstring is a short prose summary, then ``---``, then the YAML of its
OpenAPI *operation* (Starlette's :class:`~starlette.schemas.SchemaGenerator` convention)::

    async def health(request: Request) -> Response:
        \"\"\"Why this endpoint exists.

        ---
        summary: Service health
        responses:
          "200":
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Health"}
          "500": {$ref: "#/components/responses/InternalError"}
        \"\"\"

Schemas come from pydantic models (OpenAPI 3.1 *is* JSON Schema 2020-12, so pydantic's
output drops in as is); each area lists its models in ``schema_models`` beside ``routes``.
Every error status has a reusable entry under ``components/responses``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from dynamic_api.__version__ import __version__
from dynamic_api.errors import ErrorResponse

logger = logging.getLogger(__name__)

OPENAPI_VERSION = "3.1.0"

#: ``components/responses`` name → (status, description). Reference them from docstrings,
#: e.g. ``"422": {$ref: "#/components/responses/InvalidFields"}``.
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
    document = generator.get_schema(list(routes))
    document["components"] = {
        "schemas": _component_schemas([ErrorResponse, *schema_models]),
        "responses": _error_responses(),
        "securitySchemes": SECURITY_SCHEMES,
    }
    return _string_keys(document)
