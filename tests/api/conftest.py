"""Fixtures for API tests: settings in a temporary folder, the app, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import create_app
from site_builder.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that ignore any `.env` and keep all state under ``tmp_path``."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        content_dir=tmp_path / "content",
        output_dir=tmp_path / "output",
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
