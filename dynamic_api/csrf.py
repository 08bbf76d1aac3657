"""Cross-origin protection (CSRF) for the API, from request headers alone, as pure ASGI.

The algorithm is Go's ``net/http.CrossOriginProtection`` (Go 1.25, ``src/net/http/csrf.go``;
Filippo Valsorda, https://words.filippo.io/csrf/), the one Datasette's
``datasette/csrf.py`` also implements, plus an allow-list: our pages are served from a
sibling origin (``https://learn.example.com`` calling ``https://api.example.com``), which the
browser rightly reports as ``Sec-Fetch-Site: same-site``, so those origins are trusted
explicitly (Go's ``AddTrustedOrigin``) from ``LMS_ALLOWED_ORIGINS``.

For an unsafe method (anything but GET, HEAD, OPTIONS):

1. ``Origin`` is a trusted origin: allowed.
2. ``Sec-Fetch-Site`` is present (every browser since 2023): allowed when ``same-origin`` or
   ``none`` (typed into the address bar), refused otherwise (``same-site``, ``cross-site``).
3. No ``Sec-Fetch-Site`` and no ``Origin``: not a browser (curl, a school's script, a mobile
   app), or a very old one; allowed, since CSRF needs a browser carrying the victim's cookie.
4. Only ``Origin``: allowed when its host is this request's ``Host`` (same origin); refused
   otherwise, ``Origin: null`` (sandboxed frames, some redirects) included.

Refusals are 403 ``cross_origin_request``. The second half of the defence is in the
endpoints: every state-changing one reads its body with ``read_json``, which refuses anything
but ``Content-Type: application/json``. A cross-site HTML form can only send
``application/x-www-form-urlencoded``, ``multipart/form-data`` or ``text/plain``, and a
cross-site ``fetch`` with JSON needs a CORS preflight that only allow-listed origins pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from dynamic_api.errors import error_response

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host_of(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return parts.netloc.lower()


def cross_origin_refusal(
    method: str, headers: Headers, trusted_origins: frozenset[str]
) -> str | None:
    """Why this request is refused, or ``None`` when it may proceed (a pure function)."""
    if method.upper() in SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/") in trusted_origins:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.lower() in {"same-origin", "none"}:
            return None
        return f"Sec-Fetch-Site is {fetch_site!r} and Origin {origin!r} is not trusted"
    if origin is None:
        return None
    host = headers.get("host", "").lower()
    if host and _host_of(origin) == host:
        return None
    return f"Origin {origin!r} does not match Host {host!r} and is not trusted"


class CrossOriginProtectionMiddleware:
    """Refuses unsafe cross-origin browser requests unless their origin is trusted."""

    def __init__(self, app: ASGIApp, trusted_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted_origins = frozenset(origin.rstrip("/") for origin in trusted_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = cross_origin_refusal(
                scope["method"], Headers(scope=scope), self.trusted_origins
            )
            if reason is not None:
                logger.warning("Refused %s %s: %s", scope["method"], scope["path"], reason)
                response = error_response(
                    403,
                    "cross_origin_request",
                    "This request came from a page the API does not trust; it was refused.",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
