"""The one local app that ``lms serve`` runs: the built site, the API and live reload, one port.

In production the static site sits on a CDN and the API runs on its own; locally both share
an origin, so the pages reach the API at ``/api/...`` exactly as configured by an empty
``LMS_API_URL``, and the strict Content-Security-Policy the site is built for
(:data:`CONTENT_SECURITY_POLICY`) is what the browser enforces while an author previews.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders, URLPath
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dynamic_api.app import create_app
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

#: The policy the theme is written for: no inline script or style, no third-party
#: requests, embeds only from the two video hosts lessons use.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
        "media-src 'self'",
        "object-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)

LIVE_RELOAD_PATH = "/__livereload"

#: How long a browser waits before reconnecting to the live-reload stream (SSE ``retry``).
RECONNECT_MS = 1000


# --- live reload -------------------------------------------------------------------------


def _resolve(future: asyncio.Future[int], version: int) -> None:
    if not future.done():  # it may have been cancelled: the browser went away
        future.set_result(version)


class LiveReload:
    """A version counter that browsers watch over Server-Sent Events.

    ``notify()`` is called when a rebuild finishes, and the rebuild runs in a thread, while
    the waiters are futures of an event loop. Asyncio objects may only be touched from their
    own loop, so the counter is guarded by a lock and each waiter is woken through its
    loop's ``call_soon_threadsafe``.
    """

    def __init__(self, keepalive: float = 15.0) -> None:
        self.keepalive = keepalive
        self._lock = threading.Lock()
        self._version = 0
        self._closed = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[int]]] = []
        # A restarted server is a change too (it rebuilt the site): browsers compare tokens.
        self._boot = secrets.token_hex(4)

    @property
    def version(self) -> int:
        return self._version

    @property
    def closed(self) -> bool:
        return self._closed

    def token(self, version: int) -> str:
        """What a browser remembers of the site it shows: this process and a version."""
        return f"{self._boot}.{version}"

    def notify(self) -> None:
        """Tell every watching browser to reload. Safe to call from any thread."""
        with self._lock:
            self._version += 1
            version = self._version
            waiters, self._waiters = self._waiters, []
        logger.debug("Live reload: version %s, %s browser(s) waiting", version, len(waiters))
        self._wake(waiters, version)

    def close(self) -> None:
        """End every stream (on shutdown: an open stream would keep the server waiting)."""
        with self._lock:
            self._closed = True
            version = self._version
            waiters, self._waiters = self._waiters, []
        self._wake(waiters, version)

    @staticmethod
    def _wake(
        waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[int]]], version: int
    ) -> None:
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, future, version)
            except RuntimeError:  # that loop has closed, and its waiter with it
                continue

    async def wait(self, seen: int, timeout: float | None = None) -> int:
        """Return the version once it differs from ``seen`` (or on timeout, or when closed)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._version != seen or self._closed:
                return self._version
            future: asyncio.Future[int] = loop.create_future()
            entry = (loop, future)
            self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return self._version
        finally:
            with self._lock:
                if entry in self._waiters:
                    self._waiters.remove(entry)

    async def events(self) -> AsyncIterator[str]:
        """One browser's SSE stream: ``hello`` with the current token, then a message per change.

        The browser reloads on a message, and also when a ``hello`` after a reconnection
        brings a token other than the first: it missed a rebuild while disconnected.
        Comments every ``keepalive`` seconds keep proxies from closing an idle stream.
        """
        seen = self._version
        yield f"retry: {RECONNECT_MS}\nevent: hello\ndata: {self.token(seen)}\n\n"
        while not self._closed:
            current = await self.wait(seen, timeout=self.keepalive)
            if self._closed:
                break
            if current == seen:
                yield ": keep-alive\n\n"
            else:
                seen = current
                yield f"data: {self.token(seen)}\n\n"


async def live_reload_stream(request: Request) -> Response:
    """``GET /__livereload``: the stream ``themes/default/static/js/livereload.js`` listens to."""
    live_reload: LiveReload = request.app.state.live_reload
    return StreamingResponse(
        live_reload.events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# --- the static site ---------------------------------------------------------------------


class SiteFiles(StaticFiles):
    """``StaticFiles`` in HTML mode (``/x/`` → ``x/index.html``, misses → ``404.html``).

    It keeps only the folder's path and resolves every request anew, which is what the
    build needs: it swaps ``output/`` by renaming a fresh folder into place. The path is
    made absolute but not resolved, so a symlinked ``output`` is followed per request too.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory.absolute(), html=True, check_dir=False)

    async def check_config(self) -> None:
        """Tolerate a missing folder: ``lms serve`` may start before the first build
        finishes, and a swap leaves a moment without one. Each miss is a 404, not a crash."""


class SiteHeadersMiddleware:
    """Headers for the static site: the CSP on HTML, and revalidation of everything.

    ``no-cache`` makes the browser revalidate every file (cheap, with ETags), so a reload
    after a rebuild never shows a stale stylesheet or page.
    """

    def __init__(self, app: ASGIApp, csp: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Cache-Control", "no-cache")
                if headers.get("content-type", "").lower().startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def site_not_found(request: Request, exc: Exception) -> Response:
    """Reached only when the site has no ``404.html`` (``SiteFiles`` serves it when present)."""
    assert isinstance(exc, HTTPException)
    output_dir: Path = request.app.state.output_dir
    if output_dir.is_dir():
        return PlainTextResponse("Not Found", status_code=404)
    return PlainTextResponse(
        f"Not Found: no site has been built into {output_dir} yet. Run `lms build`.",
        status_code=404,
    )


# --- the API, with its /api prefix kept -----------------------------------------------------


class PrefixRoute(BaseRoute):
    """Hands every request under ``prefix`` to ``app`` with the path untouched.

    ``Mount("/api", app)`` would strip ``/api`` before the API's router sees the path, but
    the API's routes carry the prefix themselves (``/api/health``), as they must when the
    API runs on its own.
    """

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self.prefix = prefix.rstrip("/")
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in {"http", "websocket"}:
            path: str = scope["path"]
            root_path: str = scope.get("root_path", "")
            if root_path and path.startswith(root_path):
                path = path[len(root_path) :]
            if path == self.prefix or path.startswith(self.prefix + "/"):
                return Match.FULL, {"endpoint": self.app}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r}, app={self.app!r})"


# --- the app -------------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[Mapping[str, Any]]:
    """Run the API's lifespan, which Starlette does not do for an app it only routes to.

    Whatever state the API's lifespan yields is passed on, so its requests see it here too.
    """
    api: Starlette = app.state.api
    try:
        async with api.router.lifespan_context(api) as state:
            yield dict(state or {})
    finally:
        if app.state.live_reload is not None:
            app.state.live_reload.close()


def create_serve_app(
    settings: Settings,
    output_dir: Path,
    live_reload: LiveReload | None = None,
    paypal_sandbox_url: str | None = None,
) -> Starlette:
    """The site from ``output_dir`` at ``/``, the API at ``/api/...``, live reload if given.

    ``paypal_sandbox_url``: where the bundled PayPal-compatible server runs (``lms serve``
    starts one when ``LMS_PAYPAL_BASE_URL`` is empty); the API's payments use it.
    """
    api = create_app(settings)
    api.state.paypal_sandbox_url = paypal_sandbox_url
    routes: list[BaseRoute] = [PrefixRoute("/api", api)]
    if live_reload is not None:
        routes.append(Route(LIVE_RELOAD_PATH, live_reload_stream, methods=["GET"]))
    routes.append(
        Mount(
            "/",
            app=SiteFiles(output_dir),
            middleware=[Middleware(SiteHeadersMiddleware)],
            name="site",
        )
    )
    app = Starlette(routes=routes, exception_handlers={404: site_not_found}, lifespan=lifespan)
    app.state.settings = settings
    app.state.api = api
    app.state.output_dir = output_dir
    app.state.live_reload = live_reload
    return app
