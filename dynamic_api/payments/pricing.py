"""What something costs: the item for sale, its list price, and what a coupon takes off.

Pure functions over the published catalog and a :class:`~dynamic_api.models.Coupon`; no
database, no PayPal. The checkout, the price quote and the CLI all ask here, so the price a
student sees is the price they pay (the client never sends an amount).

Coupon rules (README, "Coupons"): active, inside its validity window, for this course (or
for everything), not used up (``redeemed < max_redemptions``), not used up by this student
(``per_user_limit``), and a fixed amount only in the item's currency. A percentage is
rounded once, half up, to the currency's minor units (and to PayPal's decimals for the few
currencies where PayPal takes fewer). The discount never exceeds the price: a coupon can
make an item free, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from babel.dates import format_date

from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog
from dynamic_api.models import Coupon
from dynamic_api.payments.money import PAYPAL_DECIMALS, Money, minor_units, normalize_currency

__all__ = [
    "CouponKind",
    "Item",
    "ItemKind",
    "Quote",
    "apply_coupon",
    "coupon_error",
    "find_item",
    "normalize_code",
    "quote",
]


class ItemKind(StrEnum):
    COURSE = "course"
    PROGRAM = "program"
    MASTERCLASS = "masterclass"


class CouponKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


#: Where an item's page is on the static site.
ITEM_PATHS = {
    ItemKind.COURSE: "courses/{slug}/",
    ItemKind.PROGRAM: "programs/{slug}/",
    ItemKind.MASTERCLASS: "masterclasses/{slug}/",
}


@dataclass(frozen=True)
class Item:
    """Something for sale, as the published catalog describes it."""

    kind: ItemKind
    slug: str
    title: str
    #: ``None`` for a free item.
    price: Money | None
    #: The courses a purchase enrolls in (a course: itself; a program: its courses).
    courses: tuple[str, ...] = ()
    #: A master class's end (UTC): it cannot be bought afterwards.
    ends_at: datetime | None = None

    @property
    def path(self) -> str:
        return ITEM_PATHS[self.kind].format(slug=self.slug)

    @property
    def sku(self) -> str:
        return f"{self.kind.value}:{self.slug}"[:127]


def _not_found(kind: ItemKind) -> ApiError:
    what = {"course": "course", "program": "program", "masterclass": "master class"}[kind.value]
    return ApiError(404, "not_found", f"There is no {what} with this name for sale.")


def _money(price: object) -> Money | None:
    if price is None:
        return None
    amount = getattr(price, "amount", None)
    currency = getattr(price, "currency", "")
    return Money.of(Decimal(str(amount)), str(currency))


def find_item(catalog: Catalog | None, kind: ItemKind, slug: str) -> Item:
    """The published item, or 404 (unknown, a draft, or nothing published yet)."""
    if catalog is None:
        raise _not_found(kind)
    if kind is ItemKind.COURSE:
        index = catalog.course(slug)
        if index is None or index.course.status != "published":
            raise _not_found(kind)
        course = index.course
        return Item(kind, slug, course.title, _money(course.price), (slug,))
    if kind is ItemKind.PROGRAM:
        program = catalog.programs.get(slug)
        if program is None or program.status != "published":
            raise _not_found(kind)
        return Item(kind, slug, program.title, _money(program.price), tuple(program.courses))
    masterclass = catalog.masterclasses.get(slug)
    if masterclass is None or masterclass.status != "published":
        raise _not_found(kind)
    end = masterclass.end if masterclass.end.tzinfo else masterclass.end.replace(tzinfo=UTC)
    return Item(kind, slug, masterclass.title, _money(masterclass.price), ends_at=end)


def normalize_code(code: str) -> str:
    """Coupon codes are matched case-insensitively and stored upper-case."""
    return code.strip().upper()


@dataclass(frozen=True)
class Quote:
    """The server's price of an item for one buyer."""

    item: Item
    list_price: Money
    discount: Money
    amount: Money
    coupon: Coupon | None = None

    @property
    def free(self) -> bool:
        return self.amount.amount == 0


def _coupon_problem(code: str, message: str, status: int = 422) -> ApiError:
    return ApiError(status, code, message, {"coupon": message})


def _day(moment: datetime, language: str) -> str:
    return format_date(moment.date(), format="long", locale=language)


def coupon_error(
    coupon: Coupon | None,
    item: Item,
    now: datetime,
    used_by_buyer: int = 0,
    *,
    language: str = "en",
) -> ApiError | None:
    """Why ``coupon`` does not apply to ``item`` now, or ``None`` when it does."""
    if coupon is None:
        return _coupon_problem("coupon_not_found", "There is no coupon with this code.")
    if not coupon.active:
        return _coupon_problem("coupon_inactive", "This coupon is no longer valid.")
    if coupon.valid_from is not None and now < coupon.valid_from:
        when = _day(coupon.valid_from, language)
        return _coupon_problem("coupon_not_started", f"This coupon is valid from {when}.")
    if coupon.valid_until is not None and now >= coupon.valid_until:
        when = _day(coupon.valid_until, language)
        return _coupon_problem("coupon_expired", f"This coupon expired on {when}.")
    if coupon.course is not None and (
        item.kind is not ItemKind.COURSE or coupon.course != item.slug
    ):
        return _coupon_problem("coupon_wrong_course", "This coupon is for another course.")
    if coupon.max_redemptions is not None and coupon.redeemed >= coupon.max_redemptions:
        return _coupon_problem(
            "coupon_exhausted", "This coupon has been used as many times as it allows."
        )
    if coupon.per_user_limit is not None and used_by_buyer >= coupon.per_user_limit:
        return _coupon_problem(
            "coupon_limit_reached", "You have already used this coupon as many times as it allows."
        )
    if (
        coupon.kind == CouponKind.FIXED.value
        and item.price is not None
        and coupon.currency != item.price.currency
    ):
        return _coupon_problem(
            "coupon_wrong_currency",
            f"This coupon is in {coupon.currency}; this price is in {item.price.currency}.",
        )
    return None


def _round(amount: Decimal, currency: str) -> Decimal:
    """Half up to the fewest decimals the currency has (ISO) or PayPal takes (HUF, TWD)."""
    digits = min(minor_units(currency), PAYPAL_DECIMALS.get(currency, minor_units(currency)))
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def apply_coupon(price: Money, kind: str, value: Decimal) -> Money:
    """The discount ``kind``/``value`` gives on ``price`` (never more than the price)."""
    currency = normalize_currency(price.currency)
    if kind == CouponKind.PERCENT.value:
        off = _round(price.amount * Decimal(value) / Decimal(100), currency)
    else:
        off = Decimal(value)
    return Money.of(min(off, price.amount), currency)


def quote(
    item: Item,
    coupon: Coupon | None = None,
    *,
    code_given: bool = False,
    now: datetime,
    used_by_buyer: int = 0,
    language: str = "en",
) -> Quote:
    """The price of ``item`` with ``coupon`` (when a code was given); raises the coupon's
    problem (422 with ``fields.coupon``) or 409 ``free_item`` for an item that is free."""
    if item.price is None:
        raise ApiError(409, "free_item", "This is free: enroll or register on its page instead.")
    price = item.price
    if not code_given:
        return Quote(item, price, Money(Decimal(0), price.currency), price)
    problem = coupon_error(coupon, item, now, used_by_buyer, language=language)
    if problem is not None:
        raise problem
    assert coupon is not None
    discount = apply_coupon(price, coupon.kind, coupon.value)
    return Quote(
        item, price, discount, Money(price.amount - discount.amount, price.currency), coupon
    )
