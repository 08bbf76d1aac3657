"""Race-free "insert unless it exists", one statement on every backend.

Twenty parallel "mark complete" calls must leave one row, without a 500 for the nineteen
that lose: ``INSERT … ON CONFLICT DO NOTHING`` (SQLite, PostgreSQL) or ``INSERT IGNORE``
(MariaDB/MySQL) lets the unique key decide, and the row count says who won. A select-then-
insert would race, and catching ``IntegrityError`` would poison the surrounding transaction
on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy import insert as generic_insert
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlmodel import Session, SQLModel


def _insert_ignoring_duplicates(dialect: str, table: Any, values: dict[str, Any]) -> Insert:
    if dialect == "sqlite":
        return sqlite.insert(table).values(values).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing()
    if dialect in {"mysql", "mariadb"}:
        return mysql.insert(table).values(values).prefix_with("IGNORE")
    return generic_insert(table).values(values)  # pragma: no cover - unsupported backend


def insert_or_ignore(session: Session, model: type[SQLModel], **values: Any) -> bool:
    """Insert a row of ``model`` unless a unique key already has one; True if inserted."""
    table = model.__table__  # type: ignore[attr-defined]
    # The model's defaults (timestamps, counters) for what the caller left out; Core would not
    # apply them. Read from the field definitions: building a model instance costs more.
    for name, info in model.model_fields.items():
        if name in values or name not in table.columns:
            continue
        if info.default_factory is not None:
            values[name] = info.default_factory()  # type: ignore[call-arg]
        elif not info.is_required() and info.default is not None:
            values[name] = info.default
    dialect = session.get_bind().dialect.name
    statement = _insert_ignoring_duplicates(dialect, table, values)
    if dialect == "postgresql":
        # psycopg reports no row count for this statement (SQLAlchemy adds an implicit
        # RETURNING): ask for the key back instead; an ignored row returns nothing.
        key = next(iter(table.primary_key.columns))
        returned = session.exec(statement.returning(key))  # type: ignore[call-overload]
        return returned.first() is not None
    result = session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)
