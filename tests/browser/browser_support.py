"""Helpers of the browser tests: a built site served over HTTP in a thread, and the watch
that records what goes wrong on a page. (In a module of its own: test files cannot import
`conftest`, whose module name pytest reuses for every folder.)"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from lms_support import make_settings, run_build

from dynamic_api.cli import publish_local
from site_builder.serve import create_serve_app
from site_builder.settings import Settings

CHROMIUM = shutil.which("chromium")
SKIP_REASON = "chromium not installed: apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
HOST = "127.0.0.1"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
TIMEOUT_MS = 7_000

#: API paths the theme calls although the API does not answer them yet (the learner API):
#: a 401/403/404 there is a visitor's normal case, not a broken page.
TOLERATED_API = re.compile(r"^/api/courses/")
TOLERATED_API_STATUS = frozenset({401, 403, 404})

#: Run in every page before its own scripts (injected through the DevTools protocol, so the
#: page's CSP does not apply): report every CSP violation as a console error, whatever
#: Chromium itself logs, and count pending `fetch()` calls for `settle()` in the tests.
INIT_SCRIPT = """
document.addEventListener('securitypolicyviolation', function (event) {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' +
                (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' +
                event.lineNumber);
});
(function () {
  var realFetch = window.fetch;
  window.__lmsPendingFetches = 0;
  window.fetch = function () {
    window.__lmsPendingFetches++;
    var done = function () { window.__lmsPendingFetches--; };
    var request = realFetch.apply(this, arguments);
    request.then(done, done);
    return request;
  };
})();
"""
PENDING_FETCHES_DONE = "() => window.__lmsPendingFetches === 0"


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSite:
    """A built site served over HTTP."""

    settings: Settings
    base_url: str

    @property
    def output(self) -> Path:
        return self.settings.output_dir

    @property
    def private(self) -> Path:
        return self.settings.private_bundle_dir

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def get(self, path: str) -> tuple[int, str, bytes]:
        """A plain HTTP GET, without the browser: status, content type, body."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=10) as response:
                return response.status, response.headers.get("content-type", ""), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("content-type", ""), error.read()


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[LiveSite]:
    """`create_serve_app` (site + API, one port) under uvicorn in a thread, on 127.0.0.1 and a
    free port, with the build's private bundle published to its database first; stopped with
    `should_exit` when the block ends."""
    if (settings.private_bundle_dir / "manifest.json").is_file():
        publish_local(settings)  # as `lms serve` does after its build
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    app = create_serve_app(settings, settings.output_dir)
    config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    site = LiveSite(settings, f"http://{HOST}:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped while starting (see its log)")
            if server.started:
                try:
                    status = site.get("/api/health")[0]
                except OSError:
                    status = 0
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not answer on {site.base_url}")
            time.sleep(0.05)
        yield site
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def build_and_serve(root: Path, content: Path) -> Iterator[LiveSite]:
    """Build `content` into `root/output` (+ `root/var`), then serve it; a fixture body."""
    settings = make_settings(root, content_dir=content)
    run_build(settings)
    with serve(settings) as site:
        yield site


def serve_again(site: LiveSite, root: Path, **changes: object) -> Iterator[LiveSite]:
    """`site`'s built output served by a second server with its own `root/var` (a copy of the
    private bundle, a fresh database and mail outbox) and these settings changes (rate
    limits, Argon2 cost, …); a fixture body. The first site is left as it was."""
    var = root / "var"
    shutil.copytree(site.private, var / "site")
    settings = make_settings(
        root,
        content_dir=site.settings.content_dir,
        output_dir=site.output,
        var_dir=var,
        **changes,
    )
    with serve(settings) as again:
        yield again


# --- the watch -------------------------------------------------------------------------------


@dataclass
class PageWatch:
    """What went wrong on a page; `problems` must stay empty."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed_hosts: set[str] = field(default_factory=set)
    #: Requests to an allowed host (answered 204 locally, never fetched).
    external: list[str] = field(default_factory=list)
    #: Tolerated answers of the not-yet-written learner API: "<path> <status>".
    api_misses: list[str] = field(default_factory=list)
    expected_errors: set[str] = field(default_factory=set)

    def allow_host(self, host: str) -> None:
        """Let requests to `host` happen (a test's deliberate action, e.g. "play")."""
        self.allowed_hosts.add(host)

    def expect_error_status(self, path: str) -> None:
        """`path` on the site is meant to answer with an error status (the 404 page)."""
        self.expected_errors.add(path)

    def _tolerated(self, url: str, status: int | None) -> bool:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return False
        if parts.path in self.expected_errors:
            return True
        return bool(TOLERATED_API.match(parts.path)) and (
            status is None or status in TOLERATED_API_STATUS
        )

    def attach(self, page: Any) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_pageerror)
        page.on("request", self.on_request)
        page.on("response", self.on_response)
        page.on("requestfailed", self.on_requestfailed)

    def on_console(self, message: Any) -> None:
        text = message.text
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            if text.startswith("Failed to load resource") and self._tolerated(url, None):
                return  # its status is checked in on_response
            self.problems.append(f"console error: {text} ({url})")
        elif message.type == "warning" and "Alpine" in text:
            self.problems.append(f"Alpine warning: {text}")

    def on_pageerror(self, error: Any) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in {"http", "https", "ws", "wss"} or parts.hostname == HOST:
            return  # the site itself, or data:, blob:, about:
        if parts.hostname in self.allowed_hosts:
            self.external.append(request.url)
        else:
            self.problems.append(f"third-party request: {request.method} {request.url}")

    def on_response(self, response: Any) -> None:
        if response.status < 400:
            return
        if self._tolerated(response.url, response.status):
            self.api_misses.append(f"{urlsplit(response.url).path} {response.status}")
            return
        self.problems.append(f"HTTP {response.status}: {response.url}")

    def on_requestfailed(self, request: Any) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" in failure:  # a navigation cancelled a pending request
            return
        if urlsplit(request.url).hostname != HOST:
            return  # reported as a third-party request already
        self.problems.append(f"request failed: {request.url} ({failure})")

    def route_external(self, route: Any) -> None:
        """Nothing leaves the machine: allowed hosts get an empty 204, others an abort."""
        if urlsplit(route.request.url).hostname in self.allowed_hosts:
            route.fulfill(status=204, body="")
        else:
            route.abort("blockedbyclient")
