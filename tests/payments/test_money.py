"""Money helpers: ISO 4217 minor units, rounding, PayPal's decimals, and what is refused."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from dynamic_api.payments import (
    InvalidAmount,
    Money,
    UnknownCurrency,
    from_minor_units,
    minor_units,
    normalize_currency,
    parse_paypal_value,
    paypal_supports,
    quantize,
    to_minor_units,
    to_paypal_value,
)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("JPY", 0), ("USD", 2), ("eur", 2), ("KWD", 3), ("BHD", 3), ("CLP", 0), ("IQD", 3)],
)
def test_minor_units_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits


@pytest.mark.parametrize("code", ["ZZZ", "US", "USDX", "", "XXX", "XTS", "XAU"])
def test_unknown_or_non_money_currencies_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        normalize_currency(code)


def test_quantize_rounds_half_up_to_the_currency() -> None:
    assert quantize("10.005", "USD") == Decimal("10.01")
    assert quantize(Decimal("42.4915"), "usd") == Decimal("42.49")
    assert quantize("999.5", "JPY") == Decimal("1000")
    assert quantize("1.0005", "KWD") == Decimal("1.001")
    assert quantize(7, "USD") == Decimal("7.00")
    assert str(quantize(7, "USD")) == "7.00"
    assert quantize("0.125", "USD", rounding=ROUND_HALF_EVEN) == Decimal("0.12")


@pytest.mark.parametrize("amount", [1.5, "-1", Decimal("-0.01"), "NaN", "1e3", "", "1,50", True])
def test_floats_negatives_and_non_numbers_are_refused(amount: object) -> None:
    with pytest.raises(InvalidAmount):
        quantize(amount, "USD")  # type: ignore[arg-type]


def test_to_paypal_value_formats_exactly() -> None:
    assert to_paypal_value(Decimal("49.9"), "USD") == "49.90"
    assert to_paypal_value("5000", "JPY") == "5000"
    assert to_paypal_value(0, "EUR") == "0.00"


def test_to_paypal_value_refuses_to_round() -> None:
    with pytest.raises(InvalidAmount, match="PayPal's JPY"):
        to_paypal_value("10.5", "JPY")
    with pytest.raises(InvalidAmount):
        to_paypal_value("1.001", "USD")
    # ISO gives HUF two decimals; PayPal takes none.
    assert minor_units("HUF") == 2
    with pytest.raises(InvalidAmount):
        to_paypal_value("100.50", "HUF")
    assert to_paypal_value("100.00", "HUF") == "100"


def test_currencies_paypal_does_not_take_are_refused_for_paypal() -> None:
    assert paypal_supports("usd")
    assert not paypal_supports("KWD")
    assert not paypal_supports("ZZZ")
    with pytest.raises(UnknownCurrency, match="KWD"):
        to_paypal_value("1.000", "KWD")


def test_parse_paypal_value() -> None:
    assert parse_paypal_value("49.90", "USD") == Decimal("49.90")
    assert parse_paypal_value("5000", "JPY") == Decimal("5000")
    with pytest.raises(InvalidAmount):
        parse_paypal_value("49.901", "USD")
    with pytest.raises(InvalidAmount):
        parse_paypal_value(49.9, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        parse_paypal_value("-5.00", "USD")


def test_minor_units_round_trip() -> None:
    assert to_minor_units("49.90", "USD") == 4990
    assert to_minor_units("5000", "JPY") == 5000
    assert to_minor_units("1.234", "KWD") == 1234
    assert from_minor_units(4990, "USD") == Decimal("49.90")
    assert str(from_minor_units(5, "KWD")) == "0.005"
    with pytest.raises(InvalidAmount):
        to_minor_units("0.001", "USD")
    with pytest.raises(InvalidAmount):
        from_minor_units(-1, "USD")


def test_money_value_object() -> None:
    price = Money(Decimal("49.9"), "usd")
    assert price == Money(Decimal("49.90"), "USD")
    assert (price.amount, price.currency, str(price)) == (Decimal("49.90"), "USD", "49.90 USD")
    assert price.to_paypal() == {"currency_code": "USD", "value": "49.90"}
    assert Money.from_paypal({"currency_code": "JPY", "value": "5000"}) == Money.of(5000, "JPY")
    assert Money.of("42.4915", "USD").amount == Decimal("42.49")
    with pytest.raises(InvalidAmount):
        Money(Decimal("1.001"), "USD")
    with pytest.raises(InvalidAmount):
        Money.from_paypal({"value": "1.00"})
    with pytest.raises(UnknownCurrency):
        Money(Decimal(1), "ABC")
