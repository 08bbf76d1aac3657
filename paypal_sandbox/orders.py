"""Orders v2: ``POST /v2/checkout/orders``, ``GET /v2/checkout/orders/{id}`` and
``POST /v2/checkout/orders/{id}/capture`` (one purchase unit, intent ``CAPTURE``)."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from paypal_sandbox.errors import SandboxError, not_found
from paypal_sandbox.resources import PAYPAL_DECIMALS, capture_json, order_json, parse_amount
from paypal_sandbox.state import CaptureRecord, OrderRecord, Sandbox, new_id, now_iso
from paypal_sandbox.webhooks import emit

__all__ = ["base_url", "capture_order", "create_order", "get_order", "read_json"]

logger = logging.getLogger(__name__)

_MAX_TEXT = 127
_BREAKDOWN_ADD = ("item_total", "tax_total", "shipping", "handling", "insurance")
_BREAKDOWN_SUB = ("shipping_discount", "discount")
CAPTURE_EVENTS = {
    "COMPLETED": "PAYMENT.CAPTURE.COMPLETED",
    "PENDING": "PAYMENT.CAPTURE.PENDING",
    "DECLINED": "PAYMENT.CAPTURE.DENIED",
}


def base_url(request: Request, sandbox: Sandbox) -> str:
    """How links name this sandbox: the configured public URL or the request's own."""
    if sandbox.config.public_url:
        return sandbox.config.public_url.rstrip("/")
    # root_path carries the prefix of a Mount, so links work when the sandbox is mounted.
    root = request.scope.get("root_path", "")
    return str(request.url.replace(path=root, query="", fragment="")).rstrip("/")


async def read_json(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip() and allow_empty:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SandboxError(
            400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed."
        ) from exc
    if not isinstance(data, dict):
        raise SandboxError(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
    return data


def _text(unit: dict[str, Any], key: str) -> str | None:
    value = unit.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_TEXT:
        raise SandboxError(
            400,
            "INVALID_STRING_LENGTH",
            "The value of a field is either too short or too long.",
            field=f"/purchase_units/0/{key}",
        )
    return value


def _check_breakdown(unit: dict[str, Any], currency: str, value: Decimal) -> None:
    """PayPal's sums: amount = item_total + tax + … - discounts; item_total = Σ items."""
    breakdown = unit["amount"].get("breakdown")
    if breakdown is None:
        return
    total = Decimal(0)
    for key in (*_BREAKDOWN_ADD, *_BREAKDOWN_SUB):
        if key in breakdown:
            part_currency, part = parse_amount(
                breakdown[key], f"/purchase_units/0/amount/breakdown/{key}", positive=False
            )
            if part_currency != currency:
                raise SandboxError(422, "CURRENCY_MISMATCH", "Currency codes should be the same.")
            total += -part if key in _BREAKDOWN_SUB else part
    if total != value:
        raise SandboxError(
            422,
            "AMOUNT_MISMATCH",
            "Should equal item_total + tax_total + shipping + handling + insurance - "
            "shipping_discount - discount.",
            field="/purchase_units/0/amount/value",
            value=f"{value}",
        )
    items = unit.get("items") or []
    if items and "item_total" in breakdown:
        item_total = Decimal(0)
        for index, item in enumerate(items):
            where = f"/purchase_units/0/items/{index}"
            _, price = parse_amount(item.get("unit_amount"), f"{where}/unit_amount", positive=False)
            quantity = str(item.get("quantity", ""))
            if not quantity.isdigit():
                raise SandboxError(
                    400, "INVALID_PARAMETER_SYNTAX", "quantity", field=f"{where}/quantity"
                )
            item_total += price * int(quantity)
        if item_total != Decimal(breakdown["item_total"]["value"]):
            raise SandboxError(
                422,
                "ITEM_TOTAL_MISMATCH",
                "Should equal sum of (unit_amount * quantity) across all items.",
                field="/purchase_units/0/amount/breakdown/item_total/value",
            )


async def create_order(request: Request, sandbox: Sandbox) -> Response:
    """``POST /v2/checkout/orders``."""
    data = await read_json(request)
    if data.get("intent") != "CAPTURE":
        raise SandboxError(
            400,
            "INVALID_PARAMETER_VALUE",
            "The sandbox implements intent CAPTURE only.",
            field="/intent",
            value=str(data.get("intent")),
        )
    units = data.get("purchase_units")
    if not isinstance(units, list) or len(units) != 1 or not isinstance(units[0], dict):
        raise SandboxError(
            400,
            "INVALID_ARRAY_MAX_ITEMS"
            if isinstance(units, list) and units
            else "MISSING_REQUIRED_PARAMETER",
            "The sandbox takes exactly one purchase unit.",
            field="/purchase_units",
        )
    unit = units[0]
    currency, value = parse_amount(unit.get("amount"), "/purchase_units/0/amount")
    for key in ("reference_id", "custom_id", "invoice_id", "description"):
        _text(unit, key)
    _check_breakdown(unit, currency, value)
    invoice_id = unit.get("invoice_id")
    if invoice_id and any(
        o.unit.get("invoice_id") == invoice_id and o.capture_ids for o in sandbox.orders.values()
    ):
        raise SandboxError(
            422,
            "DUPLICATE_INVOICE_ID",
            "Duplicate Invoice ID detected. To avoid a potential duplicate transaction your "
            "account setting requires that Invoice ID be unique for each transaction.",
            field="/purchase_units/0/invoice_id",
            value=invoice_id,
        )
    experience = ((data.get("payment_source") or {}).get("paypal") or {}).get("experience_context")
    context = experience if isinstance(experience, dict) else data.get("application_context") or {}
    order = OrderRecord(
        id=new_id(),
        intent="CAPTURE",
        status="PAYER_ACTION_REQUIRED" if isinstance(experience, dict) else "CREATED",
        currency=currency,
        value=value,
        unit={"reference_id": unit.get("reference_id") or "default", **unit},
        return_url=context.get("return_url"),
        cancel_url=context.get("cancel_url"),
        payer_action_link=isinstance(experience, dict),
    )
    sandbox.orders[order.id] = order
    logger.info("order %s created: %s %s", order.id, value, currency)
    minimal = "return=representation" not in request.headers.get("prefer", "")
    body = order_json(order, [], sandbox.config, base_url(request, sandbox), minimal=minimal)
    return JSONResponse(body, status_code=201)


def _order(sandbox: Sandbox, order_id: str) -> OrderRecord:
    order = sandbox.orders.get(order_id)
    if order is None:
        raise not_found("order", order_id)
    return order


async def get_order(request: Request, sandbox: Sandbox) -> Response:
    """``GET /v2/checkout/orders/{order_id}``."""
    order = _order(sandbox, request.path_params["order_id"])
    captures = [sandbox.captures[c] for c in order.capture_ids]
    return JSONResponse(order_json(order, captures, sandbox.config, base_url(request, sandbox)))


async def capture_order(request: Request, sandbox: Sandbox) -> Response:
    """``POST /v2/checkout/orders/{order_id}/capture``."""
    order = _order(sandbox, request.path_params["order_id"])
    await read_json(request, allow_empty=True)
    if order.status == "COMPLETED":
        raise SandboxError(
            422,
            "ORDER_ALREADY_CAPTURED",
            "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
        )
    if order.status != "APPROVED":
        raise SandboxError(
            422,
            "ORDER_NOT_APPROVED",
            "Payer has not yet approved the Order for payment. Please redirect the payer to "
            "the 'rel':'approve' url returned as part of the HATEOAS links within the Create "
            "Order call or provide a valid payment_source in the request.",
        )
    scenario = sandbox.scenario
    if scenario.decline_captures > 0:
        scenario.decline_captures -= 1
        # The buyer must pick another funding source: approval starts again.
        order.status = "PAYER_ACTION_REQUIRED" if order.payer_action_link else "CREATED"
        order.update_time = now_iso()
        raise SandboxError(
            422,
            "INSTRUMENT_DECLINED",
            "The instrument presented was either declined by the processor or bank, or it "
            "can't be used for this payment.",
        )
    status = scenario.capture_status or "COMPLETED"
    scenario.capture_status = None
    value = order.value
    if scenario.capture_amount is not None:
        value, scenario.capture_amount = scenario.capture_amount, None
    digits = Decimal(1).scaleb(-PAYPAL_DECIMALS[order.currency])
    capture = CaptureRecord(
        id=new_id(),
        order_id=order.id,
        status=status,
        currency=order.currency,
        value=value.quantize(digits),
        custom_id=order.unit.get("custom_id"),
        invoice_id=order.unit.get("invoice_id"),
        status_reason={"PENDING": "PENDING_REVIEW", "DECLINED": None}.get(status),
    )
    sandbox.captures[capture.id] = capture
    order.capture_ids.append(capture.id)
    order.status = "COMPLETED"
    order.update_time = now_iso()
    logger.info("order %s captured: %s %s", order.id, capture.id, status)
    base = base_url(request, sandbox)
    if status in CAPTURE_EVENTS:
        emit(sandbox, CAPTURE_EVENTS[status], capture_json(capture, base), base)
    body = order_json(order, [capture], sandbox.config, base)
    return JSONResponse(body, status_code=201)
