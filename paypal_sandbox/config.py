"""How a sandbox is set up: credentials it accepts, where it sends webhooks, how it signs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import httpx

__all__ = [
    "AUTH_ALGO",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_WEBHOOK_ID",
    "SandboxConfig",
]

# Public, well-known test credentials: the sandbox guards nothing of value.
DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105
DEFAULT_WEBHOOK_ID = "SANDBOXWEBHOOK0001"
# PayPal signs with SHA256withRSA and a certificate; the sandbox signs with an HMAC of its
# own secret and says so in the PAYPAL-AUTH-ALGO header (docs/payments.md).
AUTH_ALGO = "HMACSHA256"


@dataclass
class SandboxConfig:
    """Settings of one sandbox; the control API can change the webhook fields at run time."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    webhook_url: str = ""
    webhook_id: str = DEFAULT_WEBHOOK_ID
    # The HMAC key of webhook signatures; random per process unless given.
    signing_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    token_ttl_seconds: int = 32400
    # How links name the sandbox (e.g. behind a proxy); empty: the URL of each request.
    public_url: str = ""
    # Send webhooks on capture, refund and control changes (they are always recorded).
    auto_webhooks: bool = True
    webhook_timeout_seconds: float = 10.0
    # Tests may deliver webhooks in process (httpx.ASGITransport) instead of over TCP.
    webhook_transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)
    merchant_id: str = "SANDBOXMERCHANT1"
    merchant_email: str = "merchant@sandbox.example.com"
    buyer_email: str = "buyer@sandbox.example.com"
