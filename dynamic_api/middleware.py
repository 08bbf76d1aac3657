"""Security headers for API responses, as pure ASGI middleware.

Pure ASGI rather than ``BaseHTTPMiddleware``: it only edits the ``http.response.start``
message, so streaming responses stay streaming and exceptions keep their normal path.
"""

from __future__ import annotations

import logging

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


def _raw(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())


#: :func:`security_headers` as raw ASGI pairs, encoded once (this runs on every response).
_RAW_HEADERS = {True: _raw(security_headers("application/json")), False: _raw(BASE_HEADERS)}


def add_security_headers(message: Message) -> None:
    """Append to an ``http.response.start`` message the :func:`security_headers` it lacks.

    One pass over the raw header list, no per-request encoding: the same result as
    ``MutableHeaders.setdefault`` for each header, at a fraction of the cost.
    """
    raw = list(message.get("headers", ()))
    present = set()
    content_type = b""
    for name, value in raw:
        lowered = name.lower()
        if lowered == b"content-type" and b"content-type" not in present:
            content_type = value
        present.add(lowered)
    missing = [
        pair
        for pair in _RAW_HEADERS[is_json(content_type.decode("latin-1"))]
        if pair[0] not in present
    ]
    if missing:
        message["headers"] = raw + missing


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
                add_security_headers(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)
