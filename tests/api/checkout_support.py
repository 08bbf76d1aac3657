"""Helpers of the payment API tests: a PayPal-compatible sandbox on loopback for the app,
and the buyer's steps (checkout, approve on the approval page, capture) and webhooks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from dynamic_api.db import session_scope, utcnow
from dynamic_api.models import Coupon, Enrollment, EnrollmentStatus, Order, OrderEvent
from paypal_sandbox.testing import RunningSandbox

#: The API's PayPal client in tests: quick retries.
FAST_RETRIES = {"backoff_base": 0.01, "backoff_max": 0.05, "timeout": 20.0}


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
