"""The PayPal client without a network: httpx.MockTransport plays PayPal, request by request.

These pin what the loopback tests cannot easily force: exact request shapes, a clock that
jumps past the token's expiry, timeouts raised by the transport, malformed answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from dynamic_api.payments import (
    CaptureStatus,
    OrderStatus,
    PayPalAuthError,
    PayPalClient,
    PayPalConfig,
    PayPalError,
    PayPalInvalidResponse,
    PayPalNotConfigured,
    PayPalUnavailable,
    parse_webhook_event,
)

pytestmark = pytest.mark.anyio

BASE = "https://paypal.test"
CONFIG = PayPalConfig(
    base_url=BASE,
    client_id="id",
    client_secret="secret",
    webhook_id="WH1",
    max_retries=2,
    backoff_base=0.001,
    backoff_max=0.01,
)
ORDER = {
    "id": "ORDER1",
    "status": "PAYER_ACTION_REQUIRED",
    "intent": "CAPTURE",
    "purchase_units": [
        {
            "reference_id": "r1",
            "custom_id": "r1",
            "amount": {"currency_code": "USD", "value": "49.90"},
        }
    ],
    "links": [
        {"href": f"{BASE}/v2/checkout/orders/ORDER1", "rel": "self", "method": "GET"},
        {"href": "https://pay.test/checkoutnow?token=ORDER1", "rel": "payer-action"},
    ],
}
TOKEN = {"access_token": "T1", "token_type": "Bearer", "expires_in": 32400}


class FakePayPal:
    """Answers the token endpoint itself and everything else from ``answers`` in turn."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/oauth2/token":
            self.tokens += 1
            return httpx.Response(200, json={**TOKEN, "access_token": f"T{self.tokens}"})
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer


def client(fake: FakePayPal, config: PayPalConfig = CONFIG, **kwargs: object) -> PayPalClient:
    return PayPalClient(config, transport=httpx.MockTransport(fake), **kwargs)  # type: ignore[arg-type]


async def test_create_order_sends_paypal_shapes() -> None:
    fake = FakePayPal(httpx.Response(201, json=ORDER))
    async with client(fake) as paypal:
        order = await paypal.create_order(
            amount=Decimal("49.9"),
            currency="usd",
            item_name="Python Foundations",
            item_sku="python-foundations",
            custom_id="r1",
            invoice_id="inv-1",
            return_url="https://lms.test/return",
            cancel_url="https://lms.test/cancel",
            request_id="create-r1",
        )
    request = fake.requests[0]
    body = json.loads(request.content)
    money = {"currency_code": "USD", "value": "49.90"}
    assert request.headers["PayPal-Request-Id"] == "create-r1"
    assert request.headers["Authorization"] == "Bearer T1"
    assert request.headers["Prefer"] == "return=representation"
    assert body["intent"] == "CAPTURE"
    unit = body["purchase_units"][0]
    assert unit["amount"] == {**money, "breakdown": {"item_total": money}}
    assert unit["items"] == [
        {
            "name": "Python Foundations",
            "quantity": "1",
            "unit_amount": money,
            "category": "DIGITAL_GOODS",
            "sku": "python-foundations",
        }
    ]
    assert (unit["custom_id"], unit["invoice_id"]) == ("r1", "inv-1")
    experience = body["payment_source"]["paypal"]["experience_context"]
    assert experience["return_url"] == "https://lms.test/return"
    assert experience["cancel_url"] == "https://lms.test/cancel"
    assert order.status is OrderStatus.PAYER_ACTION_REQUIRED
    assert order.approve_url == "https://pay.test/checkoutnow?token=ORDER1"
    assert order.amount is not None
    assert order.amount.amount == Decimal("49.90")


async def test_every_post_gets_a_request_id() -> None:
    fake = FakePayPal(httpx.Response(201, json=ORDER), httpx.Response(201, json=ORDER))
    async with client(fake) as paypal:
        for _ in range(2):
            await paypal.create_order(
                amount="1.00",
                currency="USD",
                item_name="x",
                return_url="https://lms.test/r",
                cancel_url="https://lms.test/c",
            )
    ids = [r.headers["PayPal-Request-Id"] for r in fake.requests]
    assert all(ids)
    assert ids[0] != ids[1]


async def test_the_token_is_cached_until_shortly_before_it_expires() -> None:
    now = [1000.0]
    fake = FakePayPal(*(httpx.Response(200, json=ORDER) for _ in range(4)))
    async with client(fake, clock=lambda: now[0]) as paypal:
        await paypal.get_order("ORDER1")
        await paypal.get_order("ORDER1")
        assert fake.tokens == 1
        now[0] += 32400 - 301  # still inside the token's life minus the 300 s margin
        await paypal.get_order("ORDER1")
        assert fake.tokens == 1
        now[0] += 2  # within the margin: refresh before PayPal would refuse it
        await paypal.get_order("ORDER1")
    assert fake.tokens == 2
    assert [r.headers["Authorization"] for r in fake.requests] == ["Bearer T1"] * 3 + ["Bearer T2"]


async def test_a_refused_token_is_replaced_once() -> None:
    unauthorized = httpx.Response(401, json={"name": "AUTHENTICATION_FAILURE", "message": "no"})
    fake = FakePayPal(unauthorized, httpx.Response(200, json=ORDER))
    async with client(fake) as paypal:
        order = await paypal.get_order("ORDER1")
    assert order.id == "ORDER1"
    assert fake.tokens == 2
    assert [r.headers["Authorization"] for r in fake.requests] == ["Bearer T1", "Bearer T2"]


async def test_a_second_401_is_an_auth_error() -> None:
    unauthorized = {"name": "AUTHENTICATION_FAILURE", "message": "no", "debug_id": "d1"}
    fake = FakePayPal(
        httpx.Response(401, json=unauthorized), httpx.Response(401, json=unauthorized)
    )
    async with client(fake) as paypal:
        with pytest.raises(PayPalAuthError) as caught:
            await paypal.get_order("ORDER1")
    assert caught.value.status == 401
    assert caught.value.debug_id == "d1"
    assert fake.tokens == 2


async def test_wrong_credentials_fail_at_the_token() -> None:
    def paypal_refuses(request: httpx.Request) -> httpx.Response:
        body = {"error": "invalid_client", "error_description": "Client Authentication failed"}
        return httpx.Response(401, json=body)

    async with PayPalClient(CONFIG, transport=httpx.MockTransport(paypal_refuses)) as paypal:
        with pytest.raises(PayPalAuthError, match="Client Authentication failed") as caught:
            await paypal.get_order("ORDER1")
    assert caught.value.name == "invalid_client"


async def test_5xx_429_and_timeouts_are_retried_with_the_same_request_id() -> None:
    captured = {**ORDER, "status": "COMPLETED"}
    fake = FakePayPal(
        httpx.Response(503, json={"name": "SERVICE_UNAVAILABLE"}),
        httpx.ReadTimeout("slow"),
        httpx.Response(201, json=captured),
    )
    async with client(fake) as paypal:
        order = await paypal.capture_order("ORDER1", request_id="cap-1")
    assert order.status is OrderStatus.COMPLETED
    assert [r.headers["PayPal-Request-Id"] for r in fake.requests] == ["cap-1"] * 3

    fake = FakePayPal(
        httpx.Response(429, headers={"Retry-After": "1"}, json={"name": "RATE_LIMIT_REACHED"}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json=ORDER),
    )
    async with client(fake) as paypal:
        assert (await paypal.get_order("ORDER1")).id == "ORDER1"
    assert len(fake.requests) == 3


async def test_retries_give_up_with_paypal_unavailable() -> None:
    error = {"name": "INTERNAL_SERVER_ERROR", "message": "boom", "debug_id": "dbg9"}
    fake = FakePayPal(*(httpx.Response(500, json=error) for _ in range(3)))
    async with client(fake) as paypal:
        with pytest.raises(PayPalUnavailable) as caught:
            await paypal.capture_order("ORDER1")
    assert len(fake.requests) == CONFIG.max_retries + 1
    assert (caught.value.status, caught.value.debug_id) == (500, "dbg9")

    fake = FakePayPal(*(httpx.ConnectTimeout("down") for _ in range(3)))
    async with client(fake) as paypal:
        with pytest.raises(PayPalUnavailable, match="unreachable"):
            await paypal.get_order("ORDER1")


async def test_4xx_errors_are_not_retried_and_keep_paypal_details() -> None:
    body = {
        "name": "UNPROCESSABLE_ENTITY",
        "message": "The requested action could not be performed.",
        "debug_id": "abc123",
        "details": [{"issue": "INSTRUMENT_DECLINED", "description": "declined"}],
    }
    fake = FakePayPal(httpx.Response(422, json=body))
    async with client(fake) as paypal:
        with pytest.raises(PayPalError) as caught:
            await paypal.capture_order("ORDER1")
    error = caught.value
    assert len(fake.requests) == 1
    assert (error.status, error.name, error.debug_id) == (422, "UNPROCESSABLE_ENTITY", "abc123")
    assert error.issues == ["INSTRUMENT_DECLINED"]
    assert error.declined
    assert "INSTRUMENT_DECLINED" in str(error)
    assert "abc123" in str(error)


async def test_an_undocumented_status_is_an_invalid_response() -> None:
    fake = FakePayPal(
        httpx.Response(200, json={**ORDER, "status": "SOMETHING_NEW"}),
        httpx.Response(200, text="<html>oops</html>"),
    )
    async with client(fake) as paypal:
        with pytest.raises(PayPalInvalidResponse):
            await paypal.get_order("ORDER1")
        with pytest.raises(PayPalInvalidResponse):
            await paypal.get_order("ORDER1")


async def test_ids_that_are_not_paypal_ids_never_reach_a_url() -> None:
    fake = FakePayPal()
    async with client(fake) as paypal:
        for bad in ["../../v1/oauth2/token", "A B", "", "x" * 65, "ORDER1?x=1"]:
            with pytest.raises(ValueError, match="not a PayPal"):
                await paypal.capture_order(bad)
    assert fake.requests == []


async def test_refund_amounts_and_captures_parse_as_decimal() -> None:
    refund = {
        "id": "R1",
        "status": "COMPLETED",
        "amount": {"currency_code": "JPY", "value": "500"},
        "links": [{"href": f"{BASE}/v2/payments/captures/C1", "rel": "up"}],
    }
    capture = {
        "id": "C1",
        "status": "PENDING",
        "status_details": {"reason": "PENDING_REVIEW"},
        "amount": {"currency_code": "JPY", "value": "1000"},
        "supplementary_data": {"related_ids": {"order_id": "ORDER1"}},
    }
    fake = FakePayPal(httpx.Response(201, json=refund), httpx.Response(200, json=capture))
    async with client(fake) as paypal:
        result = await paypal.refund_capture("C1", amount=500, currency="JPY", request_id="rf-1")
        pending = await paypal.get_capture("C1")
        with pytest.raises(ValueError, match="currency"):
            await paypal.refund_capture("C1", amount="1.00")
    assert json.loads(fake.requests[0].content) == {
        "amount": {"currency_code": "JPY", "value": "500"}
    }
    assert fake.requests[0].headers["PayPal-Request-Id"] == "rf-1"
    assert result.amount is not None
    assert result.amount.amount == Decimal(500)
    assert result.capture_id == "C1"
    assert pending.status is CaptureStatus.PENDING
    assert not pending.completed
    assert (pending.status_reason, pending.order_id) == ("PENDING_REVIEW", "ORDER1")


WEBHOOK_HEADERS = {
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-1",
    "PAYPAL-TRANSMISSION-ID": "t-1",
    "PAYPAL-TRANSMISSION-SIG": "c2ln",
    "PAYPAL-TRANSMISSION-TIME": "2025-01-01T00:00:00Z",
}


async def test_webhook_verification_embeds_the_body_verbatim() -> None:
    # Spacing and key order PayPal used must survive: it checks a CRC of these bytes.
    raw = b'{"id": "WH-1",  "event_type":"PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "C1"}}'
    fake = FakePayPal(
        httpx.Response(200, json={"verification_status": "SUCCESS"}),
        httpx.Response(200, json={"verification_status": "FAILURE"}),
    )
    async with client(fake) as paypal:
        assert await paypal.verify_webhook_signature(WEBHOOK_HEADERS, raw)
        assert not await paypal.verify_webhook_signature(WEBHOOK_HEADERS, raw.decode(), "WH2")
    sent = fake.requests[0].content
    assert sent.endswith(b'"webhook_event": ' + raw + b"}")
    payload = json.loads(sent)
    assert payload["webhook_id"] == "WH1"
    assert payload["transmission_sig"] == "c2ln"
    assert payload["auth_algo"] == "SHA256withRSA"
    assert json.loads(fake.requests[1].content)["webhook_id"] == "WH2"
    assert parse_webhook_event(raw).resource_id == "C1"


async def test_webhooks_without_headers_or_json_are_refused_without_asking() -> None:
    fake = FakePayPal()
    async with client(fake) as paypal:
        partial = {k: v for k, v in WEBHOOK_HEADERS.items() if k != "PAYPAL-TRANSMISSION-SIG"}
        assert not await paypal.verify_webhook_signature(partial, b'{"id": "WH-1"}')
        assert not await paypal.verify_webhook_signature(WEBHOOK_HEADERS, b"not json")
        assert not await paypal.verify_webhook_signature(WEBHOOK_HEADERS, b"[1]")
    assert fake.requests == []
    no_webhook = PayPalConfig(base_url=BASE, client_id="id", client_secret="s")
    async with client(fake, no_webhook) as paypal:
        with pytest.raises(PayPalNotConfigured):
            await paypal.verify_webhook_signature(WEBHOOK_HEADERS, b"{}")


def test_config_refuses_missing_pieces_and_hides_the_secret() -> None:
    with pytest.raises(PayPalNotConfigured):
        PayPalConfig(base_url="", client_id="id", client_secret="s")
    with pytest.raises(PayPalNotConfigured):
        PayPalConfig(base_url=BASE, client_id="", client_secret="s")
    assert "secret" not in repr(CONFIG)
