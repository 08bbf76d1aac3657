"""The LMS API: a small Starlette service for what the static site cannot do.

The implementation lives in private-ish modules (``app``, ``errors``, ``routes/…``); the
names other code needs are re-exported here, in the style of httpx.
"""

from dynamic_api.__version__ import __version__
from dynamic_api.app import create_app
from dynamic_api.errors import ApiError, error_response, read_body, read_json

__all__ = ["ApiError", "__version__", "create_app", "error_response", "read_body", "read_json"]
