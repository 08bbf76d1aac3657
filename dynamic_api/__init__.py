"""The LMS API: a small Starlette service for what the static site cannot do.

The implementation lives in private-ish modules (``app``, ``errors``, ``routes/…``); the
names other code needs are re-exported here, in the style of httpx. They are imported on
first use (PEP 562), so ``lms check`` can load ``dynamic_api.cli`` without paying for
SQLAlchemy and the rest of the API.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dynamic_api.__version__ import __version__

if TYPE_CHECKING:
    from dynamic_api.app import create_app
    from dynamic_api.errors import ApiError, error_response, read_body, read_json, read_query

_EXPORTS = {
    "create_app": "dynamic_api.app",
    "ApiError": "dynamic_api.errors",
    "error_response": "dynamic_api.errors",
    "read_body": "dynamic_api.errors",
    "read_json": "dynamic_api.errors",
    "read_query": "dynamic_api.errors",
}

__all__ = [
    "ApiError",
    "__version__",
    "create_app",
    "error_response",
    "read_body",
    "read_json",
    "read_query",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
