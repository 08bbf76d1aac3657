"""GET /api/health and GET /api/openapi.json."""

from __future__ import annotations

import pytest
from learning_support import Publisher
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.schemas import SchemaGenerator
from starlette.testclient import TestClient

from dynamic_api.__version__ import __version__
from dynamic_api.migrate import head_revision
from dynamic_api.routes import service
from dynamic_api.routes.service import CheckResult
from site_builder.settings import Settings


def test_health_is_ok_with_a_published_catalog(client: TestClient, publish: Publisher) -> None:
    published = publish()

    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["catalog"]["available"] is True
    assert body["catalog"]["version"] == published.version
    assert body["catalog"]["published_at"].endswith("Z")
    assert body["checks"]["catalog"] == {
        "ok": True,
        "detail": f"Catalog version {published.version} is published.",
    }
    assert body["checks"]["database"] == {
        "ok": True,
        "detail": f"Reachable; schema at revision {head_revision()}.",
    }


def test_health_reports_a_failing_check_with_503(client: TestClient) -> None:
    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["catalog"] == {"available": False, "version": None, "published_at": None}
    assert body["checks"]["catalog"]["ok"] is False
    assert "lms publish" in body["checks"]["catalog"]["detail"]


def test_health_runs_every_registered_check(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_ok(request: object) -> CheckResult:
        return CheckResult(ok=True, detail="SELECT 1 answered.")

    async def broken(request: object) -> CheckResult:
        raise ConnectionError("postgresql://admin:hunter2@db/lms refused")

    monkeypatch.setattr(
        service,
        "HEALTH_CHECKS",
        [("catalog", service.check_catalog), ("database", database_ok), ("redis", broken)],
    )
    settings.private_bundle_dir.mkdir(parents=True)

    response = client.get("/api/health")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert list(checks) == ["catalog", "database", "redis"]
    assert checks["database"] == {"ok": True, "detail": "SELECT 1 answered."}
    assert checks["redis"] == {"ok": False, "detail": "Failed with ConnectionError."}
    assert "hunter2" not in response.text


def test_health_check_that_hangs_times_out(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    async def hangs(request: object) -> CheckResult:
        await anyio.sleep(60)
        raise AssertionError("unreachable")

    monkeypatch.setattr(service, "CHECK_TIMEOUT_SECONDS", 0.05)
    monkeypatch.setattr(service, "HEALTH_CHECKS", [("slow", hangs)])

    response = client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["checks"]["slow"]["detail"].startswith("Timed out")


def test_openapi_is_a_valid_document(client: TestClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"].startswith("3.")
    assert document["info"]["version"] == __version__


def test_openapi_lists_the_service_endpoints(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/health"]) == {"get"}
    assert set(paths["/api/health"]["get"]["responses"]) == {"200", "503", "500"}
    assert "/api/openapi.json" in paths


def test_openapi_documents_the_error_format(client: TestClient) -> None:
    components = client.get("/api/openapi.json").json()["components"]

    error = components["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    detail = components["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "fields"}
    assert set(detail["required"]) == {"code", "message"}
    not_found = components["responses"]["NotFound"]
    schema = not_found["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


def test_every_api_route_is_documented(app: Starlette, client: TestClient) -> None:
    """The contract: every endpoint the API serves appears in its OpenAPI document.

    ``SchemaGenerator`` silently skips an endpoint without a YAML docstring; this does not.
    """
    paths = client.get("/api/openapi.json").json()["paths"]

    endpoints = SchemaGenerator({}).get_endpoints(app.routes)
    assert endpoints
    for endpoint in endpoints:
        assert endpoint.path.startswith("/api/"), endpoint.path
        assert endpoint.http_method in paths.get(endpoint.path, {}), endpoint
