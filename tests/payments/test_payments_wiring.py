"""How the API gets its PayPal: the client of the lifespan, and the sandbox `lms serve` runs
beside itself when `LMS_PAYPAL_BASE_URL` is empty."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from dynamic_api.payments.wiring import bundled_sandbox, open_paypal
from site_builder.serve import create_serve_app
from site_builder.settings import Settings


def settings_for(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "output_dir": tmp_path / "output",
        "var_dir": tmp_path / "var",
        "secret_key": "test-secret-key-not-for-production",
    }
    values.update(changes)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {},  # nothing configured and no sandbox running
        {"paypal_base_url": "https://api-m.paypal.com"},  # real PayPal without credentials
        {"paypal_base_url": "http://127.0.0.1:9", "env": "production"},
    ],
)
def test_payments_are_off_without_a_usable_configuration(
    tmp_path: Path, changes: dict[str, object]
) -> None:
    assert open_paypal(settings_for(tmp_path, **changes)) is None


@pytest.mark.anyio
async def test_a_loopback_sandbox_needs_no_credentials(tmp_path: Path) -> None:
    client = open_paypal(settings_for(tmp_path), "http://127.0.0.1:8790", {"max_retries": 0})
    assert client is not None
    try:
        assert client.config.base_url == "http://127.0.0.1:8790"
        assert client.config.client_id == "sandbox-client-id"
        assert client.config.max_retries == 0
    finally:
        await client.aclose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_lms_serve_runs_a_sandbox_and_the_api_uses_it(tmp_path: Path) -> None:
    """What `lms serve` does with LMS_PAYPAL_BASE_URL empty."""
    settings = settings_for(tmp_path)
    (tmp_path / "output").mkdir()
    with bundled_sandbox(settings, "0.0.0.0", 8123) as url:
        assert url.startswith("http://127.0.0.1:")
        config = httpx.get(f"{url}/__control/config", timeout=10).json()
        assert config["webhook_url"] == "http://127.0.0.1:8123/api/webhooks/paypal"
        app = create_serve_app(settings, settings.output_dir, paypal_sandbox_url=url)
        with TestClient(app) as client:
            paypal = app.state.api.state.paypal
            assert paypal is not None
            assert paypal.config.base_url == url
            # the payment endpoints answer (a quote needs a catalog: 404, not 503)
            assert client.get("/api/prices/course/anything").status_code == 404
        assert app.state.api.state.paypal is None  # closed with the lifespan
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/__control/config", timeout=2)
