"""PayPal's JSON shapes for orders, captures, refunds and money, and PayPal's amount rules.

The sandbox keeps its own table of PayPal currencies on purpose (it does not import the
LMS's money helpers): it plays PayPal, so a client that gets decimals wrong is caught here.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

from paypal_sandbox.config import SandboxConfig
from paypal_sandbox.errors import SandboxError
from paypal_sandbox.state import CaptureRecord, OrderRecord, RefundRecord

__all__ = [
    "PAYPAL_DECIMALS",
    "capture_json",
    "money",
    "order_json",
    "parse_amount",
    "refund_json",
]

_TWO_DECIMALS = (
    "AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD ILS MXN MYR NOK NZD PHP PLN SEK SGD THB USD"
)
PAYPAL_DECIMALS = {**dict.fromkeys(_TWO_DECIMALS.split(), 2), "HUF": 0, "JPY": 0, "TWD": 0}
_VALUE = re.compile(r"^\d{1,10}(\.\d{1,3})?$")
_FEE_RATE = Decimal("0.0349")


def money(currency: str, value: Decimal) -> dict[str, str]:
    digits = PAYPAL_DECIMALS[currency]
    return {"currency_code": currency, "value": f"{value.quantize(Decimal(1).scaleb(-digits)):f}"}


def parse_amount(data: Any, where: str, *, positive: bool = True) -> tuple[str, Decimal]:
    """Check an amount object as PayPal does; return its currency and value."""
    if not isinstance(data, dict):
        raise SandboxError(
            400, "MISSING_REQUIRED_PARAMETER", "A required field is missing.", field=where
        )
    currency = data.get("currency_code")
    value = data.get("value")
    if not isinstance(currency, str) or not isinstance(value, str):
        raise SandboxError(
            400,
            "MISSING_REQUIRED_PARAMETER",
            "A required field / parameter is missing.",
            field=f"{where}/{'currency_code' if not isinstance(currency, str) else 'value'}",
        )
    if currency not in PAYPAL_DECIMALS:
        raise SandboxError(
            422,
            "CURRENCY_NOT_SUPPORTED",
            "Currency code is unsupported.",
            field=f"{where}/currency_code",
            value=currency,
        )
    if not _VALUE.match(value):
        raise SandboxError(
            400,
            "INVALID_PARAMETER_SYNTAX",
            "The value of a field does not conform to the expected format.",
            field=f"{where}/value",
            value=value,
        )
    amount = Decimal(value)
    decimals = len(value.partition(".")[2])
    if decimals > PAYPAL_DECIMALS[currency]:
        raise SandboxError(
            422,
            "DECIMAL_PRECISION",
            "If the currency supports decimals, only two decimal place precision is supported."
            if PAYPAL_DECIMALS[currency]
            else "Currency does not support decimals.",
            field=f"{where}/value",
            value=value,
        )
    if positive and amount <= 0:
        raise SandboxError(
            422,
            "CANNOT_BE_ZERO_OR_NEGATIVE",
            "Must be greater than zero.",
            field=f"{where}/value",
            value=value,
        )
    return currency, amount


def _link(href: str, rel: str, method: str = "GET") -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}


def capture_json(capture: CaptureRecord, base: str) -> dict[str, Any]:
    gross = Decimal(capture.value)
    digits = Decimal(1).scaleb(-PAYPAL_DECIMALS[capture.currency])
    fee = (gross * _FEE_RATE).quantize(digits, rounding=ROUND_DOWN)
    data: dict[str, Any] = {
        "id": capture.id,
        "status": capture.status,
        "amount": money(capture.currency, gross),
        "final_capture": True,
        "seller_protection": {
            "status": "ELIGIBLE",
            "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
        },
        "seller_receivable_breakdown": {
            "gross_amount": money(capture.currency, gross),
            "paypal_fee": money(capture.currency, fee),
            "net_amount": money(capture.currency, gross - fee),
        },
        "supplementary_data": {"related_ids": {"order_id": capture.order_id}},
        "links": [
            _link(f"{base}/v2/payments/captures/{capture.id}", "self"),
            _link(f"{base}/v2/payments/captures/{capture.id}/refund", "refund", "POST"),
            _link(f"{base}/v2/checkout/orders/{capture.order_id}", "up"),
        ],
        "create_time": capture.create_time,
        "update_time": capture.update_time,
    }
    if capture.status_reason:
        data["status_details"] = {"reason": capture.status_reason}
    if capture.custom_id:
        data["custom_id"] = capture.custom_id
    if capture.invoice_id:
        data["invoice_id"] = capture.invoice_id
    return data


def refund_json(refund: RefundRecord, capture: CaptureRecord, base: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": refund.id,
        "amount": money(refund.currency, refund.value),
        "seller_payable_breakdown": {
            "gross_amount": money(refund.currency, refund.value),
            "paypal_fee": money(refund.currency, Decimal(0)),
            "net_amount": money(refund.currency, refund.value),
            "total_refunded_amount": money(capture.currency, capture.refunded),
        },
        "status": refund.status,
        "links": [
            _link(f"{base}/v2/payments/refunds/{refund.id}", "self"),
            _link(f"{base}/v2/payments/captures/{capture.id}", "up"),
        ],
        "create_time": refund.create_time,
        "update_time": refund.update_time,
    }
    if refund.status_reason:
        data["status_details"] = {"reason": refund.status_reason}
    if refund.invoice_id:
        data["invoice_id"] = refund.invoice_id
    if refund.note_to_payer:
        data["note_to_payer"] = refund.note_to_payer
    return data


def order_json(
    order: OrderRecord,
    captures: list[CaptureRecord],
    config: SandboxConfig,
    base: str,
    *,
    minimal: bool = False,
) -> dict[str, Any]:
    links = [_link(f"{base}/v2/checkout/orders/{order.id}", "self")]
    if order.status in {"CREATED", "PAYER_ACTION_REQUIRED"}:
        rel = "payer-action" if order.payer_action_link else "approve"
        links.append(_link(f"{base}/checkoutnow?token={order.id}", rel))
    if order.status == "APPROVED":
        links.append(_link(f"{base}/v2/checkout/orders/{order.id}/capture", "capture", "POST"))
    payer = None
    if order.payer_id:
        payer = {
            "name": {"given_name": "Sandbox", "surname": "Buyer"},
            "email_address": config.buyer_email,
            "payer_id": order.payer_id,
            "address": {"country_code": "US"},
        }
    data: dict[str, Any] = {"id": order.id, "status": order.status}
    if order.payer_action_link or payer:
        paypal: dict[str, Any] = {}
        if payer:
            paypal = {
                "email_address": payer["email_address"],
                "account_id": payer["payer_id"],
                "account_status": "VERIFIED",
                "name": payer["name"],
                "address": payer["address"],
            }
        data["payment_source"] = {"paypal": paypal}
    if minimal:
        data["links"] = links
        return data
    unit = dict(order.unit)
    unit["amount"] = {**unit.get("amount", {}), **money(order.currency, order.value)}
    unit["payee"] = {"email_address": config.merchant_email, "merchant_id": config.merchant_id}
    if captures:
        unit["payments"] = {"captures": [capture_json(c, base) for c in captures]}
    data.update(
        {
            "intent": order.intent,
            "purchase_units": [unit],
            "create_time": order.create_time,
            "update_time": order.update_time,
            "links": links,
        }
    )
    if payer:
        data["payer"] = payer
    return data
