"""Payments v2: ``GET /v2/payments/captures/{id}``, ``POST /v2/payments/captures/{id}/refund``
and ``GET /v2/payments/refunds/{id}``."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from paypal_sandbox.errors import SandboxError, not_found
from paypal_sandbox.orders import base_url, read_json
from paypal_sandbox.resources import capture_json, parse_amount, refund_json
from paypal_sandbox.state import CaptureRecord, RefundRecord, Sandbox, new_id, now_iso
from paypal_sandbox.webhooks import emit

__all__ = ["get_capture", "get_refund", "refund_capture", "settle_refund"]

logger = logging.getLogger(__name__)


def _capture(sandbox: Sandbox, capture_id: str) -> CaptureRecord:
    capture = sandbox.captures.get(capture_id)
    if capture is None:
        raise not_found("capture", capture_id)
    return capture


async def get_capture(request: Request, sandbox: Sandbox) -> Response:
    """``GET /v2/payments/captures/{capture_id}``."""
    capture = _capture(sandbox, request.path_params["capture_id"])
    return JSONResponse(capture_json(capture, base_url(request, sandbox)))


async def get_refund(request: Request, sandbox: Sandbox) -> Response:
    """``GET /v2/payments/refunds/{refund_id}``."""
    refund = sandbox.refunds.get(request.path_params["refund_id"])
    if refund is None:
        raise not_found("refund", request.path_params["refund_id"])
    capture = sandbox.captures[refund.capture_id]
    return JSONResponse(refund_json(refund, capture, base_url(request, sandbox)))


def settle_refund(capture: CaptureRecord, refund: RefundRecord) -> None:
    """Count a completed refund against its capture."""
    capture.refunded += refund.value
    capture.status = "REFUNDED" if capture.refunded >= capture.value else "PARTIALLY_REFUNDED"
    capture.update_time = now_iso()


async def refund_capture(request: Request, sandbox: Sandbox) -> Response:
    """``POST /v2/payments/captures/{capture_id}/refund``: all that is left, or ``amount``."""
    capture = _capture(sandbox, request.path_params["capture_id"])
    data = await read_json(request, allow_empty=True)
    if capture.status == "REFUNDED":
        raise SandboxError(
            422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded"
        )
    if capture.status not in {"COMPLETED", "PARTIALLY_REFUNDED"}:
        raise SandboxError(
            422,
            "REFUND_NOT_ALLOWED",
            f"A capture with status {capture.status} cannot be refunded.",
        )
    remaining = capture.value - capture.refunded
    value = remaining
    if data.get("amount") is not None:
        currency, value = parse_amount(data["amount"], "/amount")
        if currency != capture.currency:
            raise SandboxError(
                422,
                "CURRENCY_MISMATCH",
                "Refund must be in the same currency as the capture.",
                field="/amount/currency_code",
                value=currency,
            )
        if value > remaining:
            raise SandboxError(
                422,
                "REFUND_AMOUNT_EXCEEDED",
                "The refund amount must be less than or equal to the capture amount that has "
                "not yet been refunded.",
            )
    status = sandbox.scenario.refund_status or "COMPLETED"
    sandbox.scenario.refund_status = None
    refund = RefundRecord(
        id=new_id(),
        capture_id=capture.id,
        status=status,
        currency=capture.currency,
        value=value,
        invoice_id=data.get("invoice_id") or capture.invoice_id,
        note_to_payer=data.get("note_to_payer"),
        status_reason="ECHECK" if status == "PENDING" else None,
    )
    sandbox.refunds[refund.id] = refund
    capture.refund_ids.append(refund.id)
    if status == "COMPLETED":
        settle_refund(capture, refund)
    logger.info("capture %s refunded: %s %s %s", capture.id, refund.id, value, status)
    base = base_url(request, sandbox)
    body = refund_json(refund, capture, base)
    if status == "COMPLETED":
        emit(sandbox, "PAYMENT.CAPTURE.REFUNDED", body, base)
    return JSONResponse(body, status_code=201)
