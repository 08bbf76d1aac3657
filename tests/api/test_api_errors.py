"""The one error format: routing errors, ApiError, unexpected exceptions, security headers."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from dynamic_api import ApiError, create_app
from site_builder.settings import Settings


async def crash(request: Request) -> Response:
    raise RuntimeError("secret database password in /srv/lms/app.py")


async def refuse(request: Request) -> Response:
    raise ApiError(
        429, "rate_limited", "Slow down.", {"email": "Too many."}, headers={"Retry-After": "30"}
    )


async def gone(request: Request) -> Response:
    raise HTTPException(404, detail="No such course.")


async def teapot(request: Request) -> Response:
    raise HTTPException(418)


async def calendar(request: Request) -> Response:
    return PlainTextResponse("BEGIN:VCALENDAR", media_type="text/calendar")


async def cached(request: Request) -> Response:
    return JSONResponse({}, headers={"Cache-Control": "public, max-age=60"})


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The real API plus a few endpoints that fail in each way."""
    app = create_app(settings)
    app.router.routes.extend(
        [
            Route("/api/test/crash", crash),
            Route("/api/test/refuse", refuse),
            Route("/api/test/gone", gone),
            Route("/api/test/teapot", teapot),
            Route("/api/test/calendar", calendar),
            Route("/api/test/cached", cached),
        ]
    )
    return app


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is no API endpoint at this address."}
    }


def test_wrong_method_is_a_json_405_with_allow(client: TestClient) -> None:
    response = client.delete("/api/health")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_http_exception_keeps_its_detail(client: TestClient) -> None:
    response = client.get("/api/test/gone")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such course."}}


def test_http_exception_without_entry_gets_a_code_from_its_phrase(client: TestClient) -> None:
    response = client.get("/api/test/teapot")

    assert response.status_code == 418
    assert response.json()["error"] == {"code": "i_m_a_teapot", "message": "I'm a Teapot."}


def test_api_error_carries_status_code_fields_and_headers(client: TestClient) -> None:
    response = client.get("/api/test/refuse")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json() == {
        "error": {"code": "rate_limited", "message": "Slow down.", "fields": {"email": "Too many."}}
    }


def test_api_error_repr_is_readable() -> None:
    assert repr(ApiError(409, "conflict", "Taken.")) == "ApiError(409, 'conflict', 'Taken.')"


def test_unexpected_exception_is_a_500_without_details(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    # Starlette re-raises after answering so the server can log it; the client sees the answer.
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="dynamic_api.errors"),
    ):
        response = client.get("/api/test/crash")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side. Please try again later.",
        }
    }
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    # The 500 comes from outside the user middleware, so it sets the headers itself.
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    # ...and the log has everything the client was not told.
    (record,) = [r for r in caplog.records if r.name == "dynamic_api.errors"]
    assert "GET /api/test/crash" in record.getMessage()
    assert record.exc_info is not None
    assert "secret database password" in str(record.exc_info[1])


def test_json_responses_get_security_headers(client: TestClient) -> None:
    for path in ("/api/openapi.json", "/api/nope"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_non_json_responses_choose_their_own_caching(client: TestClient) -> None:
    response = client.get("/api/test/calendar")

    assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in response.headers


def test_an_endpoint_s_own_cache_control_wins(client: TestClient) -> None:
    assert client.get("/api/test/cached").headers["cache-control"] == "public, max-age=60"
