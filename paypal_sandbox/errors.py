"""PayPal's error bodies: ``{"name", "message", "debug_id", "details": [...], "links"}``."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["SandboxError", "debug_id", "error_response", "from_error", "not_found"]

MESSAGES = {
    "INVALID_REQUEST": "Request is not well-formed, syntactically incorrect, or violates schema.",
    "UNPROCESSABLE_ENTITY": "The requested action could not be performed, semantically "
    "incorrect, or failed business validation.",
    "RESOURCE_NOT_FOUND": "The specified resource does not exist.",
    "AUTHENTICATION_FAILURE": "Authentication failed due to invalid authentication "
    "credentials or a missing Authorization header.",
    "INTERNAL_SERVER_ERROR": "An internal server error occurred.",
    "SERVICE_UNAVAILABLE": "Service Unavailable.",
    "RATE_LIMIT_REACHED": "Too many requests. Blocked due to rate limiting.",
    "VALIDATION_ERROR": "Invalid request - see details.",
}
NAMES_BY_STATUS = {
    400: "INVALID_REQUEST",
    401: "AUTHENTICATION_FAILURE",
    404: "RESOURCE_NOT_FOUND",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMIT_REACHED",
    500: "INTERNAL_SERVER_ERROR",
    502: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
    504: "INTERNAL_SERVER_ERROR",
}


def debug_id() -> str:
    return secrets.token_hex(7)[:13]


class SandboxError(Exception):
    """Raised by a handler; answered as PayPal would."""

    def __init__(
        self,
        status: int,
        issue: str | None = None,
        description: str = "",
        *,
        name: str | None = None,
        field: str | None = None,
        value: str | None = None,
        location: str = "body",
    ) -> None:
        super().__init__(issue or name or str(status))
        self.status = status
        self.name = name or NAMES_BY_STATUS.get(status, "INTERNAL_SERVER_ERROR")
        self.details: list[dict[str, Any]] = []
        if issue:
            detail: dict[str, Any] = {"issue": issue, "description": description or issue}
            if field is not None:
                detail = {"field": field, "value": value, "location": location, **detail}
                if value is None:
                    del detail["value"]
            self.details.append(detail)


def error_response(
    status: int, name: str | None = None, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    name = name or NAMES_BY_STATUS.get(status, "INTERNAL_SERVER_ERROR")
    ident = debug_id()
    body: dict[str, Any] = {"name": name, "message": MESSAGES.get(name, name), "debug_id": ident}
    if details:
        body["details"] = details
        issue = details[0].get("issue", name)
        link = f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}"
    else:
        link = "https://developer.paypal.com/api/rest/reference/orders/v2/errors/"
    body["links"] = [{"href": link, "rel": "information_link", "method": "GET"}]
    return JSONResponse(body, status_code=status, headers={"PayPal-Debug-Id": ident})


def from_error(error: SandboxError) -> JSONResponse:
    return error_response(error.status, error.name, error.details)


def not_found(kind: str, ident: str) -> SandboxError:
    return SandboxError(
        404,
        "INVALID_RESOURCE_ID",
        "Specified resource ID does not exist. Please check the resource ID and try again.",
        field=f"{kind}_id",
        value=ident,
        location="path",
    )
