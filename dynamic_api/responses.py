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
from starlette.responses import JSONResponse

PRIVATE = "private, no-store"


def json_response(
    body: BaseModel | Mapping[str, Any], status: int = 200, *, cache_control: str = PRIVATE
) -> JSONResponse:
    """``body`` as JSON (models in their JSON mode: decimals and datetimes as strings)."""
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else dict(body)
    return JSONResponse(data, status_code=status, headers={"Cache-Control": cache_control})
