"""``LMS_PAYPAL_*`` settings → the client's configuration, and the commands that start the
sandbox (``lms paypal-sandbox``, ``python -m paypal_sandbox``)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

import paypal_sandbox.serve
from dynamic_api.payments import (
    LIVE_URL,
    SANDBOX_CLIENT_ID,
    SANDBOX_WEBHOOK_ID,
    PayPalNotConfigured,
    is_loopback_url,
    paypal_config,
)
from paypal_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_WEBHOOK_ID
from paypal_sandbox.__main__ import main as sandbox_main
from site_builder import cli
from site_builder.settings import Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, env=values.pop("env", "test"), **values)  # type: ignore[call-arg]


def test_the_api_and_the_sandbox_agree_on_default_credentials() -> None:
    # The two packages do not import each other; this keeps their copies equal.
    assert SANDBOX_CLIENT_ID == DEFAULT_CLIENT_ID
    assert SANDBOX_WEBHOOK_ID == DEFAULT_WEBHOOK_ID
    config = paypal_config(settings(), sandbox_url="http://127.0.0.1:8790")
    assert (config.client_id, config.client_secret) == (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


def test_live_paypal_needs_real_credentials() -> None:
    with pytest.raises(PayPalNotConfigured, match="LMS_PAYPAL_CLIENT_ID"):
        paypal_config(settings(paypal_base_url=LIVE_URL))
    with pytest.raises(PayPalNotConfigured, match="LMS_PAYPAL_BASE_URL"):
        paypal_config(settings())
    # Production never falls back to the sandbox's public credentials, even on loopback.
    with pytest.raises(PayPalNotConfigured):
        paypal_config(
            settings(env="production", secret_key="k" * 40), sandbox_url="http://127.0.0.1:1"
        )
    config = paypal_config(
        settings(
            paypal_base_url=LIVE_URL + "/",
            paypal_client_id="live-id",
            paypal_client_secret="live-secret",
            paypal_webhook_id="WH123",
            paypal_timeout_seconds=4.5,
        ),
        sandbox_url="http://127.0.0.1:8790",
    )
    assert (config.base_url, config.client_id, config.client_secret) == (
        LIVE_URL,
        "live-id",
        "live-secret",
    )
    assert (config.webhook_id, config.timeout) == ("WH123", 4.5)


def test_the_secret_is_masked_in_settings() -> None:
    configured = settings(paypal_client_secret="hush")
    assert "hush" not in repr(configured)
    with pytest.raises(ValueError, match="not a URL"):
        settings(paypal_base_url="api-m.paypal.com")


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8790", True),
        ("http://localhost:8790/x", True),
        ("http://[::1]:8790", True),
        ("https://api-m.paypal.com", False),
        ("http://10.0.0.1", False),
    ],
)
def test_is_loopback_url(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_lms_paypal_sandbox_uses_the_lms_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    def fake_serve(config: Any, *, host: str, port: int) -> None:
        started.update(config=config, host=host, port=port)

    monkeypatch.setattr(paypal_sandbox.serve, "serve", fake_serve)
    monkeypatch.setattr(
        cli,
        "_settings",
        lambda: settings(
            paypal_client_id="mine", paypal_client_secret="s3cret", paypal_webhook_id="WHX"
        ),
    )
    result = CliRunner().invoke(
        cli.main, ["paypal-sandbox", "--port", "8791", "--webhook-url", "http://127.0.0.1:8000/h"]
    )
    assert result.exit_code == 0, result.output
    config = started["config"]
    assert (started["host"], started["port"]) == ("127.0.0.1", 8791)
    assert (config.client_id, config.client_secret, config.webhook_id) == ("mine", "s3cret", "WHX")
    assert config.webhook_url == "http://127.0.0.1:8000/h"


def test_python_m_paypal_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(
        paypal_sandbox.serve, "serve", lambda config, **kw: started.update(config=config, **kw)
    )
    sandbox_main(["--port", "8799", "--webhook-url", "http://127.0.0.1:9/h"])
    assert started["port"] == 8799
    assert started["config"].webhook_url == "http://127.0.0.1:9/h"
    assert started["config"].client_id == DEFAULT_CLIENT_ID


def test_the_banner_says_how_to_point_the_lms_at_the_sandbox() -> None:
    text = paypal_sandbox.serve.banner(paypal_sandbox.SandboxConfig(), "http://127.0.0.1:8790")
    assert "LMS_PAYPAL_BASE_URL=http://127.0.0.1:8790" in text
    assert DEFAULT_CLIENT_SECRET not in text
