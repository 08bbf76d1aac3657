"""Coupons: quotes, the rules (window, course, limits), redemption only on capture and
race-safe (20 captures against a limit of 5 redeem 5), the admin API and the CLI; on SQLite
and on every server database in LMS_TEST_DATABASE_URLS."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import checkout_support
import pytest
from api_support import Outbox, text_of
from checkout_support import (
    active_courses,
    approve,
    buy,
    capture,
    checkout,
    coupon_row,
    days,
    db_order,
    error,
    make_coupon,
    paypal_requests,
    user_id,
)
from click.testing import CliRunner, Result
from learning_support import PAID, Publisher
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from dynamic_api.db import session_scope
from dynamic_api.models import CouponRedemption, User
from paypal_sandbox.testing import RunningSandbox
from site_builder.cli import main
from site_builder.settings import Settings, get_settings

pytestmark = pytest.mark.all_databases

sandbox = checkout_support.sandbox
settings = checkout_support.settings
app = checkout_support.app


def quote(client: TestClient, code: str, course: str = PAID) -> Any:
    return client.get(f"/api/courses/{course}/price", params={"coupon": code})


# --- the rules ------------------------------------------------------------------------------------


def test_coupons_discount_the_quote(
    db_backend: str, catalog: Publisher, client: TestClient, engine: Engine
) -> None:
    make_coupon(engine, "TENOFF", kind="percent", value=Decimal(10))
    make_coupon(engine, "FIVE", kind="fixed", value=Decimal(5), currency="USD", course=PAID)
    make_coupon(engine, "ALL", kind="fixed", value=Decimal(100), currency="USD")
    ten = quote(client, "tenoff").json()  # any case
    assert (ten["list_amount"], ten["discount"], ten["amount"], ten["coupon"]) == (
        "49.90",
        "4.99",
        "44.91",
        "TENOFF",
    )
    five = quote(client, "FIVE").json()
    assert (five["discount"], five["amount"], five["free"]) == ("5.00", "44.90", False)
    free = quote(client, "ALL").json()
    assert (free["discount"], free["amount"], free["free"]) == ("49.90", "0.00", True)
    bundle = client.get("/api/prices/program/fixture-bundle", params={"coupon": "TENOFF"})
    assert bundle.json()["amount"] == "54.00"


def test_coupon_problems_have_clear_codes(
    db_backend: str,
    catalog: Publisher,
    client: TestClient,
    student: TestClient,
    engine: Engine,
) -> None:
    make_coupon(engine, "OLD", valid_until=days(-1))
    make_coupon(engine, "SOON", valid_from=days(3))
    make_coupon(engine, "OTHER", course="members-course")
    make_coupon(engine, "GONE", max_redemptions=2, redeemed=2)
    make_coupon(engine, "OFF", active=False)
    make_coupon(engine, "EUROS", kind="fixed", value=Decimal(5), currency="EUR")
    cases = {
        "NOPE": "coupon_not_found",
        "OLD": "coupon_expired",
        "SOON": "coupon_not_started",
        "OTHER": "coupon_wrong_course",
        "GONE": "coupon_exhausted",
        "OFF": "coupon_inactive",
        "EUROS": "coupon_wrong_currency",
    }
    for code, expected in cases.items():
        response = quote(client, code)
        assert error(response) == (422, expected), code
        assert response.json()["error"]["fields"]["coupon"]
        assert error(checkout(student, course=PAID, coupon=code)) == (422, expected), code
    assert "expired on" in quote(client, "OLD").json()["error"]["message"]
    # a course coupon is for that course only, never a program
    make_coupon(engine, "PAIDONLY", course=PAID)
    assert quote(client, "PAIDONLY").status_code == 200
    bundle = client.get("/api/prices/program/fixture-bundle", params={"coupon": "PAIDONLY"})
    assert error(bundle) == (422, "coupon_wrong_course")


def test_the_coupon_price_is_what_paypal_charges(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    make_coupon(engine, "LAUNCH", kind="percent", value=Decimal(20), max_redemptions=1)
    started = checkout(student, course=PAID, coupon="launch").json()
    assert (started["amount"], started["discount"], started["coupon"]) == (
        "39.92",
        "9.98",
        "LAUNCH",
    )
    # counted only when paid
    assert coupon_row(engine, "LAUNCH").redeemed == 0
    approve(sandbox, started)
    assert capture(student, started["order_id"]).json()["status"] == "captured"
    assert coupon_row(engine, "LAUNCH").redeemed == 1
    [paid] = [r for r in sandbox.control.requests() if r["path"].endswith("/capture")]
    assert paid["status"] == 201
    text = text_of(outbox.last(to="student@example.com"))
    assert "LAUNCH" in text
    assert "$39.92" in text
    assert "$9.98" in text


def test_a_cancelled_checkout_does_not_use_the_coupon(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    login_as: Callable[..., TestClient],
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    make_coupon(engine, "ONCE", max_redemptions=1)
    first = checkout(student, course=PAID, coupon="ONCE").json()
    sandbox.control.click(first["approve_url"], action="cancel")
    student.post(f"/api/checkout/{first['order_id']}/cancel", json={})
    # a decline gives it back too
    second = login_as()
    order = checkout(second, course=PAID, coupon="ONCE").json()
    approve(sandbox, order)
    sandbox.control.scenario(decline_captures=1)
    assert error(capture(second, order["order_id"])) == (402, "payment_declined")
    assert coupon_row(engine, "ONCE").redeemed == 0
    buy(student, sandbox, course=PAID, coupon="ONCE")
    assert coupon_row(engine, "ONCE").redeemed == 1


def test_a_coupon_that_makes_it_free_enrolls_without_paypal(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    outbox: Outbox,
) -> None:
    make_coupon(engine, "SCHOLAR", kind="percent", value=Decimal(100), max_redemptions=1)
    started = checkout(student, course=PAID, coupon="SCHOLAR")
    assert started.status_code == 201, started.text
    body = started.json()
    assert (body["status"], body["amount"], body["approve_url"]) == ("captured", "0.00", None)
    assert active_courses(engine, user_id(student)) == {PAID}
    assert paypal_requests(sandbox, "/v2/") == []
    assert coupon_row(engine, "SCHOLAR").redeemed == 1
    assert "the coupon covered the whole price" in text_of(outbox.last(to="student@example.com"))


def test_the_per_user_limit(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    make_coupon(engine, "FRIEND", per_user_limit=1)
    buy(student, sandbox, course=PAID, coupon="FRIEND")
    # the program still has a course the student lacks, so it may be bought, but not with it
    refused = checkout(student, program="fixture-bundle", coupon="FRIEND")
    assert error(refused) == (422, "coupon_limit_reached")
    assert error(
        student.get("/api/prices/program/fixture-bundle", params={"coupon": "FRIEND"})
    ) == (422, "coupon_limit_reached")
    assert checkout(student, program="fixture-bundle").status_code == 201


def test_the_per_user_limit_holds_across_open_checkouts(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    """Two checkouts opened before either was paid: the second capture is refused."""
    make_coupon(engine, "FRIEND", per_user_limit=1)
    course = checkout(student, course=PAID, coupon="FRIEND").json()
    bundle = checkout(student, program="fixture-bundle", coupon="FRIEND").json()
    approve(sandbox, course)
    approve(sandbox, bundle)
    assert capture(student, course["order_id"]).json()["status"] == "captured"
    assert error(capture(student, bundle["order_id"])) == (409, "coupon_limit_reached")
    assert db_order(engine, bundle["order_id"]).status == "failed"
    assert len(paypal_requests(sandbox, "/capture")) == 1  # nothing charged for the second


def test_twenty_parallel_captures_against_a_limit_of_five(
    db_backend: str,
    catalog: Publisher,
    login_as: Callable[..., TestClient],
    sandbox: RunningSandbox,
    engine: Engine,
) -> None:
    make_coupon(engine, "FIVEONLY", kind="percent", value=Decimal(50), max_redemptions=5)
    buyers = [login_as() for _ in range(20)]
    started = []
    for buyer in buyers:
        order = checkout(buyer, course=PAID, coupon="FIVEONLY").json()
        approve(sandbox, order)
        started.append(order)
    barrier = threading.Barrier(len(buyers))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def hit(buyer: TestClient, order: dict[str, Any]) -> None:
        barrier.wait()
        response = capture(buyer, order["order_id"])
        body = response.json()
        with lock:
            results.append((response.status_code, body.get("status") or body["error"]["code"]))

    threads = [
        threading.Thread(target=hit, args=pair) for pair in zip(buyers, started, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count((200, "captured")) == 5, results
    assert sorted(results).count((409, "coupon_exhausted")) == 15, results
    assert coupon_row(engine, "FIVEONLY").redeemed == 5
    with session_scope(engine) as session:
        assert len(session.exec(select(CouponRedemption)).all()) == 5
    # only the five were charged
    assert len(paypal_requests(sandbox, "/capture")) == 5
    enrolled = [b for b in buyers if active_courses(engine, user_id(b))]
    assert len(enrolled) == 5


# --- the admin API --------------------------------------------------------------------------------


def make_instructor(client: TestClient, engine: Engine, slug: str) -> TestClient:
    with session_scope(engine) as session:
        user = session.get(User, user_id(client))
        assert user is not None
        user.instructor_slug = slug
    return client


def test_admins_and_instructors_manage_coupons(
    db_backend: str,
    catalog: Publisher,
    admin: TestClient,
    student: TestClient,
    login_as: Callable[..., TestClient],
    engine: Engine,
) -> None:
    teacher = make_instructor(login_as("instructor"), engine, "tess-tester")
    stranger = make_instructor(login_as("instructor"), engine, "someone-else")
    body = {
        "code": "spring-25",
        "kind": "percent",
        "value": "25",
        "course": PAID,
        "valid_until": "2099-01-01",
        "max_redemptions": 10,
        "per_user_limit": 1,
    }
    created = teacher.post("/api/admin/coupons", json=body)
    assert created.status_code == 201, created.text
    coupon = created.json()
    assert (coupon["code"], coupon["value"], coupon["course"], coupon["redeemed"]) == (
        "SPRING-25",
        "25",
        PAID,
        0,
    )
    assert coupon["valid_until"].startswith("2099-01-01T00:00:00")
    assert error(teacher.post("/api/admin/coupons", json=body)) == (409, "coupon_code_taken")
    assert error(stranger.post("/api/admin/coupons", json={**body, "code": "X-1"})) == (
        403,
        "forbidden",
    )
    everything = {"code": "EVERYONE", "kind": "fixed", "value": "5.00", "currency": "usd"}
    assert error(teacher.post("/api/admin/coupons", json=everything)) == (403, "forbidden")
    made = admin.post("/api/admin/coupons", json=everything)
    assert made.status_code == 201
    assert made.json()["currency"] == "USD"
    assert student.post("/api/admin/coupons", json=everything).status_code == 403

    assert [c["code"] for c in teacher.get("/api/admin/coupons").json()["coupons"]] == ["SPRING-25"]
    assert stranger.get("/api/admin/coupons").json()["coupons"] == []
    assert {c["code"] for c in admin.get("/api/admin/coupons").json()["coupons"]} == {
        "SPRING-25",
        "EVERYONE",
    }

    path = f"/api/admin/coupons/{coupon['id']}"
    assert stranger.patch(path, json={"active": False}).status_code == 403
    off = teacher.patch(path, json={"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert error(student.get(f"/api/courses/{PAID}/price", params={"coupon": "spring-25"})) == (
        422,
        "coupon_inactive",
    )
    assert [
        c["code"]
        for c in admin.get("/api/admin/coupons", params={"active": "false"}).json()["coupons"]
    ] == ["SPRING-25"]
    assert admin.patch("/api/admin/coupons/999999", json={"active": False}).status_code == 404
    for too_large in (2**31, 10**30):  # beyond any INTEGER column: 404, not an overflow 500
        response = admin.patch(f"/api/admin/coupons/{too_large}", json={"active": False})
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"code": "A", "kind": "percent", "value": "10"}, {"code"}),
        ({"code": "BAD CODE", "kind": "percent", "value": "10"}, {"code"}),
        ({"code": "TOO-MUCH", "kind": "percent", "value": "150"}, {"value"}),
        ({"code": "NEGATIVE", "kind": "percent", "value": "-5"}, {"value"}),
        ({"code": "FLOAT", "kind": "percent", "value": 10.5}, {"value"}),
        ({"code": "NOCUR", "kind": "fixed", "value": "5"}, {"currency"}),
        ({"code": "CENTS", "kind": "fixed", "value": "5.001", "currency": "USD"}, {"value"}),
        ({"code": "YEN", "kind": "fixed", "value": "5", "currency": "XYZ"}, {"currency"}),
        (
            {
                "code": "WINDOW",
                "kind": "percent",
                "value": "5",
                "valid_from": "2030-01-02",
                "valid_until": "2030-01-01",
            },
            {"valid_until"},
        ),
        ({"code": "NOCOURSE", "kind": "percent", "value": "5", "course": "nope"}, {"course"}),
        ({"code": "FREEONE", "kind": "percent", "value": "5", "course": "open-course"}, {"course"}),
        (
            {"code": "EUR", "kind": "fixed", "value": "5", "currency": "EUR", "course": PAID},
            {"currency"},
        ),
        (
            {"code": "LIMIT", "kind": "percent", "value": "5", "max_redemptions": 0},
            {"max_redemptions"},
        ),
    ],
    ids=lambda value: value["code"] if isinstance(value, dict) else "+".join(sorted(value)),
)
def test_coupon_validation(
    db_backend: str, catalog: Publisher, admin: TestClient, body: dict[str, Any], fields: set[str]
) -> None:
    response = admin.post("/api/admin/coupons", json=body)
    assert error(response) == (422, "invalid_fields"), response.text
    assert set(response.json()["error"]["fields"]) == fields


def test_rules_between_fields_answer_under_the_field_to_change(
    db_backend: str, catalog: Publisher, admin: TestClient, engine: Engine
) -> None:
    """Never a sentence about the whole body: the admin page shows each beside its input."""
    window = {"valid_from": "2030-01-02", "valid_until": "2030-01-01"}
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"value": "150"}, {"value": "A percentage is at most 100."}),
        ({"currency": "USD"}, {"currency": "A percentage coupon has no currency."}),
        ({"kind": "fixed"}, {"currency": "A fixed-amount coupon needs its currency (e.g. USD)."}),
        ({"kind": "fixed", "currency": "XYZ"}, {"currency": "XYZ is not a currency code."}),
        (
            {"kind": "fixed", "currency": "KWD"},
            {"currency": "PayPal does not take payments in KWD."},
        ),
        (
            {"kind": "fixed", "value": "5.001", "currency": "usd"},
            {"value": "USD amounts have 2 decimals."},
        ),
        (
            {"kind": "fixed", "value": "5.5", "currency": "JPY"},
            {"value": "JPY amounts have 0 decimals."},
        ),
        (window, {"valid_until": "Must be after valid_from."}),
        ({**window, "valid_until": "2030-01-02"}, {"valid_until": "Must be after valid_from."}),
        (
            {**window, "value": "150", "currency": "EUR"},
            {
                "value": "A percentage is at most 100.",
                "currency": "A percentage coupon has no currency.",
                "valid_until": "Must be after valid_from.",
            },
        ),
    ]
    for changes, fields in cases:
        body = {"code": "RULES", "kind": "percent", "value": "5", **changes}
        response = admin.post("/api/admin/coupons", json=body)
        assert response.status_code == 422, changes
        assert response.json()["error"] == {
            "code": "invalid_fields",
            "message": "Some fields are missing or invalid.",
            "fields": fields,
        }, changes
    # the one field of an update
    path = f"/api/admin/coupons/{make_coupon(engine, 'RULES')}"
    for body, fields in [
        ({"active": "no"}, {"active": "Input should be a valid boolean."}),
        ({"active": False, "value": "5"}, {"value": "Extra inputs are not permitted."}),
    ]:
        response = admin.patch(path, json=body)
        assert error(response) == (422, "invalid_fields"), body
        assert response.json()["error"]["fields"] == fields, body


def test_admins_list_orders_with_filters(
    db_backend: str,
    catalog: Publisher,
    admin: TestClient,
    login_as: Callable[..., TestClient],
    student: TestClient,
    sandbox: RunningSandbox,
) -> None:
    paid = buy(student, sandbox)
    open_ = checkout(login_as(), program="fixture-bundle").json()
    listing = admin.get("/api/admin/orders").json()
    assert listing["total"] == 2
    assert [o["order_id"] for o in listing["items"]] == [open_["order_id"], paid["order_id"]]
    captured = admin.get("/api/admin/orders", params={"status": "captured"}).json()["items"]
    assert [(o["order_id"], o["buyer"]["email"]) for o in captured] == [
        (paid["order_id"], "student@example.com")
    ]
    assert admin.get("/api/admin/orders", params={"kind": "program"}).json()["total"] == 1
    assert (
        admin.get("/api/admin/orders", params={"email": "STUDENT@example.com"}).json()["total"] == 1
    )
    assert admin.get("/api/admin/orders", params={"status": "nope"}).status_code == 422
    moderator = login_as("moderator")
    assert moderator.get("/api/admin/orders").status_code == 200
    assert student.get("/api/admin/orders").status_code == 403
    detail = moderator.get(f"/api/admin/orders/{paid['order_id']}").json()
    assert detail["paypal_capture_id"]
    assert detail["captured_amount"] == "49.90"
    assert admin.get("/api/admin/orders/NOSUCHORDER").status_code == 404


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    settings: Settings,
    sandbox: RunningSandbox,
) -> Iterator[None]:
    monkeypatch.setenv("LMS_DATABASE_URL", database_url)
    monkeypatch.setenv("LMS_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("LMS_PAYPAL_BASE_URL", sandbox.url)
    monkeypatch.setenv("LMS_AUTO_MIGRATE", "never")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def lms(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_lms_coupon_and_order_commands(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    sandbox: RunningSandbox,
    engine: Engine,
    cli_env: None,
) -> None:
    made = lms(
        "coupon",
        "create",
        "cli20",
        "--percent",
        "20",
        "--course",
        PAID,
        "--valid-until",
        "2099-12-31",
        "--max-redemptions",
        "3",
        "--per-user-limit",
        "1",
    )
    assert made.exit_code == 0, made.output
    assert "CLI20\t20%\tpaid-course\tused 0/3\tper user 1" in made.output
    fixed = lms(
        "coupon",
        "create",
        "TENUSD",
        "--amount",
        "10.00",
        "--currency",
        "USD",
        "--valid-from",
        "2020-01-01",
    )
    assert fixed.exit_code == 0, fixed.output
    assert lms("coupon", "create", "CLI20", "--percent", "5").exit_code != 0
    both = lms("coupon", "create", "BOTH", "--percent", "5", "--amount", "1")
    assert both.exit_code == 2
    assert "exactly one" in both.output
    bad = lms("coupon", "create", "BAD", "--percent", "500")
    assert bad.exit_code == 2
    assert "value: A percentage is at most 100." in bad.output  # the field to change

    order = buy(student, sandbox, course=PAID, coupon="CLI20")
    listed = lms("coupon", "list")
    assert "CLI20\t20%\tpaid-course\tused 1/3" in listed.output
    assert "TENUSD" in listed.output
    assert lms("coupon", "deactivate", "tenusd").exit_code == 0
    assert "TENUSD" not in lms("coupon", "list").output
    assert "TENUSD" in lms("coupon", "list", "--all").output
    assert lms("coupon", "deactivate", "NOPE").exit_code == 1

    orders = lms("order", "list", "--status", "captured")
    assert orders.exit_code == 0, orders.output
    assert f"{order['order_id']}\tcaptured\tstudent@example.com\tcourse:{PAID}\t39.92 USD" in (
        orders.output
    )
    assert lms("order", "list", "--flagged").stdout.strip() == ""
    assert lms("order", "list", "--email", "student@example.com", "--limit", "5").exit_code == 0
    refunded = lms("order", "refund", order["order_id"], "--reason", "Duplicate purchase", "--yes")
    assert refunded.exit_code == 0, refunded.output
    assert f"Order {order['order_id']} is refunded." in refunded.output
    assert db_order(engine, order["order_id"]).status == "refunded"
    assert active_courses(engine, user_id(student)) == set()
    missing = lms("order", "refund", "NOSUCHORDER", "--yes")
    assert missing.exit_code == 1
    assert "no order" in missing.output
