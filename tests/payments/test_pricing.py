"""Prices and coupon rules as pure functions (dynamic_api/payments/pricing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dynamic_api.errors import ApiError
from dynamic_api.models import Coupon
from dynamic_api.payments.money import Money
from dynamic_api.payments.pricing import Item, ItemKind, apply_coupon, coupon_error, quote

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
COURSE = Item(ItemKind.COURSE, "python", "Python", Money.of("49.90", "USD"), ("python",))


def coupon(**fields: object) -> Coupon:
    values: dict[str, object] = {"code": "C", "kind": "percent", "value": Decimal(10)}
    values.update(fields)
    return Coupon(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("price", "currency", "kind", "value", "off"),
    [
        ("49.90", "USD", "percent", "10", "4.99"),
        ("49.90", "USD", "percent", "15", "7.49"),  # 7.485 → half up
        ("10.00", "USD", "percent", "33.333", "3.33"),
        ("5000", "JPY", "percent", "15", "750"),
        ("1001", "JPY", "percent", "50", "501"),  # 500.5 → 501, never a fraction of a yen
        ("1001", "HUF", "percent", "50", "501"),  # ISO has 2 decimals, PayPal takes none
        ("12.345", "KWD", "percent", "10", "1.235"),
        ("49.90", "USD", "fixed", "10", "10.00"),
        ("49.90", "USD", "fixed", "60", "49.90"),  # never more than the price
        ("49.90", "USD", "percent", "100", "49.90"),
    ],
)
def test_discounts_round_once_to_the_currency(
    price: str, currency: str, kind: str, value: str, off: str
) -> None:
    discount = apply_coupon(Money.of(price, currency), kind, Decimal(value))
    assert discount == Money.of(off, currency)


def test_a_quote_without_a_code_is_the_list_price() -> None:
    q = quote(COURSE, None, now=NOW)
    assert (q.amount, q.discount.amount, q.free) == (Money.of("49.90", "USD"), 0, False)


def test_a_quote_with_a_coupon() -> None:
    q = quote(COURSE, coupon(value=Decimal(100)), code_given=True, now=NOW)
    assert q.amount == Money.of("0", "USD")
    assert q.free


def test_a_free_item_has_no_quote() -> None:
    free = Item(ItemKind.COURSE, "open", "Open", None, ("open",))
    with pytest.raises(ApiError) as caught:
        quote(free, None, now=NOW)
    assert (caught.value.status, caught.value.code) == (409, "free_item")


@pytest.mark.parametrize(
    ("fields", "used", "item", "code"),
    [
        ({"active": False}, 0, COURSE, "coupon_inactive"),
        ({"valid_from": NOW + timedelta(seconds=1)}, 0, COURSE, "coupon_not_started"),
        ({"valid_until": NOW}, 0, COURSE, "coupon_expired"),  # the end is excluded
        ({"course": "other"}, 0, COURSE, "coupon_wrong_course"),
        ({"max_redemptions": 3, "redeemed": 3}, 0, COURSE, "coupon_exhausted"),
        ({"per_user_limit": 2}, 2, COURSE, "coupon_limit_reached"),
        (
            {"kind": "fixed", "value": Decimal(5), "currency": "EUR"},
            0,
            COURSE,
            "coupon_wrong_currency",
        ),
        (
            {"course": "python"},
            0,
            Item(ItemKind.PROGRAM, "python", "Bundle", Money.of("60", "USD"), ("python",)),
            "coupon_wrong_course",  # a course coupon is not a program coupon of the same slug
        ),
    ],
)
def test_coupon_problems(fields: dict[str, object], used: int, item: Item, code: str) -> None:
    problem = coupon_error(coupon(**fields), item, NOW, used)
    assert problem is not None
    assert (problem.status, problem.code, list(problem.fields)) == (422, code, ["coupon"])


def test_a_valid_coupon_has_no_problem() -> None:
    ok = coupon(
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
        course="python",
        max_redemptions=3,
        redeemed=2,
        per_user_limit=1,
    )
    assert coupon_error(ok, COURSE, NOW, 0) is None
    assert coupon_error(None, COURSE, NOW).code == "coupon_not_found"  # type: ignore[union-attr]
