"""The PayPal client against the PayPal-compatible sandbox on loopback: real HTTP, real
approval page, injected failures, signed webhooks."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from payments_support import client_config

from dynamic_api.payments import (
    CaptureStatus,
    Order,
    OrderStatus,
    PayPalAuthError,
    PayPalClient,
    PayPalError,
    PayPalUnavailable,
    RefundStatus,
    parse_webhook_event,
)
from paypal_sandbox.testing import RunningSandbox

pytestmark = pytest.mark.anyio

RETURN = "https://lms.test/checkout/return?course=python"
CANCEL = "https://lms.test/checkout/cancel"


async def new_order(paypal: PayPalClient, amount: str = "49.90", **kwargs: object) -> Order:
    values: dict[str, object] = {
        "amount": amount,
        "currency": "USD",
        "item_name": "Python Foundations",
        "item_sku": "python-foundations",
        "custom_id": "order-1",
        "invoice_id": "inv-1",
        "return_url": RETURN,
        "cancel_url": CANCEL,
    }
    values.update(kwargs)
    return await paypal.create_order(**values)  # type: ignore[arg-type]


async def approved_order(paypal: PayPalClient, sandbox: RunningSandbox, **kwargs: object) -> Order:
    order = await new_order(paypal, **kwargs)
    sandbox.control.approve(order.id)
    return order


def capture_requests(sandbox: RunningSandbox) -> list[dict[str, object]]:
    return [r for r in sandbox.control.requests() if str(r["path"]).endswith("/capture")]


async def test_create_approve_on_the_page_and_capture(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await new_order(paypal)
    assert order.status is OrderStatus.PAYER_ACTION_REQUIRED
    assert order.amount is not None
    assert (order.amount.amount, order.amount.currency) == (Decimal("49.90"), "USD")
    assert order.approve_url is not None
    assert order.approve_url.startswith(f"{sandbox.url}/checkoutnow?token={order.id}")

    # The buyer's browser: the approval page, then its form posted with Approve.
    location = sandbox.control.click(order.approve_url)
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == RETURN.split("?")[0]
    assert query["course"] == ["python"]
    assert query["token"] == [order.id]
    payer_id = query["PayerID"][0]

    approved = await paypal.get_order(order.id)
    assert approved.status is OrderStatus.APPROVED
    assert approved.payer_id == payer_id
    assert approved.payer_email

    captured = await paypal.capture_order(order.id, request_id=f"capture-{order.id}")
    assert captured.status is OrderStatus.COMPLETED
    capture = captured.capture
    assert capture is not None
    assert capture.status is CaptureStatus.COMPLETED
    assert capture.completed
    assert (capture.amount.amount, capture.amount.currency) == (Decimal("49.90"), "USD")
    assert (capture.custom_id, capture.invoice_id, capture.order_id) == (
        "order-1",
        "inv-1",
        order.id,
    )
    assert await paypal.get_capture(capture.id) == capture


async def test_cancel_on_the_page_returns_to_the_cancel_url(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await new_order(paypal)
    assert order.approve_url is not None
    location = sandbox.control.click(order.approve_url, action="cancel")
    assert location == f"{CANCEL}?token={order.id}"
    with pytest.raises(PayPalError) as caught:
        await paypal.capture_order(order.id)
    assert caught.value.status == 422
    assert caught.value.issues == ["ORDER_NOT_APPROVED"]


async def test_capture_retries_after_500s_then_succeeds(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.scenario(fail={"count": 2, "status": 500, "path": "/capture"})
    captured = await paypal.capture_order(order.id, request_id="cap-retry")
    assert captured.capture is not None
    assert captured.capture.completed
    attempts = capture_requests(sandbox)
    assert [r["status"] for r in attempts] == [500, 500, 201]
    assert {r["request_id"] for r in attempts} == {"cap-retry"}


async def test_persistent_500s_end_in_paypal_unavailable(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.scenario(fail={"count": 10, "status": 503, "path": "/capture"})
    with pytest.raises(PayPalUnavailable) as caught:
        await paypal.capture_order(order.id, request_id="cap-down")
    assert caught.value.status == 503
    assert caught.value.debug_id
    assert len(capture_requests(sandbox)) == paypal.config.max_retries + 1
    sandbox.control.scenario(fail=None)
    assert (await paypal.get_order(order.id)).status is OrderStatus.APPROVED
    later = await paypal.capture_order(order.id, request_id="cap-down")
    assert later.status is OrderStatus.COMPLETED


async def test_a_lost_answer_is_replayed_for_the_same_request_id(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await approved_order(paypal, sandbox)
    # PayPal captures, then the answer is lost: the retry must not capture twice.
    sandbox.control.scenario(fail={"count": 1, "path": "/capture", "after_commit": True})
    first = await paypal.capture_order(order.id, request_id="cap-lost")
    assert first.capture is not None
    attempts = capture_requests(sandbox)
    assert [(r["status"], r["replayed"]) for r in attempts] == [(500, False), (201, True)]
    again = await paypal.capture_order(order.id, request_id="cap-lost")
    assert again.capture == first.capture
    assert len((await paypal.get_order(order.id)).captures) == 1
    with pytest.raises(PayPalError) as caught:
        await paypal.capture_order(order.id, request_id="another-id")
    assert caught.value.issues == ["ORDER_ALREADY_CAPTURED"]


async def test_a_slow_answer_times_out_and_the_retry_gets_the_kept_answer(
    sandbox: RunningSandbox,
) -> None:
    config = client_config(sandbox, timeout=1.5)
    async with PayPalClient(config) as paypal:
        order = await approved_order(paypal, sandbox)
        sandbox.control.scenario(delay={"count": 1, "seconds": 6, "path": "/capture"})
        captured = await paypal.capture_order(order.id, request_id="cap-slow")
        assert captured.capture is not None
        assert captured.capture.completed
        replays = [r["replayed"] for r in capture_requests(sandbox)]
        # The slow request is logged when its delay ends; the retry's replay is already in.
        assert replays[0] is True


async def test_create_order_is_idempotent_per_request_id(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    first = await new_order(paypal, request_id="create-order-1")
    second = await new_order(paypal, request_id="create-order-1")
    third = await new_order(paypal, request_id="create-order-2")
    assert first.id == second.id
    assert third.id != first.id
    creates = [r for r in sandbox.control.requests() if r["path"] == "/v2/checkout/orders"]
    assert [r["replayed"] for r in creates] == [False, True, False]


async def test_the_token_is_fetched_once_and_again_after_a_401(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await new_order(paypal)
    await paypal.get_order(order.id)
    await paypal.get_order(order.id)
    token_requests = lambda: [  # noqa: E731
        r for r in sandbox.control.requests() if r["path"] == "/v1/oauth2/token"
    ]
    assert len(token_requests()) == 1
    assert sandbox.control.expire_tokens() == 1
    assert (await paypal.get_order(order.id)).id == order.id
    gets = [r["status"] for r in sandbox.control.requests() if r["path"].endswith(order.id)]
    assert gets == [200, 200, 401, 200]
    assert len(token_requests()) == 2


async def test_the_token_is_refreshed_before_it_expires(sandbox: RunningSandbox) -> None:
    sandbox.control.configure(token_ttl_seconds=600)
    now = [0.0]
    async with PayPalClient(client_config(sandbox), clock=lambda: now[0]) as paypal:
        order = await new_order(paypal)
        now[0] = 299.0  # margin: min(300 s, half of 600 s)
        await paypal.get_order(order.id)
        now[0] = 301.0
        await paypal.get_order(order.id)
    statuses = [(r["path"], r["status"]) for r in sandbox.control.requests()]
    assert [s for p, s in statuses if p == "/v1/oauth2/token"] == [200, 200]
    assert all(s != 401 for _, s in statuses)


async def test_wrong_credentials(sandbox: RunningSandbox) -> None:
    async with PayPalClient(client_config(sandbox, client_secret="wrong")) as paypal:
        with pytest.raises(PayPalAuthError) as caught:
            await new_order(paypal)
    assert caught.value.status == 401
    assert caught.value.name == "invalid_client"


async def test_a_declined_instrument_sends_the_buyer_back(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.scenario(decline_captures=1)
    with pytest.raises(PayPalError) as caught:
        await paypal.capture_order(order.id)
    assert caught.value.declined
    assert caught.value.status == 422
    assert caught.value.debug_id
    again = await paypal.get_order(order.id)
    assert again.status is OrderStatus.PAYER_ACTION_REQUIRED
    assert again.approve_url
    sandbox.control.approve(order.id)
    assert (await paypal.capture_order(order.id)).status is OrderStatus.COMPLETED


async def test_a_declined_capture_status(paypal: PayPalClient, sandbox: RunningSandbox) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.scenario(capture_status="DECLINED")
    captured = await paypal.capture_order(order.id)
    assert captured.capture is not None
    assert captured.capture.status is CaptureStatus.DECLINED
    assert not captured.capture.completed


async def test_a_pending_capture_completes_through_a_verified_webhook(
    paypal: PayPalClient, sandbox: RunningSandbox, receiver
) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.scenario(capture_status="PENDING")
    captured = await paypal.capture_order(order.id)
    capture = captured.capture
    assert capture is not None
    assert capture.status is CaptureStatus.PENDING
    assert capture.status_reason == "PENDING_REVIEW"
    assert not capture.completed

    sandbox.control.set_capture_status(capture.id, "COMPLETED")
    events = sandbox.control.flush_webhooks()
    assert [e["event_type"] for e in events] == [
        "PAYMENT.CAPTURE.PENDING",
        "PAYMENT.CAPTURE.COMPLETED",
    ]
    assert all(e["deliveries"][0]["status_code"] == 200 for e in events)
    delivered = receiver.received[-1]
    assert await paypal.verify_webhook_signature(delivered.headers, delivered.body)
    event = parse_webhook_event(delivered.body)
    assert event.event_type == "PAYMENT.CAPTURE.COMPLETED"
    assert event.order_id == order.id
    webhook_capture = event.capture()
    assert webhook_capture is not None
    assert webhook_capture.status is CaptureStatus.COMPLETED
    # The webhook only says "look again": the order read back agrees.
    reread = await paypal.get_order(order.id)
    assert reread.capture is not None
    assert reread.capture.status is CaptureStatus.COMPLETED


async def test_webhook_signatures_fail_when_anything_changes(
    paypal: PayPalClient, sandbox: RunningSandbox, receiver
) -> None:
    order = await approved_order(paypal, sandbox)
    await paypal.capture_order(order.id)
    sandbox.control.flush_webhooks()
    good = receiver.received[0]
    assert await paypal.verify_webhook_signature(good.headers, good.body)
    tampered = good.body.replace(b'"49.90"', b'"0.01"')
    assert tampered != good.body
    assert not await paypal.verify_webhook_signature(good.headers, tampered)
    assert not await paypal.verify_webhook_signature(good.headers, good.body, "OTHERWEBHOOK")
    forged = {**good.headers, "paypal-transmission-id": "a-different-transmission"}
    assert not await paypal.verify_webhook_signature(forged, good.body)

    capture_id = parse_webhook_event(good.body).resource_id
    assert capture_id is not None
    sent = sandbox.control.send_webhook("PAYMENT.CAPTURE.COMPLETED", capture_id, bad_signature=True)
    assert sent["delivery"]["status_code"] == 200
    bad = receiver.received[-1]
    assert bad.body.decode() == sent["body"]
    assert not await paypal.verify_webhook_signature(bad.headers, bad.body)


async def test_a_replayed_webhook_is_the_same_event_and_still_verifies(
    paypal: PayPalClient, sandbox: RunningSandbox, receiver
) -> None:
    order = await approved_order(paypal, sandbox)
    await paypal.capture_order(order.id)
    (event,) = sandbox.control.flush_webhooks()
    sandbox.control.resend_webhook(event["id"])
    first, replay = receiver.received
    assert first.body == replay.body
    assert first.headers["paypal-transmission-id"] != replay.headers["paypal-transmission-id"]
    results = await asyncio.gather(
        paypal.verify_webhook_signature(first.headers, first.body),
        paypal.verify_webhook_signature(replay.headers, replay.body),
    )
    assert results == [True, True]  # de-duplicating by event id is the receiver's job


async def test_refunds_full_partial_and_refused(
    paypal: PayPalClient, sandbox: RunningSandbox, receiver
) -> None:
    order = await approved_order(paypal, sandbox)
    capture = (await paypal.capture_order(order.id)).capture
    assert capture is not None

    partial = await paypal.refund_capture(
        capture.id, amount=Decimal("10"), currency="USD", request_id="refund-1"
    )
    assert partial.status is RefundStatus.COMPLETED
    assert partial.amount is not None
    assert partial.amount.amount == Decimal("10.00")
    assert partial.capture_id == capture.id
    assert (await paypal.get_capture(capture.id)).status is CaptureStatus.PARTIALLY_REFUNDED
    # The same request id is the same refund, not a second one.
    again = await paypal.refund_capture(
        capture.id, amount=Decimal("10"), currency="USD", request_id="refund-1"
    )
    assert again.id == partial.id

    with pytest.raises(PayPalError) as caught:
        await paypal.refund_capture(capture.id, amount="40.00", currency="USD")
    assert caught.value.issues == ["REFUND_AMOUNT_EXCEEDED"]

    rest = await paypal.refund_capture(capture.id, request_id="refund-2")
    assert rest.amount is not None
    assert rest.amount.amount == Decimal("39.90")
    assert (await paypal.get_capture(capture.id)).status is CaptureStatus.REFUNDED
    with pytest.raises(PayPalError) as caught:
        await paypal.refund_capture(capture.id)
    assert caught.value.issues == ["CAPTURE_FULLY_REFUNDED"]

    events = sandbox.control.flush_webhooks()
    assert [e["event_type"] for e in events] == [
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.CAPTURE.REFUNDED",
        "PAYMENT.CAPTURE.REFUNDED",
    ]
    refunded = parse_webhook_event(receiver.received[-1].body).refund()
    assert refunded is not None
    assert refunded.id == rest.id
    assert refunded.capture_id == capture.id


async def test_a_reversal_is_reported_by_webhook(
    paypal: PayPalClient, sandbox: RunningSandbox, receiver
) -> None:
    order = await approved_order(paypal, sandbox)
    capture = (await paypal.capture_order(order.id)).capture
    assert capture is not None
    sandbox.control.set_capture_status(capture.id, "REVERSED")
    events = sandbox.control.flush_webhooks()
    assert events[-1]["event_type"] == "PAYMENT.CAPTURE.REVERSED"
    delivered = receiver.received[-1]
    assert await paypal.verify_webhook_signature(delivered.headers, delivered.body)
    reversal = parse_webhook_event(delivered.body).refund()
    assert reversal is not None
    assert reversal.capture_id == capture.id
    assert (await paypal.get_capture(capture.id)).status is CaptureStatus.REFUNDED


async def test_tampering_is_visible_to_the_merchant(
    paypal: PayPalClient, sandbox: RunningSandbox
) -> None:
    order = await approved_order(paypal, sandbox)
    sandbox.control.edit_order(order.id, "1.00", "EUR")
    edited = await paypal.get_order(order.id)
    assert edited.amount is not None
    assert (edited.amount.amount, edited.amount.currency) == (Decimal("1.00"), "EUR")

    other = await approved_order(paypal, sandbox, custom_id="order-2", invoice_id="inv-2")
    sandbox.control.scenario(capture_amount="0.50")
    capture = (await paypal.capture_order(other.id)).capture
    assert capture is not None
    assert capture.amount.amount == Decimal("0.50")
    assert other.amount is not None
    assert capture.amount != other.amount


async def test_jpy_orders_carry_no_decimals(paypal: PayPalClient, sandbox: RunningSandbox) -> None:
    order = await approved_order(paypal, sandbox, amount="5000", currency="JPY")
    capture = (await paypal.capture_order(order.id)).capture
    assert capture is not None
    assert capture.amount.amount == Decimal(5000)
    assert capture.raw["amount"] == {"currency_code": "JPY", "value": "5000"}
