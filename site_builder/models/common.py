"""Types shared by every kind of content: prices, levels, statuses, media references."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# ISO 4217 minor units for the currencies a school is likely to sell in; others default to 2.
CURRENCY_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "HUF": 2, "KWD": 3, "BHD": 3}


class StrictModel(BaseModel):
    """Front matter is hand-written: unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)


class Level(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class Status(StrEnum):
    published = "published"
    draft = "draft"


def _coerce_decimal(value: Any) -> Any:
    if isinstance(value, float):
        # YAML reads 49.90 as a float; go through its shortest repr so 49.9 stays 49.9.
        return Decimal(repr(value))
    return value


class Price(StrictModel):
    """An amount in a currency. Floats never touch money: YAML floats become Decimals."""

    amount: Annotated[Decimal, BeforeValidator(_coerce_decimal)] = Field(
        description="The price as a decimal, e.g. `49.00`.", gt=0
    )
    currency: str = Field(
        description="ISO 4217 code, e.g. `USD`, `EUR`, `MXN`.", pattern=r"^[A-Z]{3}$"
    )

    @field_validator("amount")
    @classmethod
    def _fits_minor_units(cls, value: Decimal) -> Decimal:
        try:
            exponent = value.as_tuple().exponent
        except InvalidOperation as exc:  # pragma: no cover - Decimal already validated
            raise ValueError("not a number") from exc
        if isinstance(exponent, int) and exponent < -3:
            raise ValueError("too many decimal places")
        return value

    def minor_units(self) -> int:
        return CURRENCY_MINOR_UNITS.get(self.currency, 2)

    def display(self) -> str:
        quantum = Decimal(1).scaleb(-self.minor_units())
        return f"{self.amount.quantize(quantum)} {self.currency}"


def parse_price(value: Any) -> Any:
    """`free`, `0` or nothing mean free; anything else must be an amount with a currency."""
    if value is None or value == 0 or (isinstance(value, str) and value.lower() == "free"):
        return None
    return value


# `json_schema_input_type`: the exported JSON Schema accepts what authors may write
# (`price: free`), not only what validation produces.
PriceField = Annotated[
    Price | None,
    BeforeValidator(parse_price, json_schema_input_type=Price | Literal["free", 0] | None),
]


class Subtitle(StrictModel):
    src: str = Field(description="A WebVTT file, relative to the course folder.")
    lang: str = Field("en", description="BCP 47 language of the track, e.g. `en`, `es`.")
    label: str = Field("English", description="Name shown in the player's menu.")
    default: bool = False


#: Certificate designs shipped in `themes/default/certificates/`; a school's theme may add
#: more (`lms check` looks there too: site_builder/validation.py).
CERTIFICATE_DESIGNS = ("classic", "modern", "minimal")
CERTIFICATE_DESIGN_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


class Certificate(StrictModel):
    enabled: bool = True
    template: str = Field(
        "classic",
        pattern=CERTIFICATE_DESIGN_PATTERN,
        description="Certificate design: `classic`, `modern`, `minimal`, or one of the "
        "school's theme (`certificates/<name>.html`).",
        examples=list(CERTIFICATE_DESIGNS),
    )
    validity_years: int | None = Field(
        None, ge=1, le=50, description="Years before recertification; none = never expires."
    )


def parse_certificate(value: Any) -> Any:
    if isinstance(value, bool):
        return {"enabled": value}
    return value


CertificateField = Annotated[
    Certificate,
    BeforeValidator(parse_certificate, json_schema_input_type=Certificate | bool),
]
