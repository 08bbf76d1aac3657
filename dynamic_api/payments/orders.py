"""Orders in the database: the state machine, the audit trail, coupon redemptions, and what
a paid order gives (enrollments, a master-class seat) or takes back (a refund).

Every function takes an open :class:`~sqlmodel.Session` and runs inside one transaction; none
talks to PayPal (``checkout.py`` does, between transactions). The states::

    created ──capture──▶ captured ──refund──▶ refunded
       │  ╲                 ▲
       │   ╲──▶ pending ────┘   (PayPal holds the capture; a webhook settles it)
       ▼         │
    cancelled   failed          (declined, denied, or PayPal's figures differ: flagged)

Concurrency: every transition first *locks the order row* (:func:`lock`, an ``UPDATE`` of
the row, which serialises writers on SQLite, PostgreSQL and MariaDB alike) and then reads the
order again, so a reload, a double click, a webhook and a capture racing each other see one
another's result: one enrollment, one receipt. A coupon is redeemed by a conditional
``UPDATE coupons SET redeemed = redeemed + 1 WHERE redeemed < max_redemptions`` before the
money is captured (:func:`reserve_coupon`) and given back if the capture fails
(:func:`release_coupon`), so twenty parallel captures against a limit of five capture five.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning import masterclasses
from dynamic_api.learning.catalog import Catalog
from dynamic_api.learning.enrollment import enroll, get_enrollment, revoke, seat_key, seats_taken
from dynamic_api.models import (
    CapacityCounter,
    Coupon,
    CouponRedemption,
    Enrollment,
    EnrollmentMode,
    EnrollmentStatus,
    MasterclassRegistration,
    Order,
    OrderEvent,
    OrderStatus,
    User,
)
from dynamic_api.payments.money import Money
from dynamic_api.payments.paypal_models import Capture, CaptureStatus
from dynamic_api.payments.pricing import Item, ItemKind, Quote

logger = logging.getLogger(__name__)

#: An unfinished checkout (created, not paid) is offered again for this long (PayPal lets
#: an order wait for its buyer's approval for a few hours).
REUSE_WINDOW = timedelta(hours=1)

#: Fulfilment problems after the money is captured: the order is refunded instead.
UNFULFILLABLE = frozenset({"course_full", "masterclass_full", "masterclass_ended"})

FINAL = frozenset({OrderStatus.CAPTURED.value, OrderStatus.REFUNDED.value})


#: Our order ids as they appear in URLs (what :func:`new_public_id` makes, and a little more).
PUBLIC_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


def is_public_id(value: object) -> bool:
    return isinstance(value, str) and bool(PUBLIC_ID.match(value))


def new_public_id() -> str:
    """16 characters of A-Z and 2-7 (80 random bits): an order's id in URLs, at PayPal
    (``custom_id``, ``invoice_id``) and on receipts."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def _plain(value: Any) -> Any:
    """JSON-safe audit details: money as strings, never floats."""
    if isinstance(value, Money):
        return {"amount": f"{value.amount:f}", "currency": value.currency}
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def add_event(session: Session, order: Order, action: str, **detail: Any) -> None:
    """One line of the order's audit trail."""
    assert order.id is not None
    session.add(OrderEvent(order_id=order.id, action=action, detail=_plain(detail)))
    logger.info("order %s: %s %s", order.public_id, action, _plain(detail) or "")


def lock(session: Session, order_id: int) -> Order:
    """The order, read after locking its row for the rest of the transaction."""
    session.exec(  # type: ignore[call-overload]
        update(Order).where(col(Order.id) == order_id).values(updated_at=utcnow())
    )
    return session.exec(
        select(Order).where(col(Order.id) == order_id).execution_options(populate_existing=True)
    ).one()


def by_public_id(session: Session, public_id: str) -> Order | None:
    if not is_public_id(public_id):
        return None
    return session.exec(select(Order).where(col(Order.public_id) == public_id)).first()


def by_paypal_order(session: Session, paypal_order_id: str) -> Order | None:
    return session.exec(select(Order).where(col(Order.paypal_order_id) == paypal_order_id)).first()


def by_capture(session: Session, capture_id: str) -> Order | None:
    return session.exec(select(Order).where(col(Order.paypal_capture_id) == capture_id)).first()


def events_of(session: Session, order_id: int) -> list[OrderEvent]:
    return list(
        session.exec(
            select(OrderEvent)
            .where(col(OrderEvent.order_id) == order_id)
            .order_by(col(OrderEvent.id))
        ).all()
    )


def count_events(session: Session, order_id: int, action: str) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(OrderEvent)
        .where(col(OrderEvent.order_id) == order_id, col(OrderEvent.action) == action)
    ).one()


def coupon_code(session: Session, order: Order) -> str | None:
    if order.coupon_id is None:
        return None
    return session.exec(select(Coupon.code).where(col(Coupon.id) == order.coupon_id)).first()


# --- what the buyer already has -------------------------------------------------------------


def _holds_course(session: Session, user_id: int, slug: str) -> bool:
    """An active enrollment that gives the whole course (auditors may still buy it)."""
    enrollment = get_enrollment(session, user_id, slug)
    return (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.ACTIVE.value
        and enrollment.mode != EnrollmentMode.AUDIT.value
    )


def already_owned(session: Session, user_id: int, item: Item) -> ApiError | None:
    """409 when buying ``item`` would give the buyer nothing new."""
    if item.kind is ItemKind.MASTERCLASS:
        if masterclasses.is_registered(session, user_id, item.slug):
            return ApiError(
                409, "already_registered", "You are already registered for this master class."
            )
        return None
    if item.courses and all(_holds_course(session, user_id, slug) for slug in item.courses):
        what = "this course" if item.kind is ItemKind.COURSE else "every course of this program"
        return ApiError(409, "already_enrolled", f"You are already enrolled in {what}.")
    return None


def sold_out(
    session: Session, catalog: Catalog | None, user_id: int, item: Item
) -> ApiError | None:
    """409 when no seat is left now (checked again, race-free, when the money is captured)."""
    if catalog is None:
        return None
    if item.kind is ItemKind.MASTERCLASS:
        masterclass = catalog.masterclasses.get(item.slug)
        if masterclass is not None and masterclasses.seats_left(session, masterclass) == 0:
            return ApiError(
                409, "masterclass_full", "This master class is full: every seat is taken."
            )
        return None
    for slug in item.courses:
        index = catalog.course(slug)
        capacity = index.course.capacity if index is not None else None
        if capacity is None:
            continue
        enrollment = get_enrollment(session, user_id, slug)
        if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE.value:
            continue  # an auditor buying the course keeps the seat they have
        if seats_taken(session, seat_key("course", slug)) >= capacity:
            return ApiError(409, "course_full", "This course is full: every seat is taken.")
    return None


# --- creating -------------------------------------------------------------------------------


def create_order(
    session: Session, user_id: int, quote: Quote, *, status: OrderStatus = OrderStatus.CREATED
) -> Order:
    item = quote.item
    order = Order(
        public_id=new_public_id(),
        user_id=user_id,
        kind=item.kind.value,
        item=item.slug,
        item_title=item.title[:300],
        currency=quote.amount.currency,
        list_amount=quote.list_price.amount,
        discount=quote.discount.amount,
        amount=quote.amount.amount,
        coupon_id=quote.coupon.id if quote.coupon is not None else None,
        status=status.value,
    )
    session.add(order)
    session.flush()
    add_event(
        session,
        order,
        "created",
        item=item.sku,
        list_price=quote.list_price,
        discount=quote.discount,
        amount=quote.amount,
        coupon=quote.coupon.code if quote.coupon is not None else None,
    )
    return order


def reusable_order(session: Session, user_id: int, quote: Quote) -> Order | None:
    """A recent unfinished checkout of the same thing at the same price, to resume instead
    of opening another PayPal order (a second click on "Buy")."""
    coupon_id = quote.coupon.id if quote.coupon is not None else None
    return session.exec(
        select(Order)
        .where(
            col(Order.user_id) == user_id,
            col(Order.kind) == quote.item.kind.value,
            col(Order.item) == quote.item.slug,
            col(Order.status) == OrderStatus.CREATED.value,
            col(Order.coupon_id) == coupon_id
            if coupon_id is not None
            else col(Order.coupon_id).is_(None),
            col(Order.currency) == quote.amount.currency,
            col(Order.amount) == quote.amount.amount,
            col(Order.paypal_order_id).is_not(None),
            col(Order.approve_url) != "",
            col(Order.created_at) >= utcnow() - REUSE_WINDOW,
        )
        .order_by(col(Order.id).desc())
    ).first()


def attach_paypal_order(
    session: Session, order_id: int, paypal_order_id: str, approve_url: str
) -> Order:
    order = lock(session, order_id)
    order.paypal_order_id = paypal_order_id
    order.approve_url = approve_url[:500]
    session.add(order)
    add_event(session, order, "paypal_order_created", paypal_order_id=paypal_order_id)
    return order


def fail(session: Session, order_id: int, action: str, failure: str, **detail: Any) -> Order:
    """The order could not go on (PayPal refused to create it, a decline, …)."""
    order = lock(session, order_id)
    if order.status not in FINAL:
        order.status = OrderStatus.FAILED.value
        order.failure = failure[:500]
        session.add(order)
        release_coupon(session, order)
    add_event(session, order, action, failure=failure, **detail)
    return order


def record(session: Session, order_id: int, action: str, **detail: Any) -> Order:
    """An audit line without a state change (a decline the buyer may retry, …)."""
    order = lock(session, order_id)
    add_event(session, order, action, **detail)
    return order


def cancel(session: Session, order_id: int) -> tuple[Order, bool]:
    """The buyer came back through PayPal's cancel link: nothing was paid."""
    order = lock(session, order_id)
    if order.status != OrderStatus.CREATED.value:
        return order, False
    order.status = OrderStatus.CANCELLED.value
    session.add(order)
    release_coupon(session, order)
    add_event(session, order, "cancelled")
    return order, True


# --- coupons ----------------------------------------------------------------------------------


def redemptions_by(session: Session, coupon_id: int, user_id: int) -> int:
    return session.exec(
        select(sa.func.count())
        .select_from(CouponRedemption)
        .where(
            col(CouponRedemption.coupon_id) == coupon_id,
            col(CouponRedemption.user_id) == user_id,
        )
    ).one()


def _has_redemption(session: Session, order: Order) -> bool:
    found = session.exec(
        select(CouponRedemption.id).where(col(CouponRedemption.order_id) == order.id)
    ).first()
    return found is not None


def reserve_coupon(session: Session, order: Order, *, force: bool = False) -> ApiError | None:
    """Count the order's coupon (once per order); call with the order row locked.

    The conditional ``UPDATE`` decides under concurrency: it locks the coupon's row, so a
    second buyer's update waits and then sees the first one's count. The per-buyer limit
    is checked after it, while the lock is held. ``force`` counts it anyway (money PayPal
    captured without our reservation must still be honoured).
    """
    if order.coupon_id is None or _has_redemption(session, order):
        return None
    conditions = [col(Coupon.id) == order.coupon_id]
    if not force:
        conditions += [
            col(Coupon.active).is_(True),
            sa.or_(
                col(Coupon.max_redemptions).is_(None),
                col(Coupon.redeemed) < col(Coupon.max_redemptions),
            ),
        ]
    counted = session.exec(  # type: ignore[call-overload]
        update(Coupon).where(*conditions).values(redeemed=col(Coupon.redeemed) + 1)
    )
    coupon = session.exec(
        select(Coupon)
        .where(col(Coupon.id) == order.coupon_id)
        .execution_options(populate_existing=True)
    ).one()
    if counted.rowcount != 1:
        if not coupon.active:
            return ApiError(409, "coupon_inactive", "This coupon is no longer valid.")
        return ApiError(
            409, "coupon_exhausted", "This coupon has been used as many times as it allows."
        )
    if not force and coupon.per_user_limit is not None:
        if redemptions_by(session, coupon.id or 0, order.user_id) >= coupon.per_user_limit:
            session.exec(  # type: ignore[call-overload]
                update(Coupon)
                .where(col(Coupon.id) == coupon.id)
                .values(redeemed=col(Coupon.redeemed) - 1)
            )
            return ApiError(
                409,
                "coupon_limit_reached",
                "You have already used this coupon as many times as it allows.",
            )
    session.add(CouponRedemption(coupon_id=coupon.id, user_id=order.user_id, order_id=order.id))
    session.flush()
    add_event(session, order, "coupon_redeemed", code=coupon.code, forced=force)
    return None


def release_coupon(session: Session, order: Order) -> None:
    """Give back the order's redemption (a capture that failed); a no-op without one."""
    if order.coupon_id is None:
        return
    removed = session.exec(  # type: ignore[call-overload]
        sa.delete(CouponRedemption).where(col(CouponRedemption.order_id) == order.id)
    )
    if removed.rowcount == 1:
        session.exec(  # type: ignore[call-overload]
            update(Coupon)
            .where(col(Coupon.id) == order.coupon_id, col(Coupon.redeemed) > 0)
            .values(redeemed=col(Coupon.redeemed) - 1)
        )
        add_event(session, order, "coupon_released")


# --- fulfilment -------------------------------------------------------------------------------


def _enroll(session: Session, catalog: Catalog | None, order: Order, slug: str) -> None:
    index = catalog.course(slug) if catalog is not None else None
    if index is None:
        add_event(session, order, "course_unavailable", course=slug)
        return
    if order.kind == ItemKind.PROGRAM.value and _holds_course(session, order.user_id, slug):
        return  # already theirs (bought alone, free, granted): that enrollment stays as it is
    _, changed = enroll(session, order.user_id, index, EnrollmentMode.PAID, source=order.public_id)
    if changed:
        add_event(session, order, "enrolled", course=slug)


def fulfil(session: Session, catalog: Catalog | None, order: Order) -> None:
    """Give what was paid for. Raises 409 ``course_full`` / ``masterclass_full`` /
    ``masterclass_ended`` (the transaction then rolls back and the order is refunded)."""
    if order.kind == ItemKind.MASTERCLASS.value:
        masterclass = catalog.masterclasses.get(order.item) if catalog is not None else None
        if masterclass is None:
            add_event(session, order, "masterclass_unavailable", masterclass=order.item)
            return
        _, changed = masterclasses.register(
            session, order.user_id, masterclass, source=order.public_id
        )
        if changed:
            add_event(session, order, "registered", masterclass=order.item)
        return
    if order.kind == ItemKind.PROGRAM.value:
        program = catalog.programs.get(order.item) if catalog is not None else None
        courses = list(program.courses) if program is not None else []
        if program is None:
            add_event(session, order, "program_unavailable", program=order.item)
    else:
        courses = [order.item]
    for slug in courses:
        _enroll(session, catalog, order, slug)


def revoke_access(session: Session, catalog: Catalog | None, order: Order) -> int:
    """End what this order gave (the enrollments and registration whose source it is)."""
    ended = 0
    enrollments = session.exec(
        select(Enrollment).where(
            col(Enrollment.user_id) == order.user_id,
            col(Enrollment.source) == order.public_id,
            col(Enrollment.status) == EnrollmentStatus.ACTIVE.value,
        )
    ).all()
    for enrollment in enrollments:
        index = catalog.course(enrollment.course) if catalog is not None else None
        revoke(session, enrollment, index, EnrollmentStatus.REVOKED)
        add_event(session, order, "enrollment_revoked", course=enrollment.course)
        ended += 1
    registration = session.exec(
        select(MasterclassRegistration).where(
            col(MasterclassRegistration.user_id) == order.user_id,
            col(MasterclassRegistration.source) == order.public_id,
            col(MasterclassRegistration.status) == masterclasses.ACTIVE,
        )
    ).first()
    if registration is not None:
        masterclass = (
            catalog.masterclasses.get(registration.masterclass) if catalog is not None else None
        )
        if masterclass is not None:
            masterclasses.cancel(session, order.user_id, masterclass)
        else:  # no longer published: end it all the same, and give its seat back
            _release(session, seat_key("masterclass", registration.masterclass))
            registration.status = masterclasses.CANCELLED
            registration.updated_at = utcnow()
            session.add(registration)
        add_event(session, order, "registration_cancelled", masterclass=registration.masterclass)
        ended += 1
    return ended


def _release(session: Session, key: str) -> None:
    session.exec(  # type: ignore[call-overload]
        update(CapacityCounter)
        .where(col(CapacityCounter.key) == key, col(CapacityCounter.taken) > 0)
        .values(taken=col(CapacityCounter.taken) - 1)
    )


# --- settling a capture -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settled:
    """What :func:`settle` did: ``changed`` when this call moved the order (send the receipt
    only then), ``problem`` an error code for the caller to answer with."""

    order: Order
    changed: bool = False
    problem: str | None = None


def _mismatch(order: Order, capture: Capture, paypal_order_id: str | None) -> str | None:
    """Why PayPal's capture is not proof of payment for *this* order, or None."""
    expected = Money(order.amount, order.currency)
    if capture.amount != expected:
        return f"captured {capture.amount}, expected {expected}"
    for name, value in (("custom_id", capture.custom_id), ("invoice_id", capture.invoice_id)):
        if value is not None and value != order.public_id:
            return f"the capture's {name} is {value!r}, not this order"
    related = paypal_order_id or capture.order_id
    if related is not None and order.paypal_order_id and related != order.paypal_order_id:
        return f"the capture belongs to PayPal order {related}, not {order.paypal_order_id}"
    return None


def settle(
    session: Session,
    catalog: Catalog | None,
    order_id: int,
    capture: Capture | None,
    paypal_order_id: str | None = None,
    via: str = "capture",
) -> Settled:
    """Apply PayPal's capture to the order: paid (enroll), pending, declined, or refused
    because its amount, currency or ids differ from ours (flagged, never enrolls)."""
    order = lock(session, order_id)
    if order.status in FINAL:
        return Settled(order)
    if order.flagged:
        return Settled(order, problem="payment_mismatch")
    if capture is None:
        add_event(session, order, "capture_missing", via=via)
        return Settled(order, problem="capture_missing")
    mismatch = _mismatch(order, capture, paypal_order_id)
    if mismatch is not None:
        order.flagged = True
        order.status = OrderStatus.FAILED.value
        order.failure = f"PayPal's figures differ from the order: {mismatch}"[:500]
        order.paypal_capture_id = capture.id
        order.captured_amount = capture.amount.amount
        order.captured_currency = capture.amount.currency
        session.add(order)
        release_coupon(session, order)
        add_event(
            session,
            order,
            "flagged",
            via=via,
            reason=mismatch,
            capture_id=capture.id,
            captured=capture.amount,
            expected=Money(order.amount, order.currency),
        )
        logger.warning("order %s flagged: %s", order.public_id, mismatch)
        return Settled(order, changed=True, problem="payment_mismatch")
    if capture.status is CaptureStatus.COMPLETED:
        order.status = OrderStatus.CAPTURED.value
        order.paypal_capture_id = capture.id
        order.captured_amount = capture.amount.amount
        order.captured_currency = capture.amount.currency
        order.captured_at = utcnow()
        order.failure = ""
        session.add(order)
        problem = reserve_coupon(session, order)
        if problem is not None:  # captured without our reservation: honour it, say so
            reserve_coupon(session, order, force=True)
            add_event(session, order, "coupon_over_limit", reason=problem.code)
        add_event(session, order, "captured", via=via, capture_id=capture.id, amount=capture.amount)
        fulfil(session, catalog, order)
        return Settled(order, changed=True)
    if capture.status is CaptureStatus.PENDING:
        if order.status == OrderStatus.PENDING.value:
            return Settled(order, problem="payment_pending")
        order.status = OrderStatus.PENDING.value
        order.paypal_capture_id = capture.id
        session.add(order)
        add_event(
            session,
            order,
            "capture_pending",
            via=via,
            capture_id=capture.id,
            reason=capture.status_reason,
        )
        return Settled(order, changed=True, problem="payment_pending")
    if capture.status in {CaptureStatus.DECLINED, CaptureStatus.FAILED}:
        order.status = OrderStatus.FAILED.value
        order.failure = f"PayPal {capture.status.value.lower()} the payment"
        order.paypal_capture_id = capture.id
        session.add(order)
        release_coupon(session, order)
        add_event(
            session,
            order,
            "capture_denied",
            via=via,
            capture_id=capture.id,
            status=capture.status.value,
        )
        return Settled(order, changed=True, problem="payment_declined")
    # REFUNDED / PARTIALLY_REFUNDED before we ever saw it completed: leave it to an admin.
    add_event(session, order, "capture_unexpected", via=via, status=capture.status.value)
    return Settled(order, problem="capture_unexpected")


def refund_unfulfillable(
    session: Session,
    order_id: int,
    capture: Capture,
    refund_id: str | None,
    code: str,
) -> Order:
    """The money was captured but the seat is gone (full, ended): record the capture and
    the automatic refund in one go; nothing was given."""
    order = lock(session, order_id)
    if order.status in FINAL:
        return order
    now = utcnow()
    order.paypal_capture_id = capture.id
    order.captured_amount = capture.amount.amount
    order.captured_currency = capture.amount.currency
    order.captured_at = now
    order.status = OrderStatus.REFUNDED.value if refund_id else OrderStatus.FAILED.value
    order.refunded_amount = capture.amount.amount if refund_id else None
    order.paypal_refund_id = refund_id
    order.refunded_at = now if refund_id else None
    order.failure = code
    order.flagged = refund_id is None  # money kept without a seat: an admin must look
    session.add(order)
    release_coupon(session, order)
    add_event(
        session,
        order,
        "auto_refunded" if refund_id else "auto_refund_failed",
        reason=code,
        capture_id=capture.id,
        refund_id=refund_id,
    )
    return order


# --- refunds ------------------------------------------------------------------------------------


def refundable(order: Order) -> bool:
    """Paid, or money PayPal captured that we refused (a flagged order: give it back)."""
    if order.status == OrderStatus.CAPTURED.value:
        return True
    return (
        order.status == OrderStatus.FAILED.value
        and order.flagged
        and order.paypal_capture_id is not None
    )


def mark_refunded(
    session: Session,
    catalog: Catalog | None,
    order_id: int,
    *,
    refund_id: str | None,
    amount: Decimal | None,
    by: str,
    reason: str = "",
    revoke_access_too: bool = True,
) -> tuple[Order, bool]:
    """Record a full refund (once) and, by default, end the access it paid for."""
    order = lock(session, order_id)
    if order.status == OrderStatus.REFUNDED.value:
        return order, False
    if not refundable(order):
        raise ApiError(409, "not_refundable", f"This order is {order.status}, not paid.")
    order.status = OrderStatus.REFUNDED.value
    order.refunded_amount = amount if amount is not None else order.captured_amount
    order.paypal_refund_id = refund_id or order.paypal_refund_id
    order.refunded_at = utcnow()
    session.add(order)
    add_event(
        session,
        order,
        "refunded",
        by=by,
        reason=reason[:500],
        refund_id=refund_id,
        amount=order.refunded_amount,
    )
    if revoke_access_too:
        revoke_access(session, catalog, order)
    return order, True


# --- reading ------------------------------------------------------------------------------------


def buyer(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def orders_of(session: Session, user_id: int) -> list[Order]:
    """A student's payment history, newest first: what was paid, pending or refunded, and
    the failures where PayPal took a capture (declined, refused); not the checkouts left
    unfinished or cancelled."""
    shown = [OrderStatus.CAPTURED.value, OrderStatus.REFUNDED.value, OrderStatus.PENDING.value]
    return list(
        session.exec(
            select(Order)
            .where(
                col(Order.user_id) == user_id,
                sa.or_(
                    col(Order.status).in_(shown),
                    sa.and_(
                        col(Order.status) == OrderStatus.FAILED.value,
                        col(Order.paypal_capture_id).is_not(None),
                    ),
                ),
            )
            .order_by(col(Order.created_at).desc(), col(Order.id).desc())
        ).all()
    )


def admin_list(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    item: str | None = None,
    email: str | None = None,
    flagged: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[tuple[Order, User | None, str | None]], int]:
    """Orders with their buyer and coupon code, newest first, filtered; and the total."""
    conditions: list[Any] = []
    if status is not None:
        conditions.append(col(Order.status) == status)
    if kind is not None:
        conditions.append(col(Order.kind) == kind)
    if item is not None:
        conditions.append(col(Order.item) == item)
    if flagged is not None:
        conditions.append(col(Order.flagged).is_(flagged))
    if email:
        conditions.append(col(User.email_normalized) == email.strip().lower())
    query = (
        select(Order, User, Coupon.code)
        .join(User, col(User.id) == col(Order.user_id), isouter=True)
        .join(Coupon, col(Coupon.id) == col(Order.coupon_id), isouter=True)
        .where(*conditions)
    )
    counted = (
        select(sa.func.count())
        .select_from(Order)
        .join(User, col(User.id) == col(Order.user_id), isouter=True)
        .where(*conditions)
    )
    total = session.exec(counted).one()
    rows = session.exec(
        query.order_by(col(Order.created_at).desc(), col(Order.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(order, user, code) for order, user, code in rows], total
