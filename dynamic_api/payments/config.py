"""From the ``LMS_PAYPAL_*`` settings to a :class:`PayPalConfig`.

Production talks to PayPal itself (``LMS_PAYPAL_BASE_URL=https://api-m.paypal.com``) with
real credentials. Development and tests talk to the bundled PayPal-compatible server
(``paypal_sandbox``); for a server on loopback the sandbox's well-known credentials are
used when none are set, so ``lms serve`` needs no configuration. Real PayPal without
credentials is a configuration error, never a silent fallback.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from dynamic_api.payments.paypal import PayPalConfig
from dynamic_api.payments.paypal_errors import PayPalNotConfigured
from site_builder.settings import Settings

__all__ = [
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SANDBOX_WEBHOOK_ID",
    "is_loopback_url",
    "paypal_config",
]

# The bundled server's defaults (paypal_sandbox.config repeats them: the two packages do
# not import each other, so the sandbox stays a stand-in for PayPal, not part of the API).
SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - a public test credential
SANDBOX_WEBHOOK_ID = "SANDBOXWEBHOOK0001"


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def paypal_config(settings: Settings, *, sandbox_url: str | None = None) -> PayPalConfig:
    """The client configuration for these settings.

    ``sandbox_url`` is where a bundled server runs (``lms serve`` starts one when
    ``LMS_PAYPAL_BASE_URL`` is empty); it is used only when the setting is empty.
    """
    base_url = settings.paypal_base_url or (sandbox_url or "")
    if not base_url:
        raise PayPalNotConfigured(
            "LMS_PAYPAL_BASE_URL is not set and no bundled PayPal-compatible server is running"
        )
    client_id = settings.paypal_client_id
    secret = settings.paypal_client_secret
    client_secret = secret.get_secret_value() if secret is not None else ""
    webhook_id = settings.paypal_webhook_id
    if not (client_id and client_secret):
        if not is_loopback_url(base_url) or settings.env == "production":
            raise PayPalNotConfigured(
                f"LMS_PAYPAL_CLIENT_ID and LMS_PAYPAL_CLIENT_SECRET are required for {base_url}"
            )
        client_id, client_secret = SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
        webhook_id = webhook_id or SANDBOX_WEBHOOK_ID
    return PayPalConfig(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        webhook_id=webhook_id,
        timeout=settings.paypal_timeout_seconds,
    )
