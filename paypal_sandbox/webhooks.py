"""Webhook events: build them, sign them, deliver them, and verify signatures.

PayPal signs ``transmission_id|transmission_time|webhook_id|crc32(body)`` with an RSA key
(``SHA256withRSA``) whose certificate sits at ``PAYPAL-CERT-URL``; merchants verify by
calling ``POST /v1/notifications/verify-webhook-signature``. The sandbox signs the same
string with an HMAC-SHA256 of its own secret (``PAYPAL-AUTH-ALGO: HMACSHA256``), and its
verify endpoint recomputes it: a client that verifies through the API, as ours does, cannot
tell the difference, and no private key has to ship with the project.

The CRC is over the body as sent. The verify call carries the event as JSON again, so the
sandbox re-serialises it the way it sent it (compact separators, key order kept); a
receiver that forwards the raw body, or parses and re-dumps without reordering keys, gets
``SUCCESS``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import uuid
import zlib
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from paypal_sandbox.config import AUTH_ALGO
from paypal_sandbox.errors import SandboxError
from paypal_sandbox.state import Sandbox, WebhookRecord, new_id, now_iso

__all__ = [
    "build_event",
    "canonical_body",
    "cert",
    "deliver",
    "emit",
    "sign",
    "signed_headers",
    "verify_signature",
]

logger = logging.getLogger(__name__)

CERT_NAME = "CERT-SANDBOX-HMACSHA256"
RESOURCE_TYPES = {
    "PAYMENT.CAPTURE.COMPLETED": "capture",
    "PAYMENT.CAPTURE.PENDING": "capture",
    "PAYMENT.CAPTURE.DENIED": "capture",
    "PAYMENT.CAPTURE.REFUNDED": "refund",
    "PAYMENT.CAPTURE.REVERSED": "refund",
}
SUMMARIES = {
    "PAYMENT.CAPTURE.COMPLETED": "Payment completed for {amount}",
    "PAYMENT.CAPTURE.PENDING": "Payment pending for {amount}",
    "PAYMENT.CAPTURE.DENIED": "Payment denied for {amount}",
    "PAYMENT.CAPTURE.REFUNDED": "A {amount} capture payment was refunded",
    "PAYMENT.CAPTURE.REVERSED": "A {amount} capture payment was reversed",
}


def canonical_body(event: dict[str, Any]) -> bytes:
    """The bytes the sandbox sends and signs for an event."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def sign(
    secret: str, transmission_id: str, transmission_time: str, webhook_id: str, body: bytes
) -> str:
    message = f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body)}"
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build_event(event_type: str, resource: dict[str, Any], base: str) -> dict[str, Any]:
    """A webhook event in PayPal's shape around a snapshot of ``resource``."""
    event_id = f"WH-{new_id()}-{new_id()}"
    amount = resource.get("amount") or {}
    summary = SUMMARIES.get(event_type, event_type).format(
        amount=f"{amount.get('value', '')} {amount.get('currency_code', '')}".strip()
    )
    return {
        "id": event_id,
        "event_version": "1.0",
        "create_time": now_iso(),
        "resource_type": RESOURCE_TYPES.get(event_type, "capture"),
        "resource_version": "2.0",
        "event_type": event_type,
        "summary": summary,
        "resource": resource,
        "links": [
            {
                "href": f"{base}/v1/notifications/webhooks-events/{event_id}",
                "rel": "self",
                "method": "GET",
            },
            {
                "href": f"{base}/v1/notifications/webhooks-events/{event_id}/resend",
                "rel": "resend",
                "method": "POST",
            },
        ],
    }


def signed_headers(
    sandbox: Sandbox, body: bytes, base: str, *, bad_signature: bool = False
) -> dict[str, str]:
    """PayPal's transmission headers for one delivery of ``body``."""
    transmission_id = str(uuid.uuid1())
    transmission_time = now_iso()
    secret = sandbox.config.signing_secret + ("-wrong" if bad_signature else "")
    return {
        "Content-Type": "application/json",
        "User-Agent": "PayPal/AUHD-214.0-paypal-sandbox",
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-TIME": transmission_time,
        "PAYPAL-TRANSMISSION-SIG": sign(
            secret, transmission_id, transmission_time, sandbox.config.webhook_id, body
        ),
        "PAYPAL-CERT-URL": f"{base}/v1/notifications/certs/{CERT_NAME}",
        "PAYPAL-AUTH-ALGO": AUTH_ALGO,
    }


async def deliver(
    sandbox: Sandbox,
    record: WebhookRecord,
    base: str,
    *,
    url: str | None = None,
    bad_signature: bool = False,
) -> dict[str, Any]:
    """POST the event to the webhook URL once; record and return what happened."""
    target = url or sandbox.config.webhook_url
    headers = signed_headers(sandbox, record.body, base, bad_signature=bad_signature)
    attempt: dict[str, Any] = {
        "url": target,
        "transmission_id": headers["PAYPAL-TRANSMISSION-ID"],
        "time": headers["PAYPAL-TRANSMISSION-TIME"],
        "bad_signature": bad_signature,
        "status_code": None,
        "error": None,
    }
    record.deliveries.append(attempt)
    try:
        async with httpx.AsyncClient(
            transport=sandbox.config.webhook_transport,
            timeout=sandbox.config.webhook_timeout_seconds,
        ) as client:
            response = await client.post(target, content=record.body, headers=headers)
        attempt["status_code"] = response.status_code
    except httpx.HTTPError as exc:
        attempt["error"] = f"{type(exc).__name__}: {exc}"
        logger.warning("webhook %s to %s failed: %s", record.event["id"], target, exc)
    return {**attempt, "headers": headers}


def emit(sandbox: Sandbox, event_type: str, resource: dict[str, Any], base: str) -> WebhookRecord:
    """Record an event; deliver it in the background when a webhook URL is configured."""
    event = build_event(event_type, resource, base)
    record = WebhookRecord(event=event, body=canonical_body(event))
    sandbox.webhooks[event["id"]] = record
    if sandbox.config.webhook_url and sandbox.config.auto_webhooks:
        task = asyncio.get_running_loop().create_task(deliver(sandbox, record, base))
        sandbox.pending.add(task)
        task.add_done_callback(sandbox.pending.discard)
    return record


_VERIFY_FIELDS = (
    "auth_algo",
    "cert_url",
    "transmission_id",
    "transmission_sig",
    "transmission_time",
    "webhook_id",
    "webhook_event",
)


async def verify_signature(request: Request, sandbox: Sandbox) -> Response:
    """``POST /v1/notifications/verify-webhook-signature``."""
    try:
        data = json.loads(await request.body())
    except ValueError as exc:
        raise SandboxError(
            400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed."
        ) from exc
    if not isinstance(data, dict):
        raise SandboxError(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
    missing = [name for name in _VERIFY_FIELDS if not data.get(name)]
    if missing:
        raise SandboxError(
            400,
            "MISSING_REQUIRED_PARAMETER",
            "may not be null",
            name="VALIDATION_ERROR",
            field=missing[0],
        )
    if not isinstance(data["webhook_event"], dict):
        raise SandboxError(
            400,
            "INVALID_PARAMETER_SYNTAX",
            "must be an object",
            name="VALIDATION_ERROR",
            field="webhook_event",
        )
    expected = sign(
        sandbox.config.signing_secret,
        str(data["transmission_id"]),
        str(data["transmission_time"]),
        str(data["webhook_id"]),
        canonical_body(data["webhook_event"]),
    )
    ok = data["auth_algo"] == AUTH_ALGO and hmac.compare_digest(
        expected.encode(), str(data["transmission_sig"]).encode()
    )
    return JSONResponse({"verification_status": "SUCCESS" if ok else "FAILURE"})


async def cert(request: Request) -> Response:
    """What sits at ``PAYPAL-CERT-URL``: an explanation, since there is no certificate."""
    return PlainTextResponse(
        "This PayPal-compatible sandbox signs webhooks with HMAC-SHA256 of its own secret, "
        "not with a certificate. Verify through POST /v1/notifications/verify-webhook-signature.\n"
    )
