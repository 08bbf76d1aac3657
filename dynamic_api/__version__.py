"""The installed version of the project, as the API reports it (health, OpenAPI ``info``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("static-lms")
except PackageNotFoundError:  # a source checkout that was never `pip install -e .`-ed
    __version__ = "0+unknown"
