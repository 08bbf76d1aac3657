"""Money as :class:`~decimal.Decimal` with each currency's minor units; never a float.

ISO 4217 says how many digits follow the decimal point (JPY 0, USD 2, KWD 3). Babel ships
CLDR's currency list and digits; CLDR's digits are *display* digits and differ from ISO's
minor units for a few currencies, which :data:`ISO_MINOR_UNITS_OVERRIDES` corrects. PayPal
has its own, shorter list (:data:`PAYPAL_DECIMALS`): it takes no decimals at all for HUF,
JPY and TWD, so :func:`to_paypal_value` refuses an amount it would have to round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision, is_currency

__all__ = [
    "ISO_MINOR_UNITS_OVERRIDES",
    "PAYPAL_DECIMALS",
    "InvalidAmount",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "from_minor_units",
    "minor_units",
    "normalize_currency",
    "parse_paypal_value",
    "paypal_supports",
    "quantize",
    "to_minor_units",
    "to_paypal_value",
]

# Where CLDR's display digits differ from ISO 4217's minor units (ISO wins for money).
ISO_MINOR_UNITS_OVERRIDES: dict[str, int] = {
    "AFN": 2,
    "ALL": 2,
    "IQD": 3,
    "IRR": 2,
    "LAK": 2,
    "LBP": 2,
    "MGA": 2,
    "MMK": 2,
    "RSD": 2,
    "SOS": 2,
    "SYP": 2,
    "YER": 2,
}

# Codes in ISO 4217 that are not money anyone can pay a course with.
_NOT_MONEY = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)

# PayPal's supported currencies and the decimals its REST API accepts for each
# (developer.paypal.com/api/rest/reference/currency-codes/).
_PAYPAL_TWO_DECIMALS = (
    "AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD ILS MXN MYR NOK NZD PHP PLN SEK SGD THB USD"
)
PAYPAL_DECIMALS: dict[str, int] = {
    **dict.fromkeys(_PAYPAL_TWO_DECIMALS.split(), 2),
    "HUF": 0,
    "JPY": 0,
    "TWD": 0,
}

_PLAIN_DECIMAL = re.compile(r"^\d{1,15}(\.\d{1,6})?$")


class MoneyError(ValueError):
    """An amount or a currency that money code must not accept."""


class UnknownCurrency(MoneyError):
    """Not an ISO 4217 currency code (or not one a payment can use)."""


class InvalidAmount(MoneyError):
    """Negative, not a number, a float, or more precise than the currency allows."""


def normalize_currency(currency: str) -> str:
    """The upper-case ISO 4217 code, or :class:`UnknownCurrency`."""
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if len(code) != 3 or code in _NOT_MONEY or not is_currency(code):
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code")
    return code


def minor_units(currency: str) -> int:
    """Digits after the decimal point in ``currency`` (ISO 4217): JPY 0, USD 2, KWD 3."""
    code = normalize_currency(currency)
    return ISO_MINOR_UNITS_OVERRIDES.get(code, get_currency_precision(code))


def paypal_supports(currency: str) -> bool:
    """Whether PayPal's REST API takes payments in ``currency``."""
    try:
        return normalize_currency(currency) in PAYPAL_DECIMALS
    except UnknownCurrency:
        return False


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    # A float has already lost the cents it was meant to carry: refuse it outright.
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int, str)):
        raise InvalidAmount(f"money must be a Decimal, an int or a string, not {amount!r}")
    if isinstance(amount, str):
        text = amount.strip()
        if not _PLAIN_DECIMAL.match(text.lstrip("-")):
            raise InvalidAmount(f"{amount!r} is not a decimal amount like 49.90")
        amount = text
    try:
        value = Decimal(amount)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise InvalidAmount(f"{amount!r} is not a number") from exc
    if not value.is_finite():
        raise InvalidAmount(f"{amount!r} is not a finite amount")
    if value < 0:
        raise InvalidAmount(f"{amount!r} is negative")
    return value


def _exponent(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def quantize(amount: Decimal | int | str, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``amount`` rounded to the currency's minor units (half up, as shoppers expect).

    Prices computed with a percentage coupon go through here once, before they are stored
    or sent to PayPal, so every later comparison is between exact values.
    """
    value = _to_decimal(amount)
    return value.quantize(_exponent(minor_units(currency)), rounding=rounding)


def _check_exact(value: Decimal, digits: int, what: str) -> Decimal:
    exact = value.quantize(_exponent(digits), rounding=ROUND_HALF_UP)
    if exact != value:
        raise InvalidAmount(f"{value} has more than {digits} decimal(s), the most {what} allows")
    return exact


def to_paypal_value(amount: Decimal | int | str, currency: str) -> str:
    """The ``value`` string PayPal expects (``"49.90"``, ``"5000"`` for JPY).

    Refuses, rather than rounds, an amount PayPal cannot carry exactly: a price must be
    quantized by our own rules before it leaves the server.
    """
    code = normalize_currency(currency)
    if code not in PAYPAL_DECIMALS:
        raise UnknownCurrency(f"PayPal does not take payments in {code}")
    value = _check_exact(_to_decimal(amount), PAYPAL_DECIMALS[code], f"PayPal's {code}")
    return f"{value:f}"


def parse_paypal_value(value: str, currency: str) -> Decimal:
    """A PayPal amount string as a Decimal, checked against the currency's minor units."""
    if not isinstance(value, str):
        raise InvalidAmount(f"PayPal amounts are strings, got {value!r}")
    code = normalize_currency(currency)
    digits = max(minor_units(code), PAYPAL_DECIMALS.get(code, 0))
    return _check_exact(_to_decimal(value), digits, code)


def to_minor_units(amount: Decimal | int | str, currency: str) -> int:
    """The amount in the currency's smallest unit (cents), for integer storage."""
    digits = minor_units(currency)
    value = _check_exact(_to_decimal(amount), digits, normalize_currency(currency))
    return int(value.scaleb(digits))


def from_minor_units(units: int, currency: str) -> Decimal:
    """The inverse of :func:`to_minor_units`: 4990 USD cents → ``Decimal("49.90")``."""
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise InvalidAmount(f"{units!r} is not a non-negative whole number of minor units")
    digits = minor_units(currency)
    return Decimal(units).scaleb(-digits).quantize(_exponent(digits))


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency, quantized to its minor units."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        currency = normalize_currency(self.currency)
        digits = minor_units(currency)
        amount = _check_exact(_to_decimal(self.amount), digits, currency)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", amount)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Round ``amount`` (half up) to the currency, then wrap it."""
        return cls(quantize(amount, currency), currency)

    @classmethod
    def from_paypal(cls, data: Any) -> Money:
        """From PayPal's ``{"currency_code": "USD", "value": "49.90"}``."""
        if not isinstance(data, dict) or not {"currency_code", "value"} <= data.keys():
            raise InvalidAmount(f"not a PayPal amount object: {data!r}")
        currency = normalize_currency(data["currency_code"])
        return cls(parse_paypal_value(data["value"], currency), currency)

    def to_paypal(self) -> dict[str, str]:
        """PayPal's amount object for this money."""
        return {
            "currency_code": self.currency,
            "value": to_paypal_value(self.amount, self.currency),
        }

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"
