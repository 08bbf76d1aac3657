"""Helpers of the payment API tests: a PayPal-compatible sandbox on loopback for the app,
and the buyer's steps (checkout, approve on the approval page, capture) and webhooks.

A test module whose app pays at the sandbox takes the fixtures below in place of
conftest's, by naming them at module level::

    sandbox = checkout_support.sandbox
    settings = checkout_support.settings
    app = checkout_support.app
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from api_support import make_settings
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import create_app
from dynamic_api.db import session_scope, utcnow
from dynamic_api.models import Coupon, Enrollment, EnrollmentStatus, Order, OrderEvent
from paypal_sandbox.testing import RunningSandbox, running_sandbox
from site_builder.settings import Settings

#: The API's PayPal client in tests: quick retries.
FAST_RETRIES = {"backoff_base": 0.01, "backoff_max": 0.05, "timeout": 20.0}


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """The test's own PayPal sandbox; it sends no webhooks by itself (see ``deliver``)."""
    with running_sandbox(auto_webhooks=False) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, database_url: str, sandbox: RunningSandbox) -> Settings:
    return make_settings(tmp_path, database_url, paypal_base_url=sandbox.url)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return paying_app(settings)


def paying_app(settings: Settings) -> Starlette:
    """The API, its PayPal client retrying quickly."""
    app = create_app(settings)
    app.state.paypal_config_changes = FAST_RETRIES
    return app


def error(response: Any) -> tuple[int, str]:
    """An error answer's status and ``error.code``."""
    return response.status_code, response.json()["error"]["code"]


def user_id(client: TestClient) -> int:
    """The id of the user a ``login_as`` client is signed in as."""
    return int(client.user["id"])  # type: ignore[attr-defined]


def checkout(client: TestClient, **body: Any) -> Any:
    body = body or {"course": "paid-course"}
    return client.post("/api/checkout", json=body)


def approve(sandbox: RunningSandbox, order: dict[str, Any]) -> dict[str, list[str]]:
    """The buyer approves on the sandbox's page; returns the return URL's query."""
    location = sandbox.control.click(order["approve_url"])
    parts = urlsplit(location)
    assert parts.path == "/account/checkout/", location
    query = parse_qs(parts.query)
    assert query["order"] == [order["order_id"]]
    return query


def capture(client: TestClient, order_id: str) -> Any:
    return client.post(f"/api/checkout/{order_id}/capture", json={})


def buy(client: TestClient, sandbox: RunningSandbox, **body: Any) -> dict[str, Any]:
    """Checkout → approve → capture; the captured order."""
    started = checkout(client, **body)
    assert started.status_code == 201, started.text
    order = started.json()
    approve(sandbox, order)
    captured = capture(client, order["order_id"])
    assert captured.status_code == 200, captured.text
    result: dict[str, Any] = captured.json()
    return result


def refund(client: TestClient, order_id: str, **body: Any) -> Any:
    """An admin's refund of an order (``reason=`` for the audit trail)."""
    return client.post(f"/api/admin/orders/{order_id}/refund", json=body)


def capture_pending(
    client: TestClient, sandbox: RunningSandbox, engine: Engine, order: dict[str, Any]
) -> tuple[Any, str]:
    """Capture an approved order while PayPal answers PENDING: the answer and the capture id."""
    sandbox.control.scenario(capture_status="PENDING")
    response = capture(client, order["order_id"])
    capture_id = db_order(engine, order["order_id"]).paypal_capture_id
    assert capture_id is not None
    return response, capture_id


def status_webhook(sandbox: RunningSandbox, capture_id: str, status: str) -> dict[str, Any]:
    """PayPal changes a capture's status: the webhook it signed, not delivered yet."""
    changed = sandbox.control.set_capture_status(capture_id, status)
    return sandbox.control.resend_webhook(changed["event_id"], deliver=False)


def deliver(client: TestClient, sent: dict[str, Any]) -> Any:
    """Post a webhook the sandbox signed (``send_webhook``/``resend_webhook`` with
    ``deliver=False``) to the API, byte for byte."""
    headers = {k: v for k, v in sent["headers"].items() if k.lower().startswith("paypal-")}
    headers["Content-Type"] = "application/json"
    return client.post("/api/webhooks/paypal", content=sent["body"].encode(), headers=headers)


def events_of(sandbox: RunningSandbox, event_type: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.control.webhooks() if e["event_type"] == event_type]


def db_order(engine: Engine, public_id: str) -> Order:
    with session_scope(engine) as session:
        return session.exec(select(Order).where(col(Order.public_id) == public_id)).one()


def order_actions(engine: Engine, public_id: str) -> list[str]:
    with session_scope(engine) as session:
        order = session.exec(select(Order).where(col(Order.public_id) == public_id)).one()
        return list(
            session.exec(
                select(OrderEvent.action)
                .where(col(OrderEvent.order_id) == order.id)
                .order_by(col(OrderEvent.id))
            ).all()
        )


def enrollments(engine: Engine, user_id: int) -> dict[str, tuple[str, str]]:
    """course → (mode, status) of a user's enrollments."""
    with session_scope(engine) as session:
        rows = session.exec(select(Enrollment).where(col(Enrollment.user_id) == user_id)).all()
        return {row.course: (row.mode, row.status) for row in rows}


def active_courses(engine: Engine, user_id: int) -> set[str]:
    return {
        course
        for course, (_mode, status) in enrollments(engine, user_id).items()
        if status == EnrollmentStatus.ACTIVE.value
    }


def make_coupon(engine: Engine, code: str = "SAVE10", **fields: Any) -> int:
    values: dict[str, Any] = {"kind": "percent", "value": Decimal(10)}
    values.update(fields)
    with session_scope(engine) as session:
        coupon = Coupon(code=code, **values)
        session.add(coupon)
        session.flush()
        assert coupon.id is not None
        return coupon.id


def coupon_row(engine: Engine, code: str) -> Coupon:
    with session_scope(engine) as session:
        return session.exec(select(Coupon).where(col(Coupon.code) == code)).one()


def days(n: int) -> Any:
    return utcnow() + timedelta(days=n)


def paypal_requests(sandbox: RunningSandbox, fragment: str, method: str = "POST") -> list[Any]:
    return [
        r
        for r in sandbox.control.requests()
        if r["method"] == method and fragment in r["path"] and r["status"] < 400
    ]
