"""Administration of payments: orders and refunds, coupons.

| endpoint | admin | moderator | instructor |
| --- | --- | --- | --- |
| ``GET /api/admin/orders``, ``GET /api/admin/orders/{id}`` | yes | read only | no |
| ``POST /api/admin/orders/{id}/refund`` | yes | no | no |
| ``GET``/``POST /api/admin/coupons``, ``PATCH …/{id}`` | every coupon | no | own courses' |
"""

from __future__ import annotations

import logging

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import requires, signed_in_user
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_json, read_path_id, read_query
from dynamic_api.learning.catalog import request_catalog
from dynamic_api.models import Role
from dynamic_api.payments import coupons, orders
from dynamic_api.payments.checkout import Payments
from dynamic_api.payments.receipts import receipt_response
from dynamic_api.payments.views import (
    AdminOrder,
    AdminOrderDetail,
    AdminOrderEvent,
    AdminOrderList,
    CouponCreate,
    CouponList,
    CouponListQuery,
    CouponUpdate,
    CouponView,
    OrderListQuery,
    RefundRequest,
)
from dynamic_api.responses import json_response

logger = logging.getLogger(__name__)


def _order_id(request: Request) -> str:
    value = request.path_params["order_id"]
    if not orders.is_public_id(value):
        raise ApiError(404, "not_found", "There is no order with this id.")
    return str(value)


def _detail(session: Session, public_id: str) -> AdminOrderDetail:
    order = orders.by_public_id(session, public_id)
    if order is None:
        raise ApiError(404, "not_found", "There is no order with this id.")
    base = AdminOrder.of_admin(
        order, orders.coupon_code(session, order), orders.buyer(session, order.user_id)
    )
    events = [AdminOrderEvent.of(event) for event in orders.events_of(session, order.id or 0)]
    return AdminOrderDetail(**base.model_dump(), events=events)


@requires(Role.ADMIN, Role.MODERATOR)
async def list_orders(request: Request) -> Response:
    """Orders, newest first, with filters.

    ---
    summary: List orders
    description: >-
      Admins and moderators. Filters: `status`, `kind` (course, program, masterclass),
      `item` (a slug), `email` (the buyer's address), `flagged` (PayPal's figures differed
      from ours).
    operationId: adminListOrders
    tags: [admin, payments]
    security: [{session: []}]
    parameters:
      - name: status
        in: query
        schema:
          type: string
          enum: [created, approved, pending, captured, failed, cancelled, refunded]
      - {name: kind, in: query, schema: {type: string, enum: [course, program, masterclass]}}
      - {name: item, in: query, schema: {type: string}}
      - {name: email, in: query, schema: {type: string}}
      - {name: flagged, in: query, schema: {type: boolean}}
      - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    responses:
      "200":
        description: One page of orders.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminOrderList"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    query = read_query(request, OrderListQuery)

    def load(session: Session) -> AdminOrderList:
        rows, total = orders.admin_list(
            session,
            status=query.status.value if query.status else None,
            kind=query.kind.value if query.kind else None,
            item=query.item,
            email=query.email,
            flagged=query.flagged,
            page=query.page,
            per_page=query.per_page,
        )
        return AdminOrderList(
            items=[AdminOrder.of_admin(order, code, user) for order, user, code in rows],
            total=total,
            page=query.page,
            per_page=query.per_page,
        )

    return json_response(await run_in_session(request, load))


@requires(Role.ADMIN, Role.MODERATOR)
async def get_order(request: Request) -> Response:
    """One order with its audit trail.

    ---
    summary: Get an order
    description: >-
      Admins and moderators: the order, its buyer, PayPal's ids and amounts, and every
      step it went through (created, PayPal order, coupon, capture, enrollment, refund…).
    operationId: adminGetOrder
    tags: [admin, payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The order.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminOrderDetail"}
    """
    return json_response(await run_in_session(request, _detail, _order_id(request)))


@requires(Role.ADMIN)
async def refund_order(request: Request) -> Response:
    """Refund a paid order in full through PayPal.

    ---
    summary: Refund an order
    description: >-
      Admins only. Refunds what PayPal captured and, unless `LMS_REFUND_REVOKES_ACCESS` is
      false, ends the enrollments (or master-class registration) the order gave; the buyer
      is emailed. Refunding again changes nothing (200). 202 when PayPal reports the
      refund pending: the webhook completes it. 409 `not_refundable` for an unpaid order,
      502 `refund_failed` when PayPal refuses, 503 `paypal_unavailable`.
    operationId: adminRefundOrder
    tags: [admin, payments]
    security: [{session: []}]
    parameters:
      - {name: order_id, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/RefundRequest"}
    responses:
      "200":
        description: Refunded; the order with its audit trail.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminOrderDetail"}
      "202":
        description: PayPal is processing the refund.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminOrderDetail"}
      "409": {$ref: "#/components/responses/Conflict"}
      "502":
        description: "PayPal refused the refund (`refund_failed`)."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
      "503":
        description: "`paypal_unavailable` or `payments_unavailable`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    actor = await signed_in_user(request)
    public_id = _order_id(request)
    reason = (await read_json(request, RefundRequest, max_bytes=4096)).reason
    _, pending = await Payments.of(request).refund(public_id, by=f"admin:{actor.id}", reason=reason)
    logger.info("Order %s refunded by admin %s (pending: %s)", public_id, actor.id, pending)
    return json_response(await run_in_session(request, _detail, public_id), 202 if pending else 200)


# --- coupons --------------------------------------------------------------------------------------


@requires(Role.ADMIN, Role.INSTRUCTOR)
async def list_coupons(request: Request) -> Response:
    """Coupons the caller manages.

    ---
    summary: List coupons
    description: >-
      Admins see every coupon; instructors the coupons of the courses they teach. Filters:
      `course`, `active`.
    operationId: adminListCoupons
    tags: [admin, payments]
    security: [{session: []}]
    parameters:
      - {name: course, in: query, schema: {type: string}}
      - {name: active, in: query, schema: {type: boolean}}
    responses:
      "200":
        description: The coupons, newest first.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CouponList"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    user = await signed_in_user(request)
    query = read_query(request, CouponListQuery)
    store = request_catalog(request)

    def load(session: Session) -> CouponList:
        found = coupons.listed(
            session, store.current(session), user=user, course=query.course, active=query.active
        )
        return CouponList(coupons=[CouponView.of(coupon) for coupon in found])

    return json_response(await run_in_session(request, load))


@requires(Role.ADMIN, Role.INSTRUCTOR)
async def create_coupon(request: Request) -> Response:
    """Create a coupon.

    ---
    summary: Create a coupon
    description: >-
      A percentage (`"kind": "percent", "value": "20"`) or a fixed amount (`"kind":
      "fixed", "value": "10.00", "currency": "USD"`) off one course (`course`) or, for
      admins only, every course, program and master class (`course` null); optional
      validity window, total limit (`max_redemptions`) and per-student limit. Codes are
      matched in any case; 409 `coupon_code_taken` when one exists. Instructors may only
      create coupons for their own courses (403).
    operationId: adminCreateCoupon
    tags: [admin, payments]
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/CouponCreate"}
    responses:
      "201":
        description: The coupon.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CouponView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, CouponCreate, max_bytes=4096)
    store = request_catalog(request)

    def write(session: Session) -> CouponView:
        return CouponView.of(coupons.create(session, store.current(session), body, user=user))

    view = await run_in_session(request, write)
    logger.info("Coupon %s created by user %s", view.code, user.id)
    return json_response(view, 201)


@requires(Role.ADMIN, Role.INSTRUCTOR)
async def update_coupon(request: Request) -> Response:
    """Deactivate (or reactivate) a coupon.

    ---
    summary: Update a coupon
    description: >-
      `{"active": false}` stops the coupon from being used in new checkouts and captures;
      redemptions already made stay. Instructors only for coupons of their own courses.
    operationId: adminUpdateCoupon
    tags: [admin, payments]
    security: [{session: []}]
    parameters:
      - {name: coupon_id, in: path, required: true, schema: {type: integer}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/CouponUpdate"}
    responses:
      "200":
        description: The coupon.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CouponView"}
    """
    user = await signed_in_user(request)
    coupon_id = read_path_id(request, "coupon_id", "There is no coupon with this id.")
    body = await read_json(request, CouponUpdate, max_bytes=1024)
    store = request_catalog(request)

    def write(session: Session) -> CouponView:
        coupon = coupons.get(session, coupon_id)
        updated = coupons.set_active(
            session, store.current(session), coupon, body.active, user=user
        )
        return CouponView.of(updated)

    return json_response(await run_in_session(request, write))


@requires(Role.ADMIN, Role.MODERATOR)
async def order_receipt(request: Request) -> Response:
    """The PDF receipt of an order, as its buyer downloads it.

    ---
    summary: Download an order's receipt
    description: >-
      Admins and moderators: the buyer's A4 PDF receipt (in the buyer's language) of a paid
      or refunded order, e.g. to answer a student's question. 409 `not_paid` before payment.
    operationId: adminOrderReceipt
    tags: [admin, payments]
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
    return await receipt_response(request, _order_id(request), buyer_id=None)


ORDER = "/api/admin/orders/{order_id:str}"

routes: list[BaseRoute] = [
    Route("/api/admin/orders", list_orders, methods=["GET"], name="admin_list_orders"),
    Route(ORDER, get_order, methods=["GET"], name="admin_get_order"),
    Route(ORDER + "/refund", refund_order, methods=["POST"], name="admin_refund_order"),
    Route(ORDER + "/receipt.pdf", order_receipt, methods=["GET"], name="admin_order_receipt"),
    Route("/api/admin/coupons", list_coupons, methods=["GET"], name="admin_list_coupons"),
    Route("/api/admin/coupons", create_coupon, methods=["POST"], name="admin_create_coupon"),
    Route(
        "/api/admin/coupons/{coupon_id:int}",
        update_coupon,
        methods=["PATCH"],
        name="admin_update_coupon",
    ),
]

schema_models: list[type[BaseModel]] = [
    AdminOrderList,
    AdminOrderDetail,
    RefundRequest,
    CouponList,
    CouponCreate,
    CouponUpdate,
    CouponView,
]
