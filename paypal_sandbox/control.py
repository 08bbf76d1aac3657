"""The control API under ``/__control/``: what tests (and a curious developer) use to make
the sandbox misbehave, play the buyer, settle pending captures and replay webhooks.

Not part of PayPal's API, answered with plain JSON (``{"error": "..."}`` on mistakes).
Never expose a sandbox beyond loopback: anyone who reaches it can approve and refund.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from paypal_sandbox.approval import approve, with_query
from paypal_sandbox.errors import SandboxError
from paypal_sandbox.orders import base_url, read_json
from paypal_sandbox.payments import settle_refund
from paypal_sandbox.resources import capture_json, order_json, parse_amount, refund_json
from paypal_sandbox.state import (
    Fault,
    OrderRecord,
    RefundRecord,
    Sandbox,
    Scenario,
    WebhookRecord,
    new_id,
    now_iso,
)
from paypal_sandbox.webhooks import (
    RESOURCE_TYPES,
    build_event,
    canonical_body,
    deliver,
    emit,
    signed_headers,
)

__all__ = ["routes"]

CAPTURE_CHANGES = {
    "COMPLETED": "PAYMENT.CAPTURE.COMPLETED",
    "DECLINED": "PAYMENT.CAPTURE.DENIED",
    "REVERSED": "PAYMENT.CAPTURE.REVERSED",
}


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


async def _body(request: Request) -> dict[str, Any]:
    try:
        return await read_json(request, allow_empty=True)
    except SandboxError as exc:
        raise ControlError(400, "the body must be a JSON object") from exc


def control(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Answer a :class:`ControlError` as ``{"error": message}``."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ControlError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        except SandboxError as exc:
            return JSONResponse({"error": exc.name, "details": exc.details}, status_code=exc.status)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def _fault(spec: Any, what: str) -> Fault | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ControlError(400, f"{what} must be an object")
    count = spec.get("count", 1)
    status = spec.get("status", 500)
    if not isinstance(count, int) or count < 0 or status not in {429, 500, 502, 503, 504}:
        raise ControlError(400, f"{what}: count >= 0 and status one of 429, 500, 502, 503, 504")
    return Fault(
        count=count,
        status=status,
        path=str(spec.get("path", "")),
        method=str(spec.get("method", "")).upper(),
        after_commit=bool(spec.get("after_commit", False)),
    )


async def index(request: Request) -> Response:
    """The control endpoints, for a human with curl."""
    return JSONResponse(
        {
            "endpoints": [
                f"{' '.join(sorted((r.methods or set()) - {'HEAD'}))} {r.path}" for r in routes
            ]
        }
    )


async def reset(request: Request) -> Response:
    """Forget every order, token, event, log line and scenario."""
    sandbox = _sandbox(request)
    for task in list(sandbox.pending):
        task.cancel()
    sandbox.reset()
    return JSONResponse({"reset": True})


async def scenario(request: Request) -> Response:
    """``GET``: the current scenario. ``POST``: change the keys given, keep the others.

    Keys: ``fail`` ``{count, status, path, method, after_commit}``; ``delay`` ``{count,
    seconds, path, method}``; ``decline_captures`` (n); ``capture_status`` (``PENDING``,
    ``DECLINED``, ``COMPLETED``); ``capture_amount`` (string); ``refund_status``
    (``PENDING``); ``clear`` (true: start from nothing)."""
    sandbox = _sandbox(request)
    if request.method == "POST":
        data = await _body(request)
        current = sandbox.scenario
        if data.get("clear"):
            sandbox.scenario = current = Scenario()
        if "fail" in data:
            current.fault = _fault(data["fail"], "fail")
        if "delay" in data:
            spec = data["delay"]
            current.delay = _fault({**(spec or {}), "status": 500} if spec else None, "delay")
            seconds = (spec or {}).get("seconds", 0)
            if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 120:
                raise ControlError(400, "delay.seconds must be between 0 and 120")
            current.delay_seconds = float(seconds)
        if "decline_captures" in data:
            count = data["decline_captures"]
            if count is True:
                count = 1
            if not isinstance(count, int) or count < 0:
                raise ControlError(400, "decline_captures must be a count")
            current.decline_captures = count
        if "capture_status" in data:
            status = data["capture_status"]
            if status not in {None, "COMPLETED", "PENDING", "DECLINED"}:
                raise ControlError(400, "capture_status: COMPLETED, PENDING or DECLINED")
            current.capture_status = status
        if "capture_amount" in data:
            value = data["capture_amount"]
            try:
                current.capture_amount = None if value is None else Decimal(str(value))
            except InvalidOperation as exc:
                raise ControlError(400, "capture_amount must be a decimal string") from exc
        if "refund_status" in data:
            if data["refund_status"] not in {None, "COMPLETED", "PENDING"}:
                raise ControlError(400, "refund_status: COMPLETED or PENDING")
            current.refund_status = data["refund_status"]
    return JSONResponse(sandbox.scenario.describe())


async def config(request: Request) -> Response:
    """``GET``/``POST`` ``{webhook_url, webhook_id, auto_webhooks, token_ttl_seconds}``."""
    sandbox = _sandbox(request)
    settings = sandbox.config
    if request.method == "POST":
        data = await _body(request)
        if "webhook_url" in data:
            settings.webhook_url = str(data["webhook_url"] or "")
        if "webhook_id" in data:
            settings.webhook_id = str(data["webhook_id"])
        if "auto_webhooks" in data:
            settings.auto_webhooks = bool(data["auto_webhooks"])
        if "token_ttl_seconds" in data:
            ttl = data["token_ttl_seconds"]
            if not isinstance(ttl, int) or ttl < 1:
                raise ControlError(400, "token_ttl_seconds must be a positive whole number")
            settings.token_ttl_seconds = ttl
    return JSONResponse(
        {
            "client_id": settings.client_id,
            "webhook_url": settings.webhook_url,
            "webhook_id": settings.webhook_id,
            "auto_webhooks": settings.auto_webhooks,
            "token_ttl_seconds": settings.token_ttl_seconds,
        }
    )


async def expire_tokens(request: Request) -> Response:
    """Make every issued access token invalid (the next API call gets a 401)."""
    return JSONResponse({"expired": _sandbox(request).expire_tokens()})


async def requests_log(request: Request) -> Response:
    """Every PayPal API request so far: method, path, status, request id, replayed."""
    return JSONResponse({"requests": _sandbox(request).requests})


def _order(sandbox: Sandbox, order_id: str) -> OrderRecord:
    order = sandbox.orders.get(order_id)
    if order is None:
        raise ControlError(404, f"no order {order_id}")
    return order


async def approve_order(request: Request) -> Response:
    """Approve as the buyer would on the approval page, without a browser."""
    sandbox = _sandbox(request)
    order = _order(sandbox, request.path_params["order_id"])
    if order.status not in {"CREATED", "PAYER_ACTION_REQUIRED", "APPROVED"}:
        raise ControlError(409, f"order {order.id} is {order.status}")
    payer_id = approve(sandbox, order)
    return_url = (
        with_query(order.return_url, token=order.id, PayerID=payer_id) if order.return_url else None
    )
    captures = [sandbox.captures[c] for c in order.capture_ids]
    body = order_json(order, captures, sandbox.config, base_url(request, sandbox))
    return JSONResponse({"order": body, "payer_id": payer_id, "return_url": return_url})


async def edit_order(request: Request) -> Response:
    """``PATCH`` ``{"amount": {"currency_code", "value"}}``: change an order at "PayPal"
    behind the merchant's back, to test that captures are checked against our records."""
    sandbox = _sandbox(request)
    order = _order(sandbox, request.path_params["order_id"])
    data = await _body(request)
    currency, value = parse_amount(data.get("amount"), "/amount")
    order.currency, order.value = currency, value
    order.update_time = now_iso()
    captures = [sandbox.captures[c] for c in order.capture_ids]
    return JSONResponse(order_json(order, captures, sandbox.config, base_url(request, sandbox)))


async def change_capture(request: Request) -> Response:
    """``{"status": "COMPLETED" | "DECLINED" | "REVERSED"}``: settle a pending capture, or
    reverse a completed one (a chargeback), and send the matching webhook."""
    sandbox = _sandbox(request)
    capture = sandbox.captures.get(request.path_params["capture_id"])
    if capture is None:
        raise ControlError(404, f"no capture {request.path_params['capture_id']}")
    data = await _body(request)
    status = data.get("status")
    if status not in CAPTURE_CHANGES:
        raise ControlError(400, "status: COMPLETED, DECLINED or REVERSED")
    base = base_url(request, sandbox)
    if status == "REVERSED":
        if capture.status not in {"COMPLETED", "PARTIALLY_REFUNDED"}:
            raise ControlError(409, f"capture {capture.id} is {capture.status}")
        refund = RefundRecord(
            id=new_id(),
            capture_id=capture.id,
            status="COMPLETED",
            currency=capture.currency,
            value=capture.value - capture.refunded,
            invoice_id=capture.invoice_id,
            note_to_payer="Payment reversed",
        )
        sandbox.refunds[refund.id] = refund
        capture.refund_ids.append(refund.id)
        settle_refund(capture, refund)
        resource = refund_json(refund, capture, base)
    else:
        if capture.status != "PENDING":
            raise ControlError(409, f"capture {capture.id} is {capture.status}, not PENDING")
        capture.status, capture.status_reason = status, None
        capture.update_time = now_iso()
        resource = capture_json(capture, base)
    record = emit(sandbox, CAPTURE_CHANGES[status], resource, base)
    return JSONResponse({"capture": capture_json(capture, base), "event_id": record.event["id"]})


async def list_webhooks(request: Request) -> Response:
    """Every event so far (oldest first) with each delivery's status code or error."""
    sandbox = _sandbox(request)
    return JSONResponse(
        {
            "webhook_url": sandbox.config.webhook_url,
            "events": [record.summary() for record in sandbox.webhooks.values()],
        }
    )


def _resource_for(sandbox: Sandbox, event_type: str, resource_id: str, base: str) -> dict[str, Any]:
    if RESOURCE_TYPES[event_type] == "capture":
        capture = sandbox.captures.get(resource_id)
        if capture is None:
            raise ControlError(404, f"no capture {resource_id}")
        return capture_json(capture, base)
    refund = sandbox.refunds.get(resource_id)
    if (
        refund is None
        and resource_id in sandbox.captures
        and sandbox.captures[resource_id].refund_ids
    ):
        refund = sandbox.refunds[sandbox.captures[resource_id].refund_ids[-1]]
    if refund is None:
        raise ControlError(404, f"no refund {resource_id} (or capture with a refund)")
    return refund_json(refund, sandbox.captures[refund.capture_id], base)


async def _send(
    request: Request, sandbox: Sandbox, record: WebhookRecord, data: dict[str, Any]
) -> Response:
    base = base_url(request, sandbox)
    url = data.get("url") or sandbox.config.webhook_url
    bad = bool(data.get("bad_signature", False))
    if url and data.get("deliver", True):
        attempt = await deliver(sandbox, record, base, url=url, bad_signature=bad)
        headers = attempt.pop("headers")
        delivery: dict[str, Any] | None = attempt
    else:
        headers, delivery = signed_headers(sandbox, record.body, base, bad_signature=bad), None
    return JSONResponse(
        {
            "event": record.event,
            "body": record.body.decode(),
            "headers": headers,
            "delivery": delivery,
        }
    )


async def send_webhook(request: Request) -> Response:
    """``{"event_type", "resource_id", "url"?, "bad_signature"?, "deliver"?}``: a new event
    about a capture (or refund) as it is now, signed; delivered when a URL is known. The
    answer carries the body and headers, to post them yourself (e.g. with a test client)."""
    sandbox = _sandbox(request)
    data = await _body(request)
    event_type = data.get("event_type")
    if event_type not in RESOURCE_TYPES:
        raise ControlError(400, f"event_type: one of {', '.join(RESOURCE_TYPES)}")
    base = base_url(request, sandbox)
    resource = _resource_for(sandbox, event_type, str(data.get("resource_id", "")), base)
    event = build_event(event_type, resource, base)
    record = WebhookRecord(event=event, body=canonical_body(event))
    sandbox.webhooks[event["id"]] = record
    return await _send(request, sandbox, record, data)


async def resend_webhook(request: Request) -> Response:
    """Replay an event: the same id and body, a new transmission id, time and signature."""
    sandbox = _sandbox(request)
    record = sandbox.webhooks.get(request.path_params["event_id"])
    if record is None:
        raise ControlError(404, f"no event {request.path_params['event_id']}")
    return await _send(request, sandbox, record, await _body(request))


async def flush_webhooks(request: Request) -> Response:
    """Wait until every background delivery has finished (deterministic tests)."""
    sandbox = _sandbox(request)
    while sandbox.pending:
        await asyncio.gather(*list(sandbox.pending), return_exceptions=True)
    return JSONResponse({"events": [record.summary() for record in sandbox.webhooks.values()]})


routes = [
    Route("/__control", control(index), methods=["GET"]),
    Route("/__control/reset", control(reset), methods=["POST"]),
    Route("/__control/scenario", control(scenario), methods=["GET", "POST"]),
    Route("/__control/config", control(config), methods=["GET", "POST"]),
    Route("/__control/tokens/expire", control(expire_tokens), methods=["POST"]),
    Route("/__control/requests", control(requests_log), methods=["GET"]),
    Route("/__control/orders/{order_id}/approve", control(approve_order), methods=["POST"]),
    Route("/__control/orders/{order_id}", control(edit_order), methods=["PATCH"]),
    Route("/__control/captures/{capture_id}", control(change_capture), methods=["POST"]),
    Route("/__control/webhooks", control(list_webhooks), methods=["GET"]),
    Route("/__control/webhooks/send", control(send_webhook), methods=["POST"]),
    Route("/__control/webhooks/flush", control(flush_webhooks), methods=["POST"]),
    Route("/__control/webhooks/{event_id}/resend", control(resend_webhook), methods=["POST"]),
]
