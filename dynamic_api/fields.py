"""Field types of request bodies, shared by every endpoint that takes them.

Each is an ``Annotated`` pydantic type whose validator raises ``ValueError`` with a sentence
a form can show beside its input (``read_json`` turns it into 422 ``fields``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from dynamic_api.models.users import EMAIL_LENGTH

NAME_LENGTH = 100

#: Bidirectional overrides and isolates (they can disguise a name) and line separators.
_INVISIBLE_TROUBLE = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))} | {
    "\u2028",
    "\u2029",
}


def _strict_str(value: object) -> object:
    """Refuse numbers, booleans and nulls where text is expected (no silent coercion)."""
    if not isinstance(value, str):
        raise ValueError("Enter text here.")
    return value


def check_email(value: str) -> str:
    """A deliverable-looking address, returned in ASCII form (punycode domain).

    Addresses with non-ASCII characters before the ``@`` are refused: they need SMTPUTF8,
    which many mail servers do not offer.
    """
    value = value.strip()
    if len(value) > EMAIL_LENGTH:
        raise ValueError(f"An email address has at most {EMAIL_LENGTH} characters.")
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return str(result.ascii_email)


def check_name(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("Enter a name.")
    if len(value) > NAME_LENGTH:
        raise ValueError(f"Use at most {NAME_LENGTH} characters.")
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cs"} or char in _INVISIBLE_TROUBLE:
            raise ValueError("The name contains control characters; remove them.")
    return value


def normalize_email(email: str) -> str:
    """The case-insensitive key of an address (``users.email_normalized``)."""
    return email.strip().lower()


Email = Annotated[str, BeforeValidator(_strict_str), AfterValidator(check_email)]
Name = Annotated[str, BeforeValidator(_strict_str), AfterValidator(check_name)]
#: Any password as typed (checking the rules of a *new* password needs the email too).
Password = Annotated[str, BeforeValidator(_strict_str), Field(min_length=1, max_length=1024)]
Token = Annotated[str, BeforeValidator(_strict_str), Field(min_length=1, max_length=1000)]
Language = Literal["en", "es"]
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    BeforeValidator(_strict_str),
    StringConstraints(max_length=100, pattern=SLUG_PATTERN),
]

SLUG_RE = re.compile(SLUG_PATTERN)
