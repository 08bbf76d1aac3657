"""The one settings object of the project, read from ``LMS_*`` environment variables.

Both halves use it: the build (where content lives, where the site and the API are
published) and the API (database, secrets, mail, cross-origin rules). Every field carries
its help text; ``tests/test_docs.py`` fails when a setting is missing from the README, in
the spirit of Datasette's ``SETTINGS`` table.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings. School identity (name, language, menus) lives in pelicanconf.py."""

    model_config = SettingsConfigDict(
        env_prefix="LMS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production", "test"] = Field(
        "development",
        description="`production` turns on Secure cookies and refuses a missing secret key.",
    )
    content_dir: Path = Field(Path("content"), description="Where the Markdown + YAML lives.")
    output_dir: Path = Field(Path("output"), description="Where `lms build` writes the site.")
    var_dir: Path = Field(
        Path("var"),
        description="Private state: the private bundle (`site/`), caches, the SQLite "
        "database, the mail outbox. Never served.",
    )
    theme: Path = Field(Path("themes/default"), description="The Pelican theme folder.")
    pelican_settings: Path = Field(
        Path("pelicanconf.py"), description="The Pelican settings file `lms build` reads."
    )
    site_url: str = Field(
        "http://127.0.0.1:8000",
        description="Absolute URL of the static site (sitemap, OpenGraph, QR codes, emails).",
    )
    api_url: str = Field(
        "",
        description="Absolute URL of the API as the pages call it; empty means the same "
        "origin as the site (what `lms serve` does).",
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means an SQLite file under the var folder."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs tokens. Unset in development: generated once into "
        "`var/secret_key`. Required in production.",
    )
    allowed_origins: str = Field(
        "",
        description="Comma-separated origins of the static site allowed to call the API "
        "with credentials (e.g. `https://learn.example.com`).",
    )
    redis_url: str = Field("", description="Redis URL for shared rate limits and cache.")
    live_reload: bool = Field(
        False, description="Inject the live-reload script into pages (set by `lms serve`)."
    )
    adsense_client: str = Field(
        "", description="Google AdSense client id; ads are off when empty (free pages only)."
    )

    @property
    def private_bundle_dir(self) -> Path:
        """The build's private output: manifest, gated lesson bodies, answer keys."""
        return self.var_dir / "site"

    @property
    def cache_dir(self) -> Path:
        return self.var_dir / "cache"

    @property
    def api_base(self) -> str:
        return self.api_url.rstrip("/")

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'lms.sqlite3').resolve()}"

    def effective_secret_key(self) -> str:
        """The signing key: from the environment, or generated once and kept in ``var/``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.env == "production":
            raise RuntimeError("LMS_SECRET_KEY must be set when LMS_ENV=production")
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def allowed_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()
