"""Helpers of the API tests (imported by conftest.py and by tests that need them).

A module of its own, not conftest.py, so that tests can import it by a unique name.
"""

from __future__ import annotations

import email
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api.db import create_db_engine
from dynamic_api.migrate import upgrade
from dynamic_api.models import METADATA
from site_builder.settings import Settings

#: A password every rule accepts; tests that need another say so.
PASSWORD = "harbor-lantern-47"

SERVER_URLS = [
    url.strip() for url in os.environ.get("LMS_TEST_DATABASE_URLS", "").split(",") if url.strip()
]


def _backend_id(url: str) -> str:
    name = make_url(url).get_backend_name()
    return "mariadb" if name == "mysql" else name


#: Backend id → server URL (None for SQLite, which lives in a temporary folder).
BACKENDS: dict[str, str | None] = {"sqlite": None, **{_backend_id(u): u for u in SERVER_URLS}}


# --- databases -----------------------------------------------------------------------------


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _admin_engine(url: str) -> Engine:
    backend = make_url(url).get_backend_name()
    timeout = {"postgresql": {"connect_timeout": 3}, "mysql": {"connect_timeout": 3}}
    return sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args=timeout.get(backend, {}),
    )


def create_server_database(base_url: str, name: str) -> str:
    """(Re)create database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    backend = url.get_backend_name()
    admin = _admin_engine(base_url)
    try:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
                connection.execute(
                    sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                )
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_server_database(base_url: str, name: str) -> None:
    backend = make_url(base_url).get_backend_name()
    admin = _admin_engine(base_url)
    try:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


class Databases:
    """One migrated database per backend for this worker, prepared on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.urls: dict[str, str] = {}
        self.failures: dict[str, str] = {}
        self.engines: dict[str, Engine] = {}
        self.created: list[tuple[str, str]] = []

    def url(self, backend: str) -> str:
        if backend in self.failures:
            pytest.skip(self.failures[backend])
        if backend not in self.urls:
            try:
                self.urls[backend] = self._prepare(backend)
            except sa.exc.OperationalError as exc:
                server = make_url(BACKENDS[backend] or "").render_as_string(hide_password=True)
                reason = f"{backend} at {server} is unreachable: {str(exc.orig).strip()[:200]}"
                self.failures[backend] = reason
                pytest.skip(reason)
        return self.urls[backend]

    def _prepare(self, backend: str) -> str:
        base = BACKENDS[backend]
        if base is None:
            url = f"sqlite:///{self.folder / 'lms.sqlite3'}"
        else:
            name = f"{make_url(base).database or 'test'}_{_worker()}"
            url = create_server_database(base, name)
            self.created.append((base, name))
        upgrade(url)
        self.engines[backend] = create_db_engine(url)
        return url

    @contextmanager
    def scratch(self, backend: str, suffix: str) -> Iterator[str]:
        """A fresh, empty database (never migrated) for tests that migrate themselves."""
        self.url(backend)  # skips when the server is unreachable
        base = BACKENDS[backend]
        if base is None:
            path = self.folder / f"scratch-{suffix}.sqlite3"
            path.unlink(missing_ok=True)
            yield f"sqlite:///{path}"
            return
        name = f"{make_url(base).database or 'test'}_{_worker()}_{suffix}"
        url = create_server_database(base, name)
        try:
            yield url
        finally:
            drop_server_database(base, name)

    def clean(self, backend: str) -> None:
        """Empty every table (children first); the schema stays."""
        engine = self.engines.get(backend)
        if engine is None:
            return
        with engine.begin() as connection:
            for table in reversed(METADATA.sorted_tables):
                connection.execute(table.delete())

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        for base, name in self.created:
            drop_server_database(base, name)


# --- the app -------------------------------------------------------------------------------


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "content_dir": tmp_path / "content",
        "output_dir": tmp_path / "output",
        "var_dir": tmp_path / "var",
        "database_url": database_url,
        "auto_migrate": "never",  # the fixture migrated it once for the whole run
        "secret_key": "test-secret-key-not-for-production",
        # Cheap Argon2 for speed; production defaults are tested in test_passwords.py.
        "argon2_time_cost": 1,
        "argon2_memory_cost": 8,
        "argon2_parallelism": 1,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --- mail ----------------------------------------------------------------------------------


def parse_eml(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def token_in(message: EmailMessage) -> str:
    match = re.search(r"\?token=([A-Za-z0-9_.\-%]+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


class Outbox:
    """The messages the app wrote to ``var/outbox/`` (after waiting for the mail thread)."""

    def __init__(self, app: Starlette, settings: Settings) -> None:
        self.app = app
        self.folder = settings.outbox_dir

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        self.app.state.mailer.drain()
        found = [parse_eml(path.read_bytes()) for path in sorted(self.folder.glob("*.eml"))]
        if to is not None:
            found = [m for m in found if to.lower() in str(m["To"]).lower()]
        return found

    def last(self, to: str | None = None) -> EmailMessage:
        messages = self.messages(to)
        assert messages, f"no message to {to}"
        return messages[-1]


# --- users ---------------------------------------------------------------------------------


def companion(client: TestClient) -> TestClient:
    """Another browser on the app ``client`` started: its own cookies, the same event loop.

    Sharing the running client's portal avoids both a second lifespan (which would replace
    the app's engine and mailer) and a new event-loop thread per request.
    """
    other = TestClient(client.app, base_url=str(client.base_url))
    other.portal = client.portal
    return other


#: ``make_user(email, roles=[...])`` → ``{"id", "email", "roles"}``.
UserFactory = Callable[..., dict[str, Any]]


@dataclass
class AuthActions:
    """``auth.register()``, ``auth.verify()``, ``auth.login()``, ``auth.logout()``."""

    client: TestClient
    outbox: Outbox

    def register(
        self,
        email: str = "student@example.com",
        password: str = PASSWORD,
        name: str = "Sam Student",
        **extra: Any,
    ) -> Any:
        return self.client.post(
            "/api/auth/register", json={"email": email, "password": password, "name": name, **extra}
        )

    def verify(self, email: str = "student@example.com") -> Any:
        token = token_in(self.outbox.last(to=email))
        return self.client.post("/api/auth/verify", json={"token": token})

    def login(self, email: str = "student@example.com", password: str = PASSWORD) -> Any:
        return self.client.post("/api/auth/login", json={"email": email, "password": password})

    def logout(self) -> Any:
        return self.client.post("/api/auth/logout", json={})
