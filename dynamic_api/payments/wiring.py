"""How the API gets its PayPal client, and how ``lms serve`` gets a PayPal to talk to.

- The API opens one :class:`PayPalClient` for its whole life (``app.state.paypal``, in the
  lifespan): it holds the OAuth token and the connection pool. Without a usable
  configuration it is ``None`` and the payment endpoints answer 503
  ``payments_unavailable`` (the rest of the API works).
- ``lms serve`` with ``LMS_PAYPAL_BASE_URL`` empty runs the bundled PayPal-compatible
  server in a thread on a free loopback port (:func:`bundled_sandbox`), sends its webhooks
  to the served API, and hands its URL to the API (``app.state.paypal_sandbox_url``), so a
  student can buy a course with no configuration at all. Production never does this: it
  sets ``LMS_PAYPAL_BASE_URL`` to PayPal (README, "Payments").
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dynamic_api.payments.config import paypal_config
from dynamic_api.payments.paypal import PayPalClient
from dynamic_api.payments.paypal_errors import PayPalNotConfigured
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["WEBHOOK_PATH", "bundled_sandbox", "open_paypal"]

WEBHOOK_PATH = "/api/webhooks/paypal"


def open_paypal(
    settings: Settings,
    sandbox_url: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> PayPalClient | None:
    """The API's PayPal client, or ``None`` (logged) when payments are not configured.

    ``changes`` overrides :class:`~dynamic_api.payments.PayPalConfig` fields (tests use it
    for short retry delays).
    """
    try:
        config = paypal_config(settings, sandbox_url=sandbox_url)
    except PayPalNotConfigured as exc:
        logger.warning("Payments are off: %s", exc)
        return None
    if changes:
        config = dataclasses.replace(config, **dict(changes))
    logger.info("Payments through PayPal at %s", config.base_url)
    return PayPalClient(config)


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in {"", "0.0.0.0", "::", "[::]", "localhost"} else host  # noqa: S104


@contextmanager
def bundled_sandbox(settings: Settings, host: str, port: int) -> Iterator[str]:
    """Run the bundled PayPal-compatible server beside ``lms serve`` (listening on
    ``host:port``) for the length of the block; yield its URL.

    Its webhooks go to the served API's ``/api/webhooks/paypal``; it accepts the
    credentials and webhook id the API will use (the settings', or the sandbox defaults).
    """
    from paypal_sandbox import SandboxConfig, create_app
    from paypal_sandbox.serve import serve_in_thread

    config = SandboxConfig(webhook_url=f"http://{_loopback(host)}:{port}{WEBHOOK_PATH}")
    if settings.paypal_client_id and settings.paypal_client_secret is not None:
        config.client_id = settings.paypal_client_id
        config.client_secret = settings.paypal_client_secret.get_secret_value()
    if settings.paypal_webhook_id:
        config.webhook_id = settings.paypal_webhook_id
    with serve_in_thread(create_app(config)) as url:
        logger.info("PayPal-compatible sandbox on %s (webhooks to %s)", url, config.webhook_url)
        yield url
