"""A PayPal-compatible server for tests, demos and ``lms serve``.

It speaks the part of PayPal's REST API the LMS uses — OAuth2 client credentials, Orders v2
(create, read, capture), Payments v2 (captures, refunds), webhook signature verification —
with PayPal's paths, JSON shapes and error bodies, plus an approval page a browser can
click through, configurable failures and signed webhooks (``/__control/``). State lives in
memory. Production points at PayPal itself; see docs/payments.md.
"""

from paypal_sandbox.app import create_app
from paypal_sandbox.config import (
    AUTH_ALGO,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_WEBHOOK_ID,
    SandboxConfig,
)
from paypal_sandbox.webhooks import sign

__all__ = [
    "AUTH_ALGO",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_WEBHOOK_ID",
    "SandboxConfig",
    "create_app",
    "sign",
]
