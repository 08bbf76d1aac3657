"""Alembic's environment: which database, which metadata, and how to run migrations.

The database is, in order: a connection handed over by ``dynamic_api.migrate``
(``config.attributes["connection"]``), a URL handed over the same way
(``config.attributes["url"]``), or ``LMS_DATABASE_URL`` through the project's settings.
SQLite gets ``render_as_batch`` so ``ALTER`` operations work by rebuilding tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import dynamic_api.models  # noqa: F401  (registers every table on the metadata)
from dynamic_api.db import create_db_engine
from dynamic_api.models import METADATA
from site_builder.settings import get_settings

config = context.config
target_metadata = METADATA


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """``--sql`` mode: print the SQL instead of running it."""
    url = config.attributes.get("url") or get_settings().effective_database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.attributes.get("url") or get_settings().effective_database_url()
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            _configure(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
