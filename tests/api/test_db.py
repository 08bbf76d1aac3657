"""The data layer on every database: UTC times, the session helper, constraints, unicode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from dynamic_api.db import session_scope, utcnow
from dynamic_api.models import METADATA, User, UserRole, UserSession

pytestmark = pytest.mark.all_databases


def _user(email: str = "ana@example.com", **fields: object) -> User:
    values: dict[str, object] = {
        "email": email,
        "email_normalized": email.lower(),
        "name": "Ana",
        "password_hash": "x",
    }
    values.update(fields)
    return User(**values)  # type: ignore[arg-type]


def test_times_come_back_aware_in_utc_with_microseconds(engine: Engine) -> None:
    madrid = timezone(timedelta(hours=2))
    moment = datetime(2026, 7, 1, 12, 30, 45, 123456, tzinfo=madrid)
    with session_scope(engine) as session:
        session.add(_user(created_at=moment, email_verified_at=moment))

    with session_scope(engine) as session:
        user = session.exec(select(User)).one()

    assert user.created_at == moment
    assert user.created_at.tzinfo == UTC
    assert user.created_at.hour == 10  # stored as UTC
    assert user.created_at.microsecond == 123456
    assert user.email_verified_at == moment


def test_times_are_stored_as_naive_utc(engine: Engine) -> None:
    """Every backend holds the same wall-clock UTC value (no server time zone involved)."""
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add(_user(created_at=moment))
    with engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT created_at FROM users")).scalar_one()
    if isinstance(raw, str):  # SQLite returns text
        raw = datetime.fromisoformat(raw)
    assert raw.replace(tzinfo=None) == datetime(2026, 1, 2, 3, 4, 5)


def test_a_naive_datetime_is_refused(engine: Engine) -> None:
    def insert_naive() -> None:
        with session_scope(engine) as session:
            session.add(_user(created_at=datetime(2026, 1, 1)))
            session.flush()

    with pytest.raises(StatementError, match="naive datetime"):
        insert_naive()


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    def fail_midway() -> None:
        with session_scope(engine) as session:
            session.add(_user("rolled@example.com"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    with session_scope(engine) as session:
        session.add(_user("kept@example.com"))

    with session_scope(engine) as session:
        emails = session.exec(select(User.email)).all()
    assert emails == ["kept@example.com"]


def test_normalised_email_is_unique(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_user("Ana@example.com"))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_user("ANA@EXAMPLE.COM"))


def test_comparison_is_binary_on_every_backend(engine: Engine) -> None:
    """MariaDB's default collations would call these equal; ours (utf8mb4_bin) does not."""
    with session_scope(engine) as session:
        session.add(_user("jose@example.com"))
        session.add(_user("josé@example.com"))
    with session_scope(engine) as session:
        found = session.exec(select(User).where(User.email_normalized == "jose@example.com"))
        assert len(found.all()) == 1


@pytest.mark.parametrize(
    "name",
    ["Zoë 😀 👩‍👩‍👧", "مريم العربية", "שלום עליכם", "' OR 1=1 --", "Robert'); DROP TABLE users;--"],
)
def test_text_round_trips_unchanged(engine: Engine, name: str) -> None:
    with session_scope(engine) as session:
        session.add(_user(name=name))
    with session_scope(engine) as session:
        assert session.exec(select(User.name)).one() == name


def test_foreign_keys_cascade(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = _user()
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(UserRole(user_id=user.id, role="admin"))
        session.add(
            UserSession(user_id=user.id, token_hash="0" * 64, expires_at=utcnow() + timedelta(1))
        )
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM users"))
    with session_scope(engine) as session:
        assert session.exec(select(UserRole)).all() == []
        assert session.exec(select(UserSession)).all() == []


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(UserRole(user_id=424242, role="admin"))


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate finds nothing to do: the migrations build exactly the models' schema."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, METADATA)
    assert differences == []
