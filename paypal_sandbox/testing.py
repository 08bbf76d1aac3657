"""Run a sandbox (or any small ASGI app) on a free loopback port in a background thread,
and drive its control API, from tests::

    with running_sandbox() as sandbox:
        config = PayPalConfig(sandbox.url, sandbox.config.client_id,
                              sandbox.config.client_secret, sandbox.config.webhook_id)
        sandbox.control.scenario(fail={"count": 2, "path": "/capture"})
        ...
        location = sandbox.control.click(order.approve_url)   # the buyer approves

The server has its own thread and event loop, so synchronous tests and async tests (whose
loop must not block on the server) can both use it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from paypal_sandbox.app import create_app
from paypal_sandbox.config import SandboxConfig
from paypal_sandbox.serve import serve_in_thread

__all__ = [
    "ReceivedWebhook",
    "RecordingReceiver",
    "RunningSandbox",
    "SandboxControl",
    "recording_receiver",
    "running_sandbox",
    "serve_in_thread",
]


_FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]*)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class SandboxControl:
    """A small synchronous client of ``/__control/`` (and of the approval page)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, f"/__control{path}", json=body)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._json("POST", "/reset")

    def scenario(self, **changes: Any) -> dict[str, Any]:
        """E.g. ``fail={"count": 2, "status": 500, "path": "/capture"}``,
        ``delay={"count": 1, "seconds": 3}``, ``decline_captures=1``,
        ``capture_status="PENDING"``, ``capture_amount="1.00"``, ``refund_status="PENDING"``."""
        return self._json("POST", "/scenario", changes)

    def configure(self, **changes: Any) -> dict[str, Any]:
        """``webhook_url``, ``webhook_id``, ``auto_webhooks``, ``token_ttl_seconds``."""
        return self._json("POST", "/config", changes)

    def expire_tokens(self) -> int:
        return int(self._json("POST", "/tokens/expire")["expired"])

    def requests(self) -> list[dict[str, Any]]:
        """The PayPal API requests the sandbox answered, oldest first."""
        return list(self._json("GET", "/requests")["requests"])

    def approve(self, order_id: str) -> dict[str, Any]:
        """Approve as the buyer (``{"order", "payer_id", "return_url"}``)."""
        return dict(self._json("POST", f"/orders/{order_id}/approve"))

    def edit_order(self, order_id: str, value: str, currency: str) -> dict[str, Any]:
        body = {"amount": {"currency_code": currency, "value": value}}
        return dict(self._json("PATCH", f"/orders/{order_id}", body))

    def set_capture_status(self, capture_id: str, status: str) -> dict[str, Any]:
        """``COMPLETED`` or ``DECLINED`` (a pending capture), ``REVERSED`` (a chargeback)."""
        return dict(self._json("POST", f"/captures/{capture_id}", {"status": status}))

    def webhooks(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/webhooks")["events"])

    def flush_webhooks(self) -> list[dict[str, Any]]:
        """Wait for background deliveries; return every event with its deliveries."""
        return list(self._json("POST", "/webhooks/flush")["events"])

    def send_webhook(self, event_type: str, resource_id: str, **options: Any) -> dict[str, Any]:
        """A new signed event; options ``url``, ``bad_signature``, ``deliver``."""
        body = {"event_type": event_type, "resource_id": resource_id, **options}
        return dict(self._json("POST", "/webhooks/send", body))

    def resend_webhook(self, event_id: str, **options: Any) -> dict[str, Any]:
        return dict(self._json("POST", f"/webhooks/{event_id}/resend", options))

    def click(self, approve_url: str, action: str = "approve") -> str:
        """Open the approval page and press Approve (or ``"cancel"``) as a browser would;
        return where PayPal sends the buyer (the ``Location`` of the redirect)."""
        page = self._http.get(approve_url)
        page.raise_for_status()
        form_action = _FORM_ACTION.search(page.text)
        if form_action is None:
            raise AssertionError(f"no form on the approval page:\n{page.text}")
        fields = {unescape(k): unescape(v) for k, v in _HIDDEN.findall(page.text)}
        response = self._http.post(
            str(page.url.join(unescape(form_action.group(1)))),
            data={**fields, "action": action},
        )
        if response.status_code != 303:
            raise AssertionError(f"expected a redirect, got {response.status_code}")
        return response.headers["location"]


@dataclass
class RunningSandbox:
    url: str
    config: SandboxConfig
    control: SandboxControl
    app: Starlette


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None, **changes: Any
) -> Iterator[RunningSandbox]:
    """A sandbox on a free loopback port for the length of the ``with`` block."""
    config = replace(config or SandboxConfig(), **changes)
    app = create_app(config)
    with serve_in_thread(app) as url, SandboxControl(url) as control:
        yield RunningSandbox(url=url, config=config, control=control, app=app)


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingReceiver:
    url: str
    received: list[ReceivedWebhook] = field(default_factory=list)
    status_code: int = 200


@contextmanager
def recording_receiver(status_code: int = 200) -> Iterator[RecordingReceiver]:
    """A webhook endpoint on loopback that records what it receives (at ``{url}/hook``)."""
    receiver = RecordingReceiver(url="")
    lock = threading.Lock()

    async def hook(request: Request) -> Response:
        body = await request.body()
        with lock:
            receiver.received.append(ReceivedWebhook(dict(request.headers), body))
        return JSONResponse({}, status_code=receiver.status_code)

    receiver.status_code = status_code
    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        receiver.url = f"{url}/hook"
        yield receiver
