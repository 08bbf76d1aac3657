"""The one error format of the API, and the one way to read a JSON request body.

Every failure, whether raised on purpose (:class:`ApiError`), by Starlette's routing
(unknown path, wrong method) or by a bug, reaches the client as::

    {"error": {"code": "snake_case", "message": "Human sentence.", "fields": {...}}}

``code`` is stable, for programs to branch on; ``message`` is for people; ``fields`` (only
on 422, and only when there is something to say) maps a dotted field path to what is wrong
with it, so a form can show each message beside its input.
"""

from __future__ import annotations

import http
import json
import logging
import re
from collections.abc import Mapping
from contextlib import aclosing
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ExceptionHandler

from dynamic_api.middleware import security_headers

logger = logging.getLogger(__name__)

#: Default cap on a JSON body. Forms of this API are small; an endpoint that takes more
#: (a long open answer, a bulk import) passes its own ``max_bytes``.
DEFAULT_MAX_BYTES = 64 * 1024

M = TypeVar("M", bound=BaseModel)


class ErrorDetail(BaseModel):
    """What went wrong; the schema of ``error`` in every error response."""

    code: str = Field(
        description="Stable snake_case identifier that clients branch on.",
        examples=["invalid_fields"],
    )
    message: str = Field(
        description="A human sentence, safe to show to the user.",
        examples=["Some fields are missing or invalid."],
    )
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Dotted field path → what is wrong with that field. Present only when "
        "there is something to say about individual fields (422).",
        examples=[
            {"email": "Field required.", "answers.0.choice": "Input should be a valid integer."}
        ],
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx response of the API."""

    error: ErrorDetail


class ApiError(Exception):
    """Raise from a handler (or a service it calls) to answer with the error format.

    ``headers`` is for the few errors that need one (``Retry-After`` on 429,
    ``WWW-Authenticate`` on 401, ``Allow`` on 405).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status!r}, {self.code!r}, {self.message!r})"


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the error body; the single place that knows its shape."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = dict(fields)
    return JSONResponse({"error": error}, status_code=status, headers=headers)


# --- exception handlers ------------------------------------------------------------------

#: Sentences for the statuses Starlette itself raises; an ``HTTPException`` with its own
#: ``detail`` keeps that detail as the message.
_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Sign in to do this."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "There is no API endpoint at this address."),
    405: ("method_not_allowed", "This endpoint does not accept this HTTP method."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This content type is not accepted here."),
    429: ("rate_limited", "Too many requests; please wait a moment and try again."),
}


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:  # a non-standard status
        return ""


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404 from routing, 405, 413 from the body limit) in our format."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in {204, 304}:  # no body allowed, so nothing to format
        return Response(status_code=exc.status_code, headers=exc.headers)
    phrase = _phrase(exc.status_code)
    code, message = _HTTP_ERRORS.get(
        exc.status_code, (re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_") or "http_error", "")
    )
    if exc.detail and exc.detail != phrase:  # a handler said something specific
        message = _sentence(exc.detail)
    message = message or _sentence(phrase)
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def internal_error_handler(request: Request, exc: Exception) -> Response:
    """Any exception nobody handled: log it with its traceback, tell the client nothing more.

    Starlette calls this from ``ServerErrorMiddleware``, outside the user middleware, so the
    security headers are added here; it then re-raises so the server can log it too.
    """
    logger.error(
        "Unhandled %s on %s %s",
        type(exc).__name__,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    return error_response(
        500,
        "internal_error",
        "Something went wrong on our side. Please try again later.",
        headers=security_headers("application/json"),
    )


#: For ``Starlette(exception_handlers=...)``; the ``Exception`` entry becomes the 500 handler.
EXCEPTION_HANDLERS: dict[Any, ExceptionHandler] = {
    ApiError: api_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}


# --- request bodies ----------------------------------------------------------------------


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(
        413, "payload_too_large", f"The request body is larger than the {max_bytes} bytes allowed."
    )


async def read_body(request: Request, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The raw request body, refused with 413 beyond ``max_bytes``.

    Checks the declared ``Content-Length`` first (no need to read what we will refuse) and
    then counts what actually arrives, since a chunked body declares no length. For bodies
    that are not JSON or must be kept byte for byte (webhook signatures).
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                chunks.append(chunk)
    except ClientDisconnect:
        # Nobody will read the answer, but this keeps a hang-up out of the error log.
        raise ApiError(
            400, "client_disconnected", "The connection closed before the body arrived."
        ) from None
    return b"".join(chunks)


def _require_json_content_type(request: Request) -> None:
    """415 unless ``Content-Type: application/json`` (UTF-8, the only encoding JSON has).

    Besides being the contract, this is a CSRF defence: a cross-site HTML form cannot send
    ``application/json``, and a cross-site ``fetch`` with it needs a CORS preflight.
    """
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the request body as JSON, with the header Content-Type: application/json.",
        )
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value.strip('"').lower() not in {"utf-8", "utf8"}:
            raise ApiError(415, "unsupported_media_type", "Send JSON encoded as UTF-8.")


def _reject_constant(name: str) -> NoReturn:
    """``NaN`` and ``Infinity`` are Python's extensions, not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def _malformed(detail: str) -> ApiError:
    return ApiError(400, "malformed_json", f"The request body is not valid JSON: {detail}.")


def _parse_strict(body: bytes) -> str:
    """Check that ``body`` is strict UTF-8 JSON; return it decoded."""
    if not body.strip():
        raise ApiError(400, "malformed_json", "The request body is empty; send a JSON object.")
    try:
        text = body.decode("utf-8")
        json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise _malformed("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _malformed(f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:
        raise _malformed(str(exc)) from None
    except RecursionError:
        raise _malformed("it is nested too deeply") from None
    return text


def _sentence(text: str) -> str:
    text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ").strip()
    if not text:
        return "This value is invalid."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _invalid_fields(exc: ValidationError) -> ApiError:
    """422 with ``fields``: one message per dotted path; whole-body problems as the message."""
    fields: dict[str, str] = {}
    general: list[str] = []
    errors: list[ErrorDetails] = exc.errors(include_url=False, include_input=False)
    for error in errors:
        path = ".".join(str(part) for part in error["loc"])
        if not path and error["type"] in {"model_type", "model_attributes_type", "dict_type"}:
            general.append("The request body must be a JSON object.")
        elif path:
            fields.setdefault(path, _sentence(error["msg"]))
        else:  # a model-level validator
            general.append(_sentence(error["msg"]))
    message = general[0] if general else "Some fields are missing or invalid."
    return ApiError(422, "invalid_fields", message, fields)


async def read_json(request: Request, model: type[M], max_bytes: int = DEFAULT_MAX_BYTES) -> M:
    """Read, check and validate a JSON body into ``model``; every refusal is an :class:`ApiError`.

    415 ``unsupported_media_type`` without ``Content-Type: application/json``; 413
    ``payload_too_large`` beyond ``max_bytes``; 400 ``malformed_json`` for anything that is
    not strict JSON (``NaN`` included); 422 ``invalid_fields`` when ``model`` refuses it.
    Validation runs in pydantic's JSON mode, so strict models accept what JSON can express
    (a date as a string) and nothing else.
    """
    _require_json_content_type(request)
    text = _parse_strict(await read_body(request, max_bytes))
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            # Our parser and pydantic's disagree on a corner (a lone surrogate escape).
            raise _malformed("it contains an invalid escape") from None
        raise _invalid_fields(exc) from None


def read_query(request: Request, model: type[M]) -> M:
    """Validate the query string into ``model``; 422 ``invalid_fields`` when it refuses it.

    Each parameter is a string (pydantic's lax mode turns ``"2"`` into ``2`` for an int
    field); a repeated parameter keeps its last value.
    """
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise _invalid_fields(exc) from None


#: Largest id an INTEGER column holds on every backend: a larger path id cannot exist.
MAX_ID = 2**31 - 1


def read_path_id(request: Request, name: str, missing: str) -> int:
    """The integer path parameter ``name`` (an ``{name:int}`` route); 404 with ``missing``
    beyond :data:`MAX_ID`, which would otherwise overflow the column type in the query."""
    value = int(request.path_params[name])
    if value > MAX_ID:
        raise ApiError(404, "not_found", missing)
    return value
