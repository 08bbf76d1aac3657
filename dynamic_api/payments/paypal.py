"""An async client for the parts of PayPal's REST API a course checkout needs.

Orders v2 (create with intent ``CAPTURE``, read, capture), Payments v2 (read a capture,
refund it) and webhook signature verification, against PayPal itself
(``https://api-m.paypal.com``, ``https://api-m.sandbox.paypal.com``) or the
PayPal-compatible server in ``paypal_sandbox/`` — the same code path for all three.

Why it is shaped this way:

- One OAuth2 client-credentials token is cached until shortly before it expires, fetched
  by one caller at a time, and fetched again once if PayPal answers 401 (a token revoked
  or expired early).
- 5xx, 429, timeouts and connection errors are retried with exponential backoff and
  jitter. Every POST carries a ``PayPal-Request-Id`` that stays the same across the
  retries, so PayPal answers a repeated capture or refund with the first result instead
  of doing it twice. Pass your own request id (e.g. derived from our order record) to make
  a call idempotent across processes and restarts too.
- Amounts are :class:`~dynamic_api.payments.money.Money` (Decimal), never floats.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from dynamic_api.payments.money import Money, normalize_currency, quantize, to_paypal_value
from dynamic_api.payments.paypal_errors import (
    PayPalAuthError,
    PayPalError,
    PayPalInvalidResponse,
    PayPalNotConfigured,
    PayPalUnavailable,
)
from dynamic_api.payments.paypal_models import Capture, Order, Refund

__all__ = ["LIVE_URL", "SANDBOX_URL", "PayPalClient", "PayPalConfig"]

logger = logging.getLogger(__name__)

LIVE_URL = "https://api-m.paypal.com"
SANDBOX_URL = "https://api-m.sandbox.paypal.com"

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures after which the request may not have reached PayPal, or its answer was lost.
RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
WEBHOOK_HEADERS = (
    "paypal-auth-algo",
    "paypal-cert-url",
    "paypal-transmission-id",
    "paypal-transmission-sig",
    "paypal-transmission-time",
)
# PayPal ids are short and alphanumeric; anything else never reaches a URL path.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_TEXT = 127  # PayPal's limit for names, skus, custom_id, invoice_id


@dataclass(frozen=True)
class PayPalConfig:
    """Where PayPal is and how patient to be with it."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    webhook_id: str = ""
    timeout: float = 10.0
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    # PayPal's tokens live about nine hours; take a new one this long before expiry.
    token_refresh_margin: float = 300.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("https://", "http://")):
            raise PayPalNotConfigured(f"PayPal base URL {self.base_url!r} is not an http(s) URL")
        if not self.client_id or not self.client_secret:
            raise PayPalNotConfigured("PayPal client id and secret are required")
        if self.max_retries < 0 or self.timeout <= 0:
            raise ValueError("max_retries must be >= 0 and timeout > 0")


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"{value!r} is not a PayPal {what} id")
    return value


def _check_text(value: str | None, what: str) -> str | None:
    if value is not None and not 0 < len(value) <= _MAX_TEXT:
        raise ValueError(f"{what} must be 1 to {_MAX_TEXT} characters")
    return value


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class PayPalClient:
    """Async PayPal REST client; use as ``async with PayPalClient(config) as paypal:``.

    One instance per process (e.g. opened in the API's lifespan) shares the token and the
    connection pool. ``transport`` lets tests plug in ``httpx.MockTransport`` or an ASGI app.
    """

    def __init__(
        self,
        config: PayPalConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._clock = clock
        self._http = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/"),
            timeout=httpx.Timeout(config.timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "open-harbor-lms"},
        )
        self._token: str | None = None
        self._token_valid_until = 0.0
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> PayPalClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the token -----------------------------------------------------------------------

    async def access_token(self) -> str:
        """A valid access token, from the cache or from ``POST /v1/oauth2/token``."""
        if self._token is not None and self._clock() < self._token_valid_until:
            return self._token
        async with self._token_lock:  # one fetch, however many callers are waiting
            if self._token is not None and self._clock() < self._token_valid_until:
                return self._token
            started = self._clock()
            response = await self._with_retries(
                "token",
                lambda: self._http.post(
                    "/v1/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(self.config.client_id, self.config.client_secret),
                ),
            )
            body = _json(response)
            if response.status_code in {400, 401, 403}:
                raise PayPalAuthError.from_response(response.status_code, body)
            if response.is_error:
                raise PayPalError.from_response(response.status_code, body)
            try:
                token = str(body["access_token"])
                lifetime = float(body["expires_in"])
            except (KeyError, TypeError, ValueError) as exc:
                raise PayPalInvalidResponse(
                    "PayPal token answer without a token", body=body
                ) from exc
            margin = min(self.config.token_refresh_margin, lifetime / 2)
            self._token, self._token_valid_until = token, started + lifetime - margin
            logger.debug("PayPal access token obtained, valid for %ss", lifetime)
            return token

    def _forget_token(self, token: str) -> None:
        # Only the token PayPal refused: another caller may already have a newer one.
        if self._token == token:
            self._token = None

    # --- transport: retries, 401 refresh, errors ---------------------------------------

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        delay = min(self.config.backoff_max, self.config.backoff_base * 2**attempt)
        delay *= random.uniform(0.5, 1.0)  # jitter: many clients must not retry in step
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), self.config.backoff_max))
        return delay

    async def _with_retries(
        self, what: str, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await send()
            except RETRYABLE_ERRORS as exc:
                response, failure = None, f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    return response
                failure = f"HTTP {response.status_code}"
            if attempt >= self.config.max_retries:
                logger.error("PayPal %s failed after %s attempts: %s", what, attempt + 1, failure)
                if response is not None:
                    error = PayPalError.from_response(response.status_code, _json(response))
                    raise PayPalUnavailable(
                        f"PayPal unavailable: {error.message}",
                        status=error.status,
                        name=error.name,
                        debug_id=error.debug_id,
                        details=error.details,
                        body=error.body,
                    )
                raise PayPalUnavailable(f"PayPal unreachable: {failure}")
            delay = self._backoff(
                attempt, response.headers.get("retry-after") if response is not None else None
            )
            attempt += 1
            logger.warning(
                "PayPal %s failed (%s); retry %s of %s in %.2fs",
                what,
                failure,
                attempt,
                self.config.max_retries,
                delay,
            )
            await asyncio.sleep(delay)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content: bytes | None = None,
        request_id: str | None = None,
    ) -> Any:
        """One API call: bearer token, retries, one token refresh on 401, JSON answer."""
        headers: dict[str, str] = {}
        if method == "POST":
            headers["Content-Type"] = "application/json"
            headers["PayPal-Request-Id"] = request_id or str(uuid.uuid4())
            headers["Prefer"] = "return=representation"
            if content is None:
                content = b"" if body is None else json.dumps(body).encode()
        what = f"{method} {path}"
        for refreshed in (False, True):
            token = await self.access_token()
            response = await self._with_retries(
                what,
                lambda token=token: self._http.request(  # type: ignore[misc]
                    method,
                    path,
                    content=content,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                ),
            )
            if response.status_code != 401 or refreshed:
                break
            logger.info("PayPal refused the access token; fetching a new one")
            self._forget_token(token)
        data = _json(response)
        if response.status_code == 401:
            raise PayPalAuthError.from_response(401, data)
        if response.is_error:
            error = PayPalError.from_response(response.status_code, data)
            logger.info("PayPal %s refused: %s", what, error)
            raise error
        return data

    # --- orders --------------------------------------------------------------------------

    async def create_order(
        self,
        *,
        amount: Decimal | int | str,
        currency: str,
        item_name: str,
        return_url: str,
        cancel_url: str,
        item_sku: str | None = None,
        custom_id: str | None = None,
        invoice_id: str | None = None,
        description: str | None = None,
        brand_name: str | None = None,
        locale: str | None = None,
        request_id: str | None = None,
    ) -> Order:
        """Create an order (intent ``CAPTURE``) for one digital item at ``amount``.

        ``custom_id`` and ``invoice_id`` tie the order to our own record; PayPal repeats
        them on the capture and in webhooks. Send the buyer to ``order.approve_url``.
        """
        currency = normalize_currency(currency)
        value = to_paypal_value(quantize(amount, currency), currency)
        money = {"currency_code": currency, "value": value}
        item: dict[str, Any] = {
            "name": item_name[:_MAX_TEXT],
            "quantity": "1",
            "unit_amount": money,
            "category": "DIGITAL_GOODS",
        }
        if item_sku:
            item["sku"] = _check_text(item_sku, "item_sku")
        unit: dict[str, Any] = {
            "reference_id": custom_id or "default",
            "amount": {**money, "breakdown": {"item_total": money}},
            "items": [item],
        }
        if custom_id:
            unit["custom_id"] = _check_text(custom_id, "custom_id")
        if invoice_id:
            unit["invoice_id"] = _check_text(invoice_id, "invoice_id")
        if description:
            unit["description"] = description[:_MAX_TEXT]
        experience: dict[str, Any] = {
            "return_url": return_url,
            "cancel_url": cancel_url,
            "user_action": "PAY_NOW",
            "shipping_preference": "NO_SHIPPING",
        }
        if brand_name:
            experience["brand_name"] = brand_name[:_MAX_TEXT]
        if locale:
            experience["locale"] = locale
        payload = {
            "intent": "CAPTURE",
            "purchase_units": [unit],
            "payment_source": {"paypal": {"experience_context": experience}},
        }
        data = await self._call("POST", "/v2/checkout/orders", body=payload, request_id=request_id)
        order = Order.from_paypal(data)
        logger.info("PayPal order %s created for %s %s", order.id, value, currency)
        return order

    async def get_order(self, order_id: str) -> Order:
        """The order as PayPal has it now (status, amount, payer, captures)."""
        path = f"/v2/checkout/orders/{quote(_check_id(order_id, 'order'))}"
        return Order.from_paypal(await self._call("GET", path))

    async def capture_order(self, order_id: str, *, request_id: str | None = None) -> Order:
        """Capture an approved order. The answer's ``order.capture`` says what happened:
        ``COMPLETED`` is paid, ``PENDING`` is not yet (a webhook settles it), ``DECLINED``
        is not. PayPal refuses with ``ORDER_NOT_APPROVED``, ``ORDER_ALREADY_CAPTURED`` or
        ``INSTRUMENT_DECLINED`` (a :class:`PayPalError`; see ``error.issues``)."""
        path = f"/v2/checkout/orders/{quote(_check_id(order_id, 'order'))}/capture"
        order = Order.from_paypal(await self._call("POST", path, request_id=request_id))
        capture = order.capture
        logger.info(
            "PayPal order %s captured: %s",
            order.id,
            f"{capture.id} {capture.status} {capture.amount}" if capture else order.status,
        )
        return order

    # --- payments ------------------------------------------------------------------------

    async def get_capture(self, capture_id: str) -> Capture:
        path = f"/v2/payments/captures/{quote(_check_id(capture_id, 'capture'))}"
        return Capture.from_paypal(await self._call("GET", path))

    async def refund_capture(
        self,
        capture_id: str,
        *,
        amount: Decimal | int | str | None = None,
        currency: str | None = None,
        invoice_id: str | None = None,
        note_to_payer: str | None = None,
        request_id: str | None = None,
    ) -> Refund:
        """Refund a capture: all of what is left of it, or ``amount`` in ``currency``."""
        payload: dict[str, Any] = {}
        if amount is not None:
            if currency is None:
                raise ValueError("a partial refund needs its currency")
            payload["amount"] = Money(quantize(amount, currency), currency).to_paypal()
        if invoice_id:
            payload["invoice_id"] = _check_text(invoice_id, "invoice_id")
        if note_to_payer:
            payload["note_to_payer"] = note_to_payer[:255]
        path = f"/v2/payments/captures/{quote(_check_id(capture_id, 'capture'))}/refund"
        refund = Refund.from_paypal(
            await self._call("POST", path, body=payload, request_id=request_id)
        )
        logger.info("PayPal capture %s refunded: %s %s", capture_id, refund.id, refund.status)
        return refund

    # --- webhooks ------------------------------------------------------------------------

    async def verify_webhook_signature(
        self,
        headers: Mapping[str, str],
        event_body: bytes | str,
        webhook_id: str | None = None,
    ) -> bool:
        """Ask PayPal whether a webhook request is genuine (``verification_status``).

        ``event_body`` is the request body exactly as received: it is embedded verbatim,
        since PayPal checks a CRC of those bytes and re-serialised JSON may differ.
        A request missing a transmission header is refused without asking PayPal.
        """
        webhook_id = webhook_id or self.config.webhook_id
        if not webhook_id:
            raise PayPalNotConfigured("no PayPal webhook id configured (LMS_PAYPAL_WEBHOOK_ID)")
        lowered = {key.lower(): value for key, value in headers.items()}
        missing = [name for name in WEBHOOK_HEADERS if not lowered.get(name)]
        if missing:
            logger.warning("PayPal webhook without %s: refused", ", ".join(missing))
            return False
        raw = event_body.encode() if isinstance(event_body, str) else bytes(event_body)
        try:
            if not isinstance(json.loads(raw), dict):
                raise ValueError("not an object")
        except ValueError:
            logger.warning("PayPal webhook body is not a JSON object: refused")
            return False
        fields = {
            "auth_algo": lowered["paypal-auth-algo"],
            "cert_url": lowered["paypal-cert-url"],
            "transmission_id": lowered["paypal-transmission-id"],
            "transmission_sig": lowered["paypal-transmission-sig"],
            "transmission_time": lowered["paypal-transmission-time"],
            "webhook_id": webhook_id,
        }
        content = json.dumps(fields).encode()[:-1] + b', "webhook_event": ' + raw.strip() + b"}"
        data = await self._call(
            "POST", "/v1/notifications/verify-webhook-signature", content=content
        )
        status = data.get("verification_status") if isinstance(data, dict) else None
        if status != "SUCCESS":
            logger.warning(
                "PayPal webhook %s failed verification (%s)", fields["transmission_id"], status
            )
        return status == "SUCCESS"
