"""Security headers for API responses, as pure ASGI middleware.

Pure ASGI rather than ``BaseHTTPMiddleware``: it only edits the ``http.response.start``
message, so streaming responses stay streaming and exceptions keep their normal path.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

#: What every API response carries unless the endpoint set the header itself. The API
#: serves data, never pages: no sniffing into HTML, and no URL leaks through Referer.
BASE_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def is_json(content_type: str) -> bool:
    """``application/json`` and the ``+json`` family (``application/problem+json``, …)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def security_headers(content_type: str) -> dict[str, str]:
    """The headers an API response of this content type should carry.

    JSON answers are per user (progress, orders, sessions) and must never be kept by a
    browser or a shared cache, hence ``no-store``. Other types (an ``.ics`` feed, a
    certificate PDF) choose their own caching, so they get only the base headers.
    """
    headers = dict(BASE_HEADERS)
    if is_json(content_type):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response, never overriding the endpoint."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(headers.get("content-type", "")).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
