"""The PayPal-compatible sandbox itself, over plain HTTP: PayPal's paths, JSON and error
bodies, the approval page, the control API and webhook signing."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from paypal_sandbox import AUTH_ALGO, SandboxConfig, create_app, sign
from paypal_sandbox.testing import (
    RunningSandbox,
    SandboxControl,
    recording_receiver,
    serve_in_thread,
)

USD = {"currency_code": "USD", "value": "49.90"}
EXPERIENCE = {
    "payment_source": {
        "paypal": {
            "experience_context": {
                "return_url": "https://lms.test/return",
                "cancel_url": "https://lms.test/cancel",
            }
        }
    }
}


def token(http: httpx.Client, config: SandboxConfig) -> str:
    response = http.post(
        "/v1/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(config.client_id, config.client_secret),
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A plain HTTP client holding a valid bearer token."""
    with httpx.Client(base_url=sandbox.url, timeout=30) as http:
        http.headers["Authorization"] = f"Bearer {token(http, sandbox.config)}"
        yield http


def create(api: httpx.Client, **changes: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "intent": "CAPTURE",
        "purchase_units": [{"amount": dict(USD), "custom_id": "order-1"}],
        **EXPERIENCE,
    }
    body.update(changes)
    return api.post("/v2/checkout/orders", json=body, headers={"Prefer": "return=representation"})


def assert_paypal_error(
    response: httpx.Response, status: int, name: str, issue: str | None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["name"] == name
    assert body["message"]
    assert re.fullmatch(r"[0-9a-f]{13}", body["debug_id"])
    assert response.headers["PayPal-Debug-Id"] == body["debug_id"]
    assert body["links"][0]["rel"] == "information_link"
    if issue is not None:
        assert body["details"][0]["issue"] == issue
        assert body["details"][0]["description"]


def test_token_endpoint(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        good = http.post(
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(sandbox.config.client_id, sandbox.config.client_secret),
        )
        wrong = http.post(
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(sandbox.config.client_id, "nope"),
        )
        no_grant = http.post(
            "/v1/oauth2/token", auth=(sandbox.config.client_id, sandbox.config.client_secret)
        )
    body = good.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int)
    assert body["access_token"].startswith("A21AA")
    assert "payments/payment" in body["scope"]
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert (no_grant.status_code, no_grant.json()["error"]) == (400, "unsupported_grant_type")


def test_api_calls_need_a_valid_token(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        missing = http.get("/v2/checkout/orders/ABC")
        wrong = http.get("/v2/checkout/orders/ABC", headers={"Authorization": "Bearer nope"})
    assert_paypal_error(missing, 401, "AUTHENTICATION_FAILURE", None)
    assert_paypal_error(wrong, 401, "AUTHENTICATION_FAILURE", None)


def test_unknown_resources_are_404(api: httpx.Client) -> None:
    for path in [
        "/v2/checkout/orders/NOPE",
        "/v2/payments/captures/NOPE",
        "/v2/payments/refunds/NOPE",
    ]:
        response = api.get(path)
        assert_paypal_error(response, 404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        assert response.json()["details"][0]["location"] == "path"
    response = api.post("/v2/checkout/orders/NOPE/capture")
    assert_paypal_error(response, 404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")


def test_created_orders_have_paypals_shape(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = create(api)
    assert response.status_code == 201
    order = response.json()
    assert re.fullmatch(r"[A-Z0-9]{17}", order["id"])
    assert order["status"] == "PAYER_ACTION_REQUIRED"
    assert order["intent"] == "CAPTURE"
    unit = order["purchase_units"][0]
    assert unit["amount"] == USD
    assert unit["custom_id"] == "order-1"
    assert unit["payee"]["merchant_id"]
    links = {link["rel"]: link for link in order["links"]}
    assert links["self"]["href"] == f"{sandbox.url}/v2/checkout/orders/{order['id']}"
    assert links["payer-action"]["href"] == f"{sandbox.url}/checkoutnow?token={order['id']}"
    assert api.get(f"/v2/checkout/orders/{order['id']}").json()["purchase_units"][0] == unit

    # Without Prefer: return=representation, PayPal answers minimally.
    minimal = api.post(
        "/v2/checkout/orders",
        json={"intent": "CAPTURE", "purchase_units": [{"amount": USD}], **EXPERIENCE},
    ).json()
    assert set(minimal) == {"id", "status", "links", "payment_source"}

    # The older application_context gives a CREATED order with an "approve" link.
    legacy = create(
        api, payment_source=None, application_context={"return_url": "https://lms.test/r"}
    ).json()
    assert legacy["status"] == "CREATED"
    assert "approve" in {link["rel"] for link in legacy["links"]}


@pytest.mark.parametrize(
    ("changes", "status", "name", "issue"),
    [
        ({"intent": "AUTHORIZE"}, 400, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE"),
        ({"purchase_units": []}, 400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER"),
        (
            {"purchase_units": [{"amount": {"currency_code": "JPY", "value": "100.50"}}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "DECIMAL_PRECISION",
        ),
        (
            {"purchase_units": [{"amount": {"currency_code": "USD", "value": "1.001"}}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "DECIMAL_PRECISION",
        ),
        (
            {"purchase_units": [{"amount": {"currency_code": "KWD", "value": "1.000"}}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "CURRENCY_NOT_SUPPORTED",
        ),
        (
            {"purchase_units": [{"amount": {"currency_code": "USD", "value": "0.00"}}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "CANNOT_BE_ZERO_OR_NEGATIVE",
        ),
        (
            {"purchase_units": [{"amount": {"currency_code": "USD", "value": 49.9}}]},
            400,
            "INVALID_REQUEST",
            "MISSING_REQUIRED_PARAMETER",
        ),
        (
            {
                "purchase_units": [
                    {"amount": {**USD, "breakdown": {"item_total": {**USD, "value": "40.00"}}}}
                ]
            },
            422,
            "UNPROCESSABLE_ENTITY",
            "AMOUNT_MISMATCH",
        ),
        (
            {
                "purchase_units": [
                    {
                        "amount": {**USD, "breakdown": {"item_total": USD}},
                        "items": [{"name": "x", "quantity": "2", "unit_amount": USD}],
                    }
                ]
            },
            422,
            "UNPROCESSABLE_ENTITY",
            "ITEM_TOTAL_MISMATCH",
        ),
    ],
)
def test_create_order_validates_like_paypal(
    api: httpx.Client, changes: dict[str, Any], status: int, name: str, issue: str
) -> None:
    assert_paypal_error(create(api, **changes), status, name, issue)


def test_malformed_json(api: httpx.Client) -> None:
    response = api.post(
        "/v2/checkout/orders", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_paypal_error(response, 400, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON")


def test_capture_rules(api: httpx.Client, sandbox: RunningSandbox) -> None:
    order = create(api, purchase_units=[{"amount": USD, "invoice_id": "inv-9"}]).json()
    capture_path = f"/v2/checkout/orders/{order['id']}/capture"
    assert_paypal_error(api.post(capture_path), 422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
    sandbox.control.approve(order["id"])
    captured = api.post(capture_path)
    assert captured.status_code == 201
    capture = captured.json()["purchase_units"][0]["payments"]["captures"][0]
    assert capture["status"] == "COMPLETED"
    assert capture["final_capture"] is True
    assert capture["invoice_id"] == "inv-9"
    breakdown = capture["seller_receivable_breakdown"]
    assert breakdown["gross_amount"] == USD
    assert {link["rel"] for link in capture["links"]} == {"self", "refund", "up"}
    assert api.get(f"/v2/payments/captures/{capture['id']}").json() == capture
    assert_paypal_error(
        api.post(capture_path), 422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED"
    )
    # An invoice id that was paid once is refused for a new order.
    again = create(api, purchase_units=[{"amount": USD, "invoice_id": "inv-9"}])
    assert_paypal_error(again, 422, "UNPROCESSABLE_ENTITY", "DUPLICATE_INVOICE_ID")


def test_concurrent_retries_with_one_request_id_capture_once(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    order = create(api).json()
    sandbox.control.approve(order["id"])
    sandbox.control.scenario(delay={"count": 1, "seconds": 0.5, "path": "/capture"})
    path = f"/v2/checkout/orders/{order['id']}/capture"
    answers: list[httpx.Response] = []

    def capture() -> None:
        answers.append(api.post(path, headers={"PayPal-Request-Id": "double-click"}))

    threads = [threading.Thread(target=capture) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.text for a in answers}) == 1
    assert (
        len(
            api.get(f"/v2/checkout/orders/{order['id']}").json()["purchase_units"][0]["payments"][
                "captures"
            ]
        )
        == 1
    )


def test_failures_on_demand(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.control.scenario(fail={"count": 2, "status": 429, "method": "GET"})
    first = api.get("/v2/checkout/orders/ANY")
    assert_paypal_error(first, 429, "RATE_LIMIT_REACHED", None)
    assert first.headers["Retry-After"] == "1"
    assert api.get("/v2/checkout/orders/ANY").status_code == 429
    assert api.get("/v2/checkout/orders/ANY").status_code == 404
    assert sandbox.control.scenario()["fail"] is None


def test_the_approval_page(sandbox: RunningSandbox, api: httpx.Client) -> None:
    order = create(
        api,
        purchase_units=[
            {"amount": USD, "items": [{"name": "Python <b>", "quantity": "1", "unit_amount": USD}]}
        ],
    ).json()
    page = api.get(f"/checkoutnow?token={order['id']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = page.text
    assert '<html lang="en">' in html
    assert "<title>" in html
    assert "<h1>" in html
    assert "49.90 USD" in html
    assert "Python &lt;b&gt;" in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?://', html)
    assert re.search(r'<button type="submit" name="action" value="approve">[^<]+</button>', html)
    assert re.search(
        r'<button type="submit" name="action" value="cancel"[^>]*>[^<]+</button>', html
    )
    assert f'name="token" value="{order["id"]}"' in html

    unknown = api.get("/checkoutnow?token=NOPE")
    assert unknown.status_code == 404
    assert "Order not found" in unknown.text
    confused = api.post("/checkoutnow", data={"token": order["id"], "action": "maybe"})
    assert confused.status_code == 400


def test_approval_without_return_url_shows_a_page(
    sandbox: RunningSandbox, api: httpx.Client
) -> None:
    order = create(api, payment_source={"paypal": {"experience_context": {}}}).json()
    done = api.post("/checkoutnow", data={"token": order["id"], "action": "approve"})
    assert done.status_code == 200
    assert "Payment approved" in done.text
    assert api.get(f"/v2/checkout/orders/{order['id']}").json()["status"] == "APPROVED"


def test_the_control_api(sandbox: RunningSandbox, api: httpx.Client) -> None:
    control = sandbox.control
    index = api.get("/__control").json()["endpoints"]
    assert "GET POST /__control/scenario" in index
    bad = api.post("/__control/scenario", json={"fail": {"count": 1, "status": 404}})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]
    assert api.post("/__control/scenario", json={"capture_status": "LOST"}).status_code == 400
    assert api.post("/__control/orders/NOPE/approve").status_code == 404
    state = control.scenario(decline_captures=2, capture_status="PENDING", capture_amount="1.00")
    assert (state["decline_captures"], state["capture_status"]) == (2, "PENDING")
    assert state["capture_amount"] == "1.00"
    assert control.scenario(clear=True)["decline_captures"] == 0

    order = create(api).json()
    control.reset()
    assert control.requests() == []
    assert api.get(f"/v2/checkout/orders/{order['id']}").status_code == 401  # tokens forgotten


def test_webhooks_signed_without_delivery_verify_through_the_api(
    sandbox: RunningSandbox, api: httpx.Client
) -> None:
    order = create(api).json()
    sandbox.control.approve(order["id"])
    capture_id = api.post(f"/v2/checkout/orders/{order['id']}/capture").json()["purchase_units"][0][
        "payments"
    ]["captures"][0]["id"]
    sent = sandbox.control.send_webhook("PAYMENT.CAPTURE.COMPLETED", capture_id)
    assert sent["delivery"] is None  # no webhook URL configured: signed and returned only
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["paypal-auth-algo"] == AUTH_ALGO
    assert headers["paypal-cert-url"].startswith(f"{sandbox.url}/v1/notifications/certs/")
    assert api.get(headers["paypal-cert-url"]).status_code == 200
    body = sent["body"].encode()
    assert headers["paypal-transmission-sig"] == sign(
        sandbox.config.signing_secret,
        headers["paypal-transmission-id"],
        headers["paypal-transmission-time"],
        sandbox.config.webhook_id,
        body,
    )
    event = json.loads(body)
    assert event["event_type"] == "PAYMENT.CAPTURE.COMPLETED"
    assert event["resource_type"] == "capture"
    assert event["resource"]["supplementary_data"]["related_ids"]["order_id"] == order["id"]
    assert re.fullmatch(r"WH-[A-Z0-9]{17}-[A-Z0-9]{17}", event["id"])

    def verify(**changes: Any) -> httpx.Response:
        payload = {
            "auth_algo": headers["paypal-auth-algo"],
            "cert_url": headers["paypal-cert-url"],
            "transmission_id": headers["paypal-transmission-id"],
            "transmission_sig": headers["paypal-transmission-sig"],
            "transmission_time": headers["paypal-transmission-time"],
            "webhook_id": sandbox.config.webhook_id,
            "webhook_event": event,
            **changes,
        }
        return api.post("/v1/notifications/verify-webhook-signature", json=payload)

    assert verify().json() == {"verification_status": "SUCCESS"}
    assert verify(webhook_event={**event, "id": "WH-OTHER"}).json() == {
        "verification_status": "FAILURE"
    }
    assert verify(auth_algo="SHA256withRSA").json()["verification_status"] == "FAILURE"
    assert_paypal_error(
        verify(transmission_sig=None), 400, "VALIDATION_ERROR", "MISSING_REQUIRED_PARAMETER"
    )


def test_webhook_deliveries_are_recorded(sandbox: RunningSandbox, api: httpx.Client) -> None:
    with recording_receiver(status_code=500) as receiver:
        sandbox.control.configure(webhook_url=receiver.url)
        order = create(api).json()
        sandbox.control.approve(order["id"])
        api.post(f"/v2/checkout/orders/{order['id']}/capture")
        (event,) = sandbox.control.flush_webhooks()
        assert event["deliveries"][0]["status_code"] == 500
        assert len(receiver.received) == 1
        assert receiver.received[0].headers["content-type"] == "application/json"
    # The receiver is gone: the replay records the connection error.
    replay = sandbox.control.resend_webhook(event["id"])
    assert replay["delivery"]["status_code"] is None
    assert "ConnectError" in replay["delivery"]["error"]
    (listed,) = sandbox.control.webhooks()
    assert len(listed["deliveries"]) == 2


def test_mounted_under_a_path_links_follow_the_mount() -> None:
    host = Starlette(routes=[Mount("/paypal", app=create_app())])
    with serve_in_thread(host) as url, httpx.Client(base_url=f"{url}/paypal") as http:
        config = SandboxConfig()
        http.headers["Authorization"] = f"Bearer {token(http, config)}"
        order = create(http).json()
        links = {link["rel"]: link["href"] for link in order["links"]}
        assert links["payer-action"] == f"{url}/paypal/checkoutnow?token={order['id']}"
        with SandboxControl(f"{url}/paypal") as control:
            location = control.click(links["payer-action"])
        assert location.startswith("https://lms.test/return?token=")
