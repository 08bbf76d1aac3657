"""Alembic, driven from Python: what ``lms db …``, the API's startup and the tests call.

The migration scripts live in ``migrations/`` at the top of the project; no ``alembic.ini``
is needed, the configuration is built here and the database comes from the caller (a URL or
an open connection) or from ``LMS_DATABASE_URL``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from dynamic_api.db import create_db_engine, is_sqlite, safe_url
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

#: ``migrations/`` beside the ``dynamic_api`` package, in a checkout or an editable install.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for ``migrations/``, bound to ``url`` (else the settings' URL)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision the code knows (scripts do not change while the process runs)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(url: str, action: str, revision: str) -> None:
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``."""
    logger.info("Upgrading %s to %s", safe_url(url), revision)
    _run(url, "upgrade", revision)


def downgrade(url: str, revision: str = "-1") -> None:
    """Downgrade the database at ``url`` to ``revision`` (``-1``: one step; ``base``: empty)."""
    logger.info("Downgrading %s to %s", safe_url(url), revision)
    _run(url, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def should_auto_migrate(settings: Settings) -> bool:
    """``LMS_AUTO_MIGRATE``: SQLite databases by default, server databases only if asked."""
    if settings.auto_migrate == "always":
        return True
    if settings.auto_migrate == "never":
        return False
    return is_sqlite(settings.effective_database_url())


def auto_migrate(settings: Settings, engine: Engine) -> None:
    """At API startup: upgrade when allowed, else warn when the schema is behind the code."""
    url = settings.effective_database_url()
    if should_auto_migrate(settings):
        if current_revision(engine) != head_revision():
            upgrade(url)
        return
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:  # start anyway: health reports it until it is back
        logger.error("The database %s is unreachable at startup: %s", safe_url(url), exc.orig)
        return
    if current != head_revision():
        logger.warning(
            "The database %s is at revision %s but the code expects %s: run `lms db upgrade`",
            safe_url(url),
            current,
            head_revision(),
        )
