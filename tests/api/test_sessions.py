"""Server-side sessions: hashed tokens, sliding expiry, revocation, cookie flags."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from api_support import PASSWORD, UserFactory, make_settings
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.db import session_scope, utcnow
from dynamic_api.models import User, UserSession

pytestmark = pytest.mark.all_databases


def only_session(engine: Engine) -> UserSession:
    with session_scope(engine) as session:
        return session.exec(select(UserSession)).one()


def login(client: TestClient, email: str = "user@example.com") -> None:
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


def test_the_database_keeps_only_a_hash_of_the_token(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user()
    client.headers["user-agent"] = "Firefox/1" + "x" * 400
    login(client)
    token = client.cookies["lms_session"]

    row = only_session(engine)

    assert len(token) >= 43  # 32 random bytes
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row)
    assert row.user_agent.startswith("Firefox/1")
    assert len(row.user_agent) == 255
    assert row.ip == "testclient"
    assert row.expires_at - row.created_at == timedelta(days=14)
    assert row.created_at.tzinfo is not None


def test_use_extends_the_session_at_most_once_per_touch_interval(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user()
    login(client)
    first = only_session(engine)

    quiet = client.get("/api/me")  # within the touch interval: no write, no cookie

    assert quiet.status_code == 200
    assert "set-cookie" not in quiet.headers
    assert only_session(engine).expires_at == first.expires_at

    # Ten minutes pass (the interval is five), and the session is about to expire.
    with session_scope(engine) as session:
        row = session.exec(select(UserSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=10)
        row.expires_at = utcnow() + timedelta(minutes=1)
        session.add(row)

    touched = client.get("/api/me")

    assert touched.status_code == 200
    cookie = touched.headers["set-cookie"]
    assert cookie.startswith(f"lms_session={client.cookies['lms_session']};")
    assert f"Max-Age={14 * 86400}" in cookie
    after = only_session(engine)
    assert after.expires_at > utcnow() + timedelta(days=13)
    assert utcnow() - after.last_seen_at < timedelta(minutes=1)


def test_an_expired_session_is_refused_and_its_cookie_deleted(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user()
    login(client)
    with session_scope(engine) as session:
        row = session.exec(select(UserSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)

    response = client.get("/api/me")

    assert response.status_code == 401
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_disabling_a_user_ends_their_sessions(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user()
    login(client)
    with session_scope(engine) as session:
        user = session.exec(select(User)).one()
        user.is_active = False
        session.add(user)

    assert client.get("/api/me").status_code == 401


def test_signing_in_again_replaces_the_browser_s_session(
    client: TestClient, make_user: UserFactory, engine: Engine
) -> None:
    make_user()
    login(client)
    login(client)

    with session_scope(engine) as session:
        rows = session.exec(select(UserSession).order_by(UserSession.id)).all()  # type: ignore[arg-type]
    assert len(rows) == 2
    assert rows[0].revoked_at is not None
    assert rows[1].revoked_at is None


@pytest.mark.parametrize(
    "cookie", [b"", b"x", b"a" * 5000, "💥".encode(), b"\xff\xfe", b"' OR 1=1 --"]
)
def test_garbage_cookies_are_just_not_signed_in(client: TestClient, cookie: bytes) -> None:
    response = client.get("/api/me", headers={"cookie": b"lms_session=" + cookie})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("env", "base_url", "secure"),
    [
        ("production", "https://api.example.com", True),
        ("production", "http://api.example.com", True),  # TLS ends at a proxy: still Secure
        ("development", "https://localhost", True),
        ("development", "http://127.0.0.1:8000", False),  # `lms serve`
        ("test", "http://testserver", False),
    ],
)
def test_the_cookie_is_secure_outside_local_http(
    tmp_path: Path,
    database_url: str,
    make_user: UserFactory,
    env: str,
    base_url: str,
    secure: bool,
) -> None:
    make_user()
    settings = make_settings(tmp_path, database_url, env=env)
    app: Starlette = create_app(settings)
    with TestClient(app, base_url=base_url) as client:
        response = client.post(
            "/api/auth/login", json={"email": "user@example.com", "password": PASSWORD}
        )

    assert response.status_code == 200
    assert ("; Secure" in response.headers["set-cookie"]) is secure
