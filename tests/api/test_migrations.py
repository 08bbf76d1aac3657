"""Migrations up and down on every database; automatic upgrades; the `lms db` commands."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from api_support import Databases, make_settings
from click.testing import CliRunner
from starlette.testclient import TestClient

from dynamic_api import create_app, migrate
from dynamic_api.db import create_db_engine
from dynamic_api.models import METADATA
from site_builder.cli import main
from site_builder.settings import get_settings

#: Every table of the models: the migrations must build exactly these.
APP_TABLES = set(METADATA.tables)


def tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture
def scratch(databases: Databases, db_backend: str) -> Iterator[str]:
    with databases.scratch(db_backend, "mig") as url:
        yield url


@pytest.mark.all_databases
def test_upgrade_downgrade_upgrade(scratch: str) -> None:
    migrate.upgrade(scratch)
    assert tables(scratch) == APP_TABLES
    assert revision(scratch) == migrate.head_revision()

    migrate.downgrade(scratch, "base")
    assert tables(scratch) == set()
    assert revision(scratch) is None

    migrate.upgrade(scratch)
    assert tables(scratch) == APP_TABLES


@pytest.mark.all_databases
def test_the_migrated_schema_matches_the_models(scratch: str) -> None:
    """Alembic's autogenerate finds nothing to do: the migrations and models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    migrate.upgrade(scratch)
    engine = create_db_engine(scratch)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, METADATA)
    finally:
        engine.dispose()
    assert differences == []


@pytest.mark.all_databases
def test_upgrading_keeps_the_data(scratch: str) -> None:
    migrate.upgrade(scratch, "0001")
    assert tables(scratch) == {"users", "user_roles"}
    engine = create_db_engine(scratch)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (email, email_normalized, name, password_hash, language,"
                    " is_active, created_at, updated_at) VALUES ('Ana@example.com',"
                    " 'ana@example.com', 'Ana 😀', 'h', 'es', :yes, :now, :now)"
                ),
                {"yes": True, "now": "2026-01-02 03:04:05"},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO user_roles (user_id, role, created_at) VALUES (1, 'admin', :n)"
                ),
                {"n": "2026-01-02 03:04:05"},
            )

        migrate.upgrade(scratch)
        migrate.downgrade(scratch, "0001")
        migrate.upgrade(scratch)

        with engine.connect() as connection:
            row = connection.execute(sa.text("SELECT email, name, language FROM users")).one()
            role = connection.execute(sa.text("SELECT role FROM user_roles")).scalar_one()
        assert tuple(row) == ("Ana@example.com", "Ana 😀", "es")
        assert role == "admin"
    finally:
        engine.dispose()


@pytest.mark.all_databases
def test_auto_migrate_always_upgrades_a_server_database_at_startup(
    scratch: str, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, scratch, auto_migrate="always")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").json()["checks"]["database"]["ok"] is True
    assert tables(scratch) == APP_TABLES


@pytest.mark.all_databases
def test_without_auto_migrate_health_reports_the_pending_upgrade(
    scratch: str, tmp_path: Path, db_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    migrate.upgrade(scratch, "0001")
    settings = make_settings(tmp_path, scratch, auto_migrate="never")

    with (
        caplog.at_level(logging.WARNING, "dynamic_api.migrate"),
        TestClient(create_app(settings)) as client,
    ):
        response = client.get("/api/health")

    check = response.json()["checks"]["database"]
    assert response.status_code == 503
    assert check["ok"] is False
    assert "lms db upgrade" in check["detail"]
    assert "lms db upgrade" in caplog.text
    assert revision(scratch) == "0001"  # left alone


def test_server_databases_are_not_migrated_by_default() -> None:
    settings = make_settings(Path("/nonexistent"), "postgresql+psycopg://u@h/db")
    settings = settings.model_copy(update={"auto_migrate": "sqlite"})
    assert migrate.should_auto_migrate(settings) is False
    sqlite = settings.model_copy(update={"database_url": "sqlite:////tmp/x.sqlite3"})
    assert migrate.should_auto_migrate(sqlite) is True


def test_the_default_database_is_an_sqlite_file_in_var_created_at_startup(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, "", auto_migrate="sqlite")
    assert settings.effective_database_url().endswith("/var/lms.sqlite3")

    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").json()["checks"]["database"]["ok"] is True

    path = tmp_path / "var" / "lms.sqlite3"
    assert path.is_file()
    engine = create_db_engine(settings.effective_database_url())
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    assert tables(settings.effective_database_url()) == APP_TABLES


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``lms`` reads the process settings: point them at a fresh SQLite file."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    monkeypatch.setenv("LMS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LMS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("LMS_ARGON2_MEMORY_COST", "8")
    monkeypatch.setenv("LMS_ARGON2_PARALLELISM", "1")
    monkeypatch.chdir(tmp_path)  # no .env from the project
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_lms_db_commands(cli_env: str) -> None:
    runner = CliRunner()

    result = runner.invoke(main, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert "current: none" in result.output

    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert revision(cli_env) == migrate.head_revision()

    result = runner.invoke(main, ["db", "downgrade"])
    assert result.exit_code == 0, result.output
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("head")
    assert head is not None
    assert revision(cli_env) == head.down_revision

    result = runner.invoke(main, ["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert revision(cli_env) is None

    result = runner.invoke(main, ["db", "upgrade", "0001"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["db", "current"])
    assert "current: 0001" in result.output
    assert f"latest:  {migrate.head_revision()}" in result.output


def test_lms_db_prune_sessions(cli_env: str) -> None:
    result = CliRunner().invoke(main, ["db", "prune-sessions", "--days", "1"])

    assert result.exit_code == 0, result.output
    assert "Deleted 0 session(s)." in result.output


def test_an_unreachable_server_database_is_reported_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The API starts without its database; health says so, and requests get 503."""
    url = "postgresql+psycopg://lms@127.0.0.1:1/lms"  # nothing listens on port 1
    settings = make_settings(tmp_path, url, auto_migrate="sqlite")

    with TestClient(create_app(settings)) as client:
        health = client.get("/api/health")
        login = client.post(
            "/api/auth/login", json={"email": "a@example.com", "password": "x" * 12}
        )

    assert "unreachable at startup" in caplog.text
    assert health.status_code == 503
    assert health.json()["checks"]["database"] == {
        "ok": False,
        "detail": "Failed with OperationalError.",
    }
    assert login.status_code == 503
    assert login.json()["error"]["code"] == "database_unavailable"
    assert login.headers["retry-after"] == "5"
