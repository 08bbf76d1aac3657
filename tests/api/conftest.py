"""Fixtures for API tests: settings, the app and its client, databases, mail, signed-in users.

Databases. Every test runs on SQLite; a test module marked ``all_databases`` also runs on
each server in ``LMS_TEST_DATABASE_URLS`` (comma-separated SQLAlchemy URLs; `.ci/run` sets
PostgreSQL and MariaDB). Each pytest-xdist worker gets its own database on each server
(``test_gw0``, ``test_gw1``, …, created from the URL's database name), migrated once per
run; after each test every table is emptied, which is much faster than migrating again. A
server that cannot be reached skips its tests with the reason.

Helpers in the style of Flask's tutorial: ``auth.register()``, ``auth.login()``,
``auth.logout()``; ``student`` and ``admin`` give a client signed in as such a user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import (
    BACKENDS,
    PASSWORD,
    AuthActions,
    Databases,
    Outbox,
    UserFactory,
    companion,
    make_settings,
)
from learning_support import Publisher
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.accounts import account, create_user
from dynamic_api.db import session_scope
from dynamic_api.passwords import Passwords
from site_builder.settings import Settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "all_databases: run on SQLite and on every server in LMS_TEST_DATABASE_URLS",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "all_databases"
    ):
        metafunc.parametrize("db_backend", list(BACKENDS), indirect=True)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    registry = Databases(tmp_path_factory.mktemp("databases"))
    yield registry
    registry.close()


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite``, or (in ``all_databases`` modules) each backend in turn."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(databases: Databases, db_backend: str) -> Iterator[str]:
    url = databases.url(db_backend)
    yield url
    databases.clean(db_backend)


@pytest.fixture
def engine(databases: Databases, db_backend: str, database_url: str) -> Engine:
    """The test's database, for arranging rows and checking them directly."""
    return databases.engines[db_backend]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings that ignore any `.env`, keep all state under ``tmp_path`` and use the
    test's database."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def outbox(app: Starlette, settings: Settings, client: TestClient) -> Outbox:
    return Outbox(app, settings)


@pytest.fixture
def auth(client: TestClient, outbox: Outbox) -> AuthActions:
    return AuthActions(client, outbox)


@pytest.fixture
def make_user(engine: Engine, settings: Settings) -> UserFactory:
    """Insert a user straight into the database: ``make_user("a@example.com", roles=["admin"])``."""
    passwords = Passwords(settings)

    def make(
        email: str = "user@example.com",
        *,
        name: str = "Test User",
        password: str = PASSWORD,
        roles: tuple[str, ...] | list[str] = (),
        verified: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        with session_scope(engine) as session:
            user = create_user(
                session,
                email=email,
                name=name,
                password_hash=passwords.hash(password),
                roles=roles,
                verified=verified,
                **fields,
            )
            view = account(session, user)
        return {"id": view.id, "email": view.email, "roles": sorted(view.roles)}

    return make


@pytest.fixture
def login_as(
    app: Starlette, client: TestClient, make_user: UserFactory
) -> Iterator[Callable[..., TestClient]]:
    """``login_as("admin")``: a new client signed in as a new user with those roles.

    The extra clients share the app that ``client`` started (its engine and mailer), each
    with its own cookie jar, so a test can act as several people.
    """
    counter = iter(range(1, 1000))
    clients: list[TestClient] = []

    def login(*roles: str, email: str | None = None) -> TestClient:
        address = email or f"{'-'.join(roles) or 'student'}{next(counter)}@example.com"
        user = make_user(address, roles=list(roles))
        other = companion(client)
        clients.append(other)
        response = other.post("/api/auth/login", json={"email": address, "password": PASSWORD})
        assert response.status_code == 200, response.text
        other.user = user  # type: ignore[attr-defined]
        return other

    yield login
    for other in clients:
        other.close()


@pytest.fixture
def student(login_as: Callable[..., TestClient]) -> TestClient:
    """A client signed in as a (verified) student."""
    return login_as(email="student@example.com")


@pytest.fixture
def admin(login_as: Callable[..., TestClient]) -> TestClient:
    """A client signed in as an admin."""
    return login_as("admin", email="admin@example.com")


# --- learning ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def academy_bundle(built_academy: Any) -> dict[str, bytes]:
    """The fixture academy's private bundle (built once per session), as publishable files."""
    from dynamic_api.learning.publish import read_bundle_dir

    return read_bundle_dir(built_academy.private)


@pytest.fixture
def publish(
    app: Starlette, engine: Engine, academy_bundle: dict[str, bytes], client: TestClient
) -> Publisher:
    """Publish the fixture academy: ``publish()``, or ``publish(mutate)`` to edit the manifest."""
    return Publisher(app, engine, academy_bundle)


@pytest.fixture
def catalog(publish: Publisher) -> Publisher:
    """The fixture academy, published as is."""
    publish()
    return publish
