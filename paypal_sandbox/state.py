"""Everything a sandbox remembers, in memory: orders, captures, refunds, tokens, the
answers kept for ``PayPal-Request-Id`` replays, the failure scenario, webhook events and a
log of API requests.

All of it is touched only from the server's event loop, and no handler awaits between
reading and changing a record, so no lock is needed.
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from paypal_sandbox.config import SandboxConfig

__all__ = [
    "CaptureRecord",
    "Fault",
    "OrderRecord",
    "RefundRecord",
    "Sandbox",
    "Scenario",
    "WebhookRecord",
    "new_id",
    "now_iso",
]

_ALPHABET = string.ascii_uppercase + string.digits


def new_id(length: int = 17) -> str:
    """An id shaped like PayPal's (``5O190127TN364715T``)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class OrderRecord:
    id: str
    intent: str
    status: str
    currency: str
    value: Decimal
    unit: dict[str, Any]  # the purchase unit as requested, amount re-rendered on output
    return_url: str | None
    cancel_url: str | None
    payer_action_link: bool  # payment_source.experience_context: rel "payer-action"
    payer_id: str | None = None
    capture_ids: list[str] = field(default_factory=list)
    create_time: str = field(default_factory=now_iso)
    update_time: str = field(default_factory=now_iso)


@dataclass
class CaptureRecord:
    id: str
    order_id: str
    status: str
    currency: str
    value: Decimal
    custom_id: str | None
    invoice_id: str | None
    status_reason: str | None = None
    refunded: Decimal = Decimal(0)
    refund_ids: list[str] = field(default_factory=list)
    create_time: str = field(default_factory=now_iso)
    update_time: str = field(default_factory=now_iso)


@dataclass
class RefundRecord:
    id: str
    capture_id: str
    status: str
    currency: str
    value: Decimal
    invoice_id: str | None = None
    note_to_payer: str | None = None
    status_reason: str | None = None
    create_time: str = field(default_factory=now_iso)
    update_time: str = field(default_factory=now_iso)


@dataclass
class WebhookRecord:
    """One event, as sent (the same body on every replay) and each delivery attempt."""

    event: dict[str, Any]
    body: bytes
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.event["id"],
            "event_type": self.event["event_type"],
            "resource_id": self.event["resource"].get("id"),
            "event": self.event,
            "deliveries": self.deliveries,
        }


@dataclass
class Fault:
    """Answer ``status`` to the next ``count`` matching requests."""

    count: int
    status: int = 500
    path: str = ""  # a substring of the request path; empty matches every API path
    method: str = ""
    after_commit: bool = False  # do the work (and keep the answer for replays), then fail

    def matches(self, method: str, path: str) -> bool:
        return (
            self.count > 0
            and (not self.method or self.method.upper() == method)
            and self.path in path
        )


@dataclass
class Scenario:
    """Failures to inject; each applies to the next matching request(s), then clears."""

    fault: Fault | None = None
    delay: Fault | None = None  # ``status`` unused; ``seconds`` below
    delay_seconds: float = 0.0
    decline_captures: int = 0
    capture_status: str | None = None
    capture_amount: Decimal | None = None
    refund_status: str | None = None

    def take_fault(self, method: str, path: str) -> Fault | None:
        if self.fault is not None and self.fault.matches(method, path):
            self.fault.count -= 1
            return self.fault
        return None

    def take_delay(self, method: str, path: str) -> float:
        if self.delay is not None and self.delay.matches(method, path):
            self.delay.count -= 1
            return self.delay_seconds
        return 0.0

    def describe(self) -> dict[str, Any]:
        def rule(f: Fault | None) -> dict[str, Any] | None:
            return None if f is None or f.count <= 0 else dict(f.__dict__)

        delay = rule(self.delay)
        if delay is not None:
            delay = {"seconds": self.delay_seconds, **delay}
            delay.pop("status", None)
        return {
            "fail": rule(self.fault),
            "delay": delay,
            "decline_captures": self.decline_captures,
            "capture_status": self.capture_status,
            "capture_amount": None if self.capture_amount is None else f"{self.capture_amount}",
            "refund_status": self.refund_status,
        }


class Sandbox:
    """The state of one sandbox app."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.orders: dict[str, OrderRecord] = {}
        self.captures: dict[str, CaptureRecord] = {}
        self.refunds: dict[str, RefundRecord] = {}
        self.tokens: dict[str, float] = {}  # token -> monotonic expiry
        self.replies: dict[tuple[str, str, str], tuple[int, bytes, str]] = {}
        self.running: dict[tuple[str, str, str], asyncio.Future[None]] = {}
        self.scenario = Scenario()
        self.webhooks: dict[str, WebhookRecord] = {}
        self.requests: list[dict[str, Any]] = []
        self.pending: set[asyncio.Task[None]] = set()

    # --- tokens ---------------------------------------------------------------------------

    def issue_token(self) -> tuple[str, int]:
        token = "A21AA" + secrets.token_urlsafe(48)
        ttl = self.config.token_ttl_seconds
        self.tokens[token] = time.monotonic() + ttl
        return token, ttl

    def token_valid(self, token: str) -> bool:
        expiry = self.tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def expire_tokens(self) -> int:
        count = len(self.tokens)
        self.tokens.clear()
        return count
