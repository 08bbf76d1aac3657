"""Checkout, capture, webhooks and refunds against the PayPal-compatible sandbox on loopback,
on SQLite and on every server database in LMS_TEST_DATABASE_URLS.

The sandbox sends no webhooks by itself here (``auto_webhooks=False``): each test delivers
the signed events it wants, when it wants, through the app (``checkout_support.deliver``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import checkout_support
import pytest
from api_support import Outbox, make_settings, text_of
from checkout_support import (
    active_courses,
    approve,
    buy,
    capture,
    capture_pending,
    checkout,
    db_order,
    deliver,
    enrollments,
    error,
    events_of,
    order_actions,
    paying_app,
    paypal_requests,
    refund,
    status_webhook,
    user_id,
)
from learning_support import PAID, Publisher, course_of, grant
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from dynamic_api import create_app
from paypal_sandbox.testing import RunningSandbox

pytestmark = pytest.mark.all_databases

GATED = f"/api/courses/{PAID}/lessons/gated"

sandbox = checkout_support.sandbox
settings = checkout_support.settings
app = checkout_support.app


@pytest.fixture
def approved(catalog: Publisher, student: TestClient, sandbox: RunningSandbox) -> dict[str, Any]:
    """The student's order of the paid course, approved at PayPal and not captured yet."""
    order = checkout(student).json()
    approve(sandbox, order)
    return order


# --- quotes ---------------------------------------------------------------------------------------


def test_price_quotes_come_from_the_server(
    db_backend: str, catalog: Publisher, client: TestClient
) -> None:
    quote = client.get(f"/api/courses/{PAID}/price")
    assert quote.status_code == 200
    assert quote.json() == {
        "kind": "course",
        "item": PAID,
        "title": "Paid Course",
        "currency": "USD",
        "list_amount": "49.90",
        "discount": "0.00",
        "amount": "49.90",
        "free": False,
        "coupon": None,
    }
    program = client.get("/api/prices/program/fixture-bundle").json()
    assert (program["amount"], program["currency"], program["kind"]) == ("60.00", "USD", "program")
    assert client.get("/api/courses/open-course/price").json()["error"]["code"] == "free_item"
    assert client.get("/api/courses/draft-course/price").status_code == 404
    assert client.get("/api/courses/no-such-course/price").status_code == 404
    assert client.get("/api/prices/book/paid-course").status_code == 404
    assert client.get("/api/prices/masterclass/live-qa").json()["error"]["code"] == "free_item"


# --- the happy path -------------------------------------------------------------------------------


def test_buy_a_course_approve_capture_enrolled_with_a_receipt(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    outbox: Outbox,
    engine: Engine,
) -> None:
    assert student.get(GATED).json()["error"]["code"] == "not_enrolled"
    started = checkout(student, course=PAID)
    assert started.status_code == 201, started.text
    order = started.json()
    assert order["status"] == "created"
    assert (order["amount"], order["currency"], order["list_amount"]) == ("49.90", "USD", "49.90")
    assert order["approve_url"].startswith(sandbox.url + "/checkoutnow?token=")
    # PayPal got our price, our order id and the way back to our checkout page
    paypal_order = db_order(engine, order["order_id"]).paypal_order_id
    query = approve(sandbox, order)
    assert query["token"] == [paypal_order]

    captured = capture(student, order["order_id"])
    assert captured.status_code == 200, captured.text
    body = captured.json()
    assert body["status"] == "captured"
    assert body["approve_url"] is None
    assert body["receipt"] is True
    assert enrollments(engine, user_id(student)) == {PAID: ("paid", "active")}
    assert student.get(GATED).status_code == 200

    receipt = outbox.last(to="student@example.com")
    assert receipt["Subject"] == "Your payment is confirmed"
    text = text_of(receipt)
    assert order["order_id"] in text
    assert "$49.90" in text
    assert "Paid Course" in text

    # a reload, a double click: the same order, no second capture, no second receipt
    again = capture(student, order["order_id"])
    assert again.status_code == 200
    assert again.json()["status"] == "captured"
    assert len(paypal_requests(sandbox, "/capture")) == 1
    assert len(outbox.messages(to="student@example.com")) == 1

    history = student.get("/api/me/payments").json()["payments"]
    assert [(p["order_id"], p["status"], p["amount"]) for p in history] == [
        (order["order_id"], "captured", "49.90")
    ]
    pdf = student.get(f"/api/me/payments/{order['order_id']}/receipt.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    actions = order_actions(engine, order["order_id"])
    assert actions[:2] == ["created", "paypal_order_created"]
    assert actions[-2:] == ["captured", "enrolled"]


def test_the_order_is_private_to_its_buyer(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    login_as: Callable[..., TestClient],
    sandbox: RunningSandbox,
) -> None:
    order = checkout(student).json()
    other = login_as()
    for response in (
        other.get(f"/api/checkout/{order['order_id']}"),
        capture(other, order["order_id"]),
        other.get(f"/api/me/payments/{order['order_id']}/receipt.pdf"),
    ):
        assert response.status_code == 404
    assert student.get(f"/api/checkout/{order['order_id']}").json()["status"] == "created"
    assert student.get(f"/api/me/payments/{order['order_id']}/receipt.pdf").status_code == 409


def test_checkout_refusals(
    db_backend: str,
    catalog: Publisher,
    client: TestClient,
    student: TestClient,
    engine: Engine,
) -> None:
    assert checkout(client).status_code == 401
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"course": "open-course"}, 409, "free_item"),
        ({"course": "draft-course"}, 404, "not_found"),
        ({"course": "nope"}, 404, "not_found"),
        ({"course": PAID, "program": "fixture-bundle"}, 422, "invalid_fields"),
        ({}, 422, "invalid_fields"),
        ({"course": "Not A Slug"}, 422, "invalid_fields"),
        ({"masterclass": "live-qa"}, 409, "free_item"),
    ]
    for body, status, code in cases:
        assert error(student.post("/api/checkout", json=body)) == (status, code), body
    grant(engine, user_id(student), PAID)
    assert error(checkout(student, course=PAID)) == (409, "already_enrolled")


def test_an_auditor_may_buy_the_full_course(
    db_backend: str,
    publish: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    publish(lambda m: course_of(m, PAID).update(audit=True))
    assert student.post(f"/api/courses/{PAID}/enroll", json={"mode": "audit"}).status_code == 201
    buy(student, sandbox)
    assert enrollments(engine, user_id(student)) == {PAID: ("paid", "active")}


def test_a_second_buy_click_resumes_the_unfinished_order(
    db_backend: str, catalog: Publisher, student: TestClient, sandbox: RunningSandbox
) -> None:
    first = checkout(student).json()
    second = checkout(student).json()
    assert second["order_id"] == first["order_id"]
    assert second["approve_url"] == first["approve_url"]
    assert len(paypal_requests(sandbox, "/v2/checkout/orders")) == 1


def test_cancel_at_paypal_leaves_nothing_behind(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    order = checkout(student).json()
    location = sandbox.control.click(order["approve_url"], action="cancel")
    assert "cancelled=1" in location
    assert f"order={order['order_id']}" in location
    cancelled = student.post(f"/api/checkout/{order['order_id']}/cancel", json={})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert capture(student, order["order_id"]).json()["error"]["code"] == "order_cancelled"
    assert enrollments(engine, user_id(student)) == {}
    assert student.get("/api/me/payments").json()["payments"] == []
    # buying again starts a new order
    again = checkout(student).json()
    assert again["order_id"] != order["order_id"]


def test_capture_before_approval_is_refused(
    db_backend: str, catalog: Publisher, student: TestClient, sandbox: RunningSandbox
) -> None:
    order = checkout(student).json()
    assert error(capture(student, order["order_id"])) == (409, "order_not_approved")
    approve(sandbox, order)
    assert capture(student, order["order_id"]).json()["status"] == "captured"


# --- PayPal failures ------------------------------------------------------------------------------


def test_declined_then_paid_with_another_method(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    sandbox.control.scenario(decline_captures=1)
    assert error(capture(student, approved["order_id"])) == (402, "payment_declined")
    assert enrollments(engine, user_id(student)) == {}
    # the order waits for another approval at PayPal
    again = student.get(f"/api/checkout/{approved['order_id']}").json()
    assert again["status"] == "created"
    assert again["approve_url"] == approved["approve_url"]
    approve(sandbox, approved)
    assert capture(student, approved["order_id"]).json()["status"] == "captured"
    assert active_courses(engine, user_id(student)) == {PAID}
    assert "capture_declined" in order_actions(engine, approved["order_id"])
    assert len(outbox.messages(to="student@example.com")) == 1


def test_paypal_500s_are_retried_with_the_same_request_id(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    sandbox.control.scenario(fail={"count": 2, "status": 500, "path": "/capture"})
    captured = capture(student, approved["order_id"])
    assert captured.status_code == 200
    assert captured.json()["status"] == "captured"
    attempts = [r for r in sandbox.control.requests() if r["path"].endswith("/capture")]
    assert [r["status"] for r in attempts] == [500, 500, 201]
    assert {r["request_id"] for r in attempts} == {f"capture-{approved['order_id']}"}
    assert active_courses(engine, user_id(student)) == {PAID}


def test_paypal_down_then_a_retry_captures_once(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    # PayPal captures, then the answer is lost on every retry
    sandbox.control.scenario(
        fail={"count": 10, "status": 503, "path": "/capture", "after_commit": True}
    )
    lost = capture(student, approved["order_id"])
    assert error(lost) == (503, "paypal_unavailable")
    assert lost.headers["retry-after"] == "5"
    assert enrollments(engine, user_id(student)) == {}
    sandbox.control.scenario(clear=True)
    # the retry replays PayPal's first answer: paid once, enrolled once
    assert capture(student, approved["order_id"]).json()["status"] == "captured"
    assert active_courses(engine, user_id(student)) == {PAID}
    completed = [r for r in sandbox.control.requests() if r["path"].endswith("/capture")]
    assert completed[-1]["replayed"] is True


@pytest.mark.parametrize("tamper", ["amount", "order"])
def test_a_tampered_amount_is_refused_and_flagged(
    db_backend: str,
    tamper: str,
    approved: dict[str, Any],
    student: TestClient,
    admin: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    paypal_order = db_order(engine, approved["order_id"]).paypal_order_id
    assert paypal_order is not None
    if tamper == "amount":
        sandbox.control.scenario(capture_amount="0.50")
    else:  # the order edited at PayPal to another currency
        sandbox.control.edit_order(paypal_order, "49.90", "EUR")
    assert error(capture(student, approved["order_id"])) == (409, "payment_mismatch")
    assert enrollments(engine, user_id(student)) == {}
    assert student.get(GATED).status_code == 403
    stored = db_order(engine, approved["order_id"])
    assert stored.flagged
    assert stored.status == "failed"
    flagged = admin.get("/api/admin/orders", params={"flagged": "true"}).json()["items"]
    assert [o["order_id"] for o in flagged] == [approved["order_id"]]
    detail = admin.get(f"/api/admin/orders/{approved['order_id']}").json()
    assert detail["flagged"] is True
    assert any(e["action"] == "flagged" for e in detail["events"])
    # it stays refused, whoever asks again, and no receipt was sent
    assert capture(student, approved["order_id"]).json()["error"]["code"] == "payment_mismatch"
    assert outbox.messages(to="student@example.com") == []
    # what PayPal did capture can be given back
    refunded = refund(admin, approved["order_id"])
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded"
    expected = "0.50" if tamper == "amount" else "49.90"
    assert refunded.json()["refunded_amount"] == expected
    assert outbox.last(to="student@example.com")["Subject"] == "Your payment was refunded"
    assert enrollments(engine, user_id(student)) == {}


# --- webhooks -------------------------------------------------------------------------------------


def test_a_pending_capture_completes_from_the_webhook(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    pending, capture_id = capture_pending(student, sandbox, engine, approved)
    assert pending.status_code == 200
    assert pending.json()["status"] == "pending"
    assert enrollments(engine, user_id(student)) == {}
    assert outbox.messages(to="student@example.com") == []

    delivered = deliver(student, status_webhook(sandbox, capture_id, "COMPLETED"))
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["status"] == "processed"
    assert active_courses(engine, user_id(student)) == {PAID}
    assert student.get(f"/api/checkout/{approved['order_id']}").json()["status"] == "captured"
    assert len(outbox.messages(to="student@example.com")) == 1


def test_a_denied_pending_capture_gives_nothing(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    _, capture_id = capture_pending(student, sandbox, engine, approved)
    sent = status_webhook(sandbox, capture_id, "DECLINED")
    assert deliver(student, sent).json()["status"] == "processed"
    assert db_order(engine, approved["order_id"]).status == "failed"
    assert enrollments(engine, user_id(student)) == {}


def test_a_webhook_with_a_bad_signature_is_refused(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    _, capture_id = capture_pending(student, sandbox, engine, approved)
    changed = sandbox.control.set_capture_status(capture_id, "COMPLETED")
    forged = sandbox.control.resend_webhook(changed["event_id"], deliver=False, bad_signature=True)
    assert error(deliver(student, forged)) == (400, "invalid_signature")
    # the body edited after signing fails too
    genuine = sandbox.control.resend_webhook(changed["event_id"], deliver=False)
    edited = dict(genuine, body=genuine["body"].replace("COMPLETED", "COMPLETED "))
    assert deliver(student, edited).status_code == 400
    missing = student.post(
        "/api/webhooks/paypal",
        content=genuine["body"].encode(),
        headers={"Content-Type": "application/json"},
    )
    assert missing.status_code == 400
    assert enrollments(engine, user_id(student)) == {}
    assert db_order(engine, approved["order_id"]).status == "pending"


def test_a_replayed_webhook_is_a_no_op(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    admin: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    capture(student, approved["order_id"])
    [completed] = events_of(sandbox, "PAYMENT.CAPTURE.COMPLETED")
    first = deliver(student, sandbox.control.resend_webhook(completed["id"], deliver=False))
    assert first.json()["status"] == "processed"
    replay = deliver(student, sandbox.control.resend_webhook(completed["id"], deliver=False))
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    # refund, then replay the old "completed" event: the order stays refunded
    assert refund(admin, approved["order_id"]).status_code == 200
    late = sandbox.control.send_webhook(
        "PAYMENT.CAPTURE.COMPLETED",
        db_order(engine, approved["order_id"]).paypal_capture_id,
        deliver=False,
    )
    assert deliver(student, late).status_code == 200
    assert db_order(engine, approved["order_id"]).status == "refunded"
    assert active_courses(engine, user_id(student)) == set()
    receipts = [
        m
        for m in outbox.messages(to="student@example.com")
        if m["Subject"] == "Your payment is confirmed"
    ]
    assert len(receipts) == 1


def test_capture_and_webhook_racing_enroll_once(
    db_backend: str,
    approved: dict[str, Any],
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    # PayPal captures at once but answers the capture call a second later: meanwhile its
    # webhook reaches us.
    sandbox.control.scenario(delay={"count": 1, "seconds": 1.0, "path": "/capture"})
    results: dict[str, Any] = {}

    def capture_call() -> None:
        results["capture"] = capture(student, approved["order_id"])

    thread = threading.Thread(target=capture_call)
    thread.start()
    deadline = time.monotonic() + 10
    while not events_of(sandbox, "PAYMENT.CAPTURE.COMPLETED"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    [event] = events_of(sandbox, "PAYMENT.CAPTURE.COMPLETED")
    hook = deliver(student, sandbox.control.resend_webhook(event["id"], deliver=False))
    thread.join()
    assert hook.status_code == 200
    assert hook.json()["status"] == "processed"
    assert results["capture"].status_code == 200
    assert results["capture"].json()["status"] == "captured"
    assert enrollments(engine, user_id(student)) == {PAID: ("paid", "active")}
    actions = order_actions(engine, approved["order_id"])
    assert actions.count("captured") == 1
    assert actions.count("enrolled") == 1
    assert len(outbox.messages(to="student@example.com")) == 1


# --- refunds --------------------------------------------------------------------------------------


def test_an_admin_refund_revokes_access_and_tells_the_buyer(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    admin: TestClient,
    login_as: Callable[..., TestClient],
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    order = buy(student, sandbox)
    assert student.get(GATED).status_code == 200
    moderator = login_as("moderator")
    assert refund(moderator, order["order_id"]).status_code == 403
    assert refund(student, order["order_id"]).status_code == 403
    refunded = refund(admin, order["order_id"], reason="Asked within 14 days")
    assert refunded.status_code == 200, refunded.text
    body = refunded.json()
    assert body["status"] == "refunded"
    assert body["refunded_amount"] == "49.90"
    assert body["paypal_refund_id"]
    assert [e["action"] for e in body["events"]][-2:] == ["refunded", "enrollment_revoked"]
    assert student.get(GATED).json()["error"]["code"] == "not_enrolled"
    assert enrollments(engine, user_id(student)) == {PAID: ("paid", "revoked")}
    notice = outbox.last(to="student@example.com")
    assert notice["Subject"] == "Your payment was refunded"
    assert "Your access to it has ended." in text_of(notice)
    # again: nothing more
    assert refund(admin, order["order_id"]).status_code == 200
    assert len(paypal_requests(sandbox, "/refund")) == 1
    history = student.get("/api/me/payments").json()["payments"]
    assert history[0]["status"] == "refunded"
    assert student.get(f"/api/me/payments/{order['order_id']}/receipt.pdf").status_code == 200
    # an unpaid order cannot be refunded
    other = checkout(login_as()).json()
    assert error(refund(admin, other["order_id"])) == (409, "not_refundable")


def test_a_reversal_reported_by_webhook_revokes_access(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    order = buy(student, sandbox)
    capture_id = db_order(engine, order["order_id"]).paypal_capture_id
    assert capture_id is not None
    sent = status_webhook(sandbox, capture_id, "REVERSED")
    assert deliver(student, sent).json()["status"] == "processed"
    assert db_order(engine, order["order_id"]).status == "refunded"
    assert active_courses(engine, user_id(student)) == set()
    assert student.get(GATED).status_code == 403


def test_refunds_can_keep_access(
    db_backend: str,
    tmp_path: Path,
    database_url: str,
    sandbox: RunningSandbox,
    academy_bundle: dict[str, bytes],
    make_user: Callable[..., dict[str, Any]],
    engine: Engine,
) -> None:
    settings = make_settings(
        tmp_path, database_url, paypal_base_url=sandbox.url, refund_revokes_access=False
    )
    app = paying_app(settings)
    with TestClient(app) as client:
        Publisher(app, engine, academy_bundle)()
        buyer = make_user("keeper@example.com")
        admin_user = make_user("boss@example.com", roles=["admin"])
        for who in (buyer, admin_user):
            assert (
                client.post(
                    "/api/auth/login", json={"email": who["email"], "password": "harbor-lantern-47"}
                ).status_code
                == 200
            )
            if who is buyer:
                order = buy(client, sandbox)
                client.post("/api/auth/logout", json={})
        assert refund(client, order["order_id"]).json()["status"] == "refunded"
    assert active_courses(engine, buyer["id"]) == {PAID}


def test_a_full_course_at_capture_is_refunded_at_once(
    db_backend: str,
    publish: Publisher,
    student: TestClient,
    login_as: Callable[..., TestClient],
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    publish(lambda m: course_of(m, PAID).update(capacity=1))
    order = checkout(student).json()
    approve(sandbox, order)
    rival = login_as()
    buy(rival, sandbox)  # takes the only seat meanwhile
    full = capture(student, order["order_id"])
    assert error(full) == (409, "course_full")
    assert "refunded" in full.json()["error"]["message"]
    stored = db_order(engine, order["order_id"])
    assert stored.status == "refunded"
    assert stored.paypal_refund_id
    assert enrollments(engine, user_id(student)) == {}
    # a new checkout is refused before anyone pays
    assert error(checkout(student)) == (409, "course_full")


# --- programs and master classes ------------------------------------------------------------------


def test_buying_a_program_enrolls_in_each_course(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    order = buy(student, sandbox, program="fixture-bundle")
    assert (order["kind"], order["amount"], order["item_path"]) == (
        "program",
        "60.00",
        "programs/fixture-bundle/",
    )
    assert enrollments(engine, user_id(student)) == {
        "open-course": ("paid", "active"),
        PAID: ("paid", "active"),
    }
    assert checkout(student, program="fixture-bundle").json()["error"]["code"] == "already_enrolled"


def test_buying_a_paid_master_class_registers(
    db_backend: str,
    publish: Publisher,
    student: TestClient,
    admin: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    def priced(manifest: dict[str, Any]) -> None:
        manifest["masterclasses"][0]["price"] = {"amount": "15.00", "currency": "USD"}

    publish(priced)
    order = buy(student, sandbox, masterclass="live-qa")
    subjects = sorted(m["Subject"] for m in outbox.messages(to="student@example.com"))
    assert subjects == ["Your master class registration", "Your payment is confirmed"]
    assert order["kind"] == "masterclass"
    assert order["amount"] == "15.00"
    again = checkout(student, masterclass="live-qa")
    assert again.json()["error"]["code"] == "already_registered"
    refund(admin, order["order_id"])
    assert checkout(student, masterclass="live-qa").status_code == 201


def test_payments_off_without_configuration(
    db_backend: str,
    tmp_path: Path,
    database_url: str,
    academy_bundle: dict[str, bytes],
    engine: Engine,
    make_user: Callable[..., dict[str, Any]],
) -> None:
    settings = make_settings(tmp_path, database_url, paypal_base_url="https://api-m.paypal.com")
    with TestClient(create_app(settings)) as client:
        make_user("nopay@example.com")
        client.post(
            "/api/auth/login", json={"email": "nopay@example.com", "password": "harbor-lantern-47"}
        )
        Publisher(client.app, engine, academy_bundle)()  # type: ignore[arg-type]
        assert error(checkout(client)) == (503, "payments_unavailable")
        assert client.get(f"/api/courses/{PAID}/price").status_code == 200
