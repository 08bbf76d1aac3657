"""The `lms serve` app: static site, API under /api, CSP, traversal, live reload."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Message, Scope

from site_builder.serve import (
    CONTENT_SECURITY_POLICY,
    LIVE_RELOAD_PATH,
    LiveReload,
    create_serve_app,
)
from site_builder.settings import Settings

LIVERELOAD_JS = Path(__file__).resolve().parent.parent / "themes/default/static/js/livereload.js"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_site(directory: Path, home: str = "<h1>Home</h1>") -> Path:
    """A tiny stand-in for what `lms build` writes."""
    write(directory / "index.html", home)
    write(directory / "about/index.html", "<h1>About</h1>")
    write(directory / "courses/python/index.html", "<h1>Python course</h1>")
    write(directory / "404.html", "<h1>Page not found</h1>")
    write(directory / "theme/css/site.css", "body { margin: 0 }")
    return directory


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    # Something private right beside the site, as the repository is beside output/.
    write(tmp_path / "pyproject.toml", "TOP SECRET")
    return build_site(tmp_path / "output")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        output_dir=tmp_path / "output",
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def live_reload() -> LiveReload:
    return LiveReload()


@pytest.fixture
def app(settings: Settings, output_dir: Path, live_reload: LiveReload) -> Starlette:
    return create_serve_app(settings, output_dir, live_reload)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def asgi_get(app: Starlette, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as given: an HTTP client would normalise the dot segments away."""
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    status = messages[0]["status"]
    return status, b"".join(m.get("body", b"") for m in messages[1:])


# --- the static site ---------------------------------------------------------------------


def test_home_page(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.text == "<h1>Home</h1>"
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "text"),
    [("/about/", "<h1>About</h1>"), ("/courses/python/", "<h1>Python course</h1>")],
)
def test_pretty_urls_serve_the_folder_index(client: TestClient, path: str, text: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.text == text


def test_folder_without_slash_redirects_to_the_slash(client: TestClient) -> None:
    response = client.get("/courses/python", follow_redirects=False)

    assert response.status_code in {301, 302, 307, 308}
    assert response.headers["location"].endswith("/courses/python/")


def test_unknown_path_is_the_404_page_with_status_404(client: TestClient) -> None:
    response = client.get("/courses/nope/")

    assert response.status_code == 404
    assert response.text == "<h1>Page not found</h1>"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_html_gets_the_strict_csp(client: TestClient) -> None:
    response = client.get("/about/")

    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_assets_are_revalidated_and_not_given_a_csp(client: TestClient) -> None:
    response = client.get("/theme/css/site.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers["cache-control"] == "no-cache"
    assert "content-security-policy" not in response.headers


def test_the_site_is_read_only(client: TestClient) -> None:
    assert client.post("/about/").status_code == 405


def test_a_swapped_output_folder_is_seen_at_once(
    client: TestClient, output_dir: Path, tmp_path: Path
) -> None:
    assert client.get("/").text == "<h1>Home</h1>"

    # What the build does: a fresh folder renamed into place.
    fresh = build_site(tmp_path / "output.new", home="<h1>Home, rebuilt</h1>")
    output_dir.rename(tmp_path / "output.old")
    fresh.rename(output_dir)

    assert client.get("/").text == "<h1>Home, rebuilt</h1>"


def test_serving_before_the_first_build(settings: Settings, tmp_path: Path) -> None:
    output_dir = tmp_path / "not-built-yet"
    with TestClient(create_serve_app(settings, output_dir, None)) as client:
        response = client.get("/")
        assert response.status_code == 404
        assert "lms build" in response.text

        build_site(output_dir)
        assert client.get("/").text == "<h1>Home</h1>"


# --- path traversal ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/courses/../../pyproject.toml",
        "/courses/python/../../../pyproject.toml",
    ],
)
def test_dot_dot_cannot_leave_the_output_folder(app: Starlette, path: str) -> None:
    status, body = asgi_get(app, path)

    assert status == 404
    assert b"TOP SECRET" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/%2e%2e/pyproject.toml",
        "/%2E%2E/pyproject.toml",
        "/..%2fpyproject.toml",
        "/about/%2e%2e/%2e%2e/pyproject.toml",
    ],
)
def test_encoded_dot_dot_cannot_leave_the_output_folder(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "TOP SECRET" not in response.text


def test_a_symlink_out_of_the_output_folder_is_refused(
    client: TestClient, output_dir: Path, tmp_path: Path
) -> None:
    (output_dir / "leak.txt").symlink_to(tmp_path / "pyproject.toml")

    response = client.get("/leak.txt")

    assert response.status_code == 404
    assert "TOP SECRET" not in response.text


# --- the API inside ----------------------------------------------------------------------


def test_api_health_through_the_serve_app(client: TestClient) -> None:
    response = client.get("/api/health")

    assert response.headers["content-type"] == "application/json"
    assert response.json()["checks"]["catalog"]["ok"] is False  # no private bundle in tmp
    assert response.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in response.headers


def test_api_paths_keep_their_prefix(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert "/api/health" in paths
    assert not any(path.startswith("/api/api/") for path in paths)


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/no/such/thing"])
def test_unknown_api_paths_answer_json_not_the_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_path_that_merely_starts_with_api_is_static(client: TestClient) -> None:
    response = client.get("/apiary/")

    assert response.status_code == 404
    assert response.text == "<h1>Page not found</h1>"


def test_the_api_lifespan_runs_inside_the_serve_app(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dynamic_api.app"), TestClient(app):
        pass

    messages = [r.getMessage() for r in caplog.records if r.name == "dynamic_api.app"]
    assert messages == ["API starting (env=test)", "API stopped"]


# --- live reload -------------------------------------------------------------------------


def test_wait_returns_when_another_thread_notifies() -> None:
    async def scenario() -> int:
        live_reload = LiveReload()
        waiter = asyncio.create_task(live_reload.wait(0))
        await asyncio.sleep(0.01)
        assert not waiter.done()
        thread = threading.Thread(target=live_reload.notify)
        thread.start()
        result = await asyncio.wait_for(waiter, timeout=5)
        thread.join()
        return result

    assert asyncio.run(scenario()) == 1


def test_wait_returns_at_once_when_already_behind() -> None:
    live_reload = LiveReload()
    live_reload.notify()
    live_reload.notify()

    assert asyncio.run(live_reload.wait(0)) == 2


def test_wait_times_out_with_the_same_version() -> None:
    live_reload = LiveReload()

    assert asyncio.run(live_reload.wait(0, timeout=0.01)) == 0
    assert live_reload._waiters == []  # a timed-out waiter does not linger


def test_notify_without_any_browser_just_counts() -> None:
    live_reload = LiveReload()
    live_reload.notify()

    assert live_reload.version == 1


def test_events_say_hello_then_one_message_per_change() -> None:
    async def scenario() -> list[str]:
        live_reload = LiveReload(keepalive=0.01)
        events = live_reload.events()
        received = [await anext(events)]
        received.append(await anext(events))  # nothing happened: a keep-alive comment
        await asyncio.to_thread(live_reload.notify)
        received.append(await anext(events))
        live_reload.close()
        received.extend([event async for event in events])
        return received

    hello, keepalive, change = asyncio.run(scenario())

    assert hello.startswith("retry: ")
    assert "event: hello\n" in hello
    assert hello.endswith(".0\n\n")
    assert keepalive == ": keep-alive\n\n"
    assert change.startswith("data: ")
    assert change.endswith(".1\n\n")
    assert hello.split("data: ")[1].split(".")[0] == change.split("data: ")[1].split(".")[0]


def test_tokens_differ_between_server_runs() -> None:
    assert LiveReload().token(0) != LiveReload().token(0)


def next_event(lines: Iterator[str]) -> list[str]:
    """The lines of the next SSE event (up to its blank line)."""
    event: list[str] = []
    for line in lines:
        if line == "":
            return event
        event.append(line)
    return event


def test_endpoint_streams_a_reload_after_notify(
    client: TestClient, live_reload: LiveReload
) -> None:
    # If the stream never delivers, close it rather than hang the test run.
    watchdog = threading.Timer(10, live_reload.close)
    watchdog.start()
    try:
        with client.stream("GET", LIVE_RELOAD_PATH) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            lines = response.iter_lines()

            hello = next_event(lines)
            assert "event: hello" in hello

            live_reload.notify()  # from this thread, as the rebuild thread would
            change = next_event(lines)
            assert change == [f"data: {live_reload.token(1)}"]
    finally:
        watchdog.cancel()


def test_no_live_reload_endpoint_when_off(settings: Settings, output_dir: Path) -> None:
    with TestClient(create_serve_app(settings, output_dir, None)) as client:
        response = client.get(LIVE_RELOAD_PATH)

    assert response.status_code == 404


def test_the_browser_client_listens_on_the_endpoint() -> None:
    script = LIVERELOAD_JS.read_text(encoding="utf-8")

    assert f"new EventSource('{LIVE_RELOAD_PATH}')" in script
    assert "location.reload()" in script
    assert "addEventListener('hello'" in script
