"""``POST /v1/oauth2/token``: client credentials in, a bearer token out, as PayPal does."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from paypal_sandbox.state import Sandbox

__all__ = ["bearer_ok", "token"]

SCOPES = " ".join(
    [
        "https://uri.paypal.com/services/payments/payment",
        "https://uri.paypal.com/services/payments/refund",
        "https://uri.paypal.com/services/applications/webhooks",
        "https://uri.paypal.com/services/applications/verify-webhook-signature",
    ]
)


def _credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


async def token(request: Request, sandbox: Sandbox) -> Response:
    # OAuth errors have their own shape ({"error", "error_description"}), not PayPal's.
    form = parse_qs((await request.body()).decode("latin-1"))
    if form.get("grant_type") != ["client_credentials"]:
        return JSONResponse(
            {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"},
            status_code=400,
        )
    credentials = _credentials(request)
    if credentials is None or not (
        _same(credentials[0], sandbox.config.client_id)
        and _same(credentials[1], sandbox.config.client_secret)
    ):
        return JSONResponse(
            {"error": "invalid_client", "error_description": "Client Authentication failed"},
            status_code=401,
        )
    access_token, ttl = sandbox.issue_token()
    return JSONResponse(
        {
            "scope": SCOPES,
            "access_token": access_token,
            "token_type": "Bearer",
            "app_id": "APP-SANDBOX0000000000",
            "expires_in": ttl,
            "nonce": f"{secrets.token_hex(16)}",
        }
    )


def bearer_ok(request: Request, sandbox: Sandbox) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and sandbox.token_valid(value.strip())
