"""Typed views of PayPal's JSON: orders, captures, refunds and webhook events.

Each type keeps the fields a checkout decides on (status, amount as :class:`Money`, our own
``custom_id``/``invoice_id``) plus ``raw``, the full JSON PayPal sent, for the audit trail.
A status PayPal has not documented fails parsing (:class:`PayPalInvalidResponse`): payment
code should stop on the unknown rather than guess.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from dynamic_api.payments.money import Money
from dynamic_api.payments.paypal_errors import PayPalInvalidResponse

__all__ = [
    "Capture",
    "CaptureStatus",
    "Order",
    "OrderStatus",
    "Refund",
    "RefundStatus",
    "WebhookEvent",
    "parse_webhook_event",
]

_T = TypeVar("_T")


class OrderStatus(StrEnum):
    CREATED = "CREATED"
    SAVED = "SAVED"
    APPROVED = "APPROVED"
    VOIDED = "VOIDED"
    COMPLETED = "COMPLETED"
    PAYER_ACTION_REQUIRED = "PAYER_ACTION_REQUIRED"


class CaptureStatus(StrEnum):
    """``COMPLETED`` is money received; ``PENDING`` is not paid yet (a webhook settles it)."""

    COMPLETED = "COMPLETED"
    PENDING = "PENDING"
    DECLINED = "DECLINED"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


class RefundStatus(StrEnum):
    COMPLETED = "COMPLETED"
    PENDING = "PENDING"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


def _links(data: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(link["rel"]): str(link["href"])
        for link in data.get("links") or []
        if isinstance(link, dict) and "rel" in link and "href" in link
    }


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _parse(kind: str, data: Any, build: Callable[[dict[str, Any]], _T]) -> _T:
    """Run ``build`` on PayPal's JSON; any surprise becomes one error naming the object."""
    if not isinstance(data, dict):
        raise PayPalInvalidResponse(f"expected a PayPal {kind} object", body=data)
    try:
        return build(data)
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # MoneyError is a ValueError
        raise PayPalInvalidResponse(f"unexpected PayPal {kind}: {exc!r}", body=data) from exc


@dataclass(frozen=True, slots=True)
class Capture:
    """A captured payment (``/v2/payments/captures/{id}``)."""

    id: str
    status: CaptureStatus
    amount: Money
    status_reason: str | None = None
    order_id: str | None = None
    custom_id: str | None = None
    invoice_id: str | None = None
    final_capture: bool = True
    create_time: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def completed(self) -> bool:
        return self.status is CaptureStatus.COMPLETED

    @classmethod
    def from_paypal(cls, data: Any) -> Capture:
        return _parse("capture", data, cls._build)

    @classmethod
    def _build(cls, data: dict[str, Any]) -> Capture:
        related = (data.get("supplementary_data") or {}).get("related_ids") or {}
        return cls(
            id=str(data["id"]),
            status=CaptureStatus(data["status"]),
            amount=Money.from_paypal(data["amount"]),
            status_reason=_optional_str(data.get("status_details") or {}, "reason"),
            order_id=_optional_str(related, "order_id"),
            custom_id=_optional_str(data, "custom_id"),
            invoice_id=_optional_str(data, "invoice_id"),
            final_capture=bool(data.get("final_capture", True)),
            create_time=_optional_str(data, "create_time"),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund of a capture (``/v2/payments/refunds/{id}``)."""

    id: str
    status: RefundStatus
    amount: Money | None = None
    capture_id: str | None = None
    invoice_id: str | None = None
    status_reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_paypal(cls, data: Any) -> Refund:
        return _parse("refund", data, cls._build)

    @classmethod
    def _build(cls, data: dict[str, Any]) -> Refund:
        up = _links(data).get("up", "")
        capture_id = up.rsplit("/", 1)[-1] if "/captures/" in up else None
        return cls(
            id=str(data["id"]),
            status=RefundStatus(data["status"]),
            amount=Money.from_paypal(data["amount"]) if data.get("amount") else None,
            capture_id=capture_id,
            invoice_id=_optional_str(data, "invoice_id"),
            status_reason=_optional_str(data.get("status_details") or {}, "reason"),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Order:
    """A checkout order (``/v2/checkout/orders/{id}``), read from its first purchase unit."""

    id: str
    status: OrderStatus
    intent: str | None = None
    amount: Money | None = None
    reference_id: str | None = None
    custom_id: str | None = None
    invoice_id: str | None = None
    payer_id: str | None = None
    payer_email: str | None = None
    captures: tuple[Capture, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def approve_url(self) -> str | None:
        """Where to send the buyer: ``payer-action`` (experience_context) or ``approve``."""
        return self.links.get("payer-action") or self.links.get("approve")

    @property
    def capture(self) -> Capture | None:
        """The order's (first) capture, once captured."""
        return self.captures[0] if self.captures else None

    @classmethod
    def from_paypal(cls, data: Any) -> Order:
        return _parse("order", data, cls._build)

    @classmethod
    def _build(cls, data: dict[str, Any]) -> Order:
        units = data.get("purchase_units") or [{}]
        unit = units[0]
        captures = tuple(
            Capture.from_paypal(capture)
            for purchase_unit in units
            for capture in ((purchase_unit.get("payments") or {}).get("captures") or [])
        )
        payer = data.get("payer") or {}
        paypal_source = (data.get("payment_source") or {}).get("paypal") or {}
        return cls(
            id=str(data["id"]),
            status=OrderStatus(data["status"]),
            intent=_optional_str(data, "intent"),
            amount=Money.from_paypal(unit["amount"]) if unit.get("amount") else None,
            reference_id=_optional_str(unit, "reference_id"),
            custom_id=_optional_str(unit, "custom_id"),
            invoice_id=_optional_str(unit, "invoice_id"),
            payer_id=_optional_str(payer, "payer_id") or _optional_str(paypal_source, "account_id"),
            payer_email=_optional_str(payer, "email_address")
            or _optional_str(paypal_source, "email_address"),
            captures=captures,
            links=_links(data),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A webhook notification. Trust it only after ``verify_webhook_signature``, and even
    then re-read the order from PayPal before changing state (events can be replayed or
    arrive out of order)."""

    id: str
    event_type: str
    resource_type: str | None
    resource: dict[str, Any]
    create_time: str | None = None
    summary: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def resource_id(self) -> str | None:
        return _optional_str(self.resource, "id")

    @property
    def order_id(self) -> str | None:
        """The order a capture event belongs to (``supplementary_data.related_ids``)."""
        related = (self.resource.get("supplementary_data") or {}).get("related_ids") or {}
        return _optional_str(related, "order_id")

    def capture(self) -> Capture | None:
        """The resource as a :class:`Capture` (``PAYMENT.CAPTURE.COMPLETED``, ``.DENIED``)."""
        return Capture.from_paypal(self.resource) if self.resource_type == "capture" else None

    def refund(self) -> Refund | None:
        """The resource as a :class:`Refund` (``PAYMENT.CAPTURE.REFUNDED``, ``.REVERSED``)."""
        return Refund.from_paypal(self.resource) if self.resource_type == "refund" else None


def parse_webhook_event(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse a webhook request body (raw bytes as received, or already decoded JSON)."""
    if isinstance(body, (bytes, str)):
        try:
            data: Any = json.loads(body)
        except ValueError as exc:
            raise PayPalInvalidResponse("webhook body is not JSON") from exc
    else:
        data = dict(body)
    return _parse("webhook event", data, _build_event)


def _build_event(data: dict[str, Any]) -> WebhookEvent:
    resource = data.get("resource")
    return WebhookEvent(
        id=str(data["id"]),
        event_type=str(data["event_type"]),
        resource_type=_optional_str(data, "resource_type"),
        resource=resource if isinstance(resource, dict) else {},
        create_time=_optional_str(data, "create_time"),
        summary=_optional_str(data, "summary"),
        raw=data,
    )
