"""Password hashing (Argon2id) and the rules a new password must pass.

The rules follow NIST SP 800-63B: a length floor and ceiling, no composition rules, and a
refusal of passwords known to be common (``data/common_passwords.txt``, whose header says
where it comes from) or equal to the account's email address.
"""

from __future__ import annotations

import re
import secrets
from functools import cached_property, lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from site_builder.settings import Settings

MIN_LENGTH = 10
MAX_LENGTH = 256
#: Fewer distinct characters than this ("aaaaaaaaaa", "abababababab") is refused.
MIN_DISTINCT = 4

COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"

#: Digits and punctuation that people add around a word ("Sunshine2024!").
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")

#: Runs people type instead of a password; any stretch of these (or reversed) is refused.
_SEQUENCES = (
    "0123456789" * 3,
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
)


def _is_sequence(lowered: str) -> bool:
    return any(lowered in run or lowered in run[::-1] for run in _SEQUENCES)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("#")
        )


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused for the account ``email``, as a sentence, or ``None``."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if email:
        address = email.strip().lower()
        if lowered in {address, address.partition("@")[0]}:
            return "Do not use your email address as your password."
    if len(set(lowered)) < MIN_DISTINCT:
        return "This password repeats too few characters; choose a less predictable one."
    if _is_sequence(lowered):
        return "This password is a keyboard or alphabet sequence; choose a less predictable one."
    common = common_passwords()
    if lowered in common or _DECORATION.sub("", lowered) in common:
        return "This password is too common; choose a less predictable one."
    return None


class Passwords:
    """Hashes and checks passwords with the Argon2id parameters of the settings."""

    def __init__(self, settings: Settings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``None`` (no such user) still costs one verification,
        so an unknown email answers in about the time a wrong password does."""
        try:
            return self.hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def warm_up(self) -> None:
        """Compute the dummy hash now (at startup), not during the first unknown-email login."""
        _ = self._dummy_hash
