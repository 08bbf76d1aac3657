"""One way to answer with JSON: a pydantic model (or a plain dict) as the response body.

Every JSON answer already gets ``Cache-Control: no-store`` from
:class:`~dynamic_api.middleware.SecurityHeadersMiddleware`; the per-user answers of the
learning, evaluation, payment, certificate and master-class endpoints say ``private`` too, so
no shared cache in front of the API may keep them whatever its configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

PRIVATE = "private, no-store"
JSON = "application/json"


def json_response(
    body: BaseModel | Mapping[str, Any], status: int = 200, *, cache_control: str = PRIVATE
) -> Response:
    """``body`` as JSON (models in their JSON mode: decimals and datetimes as strings).

    A model is serialised to bytes by pydantic's own encoder in one step, as compact and
    UTF-8 as ``JSONResponse`` writes a dict: a dict first and ``json.dumps`` after cost
    about twice as much on the hot endpoints."""
    headers = {"Cache-Control": cache_control}
    if isinstance(body, BaseModel):
        content = body.__pydantic_serializer__.to_json(body)
        return Response(content, status_code=status, headers=headers, media_type=JSON)
    return JSONResponse(dict(body), status_code=status, headers=headers)
