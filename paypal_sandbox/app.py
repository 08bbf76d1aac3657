"""``create_app(config)``: the PayPal-compatible server as one Starlette application.

Routes mirror PayPal's REST paths, so a client configured with this server's URL runs the
same code it runs against ``https://api-m.paypal.com``. The app can be served alone
(``python -m paypal_sandbox``, ``lms paypal-sandbox``), in a test thread
(:mod:`paypal_sandbox.testing`) or mounted under a path of another app (links follow the
mount's root path).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from paypal_sandbox import approval, control, oauth, orders, payments, webhooks
from paypal_sandbox.api import endpoint
from paypal_sandbox.config import SandboxConfig
from paypal_sandbox.state import Sandbox

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    yield
    # Deliveries still running when the server stops would outlive their event loop.
    sandbox: Sandbox = app.state.sandbox
    for task in list(sandbox.pending):
        task.cancel()
    if sandbox.pending:
        await asyncio.gather(*list(sandbox.pending), return_exceptions=True)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh sandbox with its own in-memory state."""
    config = config or SandboxConfig()
    routes = [
        Route("/v1/oauth2/token", endpoint(oauth.token, authenticated=False), methods=["POST"]),
        Route(
            "/v2/checkout/orders",
            endpoint(orders.create_order, idempotent=True),
            methods=["POST"],
        ),
        Route("/v2/checkout/orders/{order_id}", endpoint(orders.get_order), methods=["GET"]),
        Route(
            "/v2/checkout/orders/{order_id}/capture",
            endpoint(orders.capture_order, idempotent=True),
            methods=["POST"],
        ),
        Route(
            "/v2/payments/captures/{capture_id}",
            endpoint(payments.get_capture),
            methods=["GET"],
        ),
        Route(
            "/v2/payments/captures/{capture_id}/refund",
            endpoint(payments.refund_capture, idempotent=True),
            methods=["POST"],
        ),
        Route("/v2/payments/refunds/{refund_id}", endpoint(payments.get_refund), methods=["GET"]),
        Route(
            "/v1/notifications/verify-webhook-signature",
            endpoint(webhooks.verify_signature),
            methods=["POST"],
        ),
        Route("/v1/notifications/certs/{name}", webhooks.cert, methods=["GET"]),
        Route("/checkoutnow", approval.approval_page, methods=["GET"]),
        Route("/checkoutnow", approval.decide, methods=["POST"]),
        *control.routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = Sandbox(config)
    logger.debug("PayPal sandbox created (client id %s)", config.client_id)
    return app
