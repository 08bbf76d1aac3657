"""Helpers of the browser tests: a built site served over HTTP in a thread, the watch that
records what goes wrong on a page, accounts (made through the API or straight in the
database, signed in through the sign-in page or the API) and screenshots for review. (In a
module of its own: test files cannot import `conftest`, whose module name pytest reuses for
every folder.)"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import uvicorn
from lms_support import make_settings, run_build
from playwright.sync_api import expect

from dynamic_api.accounts import create_user
from dynamic_api.cli import publish_local
from dynamic_api.db import engine_for, session_scope
from dynamic_api.passwords import Passwords
from dynamic_api.payments.wiring import bundled_sandbox
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

#: The password of every account the browser tests make.
PASSWORD = "harbor lights at dawn 42"
#: The navbar's "signed in" hint, as the sign-in page sets it (an init script).
SIGNED_IN_HINT = "try { localStorage.setItem('lmsSignedIn', '1'); } catch (e) {}"
#: Settings changes for a site served again for tests that sign up and sign in many times
#: from 127.0.0.1: the per-IP rate limits raised (the per-address ones stay as shipped) and
#: a cheap Argon2.
FAST_ACCOUNTS: dict[str, Any] = {
    "rate_limit_login_ip": "1000/minute",
    "rate_limit_register_ip": "1000/hour",
    "argon2_time_cost": 1,
    "argon2_memory_cost": 8192,
    "argon2_parallelism": 1,
}


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSite:
    """A built site served over HTTP."""

    settings: Settings
    base_url: str
    #: The bundled PayPal-compatible sandbox beside it (`serve(..., paypal_sandbox=True)`).
    paypal_sandbox_url: str = ""

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
def serve(settings: Settings, *, paypal_sandbox: bool = False) -> Iterator[LiveSite]:
    """`create_serve_app` (site + API, one port) under uvicorn in a thread, on 127.0.0.1 and a
    free port, with the build's private bundle published to its database first; stopped with
    `should_exit` when the block ends. With `paypal_sandbox`, the bundled PayPal-compatible
    sandbox runs beside it as `lms serve` starts it (its webhooks sent to this server's API),
    at `paypal_sandbox_url`."""
    if (settings.private_bundle_dir / "manifest.json").is_file():
        publish_local(settings)  # as `lms serve` does after its build
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    with contextlib.ExitStack() as stack:
        sandbox_url = ""
        if paypal_sandbox:
            sandbox_url = stack.enter_context(bundled_sandbox(settings, HOST, port))
        app = create_serve_app(
            settings, settings.output_dir, paypal_sandbox_url=sandbox_url or None
        )
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, ws="none", lifespan="on"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
        )
        thread.start()
        site = LiveSite(settings, f"http://{HOST}:{port}", sandbox_url)
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


def settings_again(site: LiveSite, root: Path, **changes: object) -> Settings:
    """Settings that serve `site`'s built output with their own `root/var` (a copy of the
    private bundle, a fresh database and mail outbox) and these settings changes (rate
    limits, Argon2 cost, …). The first site is left as it was."""
    var = root / "var"
    shutil.copytree(site.private, var / "site")
    return make_settings(
        root,
        content_dir=site.settings.content_dir,
        output_dir=site.output,
        var_dir=var,
        **changes,
    )


def serve_again(site: LiveSite, root: Path, **changes: object) -> Iterator[LiveSite]:
    """`site`'s built output served by a second server (`settings_again`); a fixture body."""
    with serve(settings_again(site, root, **changes)) as again:
        yield again


@contextlib.contextmanager
def serve_with_paypal(site: LiveSite, root: Path) -> Iterator[tuple[LiveSite, str]]:
    """`site`'s build served again as `lms serve` does it: a fresh database and outbox
    (`FAST_ACCOUNTS`), and the bundled PayPal sandbox in a thread, its webhooks sent to this
    server's API. Yields the site and the sandbox's URL."""
    settings = settings_again(site, root, **FAST_ACCOUNTS)
    assert settings.paypal_base_url == ""  # nothing configured: the bundled sandbox
    with serve(settings, paypal_sandbox=True) as served:
        yield served, served.paypal_sandbox_url


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


def settle(page: Any) -> None:
    """Wait until no `fetch()` of the page is pending (counted by `INIT_SCRIPT`)."""
    page.wait_for_function(PENDING_FETCHES_DONE)


# --- accounts --------------------------------------------------------------------------------

#: `make_user("Ada Admin", roles=("admin",), instructor=None) -> {"email": …, "name": …}`
MakeUser = Callable[..., dict[str, str]]


def user_maker(settings: Settings) -> Iterator[MakeUser]:
    """A factory of verified users inserted straight into the database of the site served
    with `settings`, with `PASSWORD`, the roles and the instructor profile a test needs; a
    fixture body. `make_user("Ada Admin")` is named "Ada Admin <tag>", at
    ada-<tag>@example.com, the tag random: every test gets new people."""
    engine = engine_for(settings)
    hashed = Passwords(settings).hash(PASSWORD)

    def make(
        name: str, *, roles: tuple[str, ...] | list[str] = (), instructor: str | None = None
    ) -> dict[str, str]:
        tag = uuid.uuid4().hex[:8]
        user = {"email": f"{name.split()[0].lower()}-{tag}@example.com", "name": f"{name} {tag}"}
        with session_scope(engine) as session:
            create_user(
                session,
                email=user["email"],
                name=user["name"],
                password_hash=hashed,
                roles=roles,
                instructor_slug=instructor,
                verified=True,
            )
        return user

    yield make
    engine.dispose()


def register(page: Any, address: str, name: str = "Test Student") -> None:
    """An account made through the API (not signed in), for tests about what comes after."""
    response = page.request.post(
        "/api/auth/register", data={"email": address, "password": PASSWORD, "name": name}
    )
    assert response.status == 201, response.text()


def sign_in(
    page: Any, address: str, password: str = PASSWORD, path: str = "/account/sign-in/"
) -> None:
    """The sign-in form at `path`, filled in and sent."""
    page.goto(path)
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def signed_in_account(page: Any, tag: str, name: str, next_path: str | None = None) -> str:
    """A new account, <tag>-<random>@example.com named `name`, made through the API and signed
    in on the sign-in page, which then opens `next_path` (when given: checked); the navbar
    shows the name. Returns the email address."""
    address = f"{tag}-{uuid.uuid4().hex[:10]}@example.com"
    register(page, address, name=name)
    if next_path is None:
        sign_in(page, address)
    else:
        sign_in(page, address, path="/account/sign-in/?next=" + quote(next_path, safe=""))
        expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(next_path) + "$"))
    expect(page.locator("#account-nav .account-nav-name")).to_have_text(name)
    return address


def sign_in_api(page: Any, email: str) -> None:
    """Signed in through the API (the browser context gets the cookie), with the navbar's
    "signed in" hint set as the sign-in page would."""
    response = page.request.post("/api/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status == 200, response.text()
    page.context.add_init_script(SIGNED_IN_HINT)


def same_session(open_page: Callable[..., Any], page: Any, site: LiveSite, **options: Any) -> Any:
    """A new watched page of `site` in `page`'s session (its cookies, and the navbar's hint),
    its context opened with these options (`viewport`, `color_scheme`, …)."""
    other = open_page(site=site, **options)
    other.context.add_cookies(page.context.cookies())
    other.context.add_init_script(SIGNED_IN_HINT)
    return other


#: `open_as("Ada Admin", roles=("admin",)) -> (page, user)`
OpenAs = Callable[..., tuple[Any, dict[str, str]]]


def opener_as(open_page: Callable[..., Any], site: LiveSite, make_user: MakeUser) -> OpenAs:
    """The body of an `open_as` fixture: `open_as("Ada Admin", roles=("admin",))` opens a
    watched page of `site` signed in (through the API) as a new user from `make_user`, and
    returns the page and the user."""

    def open_as(name: str, *, roles: tuple[str, ...] = ()) -> tuple[Any, dict[str, str]]:
        page = open_page(site=site)
        user = make_user(name, roles=roles)
        sign_in_api(page, user["email"])
        return page, user

    return open_as


# --- screenshots -----------------------------------------------------------------------------

#: The looks of a page besides 1280 px light, for `Screenshots.one`: label, viewport, scheme.
OTHER_LOOKS = (
    ("390-light", MOBILE, "light"),
    ("390-dark", MOBILE, "dark"),
    ("1280-dark", DESKTOP, "dark"),
)
#: How far the page scrolls sideways: 0 or less when it fits its viewport.
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
#: Scroll an element to the top of the viewport, below the sticky header.
SCROLL_TO = "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 80)"


@dataclass(frozen=True)
class Screenshots:
    """Screenshots for a person to review, the one convention of the browser tests.

    They are written only when `$LMS_SHOTS_DIR` is set (full-page pictures are the slowest
    part of the browser tests), as `<prefix><name>-<width>-<scheme>.png`: the prefix names the
    test file's pages ("pay-", "eval-", …). `Screenshots.into("pay-")` in a fixture
    of the file. The pages are still put in every width and scheme, and checked, either way.

    - `shots(page, "review")`: the page at 1280 and 390 px, light and dark (the theme's
      `data-bs-theme`), the whole page, or, with `anchor`, the viewport scrolled to the first
      element it selects; the page is left at 1280 px, light.
    - `shots.one(page, "verify-390-dark")`: one picture of the whole page as it is (the
      test opened it at its viewport and colour scheme, e.g. each of `OTHER_LOOKS` with
      `same_session`), from the top, once its API calls are done; the name says the width
      and scheme.

    Every picture asserts that the page does not scroll sideways.
    """

    folder: Path | None
    prefix: str

    @classmethod
    def into(cls, prefix: str) -> Screenshots:
        wanted = os.environ.get("LMS_SHOTS_DIR")
        if not wanted:
            return cls(None, prefix)
        folder = Path(wanted)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, prefix)

    def __call__(self, page: Any, name: str, anchor: str | None = None) -> None:
        for width, viewport in (("1280", DESKTOP), ("390", MOBILE)):
            page.set_viewport_size(viewport)
            for scheme in ("light", "dark"):
                page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{scheme}')")
                if anchor:
                    page.locator(anchor).first.evaluate(SCROLL_TO)
                page.wait_for_timeout(150)  # transitions
                self._take(page, f"{name}-{width}-{scheme}", full_page=anchor is None)
        page.set_viewport_size(DESKTOP)
        page.evaluate("document.documentElement.setAttribute('data-bs-theme', 'light')")

    def one(self, page: Any, name: str) -> None:
        settle(page)
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top of the picture
        self._take(page, name, full_page=True)

    def _take(self, page: Any, name: str, *, full_page: bool) -> None:
        if self.folder is not None:
            path = self.folder / f"{self.prefix}{name}.png"
            page.screenshot(path=str(path), full_page=full_page)
        overflow = page.evaluate(SIDEWAYS)
        assert overflow <= 0, f"{name} scrolls sideways"
