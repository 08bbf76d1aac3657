"""Orders, coupons and PayPal webhook events.

Money is ``NUMERIC(12, 3)`` (every ISO 4217 currency has at most 3 minor digits) with its
currency code beside it; never a float. An order moves ``created → captured`` (or
``pending`` while PayPal reviews a capture, ``failed``, ``cancelled``), and ``captured →
refunded``; every step is also written to ``order_events``, the audit trail of PayPal ids
and amounts (``dynamic_api/payments/orders.py`` holds the state machine).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS
from dynamic_api.models.learning import SLUG_LENGTH

MONEY = sa.Numeric(12, 3)


class OrderStatus(StrEnum):
    CREATED = "created"
    APPROVED = "approved"
    #: PayPal accepted the capture but holds it (``PENDING``): not paid until a webhook.
    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    #: Our id, sent to PayPal as ``custom_id`` and ``invoice_id``.
    public_id: str = Field(max_length=32, unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=12)  # course | program | masterclass
    item: str = Field(max_length=SLUG_LENGTH)
    item_title: str = Field(default="", max_length=300)
    currency: str = Field(max_length=3)
    list_amount: Decimal = Field(sa_type=MONEY)
    discount: Decimal = Field(default=Decimal(0), sa_type=MONEY)
    amount: Decimal = Field(sa_type=MONEY)
    coupon_id: int | None = Field(default=None, foreign_key="coupons.id", ondelete="SET NULL")
    status: str = Field(default=OrderStatus.CREATED.value, max_length=12, index=True)
    paypal_order_id: str | None = Field(default=None, max_length=64, unique=True)
    #: Where the buyer approves the PayPal order (kept to resume an unfinished checkout).
    approve_url: str = Field(default="", max_length=500)
    paypal_capture_id: str | None = Field(default=None, max_length=64, index=True)
    captured_amount: Decimal | None = Field(default=None, sa_type=MONEY)
    captured_currency: str | None = Field(default=None, max_length=3)
    refunded_amount: Decimal | None = Field(default=None, sa_type=MONEY)
    paypal_refund_id: str | None = Field(default=None, max_length=64)
    #: Set when PayPal's figures disagree with ours (tampering): never enrolls.
    flagged: bool = False
    failure: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    captured_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refunded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrderEvent(SQLModel, table=True):
    """One step of an order, with the PayPal ids and amounts involved."""

    __tablename__ = "order_events"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(max_length=40)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class Coupon(SQLModel, table=True):
    __tablename__ = "coupons"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    #: Upper-case; codes are matched case-insensitively.
    code: str = Field(max_length=40, unique=True)
    kind: str = Field(max_length=10)  # percent | fixed
    #: Percent (0 to 100) or an amount in ``currency``.
    value: Decimal = Field(sa_type=MONEY)
    currency: str | None = Field(default=None, max_length=3)
    #: One course's slug, or None for every course.
    course: str | None = Field(default=None, max_length=SLUG_LENGTH)
    valid_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_redemptions: int | None = None
    per_user_limit: int | None = None
    #: Redemptions so far: raised by a conditional update at capture (race-safe).
    redeemed: int = 0
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CouponRedemption(SQLModel, table=True):
    __tablename__ = "coupon_redemptions"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    coupon_id: int = Field(foreign_key="coupons.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaymentEvent(SQLModel, table=True):
    """A PayPal webhook event, kept by id so a replay is recognised and ignored."""

    __tablename__ = "payment_events"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    event_type: str = Field(max_length=64)
    resource_id: str = Field(default="", max_length=64)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="", max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
