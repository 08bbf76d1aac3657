"""Signed, expiring tokens for the links in emails (itsdangerous).

Nothing is stored: a token is the signed payload plus its timestamp. Each purpose has its own
salt, so a verification token can never be used as a reset token.

- Verify (``LMS_VERIFY_TOKEN_HOURS``, 48 h): the user id and the address to confirm. Using it
  twice is harmless (the address is already confirmed).
- Reset (``LMS_RESET_TOKEN_MINUTES``, 1 h): the user id and a fingerprint of the *current*
  password hash. Resetting changes the hash, so the token dies with its first use, and so do
  all older reset links.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from dynamic_api.errors import ApiError

VERIFY_SALT = "lms.email-verify"
RESET_SALT = "lms.password-reset"


@dataclass(frozen=True)
class VerifyClaim:
    user_id: int
    email: str


@dataclass(frozen=True)
class ResetClaim:
    user_id: int
    fingerprint: str


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


class EmailTokens:
    def __init__(self, secret_key: str, verify_max_age: int, reset_max_age: int) -> None:
        self._verify = URLSafeTimedSerializer(secret_key, salt=VERIFY_SALT)
        self._reset = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
        self.verify_max_age = verify_max_age
        self.reset_max_age = reset_max_age

    def make_verify(self, user_id: int, email: str) -> str:
        return str(self._verify.dumps({"u": user_id, "e": email}))

    def make_reset(self, user_id: int, password_hash: str) -> str:
        return str(self._reset.dumps({"u": user_id, "f": password_fingerprint(password_hash)}))

    def load_verify(self, token: str) -> VerifyClaim:
        data = _load(self._verify, token, self.verify_max_age)
        if not (isinstance(data.get("u"), int) and isinstance(data.get("e"), str)):
            raise _invalid()
        return VerifyClaim(user_id=data["u"], email=data["e"])

    def load_reset(self, token: str) -> ResetClaim:
        data = _load(self._reset, token, self.reset_max_age)
        if not (isinstance(data.get("u"), int) and isinstance(data.get("f"), str)):
            raise _invalid()
        return ResetClaim(user_id=data["u"], fingerprint=data["f"])


def _invalid() -> ApiError:
    return ApiError(
        400, "invalid_token", "This link is not valid. Request a new one.", {"token": "Invalid."}
    )


def _load(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise ApiError(
            400, "expired_token", "This link has expired. Request a new one.", {"token": "Expired."}
        ) from None
    except (BadSignature, UnicodeError, ValueError):
        raise _invalid() from None
    if not isinstance(data, dict):
        raise _invalid()
    return data
