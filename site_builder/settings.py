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

from pydantic import Field, SecretStr, field_validator
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

    # --- database (dynamic_api/db.py, migrations/) -------------------------------------
    auto_migrate: Literal["sqlite", "always", "never"] = Field(
        "sqlite",
        description="When the API starts, upgrade the database schema to the latest migration: "
        "`sqlite` only for an SQLite database (the embedded default), `always` for any "
        "database, `never` (run `lms db upgrade` yourself).",
    )

    # --- accounts and sessions (dynamic_api/accounts.py, sessions.py) ------------------
    require_verified_email: bool = Field(
        False,
        description="Refuse to sign in (403 `email_not_verified`) until the address is "
        "confirmed through the emailed link.",
    )
    session_lifetime_days: int = Field(
        14,
        ge=1,
        le=400,
        description="A session ends after this many days without use (sliding expiry); the "
        "cookie's Max-Age is the same.",
    )
    session_touch_minutes: int = Field(
        5,
        ge=0,
        le=1440,
        description="Extend a session's expiry at most once per this many minutes, so a "
        "busy user does not cost a database write per request.",
    )
    verify_token_hours: int = Field(
        48, ge=1, description="How long the email-verification link stays valid."
    )
    reset_token_minutes: int = Field(
        60, ge=5, description="How long the password-reset link stays valid (single use)."
    )
    argon2_time_cost: int = Field(
        3, ge=1, description="Argon2id iterations (argon2-cffi's RFC 9106 low-memory profile)."
    )
    argon2_memory_cost: int = Field(
        65536, ge=8, description="Argon2id memory in KiB (64 MiB by default)."
    )
    argon2_parallelism: int = Field(4, ge=1, description="Argon2id lanes (threads).")

    # --- rate limits (dynamic_api/ratelimit.py) ------------------------------------------
    rate_limit_login_ip: str = Field(
        "20/minute",
        description="Sign-in attempts per client IP, as `N/minute` (or `/second`, `/hour`, "
        "`/day`; a moving window). A classroom behind one NAT address shares it.",
    )
    rate_limit_login_account: str = Field(
        "5/minute",
        description="Sign-in attempts per email address; also counts password confirmations "
        "on account settings.",
    )
    rate_limit_register_ip: str = Field("20/hour", description="Sign-ups per client IP.")
    rate_limit_register_account: str = Field("5/hour", description="Sign-ups per email address.")
    rate_limit_forgot_ip: str = Field(
        "10/hour",
        description="Password-reset and verification-resend requests per client IP.",
    )
    rate_limit_forgot_account: str = Field(
        "3/hour",
        description="Password-reset, verification-resend and email-change messages per address.",
    )
    trusted_proxies: int = Field(
        0,
        ge=0,
        le=10,
        description="How many reverse proxies in front of the API append to "
        "`X-Forwarded-For`; 0 ignores the header and uses the connecting address.",
    )

    # --- email (dynamic_api/mail/) -------------------------------------------------------
    smtp_host: str = Field(
        "", description="SMTP server; empty writes each message as an `.eml` file to var/outbox/."
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 SSL).")
    smtp_username: str = Field("", description="SMTP login; empty sends without AUTH.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(False, description="Connect with implicit TLS (port 465) instead.")
    smtp_from: str = Field(
        "Open Harbor LMS <no-reply@localhost>",
        description="The From address of every email, with an optional display name.",
    )
    smtp_timeout: float = Field(10.0, gt=0, description="Seconds to wait for the SMTP server.")
    catalog_refresh_seconds: float = Field(
        2.0,
        ge=0,
        description="How often each API process checks for a newly published catalog version.",
    )
    deploy_token: SecretStr | None = Field(
        None,
        description="Bearer token that lets `lms publish --to URL` upload a build to the API; "
        "remote publishing is refused while unset.",
    )
    publish_max_mb: int = Field(
        200, ge=1, le=10_000, description="Largest private bundle the API accepts, uncompressed."
    )
    attempt_grace_seconds: int = Field(
        30,
        ge=0,
        le=600,
        description="Seconds after a timed evaluation's deadline a submission is still taken "
        "(network latency); later ones are refused.",
    )

    # --- certificates and master classes (dynamic_api/routes/certificates.py, …) -------
    certificate_page_size: Literal["A4", "Letter"] = Field(
        "A4",
        description="Paper size of certificate PDFs (landscape), fixed when a certificate "
        "is first downloaded.",
    )
    masterclass_join_minutes: int = Field(
        15,
        ge=0,
        le=2 * 366 * 24 * 60,
        description="Minutes before a master class starts from which registered participants "
        "get its join link (until it ends).",
    )

    # --- payments (dynamic_api/payments/, docs/payments.md) --------------------------------
    paypal_base_url: str = Field(
        "",
        description="PayPal REST API base URL: `https://api-m.paypal.com` (live), "
        "`https://api-m.sandbox.paypal.com` (PayPal's sandbox) or the bundled "
        "PayPal-compatible server; empty means the bundled server under `lms serve`.",
    )
    paypal_client_id: str = Field("", description="PayPal REST app client id.")
    paypal_client_secret: SecretStr | None = Field(None, description="PayPal REST app secret.")
    paypal_webhook_id: str = Field(
        "", description="The id PayPal gave the webhook subscription; verifies webhook events."
    )
    paypal_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Seconds to wait for one PayPal request before retrying."
    )
    refund_revokes_access: bool = Field(
        True,
        description="A refund (by an admin, or reported by PayPal's webhook) ends the "
        "enrollments or master-class registration the order gave.",
    )

    live_reload: bool = Field(
        False, description="Inject the live-reload script into pages (set by `lms serve`)."
    )
    adsense_client: str = Field(
        "", description="Google AdSense client id; ads are off when empty (free pages only)."
    )

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, value: str) -> str:
        """Exact origins only: ``*`` with credentials would trust every site on the web."""
        from urllib.parse import urlsplit

        for origin in (o.strip().rstrip("/") for o in value.split(",") if o.strip()):
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
                raise ValueError(
                    f"{origin!r} is not an origin; write scheme://host[:port], "
                    "e.g. https://learn.example.com (no `*`, no path)"
                )
        return value

    @field_validator("paypal_base_url")
    @classmethod
    def _check_paypal_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value.strip())
        if value.strip() and (parts.scheme not in {"http", "https"} or not parts.netloc):
            raise ValueError(
                f"{value!r} is not a URL; write e.g. https://api-m.paypal.com (or leave empty)"
            )
        return value.strip().rstrip("/")

    @field_validator(
        "rate_limit_login_ip",
        "rate_limit_login_account",
        "rate_limit_register_ip",
        "rate_limit_register_account",
        "rate_limit_forgot_ip",
        "rate_limit_forgot_account",
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            single = len(parse_many(value)) == 1
        except ValueError:
            single = False
        if not single:
            raise ValueError(f"{value!r} is not a rate limit; write e.g. `10/minute` or `100/hour`")
        return value

    @property
    def private_bundle_dir(self) -> Path:
        """The build's private output: manifest, gated lesson bodies, answer keys."""
        return self.var_dir / "site"

    @property
    def cache_dir(self) -> Path:
        return self.var_dir / "cache"

    @property
    def outbox_dir(self) -> Path:
        """Where emails go as ``.eml`` files when no SMTP host is set."""
        return self.var_dir / "outbox"

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
