"""Password rules, Argon2id parameters, rehash on login, and email tokens."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from api_support import PASSWORD, AuthActions, UserFactory, make_settings
from argon2 import PasswordHasher
from itsdangerous import TimestampSigner
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette

from dynamic_api.db import session_scope
from dynamic_api.errors import ApiError
from dynamic_api.models import User
from dynamic_api.passwords import Passwords, common_passwords, password_problem
from dynamic_api.tokens import EmailTokens
from site_builder.settings import Settings


@pytest.mark.parametrize(
    "password",
    [
        "harbor-lantern-47",
        "correct horse battery staple",
        "Tr0ub4dor&3-xyz",
        "contraseña-ñandú",
        "🔑🐍🎓🌊🔥🔑🐍🎓🌊🔥",
        "x" * 200 + "yz12",
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "ana@example.com") is None


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("", "at least 10"),
        ("nine-char", "at least 10"),
        ("a" * 257, "at most 256"),
        ("1234567890", "sequence"),
        ("qwertyuiop", "sequence"),
        ("zyxwvutsrqpo", "sequence"),
        ("1qaz2wsx3edc", "sequence"),
        ("abababababab", "too few"),
        ("Password123!", "too common"),
        ("!!Welcome2024", "too common"),
        ("FOOTBALL1234", "too common"),
        ("iloveyou!!!!", "too common"),
        ("ANA@EXAMPLE.COM", "email address"),
        ("ana.morales-1", None),
        ("ana@example.com", "email address"),
    ],
)
def test_bad_passwords_are_explained(password: str, fragment: str | None) -> None:
    problem = password_problem(password, "Ana@Example.com")
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None
        assert fragment in problem
        assert problem.endswith(".")


def test_the_email_s_local_part_is_refused_too() -> None:
    assert password_problem("ana.morales", "ana.morales@example.com") is not None


def test_the_common_password_list_is_small_and_lowercase() -> None:
    common = common_passwords()
    assert 3_000 < len(common) < 10_000
    assert all(entry == entry.lower() for entry in common)
    assert "1q2w3e4r5t" in common


def test_production_defaults_are_strong() -> None:
    """Tests lower the Argon2 cost through settings; the defaults must stay strong."""
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.argon2_time_cost >= 3
    assert defaults.argon2_memory_cost >= 64 * 1024
    assert Passwords(defaults).hasher.type.name == "ID"


def test_hash_and_verify() -> None:
    passwords = Passwords(make_settings(Path("/tmp"), "sqlite://"))
    hashed = passwords.hash(PASSWORD)

    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, PASSWORD)
    assert not passwords.verify(hashed, PASSWORD + "x")
    assert not passwords.verify(None, PASSWORD)  # the dummy hash
    assert not passwords.verify("!", PASSWORD)  # a deleted account's placeholder
    assert not passwords.needs_rehash(hashed)


@pytest.mark.all_databases
def test_login_rehashes_a_password_hashed_with_older_parameters(
    auth: AuthActions, make_user: UserFactory, engine: Engine, app: Starlette
) -> None:
    make_user("ana@example.com")
    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as session:
        user = session.exec(select(User)).one()
        user.password_hash = old
        session.add(user)

    assert app.state.passwords.needs_rehash(old)
    assert auth.login(email="ana@example.com").status_code == 200

    with session_scope(engine) as session:
        new = session.exec(select(User)).one().password_hash
    assert new != old
    assert "m=8,t=1,p=1" in new  # the current (test) parameters
    assert auth.login(email="ana@example.com").status_code == 200


# --- email tokens --------------------------------------------------------------------------------


def test_tokens_round_trip_and_are_bound_to_their_purpose() -> None:
    tokens = EmailTokens("secret", verify_max_age=3600, reset_max_age=600)

    verify = tokens.make_verify(7, "ana@example.com")
    reset = tokens.make_reset(7, "$argon2id$hash")

    assert tokens.load_verify(verify).email == "ana@example.com"
    assert tokens.load_reset(reset).user_id == 7
    with pytest.raises(ApiError) as wrong_purpose:
        tokens.load_reset(verify)
    assert wrong_purpose.value.code == "invalid_token"
    other_key = EmailTokens("other", verify_max_age=3600, reset_max_age=600)
    with pytest.raises(ApiError):
        other_key.load_verify(verify)


def test_tokens_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = EmailTokens("secret", verify_max_age=48 * 3600, reset_max_age=3600)
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now - 3601)
    reset = tokens.make_reset(1, "hash")
    verify = tokens.make_verify(1, "a@example.com")
    monkeypatch.undo()

    with pytest.raises(ApiError) as expired:
        tokens.load_reset(reset)
    assert expired.value.code == "expired_token"
    assert expired.value.status == 400
    assert tokens.load_verify(verify).user_id == 1  # 48 hours is longer
