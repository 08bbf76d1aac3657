"""Payments: price quotes, checkout through PayPal, capture, PayPal's webhooks, the buyer's
payment history and PDF receipts.

The handlers are thin: the flows are in ``dynamic_api/payments/checkout.py`` (PayPal calls
between short transactions), the order state machine in ``payments/orders.py``, prices and
coupon rules in ``payments/pricing.py``. README, "Payments", describes the whole journey.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import current_user, requires, signed_in_user
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_body, read_json, read_query
from dynamic_api.fields import SLUG_RE
from dynamic_api.payments import orders
from dynamic_api.payments.checkout import Payments, site_base
from dynamic_api.payments.pricing import ItemKind
from dynamic_api.payments.receipts import receipt_response
from dynamic_api.payments.views import (
    CheckoutOrder,
    CheckoutRequest,
    PaymentHistory,
    PriceQuery,
    PriceQuote,
    WebhookResult,
)
from dynamic_api.responses import json_response

logger = logging.getLogger(__name__)

#: PayPal's webhook bodies are a few kilobytes.
WEBHOOK_MAX_BYTES = 256 * 1024


def _slug(value: str) -> str:
    if not SLUG_RE.match(value) or len(value) > 100:
        raise ApiError(404, "not_found", "There is nothing for sale with this name.")
    return value


def _order_id(request: Request) -> str:
    value = request.path_params["order_id"]
    if not orders.is_public_id(value):
        raise ApiError(404, "not_found", "There is no order with this id.")
    return str(value)


async def _quote(request: Request, kind: ItemKind, slug: str) -> Response:
    query = read_query(request, PriceQuery)
    user = await current_user(request)
    quote = await Payments.of(request).quote(kind, _slug(slug), query.coupon, user)
    return json_response(PriceQuote.of(quote))


async def course_price(request: Request) -> Response:
    """The server's price of a course, with a coupon when one is given.

    ---
    summary: Quote a course's price
    description: >-
      The price the buyer would pay now: list price, discount and amount as decimal strings
      with the currency. A coupon that does not apply answers 422 with its reason as the
      code (`coupon_not_found`, `coupon_inactive`, `coupon_not_started`, `coupon_expired`,
      `coupon_wrong_course`, `coupon_exhausted`, `coupon_limit_reached` (signed in),
      `coupon_wrong_currency`) and `fields.coupon`. A free course answers 409 `free_item`.
    operationId: quoteCoursePrice
    tags: [payments]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: coupon, in: query, required: false, schema: {type: string, maxLength: 40}}
    responses:
      "200":
        description: The quote.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PriceQuote"}
      "409": {$ref: "#/components/responses/Conflict"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    return await _quote(request, ItemKind.COURSE, request.path_params["course"])


async def item_price(request: Request) -> Response:
    """The server's price of a course, program or master class.

    ---
    summary: Quote a price
    description: >-
      The same quote as `GET /api/courses/{course}/price` for any kind of item:
      `course`, `program` (a bundle: one price for its courses) or `masterclass`.
    operationId: quotePrice
    tags: [payments]
    parameters:
      - name: kind
        in: path
        required: true
        schema: {type: string, enum: [course, program, masterclass]}
      - {name: slug, in: path, required: true, schema: {type: string}}
      - {name: coupon, in: query, required: false, schema: {type: string, maxLength: 40}}
    responses:
      "200":
        description: The quote.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PriceQuote"}
      "409": {$ref: "#/components/responses/Conflict"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    try:
        kind = ItemKind(request.path_params["kind"])
    except ValueError:
        raise ApiError(
            404, "not_found", "Prices are for a course, program or masterclass."
        ) from None
    return await _quote(request, kind, request.path_params["slug"])


@requires()
async def checkout(request: Request) -> Response:
    """Start buying a course, a program or a master class.

    ---
    summary: Start a checkout
    description: >-
      Creates our order at the server's own price (coupon applied) and a PayPal order for
      it; send the buyer to `approve_url`. PayPal brings them back to
      `/account/checkout/?order=<order_id>&token=…`, whose page calls the capture. A coupon
      that makes it free enrolls at once (`status: captured`, no `approve_url`). A second
      call for the same item at the same price within an hour resumes the unfinished
      order. Refused: 404 unknown or draft items, 409 `free_item`, `already_enrolled`,
      `already_registered`, `masterclass_ended`, `currency_not_supported`, 422 coupon
      problems (see the price quote), 503 `payments_unavailable` / `paypal_unavailable`.
    operationId: checkout
    tags: [payments]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/CheckoutRequest"}
    responses:
      "201":
        description: The order (with `order_id`, `amount`, `currency`, `approve_url`).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CheckoutOrder"}
      "404": {$ref: "#/components/responses/NotFound"}
      "409": {$ref: "#/components/responses/Conflict"}
      "502":
        description: "PayPal refused to create the order (`paypal_error`)."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "503":
        description: "`payments_unavailable` (not configured) or `paypal_unavailable`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, CheckoutRequest, max_bytes=2048)
    kind, slug = body.item
    payments = Payments.of(request)
    started = await payments.checkout(
        user, kind, slug, body.coupon, site_base(request, request.app.state.settings)
    )
    return json_response(CheckoutOrder.of(started.order, started.coupon), 201)


@requires()
async def get_order(request: Request) -> Response:
    """One of the caller's orders.

    ---
    summary: Get my order
    description: >-
      The order's state for the checkout page: `created` (waiting for PayPal; `approve_url`
      resumes it), `pending` (PayPal is reviewing the payment; it completes by itself),
      `captured` (paid, enrolled), `failed`, `cancelled` or `refunded`.
    operationId: getMyOrder
    tags: [payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The order.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CheckoutOrder"}
    """
    user = await signed_in_user(request)
    order, coupon = await Payments.of(request).own_order(user.id, _order_id(request))
    return json_response(CheckoutOrder.of(order, coupon))


@requires()
async def capture(request: Request) -> Response:
    """Capture the approved payment and enroll (idempotent).

    ---
    summary: Capture a checkout
    description: >-
      Captures the PayPal order the buyer approved, checks that PayPal's capture is
      `COMPLETED` for exactly our amount and currency, then enrolls (or registers) and
      emails a receipt. Calling it again, or racing PayPal's webhook, changes nothing more:
      one enrollment, one payment. A capture PayPal holds for review answers with
      `status: pending` (it completes through the webhook). Refused: 402
      `payment_declined` (approve again at `approve_url`), 409 `order_not_approved`,
      `payment_mismatch` (PayPal's figures differ: flagged, nothing given),
      `coupon_exhausted`, `coupon_limit_reached`, `coupon_inactive` (nothing charged),
      `course_full` / `masterclass_full` (refunded at once), `order_cancelled`,
      `payment_failed`; 503 `paypal_unavailable` (try again: never charged twice).
    operationId: captureCheckout
    tags: [payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The order, `captured` or `pending`.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CheckoutOrder"}
      "402":
        description: "PayPal declined the payment (`payment_declined`)."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "409": {$ref: "#/components/responses/Conflict"}
      "502":
        description: "PayPal refused the capture (`paypal_error`)."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "503":
        description: "`paypal_unavailable` or `payments_unavailable`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    user = await signed_in_user(request)
    payments = Payments.of(request)
    order = await payments.capture(user.id, _order_id(request))
    order, coupon = await payments.own_order(user.id, order.public_id)
    return json_response(CheckoutOrder.of(order, coupon))


@requires()
async def cancel(request: Request) -> Response:
    """The buyer cancelled at PayPal.

    ---
    summary: Cancel a checkout
    description: >-
      Marks an unpaid order `cancelled` (PayPal's cancel link brings the buyer back with
      `&cancelled=1`); nothing was charged. An order that is already paid, pending or
      cancelled is returned as it is.
    operationId: cancelCheckout
    tags: [payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The order.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CheckoutOrder"}
    """
    user = await signed_in_user(request)
    payments = Payments.of(request)
    order = await payments.cancel(user.id, _order_id(request))
    order, coupon = await payments.own_order(user.id, order.public_id)
    return json_response(CheckoutOrder.of(order, coupon))


async def paypal_webhook(request: Request) -> Response:
    """PayPal's webhook events.

    ---
    summary: Receive a PayPal webhook
    description: >-
      Verified through PayPal's verify-webhook-signature call with `LMS_PAYPAL_WEBHOOK_ID`
      (400 `invalid_signature` otherwise), de-duplicated by event id (a replay answers
      `duplicate` and changes nothing), and only a hint: the capture is read back from
      PayPal before the order changes. Handles `PAYMENT.CAPTURE.COMPLETED`, `.DENIED`,
      `.PENDING`, `.REFUNDED` and `.REVERSED`; other events are `ignored`. 503 asks PayPal
      to deliver again later.
    operationId: paypalWebhook
    tags: [payments]
    requestBody:
      required: true
      content:
        application/json:
          schema: {type: object}
    responses:
      "200":
        description: Processed, a duplicate, or ignored.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/WebhookResult"}
      # Read as raw bytes (the signature covers them), not with read_json:
      "415": null
      "422": null
      "503":
        description: "PayPal could not be asked (`paypal_unavailable`): deliver again."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    body = await read_body(request, WEBHOOK_MAX_BYTES)
    status, outcome = await Payments.of(request).webhook(request.headers, body)
    logger.info("PayPal webhook: %s (%s)", status, outcome)
    return json_response(WebhookResult(status=status, outcome=outcome))  # type: ignore[arg-type]


@requires()
async def my_payments(request: Request) -> Response:
    """The caller's payment history.

    ---
    summary: My payments
    description: >-
      Paid, pending and refunded orders, and payments PayPal took but that failed (denied,
      refused), newest first; unfinished and cancelled checkouts are left out. `receipt`
      says whether a PDF receipt is available.
    operationId: myPayments
    tags: [payments]
    security: [{session: []}]
    responses:
      "200":
        description: The history.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PaymentHistory"}
    """
    user = await signed_in_user(request)

    def load(session: Session) -> PaymentHistory:
        found = orders.orders_of(session, user.id)
        return PaymentHistory(
            payments=[
                CheckoutOrder.of(order, orders.coupon_code(session, order)) for order in found
            ]
        )

    return json_response(await run_in_session(request, load))


@requires()
async def receipt_pdf(request: Request) -> Response:
    """A PDF receipt of one of the caller's paid orders.

    ---
    summary: Download a receipt
    description: >-
      An A4 PDF (number, date, buyer, item, price, coupon, total, PayPal transaction; a
      refunded order says so), in the buyer's language. 409 `not_paid` before payment.
    operationId: myReceipt
    tags: [payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The PDF.
        content:
          application/pdf: {}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    return await receipt_response(request, _order_id(request), buyer_id=user.id)


ORDER = "/api/checkout/{order_id:str}"

routes: list[BaseRoute] = [
    Route("/api/courses/{course:str}/price", course_price, methods=["GET"], name="course_price"),
    Route("/api/prices/{kind:str}/{slug:str}", item_price, methods=["GET"], name="item_price"),
    Route("/api/checkout", checkout, methods=["POST"], name="checkout"),
    Route(ORDER, get_order, methods=["GET"], name="checkout_order"),
    Route(ORDER + "/capture", capture, methods=["POST"], name="checkout_capture"),
    Route(ORDER + "/cancel", cancel, methods=["POST"], name="checkout_cancel"),
    Route("/api/webhooks/paypal", paypal_webhook, methods=["POST"], name="paypal_webhook"),
    Route("/api/me/payments", my_payments, methods=["GET"], name="my_payments"),
    Route(
        "/api/me/payments/{order_id:str}/receipt.pdf",
        receipt_pdf,
        methods=["GET"],
        name="my_receipt",
    ),
]

schema_models: list[type[BaseModel]] = [
    PriceQuote,
    CheckoutRequest,
    CheckoutOrder,
    PaymentHistory,
    WebhookResult,
]
