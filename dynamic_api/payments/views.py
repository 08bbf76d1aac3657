"""The JSON shapes of the payment endpoints, as pydantic models (also the OpenAPI schemas),
and the functions that fill them from orders, coupons and quotes.

Money is always a decimal string with its ISO 4217 code beside it, never a number.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from dynamic_api.fields import Slug
from dynamic_api.models import Coupon, Order, OrderEvent, OrderStatus, User
from dynamic_api.payments.money import (
    InvalidAmount,
    Money,
    UnknownCurrency,
    minor_units,
    normalize_currency,
    paypal_supports,
)
from dynamic_api.payments.pricing import ITEM_PATHS, ItemKind, Quote, normalize_code

#: Coupon codes: letters, digits, ``-`` and ``_`` (stored upper-case).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"


def money_text(amount: Decimal | None, currency: str) -> str | None:
    """``amount`` as PayPal and receipts write it: exactly the currency's minor units."""
    if amount is None:
        return None
    return f"{Money.of(amount, currency).amount:f}"


def item_path(kind: str, slug: str) -> str:
    try:
        return ITEM_PATHS[ItemKind(kind)].format(slug=slug)
    except ValueError:
        return ""


# --- requests -----------------------------------------------------------------------------------


def _decimal_text(value: object) -> object:
    """A decimal string or an integer; a JSON float has already lost its cents."""
    if isinstance(value, (bool, float)):
        raise ValueError('Write the amount as a string, e.g. "12.50".')
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise ValueError('Write the amount as a string, e.g. "12.50".')
    try:
        parsed = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("Enter a number such as 12.50.") from None
    if not parsed.is_finite() or parsed <= 0 or "e" in value.lower():
        raise ValueError("Enter a positive number such as 12.50.")
    return value.strip()


def _coupon_code(value: str) -> str:
    return normalize_code(value)


def _utc(value: object) -> object:
    """A date means midnight UTC; a date-time without a zone is UTC."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return datetime.combine(date.fromisoformat(value.strip()), time(), UTC)
        except ValueError:
            return value
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None


def _field_errors(model: BaseModel, problems: dict[str, str]) -> ValidationError:
    """Rules that span fields, each reported against the field the user must change.

    Raised from a model validator, pydantic keeps each ``loc``, so the API's ``fields`` (and
    a form) show the message beside that input instead of as a sentence about the body.
    """
    return ValidationError.from_exception_data(
        type(model).__name__,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", message),
                loc=(field,),
                input=getattr(model, field),
            )
            for field, message in problems.items()
        ],
    )


CouponCode = Annotated[
    str, Field(min_length=3, max_length=40, pattern=CODE_PATTERN), AfterValidator(_coupon_code)
]
Moment = Annotated[datetime | None, BeforeValidator(_utc), AfterValidator(_aware)]


class CheckoutRequest(BaseModel):
    """Exactly one of `course`, `program` or `masterclass`, and an optional coupon code."""

    model_config = ConfigDict(extra="forbid")

    course: Slug | None = None
    program: Slug | None = None
    masterclass: Slug | None = None
    coupon: str | None = Field(None, max_length=40, description="A coupon code (any case).")

    @model_validator(mode="after")
    def _one_item(self) -> CheckoutRequest:
        given = [name for name in ("course", "program", "masterclass") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("Name exactly one of course, program or masterclass.")
        return self

    @property
    def item(self) -> tuple[ItemKind, str]:
        for kind in ItemKind:
            slug = getattr(self, kind.value)
            if slug:
                return kind, slug
        raise AssertionError("validated")  # pragma: no cover


class PriceQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    coupon: str | None = Field(None, max_length=40)


class CouponCreate(BaseModel):
    """A new coupon. Percentages are 0 < value ≤ 100; fixed amounts need a currency."""

    model_config = ConfigDict(extra="forbid")

    code: CouponCode = Field(description="Letters, digits, `-` and `_`; matched in any case.")
    kind: Literal["percent", "fixed"]
    value: Annotated[str, BeforeValidator(_decimal_text)] = Field(
        description='Percent ("20") or an amount ("10.00") in `currency`.'
    )
    currency: str | None = Field(None, description="ISO 4217, for `fixed` coupons only.")
    course: Slug | None = Field(None, description="One course's slug; null: every item.")
    valid_from: Moment = Field(None, description="From this moment (a date is midnight UTC).")
    valid_until: Moment = Field(None, description="Until this moment, excluded.")
    max_redemptions: int | None = Field(None, ge=1, le=1_000_000)
    per_user_limit: int | None = Field(None, ge=1, le=1000)

    @model_validator(mode="after")
    def _consistent(self) -> CouponCreate:
        """The rules between fields, each under the field to change, all in one answer."""
        problems: dict[str, str] = {}
        value = Decimal(self.value)
        if self.kind == "percent":
            if self.currency is not None:
                problems["currency"] = "A percentage coupon has no currency."
            if value > 100:
                problems["value"] = "A percentage is at most 100."
        elif not self.currency:
            problems["currency"] = "A fixed-amount coupon needs its currency (e.g. USD)."
        else:
            try:
                self.currency = normalize_currency(self.currency)
                Money(value, self.currency)
            except UnknownCurrency:
                problems["currency"] = f"{self.currency} is not a currency code."
            except InvalidAmount:
                digits = minor_units(self.currency)
                problems["value"] = f"{self.currency} amounts have {digits} decimals."
            if "currency" not in problems and not paypal_supports(self.currency):
                problems["currency"] = f"PayPal does not take payments in {self.currency}."
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            problems["valid_until"] = "Must be after valid_from."
        if problems:
            raise _field_errors(self, problems)
        return self


class CouponUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: StrictBool = Field(description="false deactivates the coupon (it can be reactivated).")


class CouponListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    course: Slug | None = None
    active: bool | None = None


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        "", max_length=500, description="Kept in the audit trail; shown to nobody else."
    )


class OrderListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: OrderStatus | None = None
    kind: ItemKind | None = None
    item: Slug | None = None
    email: str | None = Field(None, max_length=254, description="The buyer's address (exact).")
    flagged: bool | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


# --- answers --------------------------------------------------------------------------------------


class MoneyAmount(BaseModel):
    amount: str = Field(description="Decimal string with the currency's minor units.")
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyAmount:
        return cls(amount=f"{money.amount:f}", currency=money.currency)


class PriceQuote(BaseModel):
    """The server's price of an item, with a coupon applied when one was given."""

    kind: ItemKind
    item: str
    title: str
    currency: str
    list_amount: str
    discount: str
    amount: str = Field(description="What the buyer pays.")
    free: bool = Field(description="The coupon makes it free: checkout enrolls without PayPal.")
    coupon: str | None = Field(description="The coupon applied (upper-case), if any.")

    @classmethod
    def of(cls, quote: Quote) -> PriceQuote:
        return cls(
            kind=quote.item.kind,
            item=quote.item.slug,
            title=quote.item.title,
            currency=quote.amount.currency,
            list_amount=f"{quote.list_price.amount:f}",
            discount=f"{quote.discount.amount:f}",
            amount=f"{quote.amount.amount:f}",
            free=quote.free,
            coupon=quote.coupon.code if quote.coupon is not None else None,
        )


class CheckoutOrder(BaseModel):
    """An order as its buyer sees it (the checkout page, the payment history)."""

    order_id: str = Field(description="Our order id (also the receipt number).")
    status: OrderStatus
    kind: ItemKind
    item: str
    title: str
    item_path: str = Field(description="The item's page, relative to the site root.")
    currency: str
    list_amount: str
    discount: str
    amount: str
    coupon: str | None
    approve_url: str | None = Field(
        description="Where the buyer approves the payment at PayPal, while it is unpaid."
    )
    created_at: datetime
    captured_at: datetime | None
    refunded_at: datetime | None
    refunded_amount: str | None
    receipt: bool = Field(description="A PDF receipt is available (paid or refunded).")

    @classmethod
    def of(cls, order: Order, coupon: str | None) -> CheckoutOrder:
        unpaid = order.status == OrderStatus.CREATED.value and not order.flagged
        return cls(
            order_id=order.public_id,
            status=OrderStatus(order.status),
            kind=ItemKind(order.kind),
            item=order.item,
            title=order.item_title,
            item_path=item_path(order.kind, order.item),
            currency=order.currency,
            list_amount=money_text(order.list_amount, order.currency) or "0",
            discount=money_text(order.discount, order.currency) or "0",
            amount=money_text(order.amount, order.currency) or "0",
            coupon=coupon,
            approve_url=(order.approve_url or None) if unpaid else None,
            created_at=order.created_at,
            captured_at=order.captured_at,
            refunded_at=order.refunded_at,
            refunded_amount=money_text(order.refunded_amount, order.currency),
            receipt=order.status in {OrderStatus.CAPTURED.value, OrderStatus.REFUNDED.value},
        )


class PaymentHistory(BaseModel):
    payments: list[CheckoutOrder]


class OrderBuyer(BaseModel):
    id: int
    email: str
    name: str


class AdminOrder(CheckoutOrder):
    """An order as administrators see it: the buyer and PayPal's ids too."""

    buyer: OrderBuyer | None
    paypal_order_id: str | None
    paypal_capture_id: str | None
    paypal_refund_id: str | None
    captured_amount: str | None
    captured_currency: str | None
    flagged: bool = Field(description="PayPal's figures differed from ours: never enrolled.")
    failure: str
    updated_at: datetime

    @classmethod
    def of_admin(cls, order: Order, coupon: str | None, user: User | None) -> AdminOrder:
        base = CheckoutOrder.of(order, coupon).model_dump()
        return cls(
            **base,
            buyer=OrderBuyer(id=user.id or 0, email=user.email, name=user.name) if user else None,
            paypal_order_id=order.paypal_order_id,
            paypal_capture_id=order.paypal_capture_id,
            paypal_refund_id=order.paypal_refund_id,
            captured_amount=money_text(
                order.captured_amount, order.captured_currency or order.currency
            )
            if order.captured_amount is not None and order.captured_currency
            else None,
            captured_currency=order.captured_currency,
            flagged=order.flagged,
            failure=order.failure,
            updated_at=order.updated_at,
        )


class AdminOrderEvent(BaseModel):
    at: datetime
    action: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: OrderEvent) -> AdminOrderEvent:
        return cls(at=event.at, action=event.action, detail=dict(event.detail or {}))


class AdminOrderDetail(AdminOrder):
    events: list[AdminOrderEvent] = Field(description="The audit trail, oldest first.")


class AdminOrderList(BaseModel):
    items: list[AdminOrder]
    total: int
    page: int
    per_page: int


class CouponView(BaseModel):
    id: int
    code: str
    kind: Literal["percent", "fixed"]
    value: str
    currency: str | None
    course: str | None = Field(description="null: valid for every item.")
    valid_from: datetime | None
    valid_until: datetime | None
    max_redemptions: int | None
    per_user_limit: int | None
    redeemed: int
    active: bool
    created_by: int | None
    created_at: datetime

    @classmethod
    def of(cls, coupon: Coupon) -> CouponView:
        if coupon.kind == "fixed" and coupon.currency:
            value = money_text(coupon.value, coupon.currency) or "0"
        else:
            value = f"{Decimal(coupon.value).normalize():f}"
        return cls(
            id=coupon.id or 0,
            code=coupon.code,
            kind="fixed" if coupon.kind == "fixed" else "percent",
            value=value,
            currency=coupon.currency,
            course=coupon.course,
            valid_from=coupon.valid_from,
            valid_until=coupon.valid_until,
            max_redemptions=coupon.max_redemptions,
            per_user_limit=coupon.per_user_limit,
            redeemed=coupon.redeemed,
            active=coupon.active,
            created_by=coupon.created_by,
            created_at=coupon.created_at,
        )


class CouponList(BaseModel):
    coupons: list[CouponView]


class WebhookResult(BaseModel):
    status: Literal["processed", "duplicate", "ignored"]
    outcome: str = ""
