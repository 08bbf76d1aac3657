"""Fixtures of the site-builder tests: a copy of the fixture academy in a temporary folder,
and the fixture academy built once per session (per xdist worker) for read-only checks.

The fixture academy (`tests/fixtures/academy/`) is the tests' own content, independent of
the demo academy in `content/`; see its marker strings in `test_leaks.py`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lms_support import FIXTURE_ACADEMY, BuiltSite, make_settings, run_build

from site_builder.settings import Settings


@pytest.fixture
def academy_copy(tmp_path: Path) -> Callable[..., Settings]:
    """A factory: copy the fixture academy to `tmp_path/<name>/content`, return its Settings."""

    def make(name: str = "site", **changes: object) -> Settings:
        root = tmp_path / name
        shutil.copytree(FIXTURE_ACADEMY, root / "content")
        return make_settings(root, **changes)

    return make


@pytest.fixture(scope="session")
def built_academy(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture academy, built once. Treat it as read-only."""
    root = tmp_path_factory.mktemp("built-academy")
    shutil.copytree(FIXTURE_ACADEMY, root / "content")
    settings = make_settings(root)
    return BuiltSite(settings, run_build(settings))
