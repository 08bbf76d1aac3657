"""What can go wrong talking to PayPal, as exceptions a checkout can branch on.

PayPal answers errors as ``{"name", "message", "debug_id", "details": [{"issue", ...}]}``
(the OAuth endpoint as ``{"error", "error_description"}``). :class:`PayPalError` keeps all
of it, so a log line or an admin screen can quote the ``debug_id`` PayPal support asks for.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "PayPalAuthError",
    "PayPalError",
    "PayPalInvalidResponse",
    "PayPalNotConfigured",
    "PayPalUnavailable",
]


class PayPalError(Exception):
    """PayPal refused a request (4xx), or answered something we cannot use."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        name: str = "",
        debug_id: str | None = None,
        details: list[dict[str, Any]] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.name = name
        self.debug_id = debug_id
        self.details = details or []
        self.body = body

    @classmethod
    def from_response(cls, status: int, body: Any) -> PayPalError:
        """Build the error from PayPal's JSON error body (either of its two shapes)."""
        if not isinstance(body, dict):
            return cls(f"PayPal answered HTTP {status}", status=status, body=body)
        if "error" in body and "name" not in body:  # the OAuth2 token endpoint
            name = str(body.get("error", ""))
            message = str(body.get("error_description") or name)
            return cls(message, status=status, name=name, body=body)
        details = body.get("details")
        return cls(
            str(body.get("message") or body.get("name") or f"HTTP {status}"),
            status=status,
            name=str(body.get("name", "")),
            debug_id=body.get("debug_id"),
            details=details if isinstance(details, list) else [],
            body=body,
        )

    @property
    def issues(self) -> list[str]:
        """The ``issue`` codes of the details, e.g. ``["INSTRUMENT_DECLINED"]``."""
        return [str(d["issue"]) for d in self.details if isinstance(d, dict) and "issue" in d]

    def has_issue(self, issue: str) -> bool:
        return issue in self.issues or self.name == issue

    @property
    def declined(self) -> bool:
        """The buyer's funding source was declined: send them back to PayPal to choose another."""
        return self.has_issue("INSTRUMENT_DECLINED")

    def __str__(self) -> str:
        parts = [self.message]
        if self.name:
            parts.insert(0, f"{self.name}:")
        if self.issues:
            parts.append(f"({', '.join(self.issues)})")
        if self.status is not None:
            parts.append(f"[HTTP {self.status}]")
        if self.debug_id:
            parts.append(f"debug_id={self.debug_id}")
        return " ".join(parts)


class PayPalAuthError(PayPalError):
    """The client id or secret is wrong, or a fresh token was refused (HTTP 401)."""


class PayPalUnavailable(PayPalError):
    """PayPal kept failing (5xx, 429, timeouts, connection errors) after every retry.

    The outcome of a POST is unknown: retry later with the same ``PayPal-Request-Id``, or
    read the order back, before telling the buyer anything definite.
    """


class PayPalInvalidResponse(PayPalError):
    """PayPal answered 2xx with a body that does not parse as what we asked for."""


class PayPalNotConfigured(PayPalError):
    """No base URL or credentials in the settings (``LMS_PAYPAL_*``)."""
