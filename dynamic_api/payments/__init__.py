"""Payments: money as Decimal, and an async PayPal REST client.

``money`` holds currency rules (ISO 4217 minor units, PayPal's own decimals);
``paypal`` the client (token cache, retries, idempotent POSTs); ``paypal_models`` the typed
orders, captures, refunds and webhook events; ``paypal_errors`` what can go wrong;
``config`` builds the client's configuration from the ``LMS_PAYPAL_*`` settings.
See docs/payments.md.
"""

from dynamic_api.payments.config import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_WEBHOOK_ID,
    is_loopback_url,
    paypal_config,
)
from dynamic_api.payments.money import (
    PAYPAL_DECIMALS,
    InvalidAmount,
    Money,
    MoneyError,
    UnknownCurrency,
    from_minor_units,
    minor_units,
    normalize_currency,
    parse_paypal_value,
    paypal_supports,
    quantize,
    to_minor_units,
    to_paypal_value,
)
from dynamic_api.payments.paypal import LIVE_URL, SANDBOX_URL, PayPalClient, PayPalConfig
from dynamic_api.payments.paypal_errors import (
    PayPalAuthError,
    PayPalError,
    PayPalInvalidResponse,
    PayPalNotConfigured,
    PayPalUnavailable,
)
from dynamic_api.payments.paypal_models import (
    Capture,
    CaptureStatus,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    parse_webhook_event,
)

__all__ = [
    "LIVE_URL",
    "PAYPAL_DECIMALS",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SANDBOX_URL",
    "SANDBOX_WEBHOOK_ID",
    "Capture",
    "CaptureStatus",
    "InvalidAmount",
    "Money",
    "MoneyError",
    "Order",
    "OrderStatus",
    "PayPalAuthError",
    "PayPalClient",
    "PayPalConfig",
    "PayPalError",
    "PayPalInvalidResponse",
    "PayPalNotConfigured",
    "PayPalUnavailable",
    "Refund",
    "RefundStatus",
    "UnknownCurrency",
    "WebhookEvent",
    "from_minor_units",
    "is_loopback_url",
    "minor_units",
    "normalize_currency",
    "parse_paypal_value",
    "parse_webhook_event",
    "paypal_config",
    "paypal_supports",
    "quantize",
    "to_minor_units",
    "to_paypal_value",
]
