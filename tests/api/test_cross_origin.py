"""CORS for the allow-listed site origins, and the cross-origin (CSRF) check on every write.

The API runs at https://api.example.com; the static site at https://learn.example.com.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import PASSWORD, UserFactory, make_settings
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.csrf import cross_origin_refusal
from site_builder.settings import Settings

API = "https://api.example.com"
SITE = "https://learn.example.com"
EVIL = "https://evil.example.net"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, allowed_origins=f"{SITE}, http://localhost:8000")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=API) as client:
        yield client


def logout(client: TestClient, **headers: str) -> Any:
    return client.post("/api/auth/logout", json={}, headers=headers)


def assert_refused(response: Any) -> None:
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_origin_request"


# --- the check, through the app -------------------------------------------------------------


def test_same_origin_browser_request_passes(client: TestClient) -> None:
    response = logout(client, **{"Sec-Fetch-Site": "same-origin", "Origin": API})
    assert response.status_code == 204


def test_trusted_sibling_origin_passes_with_credentialed_cors(client: TestClient) -> None:
    response = logout(client, **{"Sec-Fetch-Site": "same-site", "Origin": SITE})

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "origin" in response.headers["vary"].lower()


def test_foreign_origin_is_refused(client: TestClient) -> None:
    assert_refused(logout(client, **{"Sec-Fetch-Site": "cross-site", "Origin": EVIL}))
    assert_refused(logout(client, Origin=EVIL))  # an old browser without Sec-Fetch-Site


def test_untrusted_sibling_on_the_same_site_is_refused(client: TestClient) -> None:
    sibling = "https://forum.example.com"
    assert_refused(logout(client, **{"Sec-Fetch-Site": "same-site", "Origin": sibling}))


def test_origin_null_is_refused(client: TestClient) -> None:
    assert_refused(logout(client, Origin="null"))
    assert_refused(logout(client, **{"Sec-Fetch-Site": "cross-site", "Origin": "null"}))


def test_sec_fetch_site_cross_site_without_origin_is_refused(client: TestClient) -> None:
    assert_refused(logout(client, **{"Sec-Fetch-Site": "cross-site"}))


def test_a_request_typed_by_the_user_passes(client: TestClient) -> None:
    assert logout(client, **{"Sec-Fetch-Site": "none"}).status_code == 204


def test_a_non_browser_client_without_either_header_passes(client: TestClient) -> None:
    assert logout(client).status_code == 204


def test_safe_methods_are_never_refused(client: TestClient) -> None:
    response = client.get("/api/health", headers={"Sec-Fetch-Site": "cross-site", "Origin": EVIL})

    assert response.status_code in {200, 503}
    assert "access-control-allow-origin" not in response.headers  # the page cannot read it


def test_a_form_post_from_anywhere_is_refused_for_its_content_type(
    client: TestClient, make_user: UserFactory
) -> None:
    """Even when the origin check passes (no headers), a form body is not JSON."""
    make_user("victim@example.com")
    response = client.post(
        "/api/auth/login",
        content=f"email=victim@example.com&password={PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x"])
def test_other_simple_request_types_are_refused(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/api/auth/logout", content=b"{}", headers={"Content-Type": content_type}
    )
    assert response.status_code == 415


def test_sign_in_from_the_trusted_site(client: TestClient, make_user: UserFactory) -> None:
    make_user("ana@example.com")
    headers = {"Sec-Fetch-Site": "same-site", "Origin": SITE}

    response = client.post(
        "/api/auth/login",
        json={"email": "ana@example.com", "password": PASSWORD},
        headers=headers,
    )
    me = client.get("/api/me", headers=headers)

    assert response.status_code == 200
    assert response.headers["access-control-allow-credentials"] == "true"
    assert me.status_code == 200
    assert me.headers["access-control-allow-origin"] == SITE


# --- CORS preflight ----------------------------------------------------------------------------


def preflight(client: TestClient, origin: str, method: str = "POST") -> Any:
    return client.options(
        "/api/auth/login",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_preflight_from_the_trusted_site_is_allowed(client: TestClient) -> None:
    response = preflight(client, SITE, "PATCH")

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_preflight_from_a_foreign_origin_is_not_reflected(client: TestClient) -> None:
    response = preflight(client, EVIL)

    assert response.status_code == 400
    assert response.headers.get("access-control-allow-origin") != EVIL


def test_a_wildcard_origin_is_refused_by_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(tmp_path, "sqlite://", allowed_origins="*")
    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(tmp_path, "sqlite://", allowed_origins="https://learn.example.com/path")


# --- the rule, as a pure function --------------------------------------------------------------

TRUSTED = frozenset({SITE})


@pytest.mark.parametrize(
    ("method", "headers", "allowed"),
    [
        ("GET", {"sec-fetch-site": "cross-site", "origin": EVIL}, True),
        ("HEAD", {"origin": "null"}, True),
        ("OPTIONS", {"origin": EVIL}, True),
        ("POST", {"sec-fetch-site": "same-origin"}, True),
        ("POST", {"sec-fetch-site": "none"}, True),
        ("POST", {"sec-fetch-site": "same-site", "origin": SITE}, True),
        ("POST", {"sec-fetch-site": "cross-site", "origin": SITE + "/"}, True),
        ("PUT", {"origin": SITE}, True),
        ("POST", {}, True),
        ("POST", {"origin": API, "host": "api.example.com"}, True),
        ("POST", {"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"}, True),
        ("DELETE", {"sec-fetch-site": "cross-site"}, False),
        ("PATCH", {"sec-fetch-site": "same-site", "origin": "https://x.example.com"}, False),
        ("POST", {"origin": EVIL, "host": "api.example.com"}, False),
        ("POST", {"origin": "null", "host": "api.example.com"}, False),
        ("POST", {"origin": "https://api.example.com.evil.net", "host": "api.example.com"}, False),
        ("POST", {"origin": "not a url", "host": "api.example.com"}, False),
        ("POST", {"origin": SITE}, True),
        ("POST", {"sec-fetch-site": "cross-site", "origin": "null"}, False),
    ],
)
def test_cross_origin_rule(method: str, headers: dict[str, str], allowed: bool) -> None:
    reason = cross_origin_refusal(method, Headers(headers), TRUSTED)
    assert (reason is None) is allowed, reason
