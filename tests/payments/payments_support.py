"""Helpers of the payment tests (imported by name: test folders are not packages)."""

from __future__ import annotations

from dynamic_api.payments import PayPalConfig
from paypal_sandbox.testing import RunningSandbox


def client_config(sandbox: RunningSandbox, **changes: object) -> PayPalConfig:
    values: dict[str, object] = {
        "base_url": sandbox.url,
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        "webhook_id": sandbox.config.webhook_id,
        "timeout": 20.0,
        "max_retries": 3,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
    }
    values.update(changes)
    return PayPalConfig(**values)  # type: ignore[arg-type]
