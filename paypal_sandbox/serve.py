"""Serve a sandbox under uvicorn: in the foreground (``python -m paypal_sandbox``,
``lms paypal-sandbox``) or in a background thread on a free loopback port (tests, and a
host process such as ``lms serve`` that wants a sandbox beside it)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from paypal_sandbox.app import create_app
from paypal_sandbox.config import DEFAULT_CLIENT_ID, SandboxConfig

__all__ = ["banner", "serve", "serve_in_thread"]


def banner(config: SandboxConfig, url: str) -> str:
    """How to point the LMS at this sandbox (never printing a secret)."""
    lines = [
        f"PayPal-compatible sandbox on {url}: approval page {url}/checkoutnow?token=...,",
        f"control API {url}/__control. State is in memory; no real money moves.",
        f"Point the LMS at it with LMS_PAYPAL_BASE_URL={url}",
    ]
    if config.client_id == DEFAULT_CLIENT_ID:
        lines.append(
            "(with LMS_PAYPAL_CLIENT_ID/SECRET unset, the LMS uses the sandbox's default "
            "credentials on loopback)."
        )
    else:
        lines.append(f"and your LMS_PAYPAL_CLIENT_ID ({config.client_id}) and secret.")
    lines.append(f"Webhook id: {config.webhook_id}")
    if config.webhook_url:
        lines.append(f"Webhook events go to {config.webhook_url}")
    return "\n".join(lines)


def serve(config: SandboxConfig, *, host: str = "127.0.0.1", port: int = 8790) -> None:
    import uvicorn

    print(banner(config, f"http://{host}:{port}"), file=sys.stderr)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


@contextmanager
def serve_in_thread(app: ASGIApp, *, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``127.0.0.1`` and a free port; yield its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"asgi-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()
