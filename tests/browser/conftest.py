"""End-to-end fixtures: the demo academy built once, served by `lms serve`'s app, and
headless Debian Chromium driven by Playwright.

- `site`: the DEMO academy (`content/`) built once per session (per xdist worker) into a
  temporary folder and served by `create_serve_app` under uvicorn on 127.0.0.1 and a free
  port, with the strict Content-Security-Policy the theme is written for.
- `browser`: one Chromium per test module (see why there), the system's
  (`shutil.which("chromium")`; never `playwright install`). Without it every test in this
  folder is skipped.
- `open_page` / `page`: a fresh browser context per page, watched by a `PageWatch`
  (`page.watch`): console errors, uncaught exceptions, CSP violations, Alpine expression
  warnings, failed requests, HTTP errors and any request to a host other than 127.0.0.1 fail
  the test at teardown. Requests to other hosts never reach the internet: they are aborted,
  or answered 204 for a host a test deliberately allows (`page.watch.allow_host(...)`, e.g.
  the YouTube embed after a click on "play").

The learner API the pages call (`/api/courses/<slug>/status`, gated lesson bodies) does not
exist yet: Chromium logs every 4xx answer to a `fetch()` as a console error, so 401/403/404
answers under `/api/courses/` are tolerated and collected in `page.watch.api_misses`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    INIT_SCRIPT,
    PENDING_FETCHES_DONE,
    SKIP_REASON,
    TIMEOUT_MS,
    LiveSite,
    PageWatch,
    build_and_serve,
)
from lms_support import REPO_ROOT
from playwright.sync_api import Error as PlaywrightError

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the whole folder, saying why, when Chromium is missing."""
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The demo academy (`content/`), built once and served. Read-only."""
    if not CHROMIUM:
        pytest.skip(SKIP_REASON)
    yield from build_and_serve(tmp_path_factory.mktemp("demo-site"), REPO_ROOT / "content")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, launched once per test module (a second's work).

    Not once per session: Playwright's sync API keeps its asyncio loop marked as running in
    the main thread until it stops, and tests run after it in the same process (`asyncio.run`,
    `anyio.run`, the TestClient) would fail with "cannot be called from a running event loop".
    """
    if not CHROMIUM:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


#: `open_page(path=None, *, site=<demo>, viewport=DESKTOP, **context_options) -> Page`
OpenPage = Callable[..., Any]


@pytest.fixture
def open_page(browser: Any, site: LiveSite) -> Iterator[OpenPage]:
    """A factory of watched pages, each in a new context (fresh storage, light scheme).
    `path`, when given, is opened. Problems on any of them fail the test at teardown."""
    opened: list[tuple[Any, Any, PageWatch]] = []

    def open_(
        path: str | None = None,
        *,
        site: LiveSite = site,
        viewport: dict[str, int] = DESKTOP,
        **options: Any,
    ) -> Any:
        options.setdefault("color_scheme", "light")
        context = browser.new_context(
            base_url=site.base_url, viewport=viewport, service_workers="block", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        watch = PageWatch(origin=site.base_url)
        context.add_init_script(INIT_SCRIPT)
        # Everything but the site itself is intercepted (and never fetched).
        context.route(re.compile("^(?!" + re.escape(site.base_url) + "/)"), watch.route_external)
        page = context.new_page()
        watch.attach(page)
        page.watch = watch
        opened.append((context, page, watch))
        if path is not None:
            page.goto(path)
        return page

    yield open_

    problems: list[str] = []
    for context, page, watch in opened:
        with contextlib.suppress(PlaywrightError):  # a page a test closed, or navigated away
            # Let the page's API calls finish, so that their outcome is seen.
            page.wait_for_function(PENDING_FETCHES_DONE, timeout=TIMEOUT_MS)
        context.close()
        problems.extend(watch.problems)
    assert not problems, "problems on the page(s):\n" + "\n".join(problems)


@pytest.fixture
def page(open_page: OpenPage) -> Any:
    """A watched page of the demo academy, 1280x900, nothing opened yet."""
    return open_page()
