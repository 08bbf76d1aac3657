"""The payment flows: quote, checkout, capture, PayPal's webhooks, refunds.

Each flow alternates short database transactions (``orders.py``, run through ``db``) with
PayPal calls made *between* them, never inside one: a PayPal call may take seconds (retries,
a slow network), and a transaction held open that long would block other buyers' rows.

Why the flows are safe to repeat and to race (README, "Payments"):

- Checkout creates our order first and then the PayPal order with ``PayPal-Request-Id:
  create-<order>``; a second "Buy" click within an hour resumes the unfinished order.
- Capture reserves the coupon (conditional update), then captures with ``PayPal-Request-Id:
  capture-<order>``, so a double click or a reload gets PayPal's first answer again instead
  of a second charge; the answer is applied under the order's row lock (``orders.settle``),
  so the capture call and the webhook racing it enroll once and send one receipt.
- PayPal's answer is not proof of payment until the capture is ``COMPLETED`` and its amount,
  currency and ids equal our order's; otherwise the order is flagged and nothing is given.
- A webhook is verified by PayPal (``verify-webhook-signature``), de-duplicated by its event
  id, and only a hint: the capture is read back from PayPal before anything changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.requests import Request

from dynamic_api.auth import CurrentUser
from dynamic_api.db import DEADLOCK_RETRIES, is_deadlock, run_in_session, session_scope, utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog, CatalogStore
from dynamic_api.learning.masterclasses import confirmation_email
from dynamic_api.models import Order, OrderStatus, PaymentEvent
from dynamic_api.payments import coupons, orders
from dynamic_api.payments.money import paypal_supports
from dynamic_api.payments.paypal import PayPalClient
from dynamic_api.payments.paypal_errors import (
    PayPalError,
    PayPalInvalidResponse,
    PayPalNotConfigured,
    PayPalUnavailable,
)
from dynamic_api.payments.paypal_models import (
    Capture,
    CaptureStatus,
    WebhookEvent,
    parse_webhook_event,
)
from dynamic_api.payments.pricing import ItemKind, Quote, find_item, quote
from dynamic_api.payments.receipts import facts, receipt_email, refund_email
from dynamic_api.upsert import insert_or_ignore
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: ``await db(fn, *args)`` runs ``fn(session, *args)`` in one transaction (in a thread).
Db = Callable[..., Awaitable[Any]]

CAPTURE_EVENTS = {"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.PENDING"}
REFUND_EVENTS = {"PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"}

PROBLEMS: dict[str, tuple[int, str]] = {
    "payment_mismatch": (
        409,
        "PayPal reports a payment that does not match this order, so it was not accepted. "
        "The school has been told and will sort it out with you.",
    ),
    "payment_declined": (
        402,
        "PayPal declined the payment. Choose another way to pay at PayPal, or try again later.",
    ),
    "capture_missing": (502, "PayPal did not confirm the payment. Please try again."),
    "capture_unexpected": (
        409,
        "PayPal reports this payment in an unexpected state; the school will look into it.",
    ),
}


def unavailable(exc: Exception | None = None) -> ApiError:
    if exc is not None:
        logger.warning("PayPal unavailable: %s", exc)
    return ApiError(
        503,
        "paypal_unavailable",
        "PayPal did not answer. Please try again in a moment: you will not be charged twice.",
        headers={"Retry-After": "5"},
    )


def _problem(code: str) -> ApiError:
    status, message = PROBLEMS[code]
    return ApiError(status, code, message)


def engine_db(engine: Engine) -> Db:
    """A ``db`` for code outside a request (the command line): the same transactions, in a
    worker thread, retried on deadlocks like ``run_in_session``."""

    async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            for attempt in range(DEADLOCK_RETRIES + 1):
                try:
                    with session_scope(engine) as session:
                        return fn(session, *args, **kwargs)
                except sa.exc.DBAPIError as exc:
                    if attempt == DEADLOCK_RETRIES or not is_deadlock(exc):
                        raise
                    time.sleep(0.01 * (attempt + 1))
            raise AssertionError("unreachable")  # pragma: no cover

        return await asyncio.to_thread(call)

    return db


def site_base(request: Request, settings: Settings) -> str:
    """Where PayPal sends the buyer back: the site the checkout was started from.

    ``LMS_SITE_URL``, unless the request comes from a page on another origin that the API
    trusts (one of ``LMS_ALLOWED_ORIGINS``, or the API's own host, as under ``lms serve``):
    then that origin, with the site's path. Never an origin the API does not trust.
    """
    site = settings.site_url.rstrip("/")
    origin = (request.headers.get("origin") or "").rstrip("/")
    if not origin or origin == "null":
        return site
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
        return site
    trusted = origin in settings.allowed_origin_list() or (
        parts.netloc.lower() == request.headers.get("host", "").lower()
    )
    if not trusted:
        return site
    return origin + urlsplit(site).path.rstrip("/")


@dataclass(frozen=True)
class Checkout:
    """What ``POST /api/checkout`` gives back."""

    order: Order
    coupon: str | None


@dataclass
class Payments:
    """The flows, bound to one database runner, PayPal client, catalog and mailer."""

    settings: Settings
    paypal: PayPalClient | None
    db: Db
    catalogs: CatalogStore
    send: Callable[[EmailMessage], object]

    @classmethod
    def of(cls, request: Request) -> Payments:
        state = request.app.state
        return cls(
            settings=state.settings,
            paypal=getattr(state, "paypal", None),
            db=partial(run_in_session, request),
            catalogs=state.catalog,
            send=state.mailer.send,
        )

    def client(self) -> PayPalClient:
        if self.paypal is None:
            raise ApiError(
                503,
                "payments_unavailable",
                "Payments are not set up on this server yet (LMS_PAYPAL_BASE_URL).",
            )
        return self.paypal

    # --- quotes ---------------------------------------------------------------------------------

    async def quote(
        self, kind: ItemKind, slug: str, code: str | None, user: CurrentUser | None
    ) -> Quote:
        def load(session: Session) -> Quote:
            item = find_item(self.catalogs.current(session), kind, slug)
            return self._quote(session, item, code, user.id if user else None)

        result: Quote = await self.db(load)
        return result

    def _quote(self, session: Session, item: Any, code: str | None, user_id: int | None) -> Quote:
        coupon = coupons.by_code(session, code) if code else None
        used = 0
        if coupon is not None and coupon.id is not None and user_id is not None:
            used = orders.redemptions_by(session, coupon.id, user_id)
        return quote(
            item, coupon, code_given=bool(code and code.strip()), now=utcnow(), used_by_buyer=used
        )

    # --- checkout -------------------------------------------------------------------------------

    async def checkout(
        self, user: CurrentUser, kind: ItemKind, slug: str, code: str | None, site: str
    ) -> Checkout:
        """Our order and, unless a coupon makes it free, a PayPal order to approve."""

        def prepare(session: Session) -> tuple[Order, str, str, str | None]:
            catalog = self.catalogs.current(session)
            item = find_item(catalog, kind, slug)
            if item.ends_at is not None and utcnow() >= item.ends_at:
                raise ApiError(409, "masterclass_ended", "This master class is over.")
            refused = orders.already_owned(session, user.id, item) or orders.sold_out(
                session, catalog, user.id, item
            )
            if refused is not None:
                raise refused
            priced = self._quote(session, item, code, user.id)
            if not paypal_supports(priced.amount.currency):
                raise ApiError(
                    409,
                    "currency_not_supported",
                    f"Payments in {priced.amount.currency} are not possible here.",
                )
            if not priced.free:
                self.client()  # 503 before any order exists when payments are off
            brand = catalog.manifest.site_name if catalog is not None else ""
            coupon_code = priced.coupon.code if priced.coupon is not None else None
            if priced.free:
                return (
                    self._free_order(session, catalog, user.id, priced),
                    "free",
                    brand,
                    coupon_code,
                )
            found = orders.reusable_order(session, user.id, priced)
            if found is not None:
                return found, "resumed", brand, coupon_code
            return orders.create_order(session, user.id, priced), "new", brand, coupon_code

        order, how, brand, coupon_code = await self.db(prepare)
        if how == "free":
            await self._send_receipt(order)
            return Checkout(order, coupon_code)
        if how == "resumed":
            return Checkout(order, coupon_code)
        back = f"{site}/account/checkout/?"
        client = self.client()
        try:
            created = await client.create_order(
                amount=order.amount,
                currency=order.currency,
                item_name=order.item_title or order.item,
                item_sku=f"{order.kind}:{order.item}"[:127],
                custom_id=order.public_id,
                invoice_id=order.public_id,
                description=(order.item_title or order.item)[:127],
                brand_name=brand or None,
                return_url=back + urlencode({"order": order.public_id}),
                cancel_url=back + urlencode({"order": order.public_id, "cancelled": "1"}),
                request_id=f"create-{order.public_id}",
            )
        except PayPalUnavailable as exc:
            await self.db(orders.fail, order.id, "paypal_order_failed", "PayPal did not answer")
            raise unavailable(exc) from None
        except PayPalError as exc:
            await self.db(orders.fail, order.id, "paypal_order_failed", str(exc))
            logger.error("PayPal refused to create order %s: %s", order.public_id, exc)
            raise ApiError(
                502, "paypal_error", "PayPal refused the payment. Please try again later."
            ) from None
        if not created.approve_url:
            await self.db(orders.fail, order.id, "paypal_order_failed", "no approval link")
            raise ApiError(502, "paypal_error", "PayPal gave no approval link. Please try again.")
        order = await self.db(orders.attach_paypal_order, order.id, created.id, created.approve_url)
        return Checkout(order, coupon_code)

    def _free_order(
        self, session: Session, catalog: Catalog | None, user_id: int, priced: Quote
    ) -> Order:
        """A coupon covers the whole price: paid at once, no PayPal (one transaction, so a
        coupon used up in the meantime leaves nothing behind)."""
        order = orders.create_order(session, user_id, priced)
        problem = orders.reserve_coupon(session, order)
        if problem is not None:
            raise problem
        order.status = OrderStatus.CAPTURED.value
        order.captured_amount = order.amount
        order.captured_currency = order.currency
        order.captured_at = utcnow()
        session.add(order)
        orders.add_event(session, order, "captured", via="coupon", amount=priced.amount)
        orders.fulfil(session, catalog, order)
        return order

    # --- the buyer's own orders -------------------------------------------------------------------

    async def own_order(self, user_id: int | None, public_id: str) -> tuple[Order, str | None]:
        def load(session: Session) -> tuple[Order, str | None]:
            order = orders.by_public_id(session, public_id)
            if order is None or (user_id is not None and order.user_id != user_id):
                raise ApiError(404, "not_found", "There is no order with this id.")
            return order, orders.coupon_code(session, order)

        result: tuple[Order, str | None] = await self.db(load)
        return result

    async def cancel(self, user_id: int, public_id: str) -> Order:
        order, _ = await self.own_order(user_id, public_id)
        cancelled, _changed = await self.db(orders.cancel, order.id)
        return cancelled  # type: ignore[no-any-return]

    # --- capture --------------------------------------------------------------------------------

    async def capture(self, user_id: int | None, public_id: str) -> Order:
        """Capture the approved PayPal order and enroll; idempotent."""

        def claim(session: Session) -> tuple[Order, str, int]:
            order = orders.by_public_id(session, public_id)
            if order is None or (user_id is not None and order.user_id != user_id):
                raise ApiError(404, "not_found", "There is no order with this id.")
            order = orders.lock(session, order.id or 0)
            if order.status in orders.FINAL:
                return order, "done", 0
            if order.flagged:
                raise _problem("payment_mismatch")
            if order.status == OrderStatus.PENDING.value:
                return order, "pending", 0
            if order.status == OrderStatus.CANCELLED.value:
                raise ApiError(409, "order_cancelled", "This checkout was cancelled: start again.")
            if order.status == OrderStatus.FAILED.value:
                raise ApiError(
                    409, "payment_failed", "This payment did not go through: start again."
                )
            if not order.paypal_order_id:
                raise ApiError(409, "not_started", "This order has no PayPal payment to capture.")
            problem = orders.reserve_coupon(session, order)
            if problem is not None:
                order.status = OrderStatus.FAILED.value
                order.failure = problem.code
                session.add(order)
                orders.add_event(session, order, "coupon_refused", reason=problem.code)
                return order, problem.code, 0
            return order, "capture", orders.count_events(session, order.id or 0, "capture_declined")

        order, state, declines = await self.db(claim)
        if state == "done":
            return order
        if state.startswith("coupon_"):
            status, message = 409, "This coupon has been used as many times as it allows."
            if state == "coupon_limit_reached":
                message = "You have already used this coupon as many times as it allows."
            elif state == "coupon_inactive":
                message = "This coupon is no longer valid."
            raise ApiError(status, state, message + " Nothing was charged: start again without it.")
        client = self.client()
        if state == "pending":
            try:
                capture = await client.get_capture(order.paypal_capture_id or "")
            except PayPalUnavailable as exc:
                raise unavailable(exc) from None
            except PayPalError as exc:
                logger.error("PayPal cannot find capture of order %s: %s", order.public_id, exc)
                raise ApiError(502, "paypal_error", "PayPal did not confirm the payment.") from None
            return await self._settle(order, capture, None, "capture")
        assert order.paypal_order_id is not None
        request_id = f"capture-{order.public_id}" + (f"-{declines}" if declines else "")
        try:
            captured = await client.capture_order(order.paypal_order_id, request_id=request_id)
        except PayPalUnavailable as exc:
            raise unavailable(exc) from None  # the reservation stays: it may have gone through
        except PayPalError as exc:
            if exc.has_issue("ORDER_ALREADY_CAPTURED"):
                try:
                    captured = await client.get_order(order.paypal_order_id)
                except PayPalUnavailable as again:
                    raise unavailable(again) from None
            elif exc.has_issue("ORDER_NOT_APPROVED"):
                await self.db(self._release, order.id, "capture_not_approved")
                raise ApiError(
                    409, "order_not_approved", "Approve the payment at PayPal first."
                ) from None
            elif exc.declined:
                await self.db(self._release, order.id, "capture_declined", str(exc))
                raise _problem("payment_declined") from None
            else:
                await self.db(orders.fail, order.id, "capture_refused", str(exc))
                logger.error("PayPal refused to capture order %s: %s", order.public_id, exc)
                raise ApiError(
                    502, "paypal_error", "PayPal refused the payment. Nothing was charged."
                ) from None
        return await self._settle(order, captured.capture, captured.id, "capture")

    @staticmethod
    def _release(session: Session, order_id: int, action: str, detail: str = "") -> None:
        """Not captured (yet): give the coupon back; the buyer may approve again."""
        order = orders.lock(session, order_id)
        orders.release_coupon(session, order)
        orders.add_event(session, order, action, detail=detail[:300])

    async def _settle(
        self, order: Order, capture: Capture | None, paypal_order_id: str | None, via: str
    ) -> Order:
        def apply(session: Session) -> orders.Settled:
            catalog = self.catalogs.current(session)
            return orders.settle(session, catalog, order.id or 0, capture, paypal_order_id, via)

        try:
            settled: orders.Settled = await self.db(apply)
        except ApiError as exc:
            if exc.code not in orders.UNFULFILLABLE or capture is None:
                raise
            await self._refund_unfulfillable(order, capture, exc.code)
            raise ApiError(409, exc.code, f"{exc.message} Your payment was refunded.") from None
        if settled.changed and settled.order.status == OrderStatus.CAPTURED.value:
            await self._send_receipt(settled.order)
        if settled.problem in PROBLEMS:
            raise _problem(settled.problem)
        return settled.order

    async def _refund_unfulfillable(self, order: Order, capture: Capture, code: str) -> None:
        refund_id = None
        try:
            refund = await self.client().refund_capture(
                capture.id,
                note_to_payer="No seat was left; your payment is returned in full.",
                request_id=f"refund-{order.public_id}",
            )
            refund_id = refund.id
        except PayPalError as exc:  # the money stays captured: the order is flagged for an admin
            logger.error("Automatic refund of order %s failed: %s", order.public_id, exc)
        await self.db(orders.refund_unfulfillable, order.id, capture, refund_id, code)

    # --- webhooks -------------------------------------------------------------------------------

    async def webhook(self, headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
        """Verify, de-duplicate and apply one PayPal webhook; ``(status, outcome)``."""
        client = self.client()
        try:
            genuine = await client.verify_webhook_signature(headers, body)
        except PayPalUnavailable as exc:
            raise unavailable(exc) from None
        except PayPalNotConfigured:
            raise ApiError(
                503, "payments_unavailable", "LMS_PAYPAL_WEBHOOK_ID is not set."
            ) from None
        except PayPalError as exc:
            logger.warning("PayPal refused to verify a webhook: %s", exc)
            genuine = False
        if not genuine:
            raise ApiError(400, "invalid_signature", "The webhook's signature does not verify.")
        try:
            event = parse_webhook_event(body)
        except PayPalInvalidResponse:
            raise ApiError(
                400, "invalid_event", "The webhook's body is not a PayPal event."
            ) from None
        fresh = await self.db(_record_event, event)
        if not fresh:
            return "duplicate", "already processed"
        outcome = await self._apply(event)
        await self.db(_processed, event.id, outcome)
        return ("processed" if outcome != "ignored" else "ignored"), outcome

    async def _apply(self, event: WebhookEvent) -> str:
        client = self.client()
        if event.event_type in CAPTURE_EVENTS:
            if not event.resource_id:
                return "no capture id"
            try:
                capture = await client.get_capture(
                    event.resource_id
                )  # PayPal's word, not the event's
            except PayPalUnavailable as exc:
                raise unavailable(exc) from None
            except PayPalError as exc:
                return f"capture not found at PayPal ({exc.name})"
            order = await self.db(_order_for_capture, capture, event.order_id)
            if order is None:
                return "no order for this capture"
            try:
                settled = await self._settle(order, capture, capture.order_id, "webhook")
            except ApiError as exc:
                return f"order {order.public_id}: {exc.code}"
            return f"order {settled.public_id}: {settled.status}"
        if event.event_type in REFUND_EVENTS:
            refund = event.refund()
            capture_id = refund.capture_id if refund is not None else None
            if not capture_id:
                return "no capture id"
            try:
                capture = await client.get_capture(capture_id)
            except PayPalUnavailable as exc:
                raise unavailable(exc) from None
            except PayPalError as exc:
                return f"capture not found at PayPal ({exc.name})"
            order = await self.db(_order_for_capture, capture, None)
            if order is None:
                return "no order for this capture"
            if capture.status is not CaptureStatus.REFUNDED:
                await self.db(
                    orders.record,
                    order.id,
                    "partial_refund",
                    via="webhook",
                    refund_id=refund.id if refund else None,
                    capture_status=capture.status.value,
                )
                return f"order {order.public_id}: capture {capture.status.value.lower()}"
            try:
                refunded = await self._mark_refunded(
                    order,
                    refund_id=refund.id if refund is not None else None,
                    by=f"paypal:{event.event_type.rsplit('.', 1)[-1].lower()}",
                    reason=event.summary or "",
                )
            except ApiError as exc:
                return f"order {order.public_id}: {exc.code}"
            return f"order {refunded.public_id}: {refunded.status}"
        return "ignored"

    # --- refunds --------------------------------------------------------------------------------

    async def refund(self, public_id: str, *, by: str, reason: str = "") -> tuple[Order, bool]:
        """Refund a paid order in full through PayPal; ``(order, pending)``."""
        order, _ = await self.own_order(None, public_id)
        if order.status == OrderStatus.REFUNDED.value:
            return order, False
        if not orders.refundable(order):
            raise ApiError(409, "not_refundable", f"This order is {order.status}, not paid.")
        if not order.paypal_capture_id:  # made free by a coupon: nothing to send back
            return await self._mark_refunded(order, refund_id=None, by=by, reason=reason), False
        client = self.client()
        try:
            refund = await client.refund_capture(
                order.paypal_capture_id,
                note_to_payer=reason[:255] or None,
                request_id=f"refund-{order.public_id}",
            )
        except PayPalUnavailable as exc:
            raise unavailable(exc) from None
        except PayPalError as exc:
            if not exc.has_issue("CAPTURE_FULLY_REFUNDED"):
                raise ApiError(
                    502, "refund_failed", f"PayPal refused the refund: {exc.message}"
                ) from None
            refunded = await self._mark_refunded(order, refund_id=None, by=by, reason=reason)
            return refunded, False
        if refund.status.value == "COMPLETED":
            amount = refund.amount.amount if refund.amount is not None else None
            refunded = await self._mark_refunded(
                order, refund_id=refund.id, by=by, reason=reason, amount=amount
            )
            return refunded, False
        if refund.status.value == "PENDING":
            noted = await self.db(_refund_pending, order.id, refund.id, by, reason)
            return noted, True
        raise ApiError(502, "refund_failed", f"PayPal's refund is {refund.status.value.lower()}.")

    async def _mark_refunded(
        self, order: Order, *, refund_id: str | None, by: str, reason: str, amount: Any = None
    ) -> Order:
        revoke = self.settings.refund_revokes_access

        def write(session: Session) -> tuple[Order, bool]:
            return orders.mark_refunded(
                session,
                self.catalogs.current(session),
                order.id or 0,
                refund_id=refund_id,
                amount=amount,
                by=by,
                reason=reason,
                revoke_access_too=revoke,
            )

        refunded, changed = await self.db(write)
        if changed:
            await self._send(refunded, refund=True)
        return refunded  # type: ignore[no-any-return]

    # --- email ----------------------------------------------------------------------------------

    async def _send_receipt(self, order: Order) -> None:
        await self._send(order, refund=False)

    async def _send(self, order: Order, *, refund: bool) -> None:
        def load(session: Session) -> tuple[Any, str | None, str, Any]:
            catalog = self.catalogs.current(session)
            school = catalog.manifest.site_name if catalog is not None else ""
            masterclass = None
            if catalog is not None and order.kind == ItemKind.MASTERCLASS.value:
                masterclass = catalog.masterclasses.get(order.item)
            buyer = orders.buyer(session, order.user_id)
            return buyer, orders.coupon_code(session, order), school, masterclass

        try:
            user, code, school, masterclass = await self.db(load)
            if user is None:
                return
            receipt = facts(self.settings, order, user, code, school)
            if refund:
                message = refund_email(
                    self.settings, receipt, revoked=self.settings.refund_revokes_access
                )
            else:
                message = receipt_email(self.settings, receipt)
            self.send(message)
            if masterclass is not None and not refund and order.status == "captured":
                # what a free registration sends too: the confirmation with the .ics file
                self.send(
                    confirmation_email(
                        self.settings,
                        to=user.email,
                        name=user.name,
                        language=user.language,
                        masterclass=masterclass,
                    )
                )
        except Exception:  # the payment stands; a lost email must not turn it into a 500
            logger.exception(
                "Could not send the %s email of order %s",
                "refund" if refund else "receipt",
                order.public_id,
            )


# --- small transactions -----------------------------------------------------------------------


def _record_event(session: Session, event: WebhookEvent) -> bool:
    """Keep the event by id; False when it was processed before (a replay)."""
    insert_or_ignore(
        session,
        PaymentEvent,
        event_id=event.id[:64],
        event_type=event.event_type[:64],
        resource_id=(event.resource_id or "")[:64],
        payload=event.raw,
    )
    processed = session.exec(
        select(PaymentEvent.processed_at).where(col(PaymentEvent.event_id) == event.id[:64])
    ).first()
    return processed is None


def _processed(session: Session, event_id: str, outcome: str) -> None:
    row = session.exec(
        select(PaymentEvent).where(col(PaymentEvent.event_id) == event_id[:64])
    ).one()
    row.processed_at = utcnow()
    row.outcome = outcome[:200]
    session.add(row)


def _order_for_capture(session: Session, capture: Capture, order_id: str | None) -> Order | None:
    found = orders.by_capture(session, capture.id)
    for paypal_order in (capture.order_id, order_id):
        if found is None and paypal_order:
            found = orders.by_paypal_order(session, paypal_order)
    if found is None and capture.custom_id:
        found = orders.by_public_id(session, capture.custom_id)
    return found


def _refund_pending(session: Session, order_id: int, refund_id: str, by: str, reason: str) -> Order:
    order = orders.lock(session, order_id)
    order.paypal_refund_id = refund_id
    session.add(order)
    orders.add_event(
        session, order, "refund_pending", by=by, reason=reason[:500], refund_id=refund_id
    )
    return order
