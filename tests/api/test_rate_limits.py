"""Rate limits of sign-in, sign-up and password-forgot: per IP, per account, shared via Redis."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, make_settings
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.ratelimit import RateLimiter
from site_builder.settings import Settings

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        rate_limit_login_ip="4/minute",
        rate_limit_login_account="2/minute",
        rate_limit_register_ip="4/hour",
        rate_limit_register_account="2/hour",
        rate_limit_forgot_ip="3/hour",
        rate_limit_forgot_account="1/hour",
    )


def login(client: TestClient, email: str, **headers: str) -> Any:
    return client.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD}, headers=headers
    )


def assert_limited(response: Any) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 3600


def test_login_is_limited_per_account(client: TestClient) -> None:
    statuses = [login(client, "ana@example.com").status_code for _ in range(2)]
    assert statuses == [401, 401]

    third = login(client, "ANA@example.com")  # the same account in another case

    assert_limited(third)
    assert int(third.headers["retry-after"]) <= 60
    assert login(client, "bob@example.com").status_code == 401  # another account is fine


def test_login_is_limited_per_ip(client: TestClient) -> None:
    for index in range(4):
        assert login(client, f"user{index}@example.com").status_code == 401

    assert_limited(login(client, "fresh@example.com"))


def test_register_is_limited(client: TestClient) -> None:
    def register(email: str) -> Any:
        return client.post(
            "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "N"}
        )

    assert register("a@example.com").status_code == 201
    assert register("a@example.com").status_code == 409
    assert_limited(register("a@example.com"))  # per account
    assert register("b@example.com").status_code == 201
    assert_limited(register("c@example.com"))  # per IP: 4 attempts per hour


def test_forgot_is_limited_per_account_and_the_answer_says_so(client: TestClient) -> None:
    def forgot(email: str) -> Any:
        return client.post("/api/auth/password/forgot", json={"email": email})

    assert forgot("a@example.com").status_code == 202
    assert_limited(forgot("a@example.com"))
    assert forgot("b@example.com").status_code == 202


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client: TestClient) -> None:
    for index in range(4):
        login(client, f"u{index}@example.com", **{"X-Forwarded-For": f"10.0.0.{index}"})

    assert_limited(login(client, "z@example.com", **{"X-Forwarded-For": "10.0.0.99"}))


def test_forwarded_for_counts_behind_a_trusted_proxy(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(
        tmp_path, database_url, rate_limit_login_ip="2/minute", trusted_proxies=1
    )
    with TestClient(create_app(settings)) as client:
        # The client's own claim (left) is ignored; the proxy's entry (right) counts.
        for index in range(2):
            spoofed = f"203.0.113.{index}, 198.51.100.7"
            assert (
                login(client, f"u{index}@example.com", **{"X-Forwarded-For": spoofed}).status_code
                == 401
            )
        assert_limited(
            login(client, "x@example.com", **{"X-Forwarded-For": "1.1.1.1, 198.51.100.7"})
        )
        other = login(client, "y@example.com", **{"X-Forwarded-For": "198.51.100.8"})
        assert other.status_code == 401


# --- shared through Redis ----------------------------------------------------------------------


@pytest.fixture
def redis_apps(settings: Settings) -> Iterator[tuple[Starlette, Starlette]]:
    """Two API processes (apps) sharing one Redis, with a key prefix of their own."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    prefix = f"lms-test-{secrets.token_hex(4)}"
    first, second = create_app(shared), create_app(shared)
    for app in (first, second):
        app.state.rate_limiter = RateLimiter(shared, key_prefix=prefix)
    yield first, second
    first.state.rate_limiter.reset()


def test_apps_sharing_redis_share_the_counts(
    redis_apps: tuple[Starlette, Starlette], client: TestClient
) -> None:
    first, second = redis_apps
    assert first.state.rate_limiter.shared
    with TestClient(first) as one, TestClient(second) as two:
        assert login(one, "ana@example.com").status_code == 401
        assert login(two, "ana@example.com").status_code == 401

        assert_limited(login(one, "ana@example.com"))
        assert_limited(login(two, "ana@example.com"))


def test_an_unreachable_redis_lets_requests_through(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = client.app
    assert isinstance(app, Starlette)
    app.state.rate_limiter = RateLimiter(broken)

    response = login(client, "ana@example.com")

    assert response.status_code == 401
    assert "Rate limit storage failed" in caplog.text
