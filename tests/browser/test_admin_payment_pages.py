"""The admins' payment pages in headless Chromium: /account/admin/orders/ and
/account/admin/coupons/, on the demo academy served as `lms serve` runs it (the bundled
PayPal-compatible sandbox beside the API).

A student buys the paid course (through the API and the sandbox's approval page); an admin
finds the order, reads its history, downloads its receipt and refunds it; the list then says
"Refunded". The admin creates a coupon, sees the API's field error for a bad value beside its
input, and disables it. A student who opens either page sees that it is not for them, and no
order or coupon is ever asked for. Screenshots: admin-<name>-<width>-<scheme>.png (see
`Screenshots`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_support import (
    LiveSite,
    MakeUser,
    OpenAs,
    Screenshots,
    opener_as,
    serve_with_paypal,
    settle,
    user_maker,
)
from playwright.sync_api import expect
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

from paypal_sandbox.testing import SandboxControl

pytestmark = pytest.mark.browser

COURSE = "data-analysis-with-pandas"
ORDERS = "/account/admin/orders/"
COUPONS = "/account/admin/coupons/"

Shot = Callable[[Any, str], None]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop(
    site: LiveSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveSite, str]]:
    with serve_with_paypal(site, tmp_path_factory.mktemp("admin-shop")) as served:
        yield served


@pytest.fixture(scope="module")
def make_user(shop: tuple[LiveSite, str]) -> Iterator[MakeUser]:
    yield from user_maker(shop[0].settings)


@pytest.fixture
def open_as(open_page: Any, shop: tuple[LiveSite, str], make_user: MakeUser) -> OpenAs:
    return opener_as(open_page, shop[0], make_user)


@pytest.fixture
def shot() -> Shot:
    return Screenshots.into("admin-")


# --- helpers ---------------------------------------------------------------------------------


def buy(page: Any, sandbox_url: str) -> str:
    """The signed-in user of `page` buys the paid course: checkout, approval at the sandbox,
    capture. Returns the order id."""
    created = page.request.post("/api/checkout", data={"course": COURSE})
    assert created.status == 201, created.text()
    order = created.json()
    with SandboxControl(sandbox_url) as control:
        control.click(order["approve_url"])
    captured = page.request.post(f"/api/checkout/{order['order_id']}/capture", data={})
    assert captured.status == 200, captured.text()
    assert captured.json()["status"] == "captured"
    return str(order["order_id"])


def account_menu(page: Any) -> Any:
    """The navbar's account menu, opened."""
    page.locator("#account-nav .dropdown-toggle").click()
    menu = page.locator("#account-nav .dropdown-menu")
    expect(menu).to_be_visible()
    return menu


# --- orders ----------------------------------------------------------------------------------


def test_an_admin_finds_an_order_and_refunds_it(
    open_as: Callable[..., tuple[Any, dict[str, str]]], shop: tuple[LiveSite, str], shot: Shot
) -> None:
    buyer_page, buyer = open_as("Rita Refund")
    order_id = buy(buyer_page, shop[1])

    page, _ = open_as("Ada Admin", roles=("admin",))
    page.goto("/")
    menu = account_menu(page)
    expect(menu.get_by_role("link", name="Coupons", exact=True)).to_be_visible()
    menu.get_by_role("link", name="Orders", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(ORDERS) + "$"))
    expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    row = page.locator(".admin-orders-table tbody tr", has_text=buyer["email"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Data Analysis with pandas")
    expect(row).to_contain_text("$49.00")
    expect(row).to_contain_text("Paid")
    settle(page)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    shot(page, "orders")

    # The filters go to the API and stay in the address.
    page.get_by_label("Student's email address").fill(buyer["email"])
    page.get_by_label("Status").select_option("captured")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?status=captured&email="))
    expect(page.locator(".admin-orders-table tbody tr")).to_have_count(1)
    expect(page.locator(".admin-count")).to_have_text("1 order")

    # One order: its facts, its history, its receipt.
    row = page.locator(".admin-orders-table tbody tr", has_text=buyer["email"])
    row.get_by_role("link", name=f"Details of order {order_id}").click()
    expect(page).to_have_url(re.compile(rf"\?status=captured&email=.*&order={order_id}$"))
    title = page.get_by_role("heading", name="Data Analysis with pandas", level=2)
    expect(title).to_be_focused()
    detail = page.locator(".admin-detail")
    expect(detail).to_contain_text(f"Order {order_id}")
    expect(detail.locator(".admin-facts")).to_contain_text(buyer["name"])
    expect(detail.locator(".admin-events li").first).to_contain_text("created")
    expect(detail.locator(".admin-events")).to_contain_text("captured")
    receipt = detail.get_by_role("link", name=f"Receipt of order {order_id} (PDF)")
    href = receipt.get_attribute("href")
    assert href == f"/api/admin/orders/{order_id}/receipt.pdf"
    pdf = page.request.get(href)
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF-")
    settle(page)
    shot(page, "order")

    # The refund asks first, with a reason; "Keep the payment" changes nothing.
    detail.get_by_role("button", name="Refund…").click()
    confirm = detail.get_by_role("heading", name="Refund this order?")
    expect(confirm).to_be_focused()
    expect(detail.locator(".admin-refund")).to_contain_text(f"$49.00 goes back to {buyer['name']}")
    detail.get_by_role("button", name="Keep the payment").click()
    expect(confirm).to_be_hidden()
    detail.get_by_role("button", name="Refund…").click()
    detail.get_by_label("Reason (optional)").fill("Bought the wrong course")
    shot(page, "refund")
    with page.expect_response(re.compile(r"/refund$")) as answer:
        detail.get_by_role("button", name="Refund $49.00").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator(".admin-live")).to_contain_text(f"Order {order_id} is refunded.")
    expect(detail.locator(".admin-detail-head .payments-status")).to_have_text("Refunded")
    expect(detail.locator(".admin-events")).to_contain_text("Bought the wrong course")
    expect(detail.get_by_role("button", name="Refund…")).to_be_hidden()

    # Back to the list (Back of the browser, too): the order says so.
    page.go_back()
    expect(page.locator(".admin-orders-table tbody tr", has_text=buyer["email"])).to_contain_text(
        "Refunded"
    )
    page.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(re.compile(re.escape(ORDERS) + "$"))
    settle(page)


def test_a_refund_paypal_refuses_shows_the_api_message(
    open_as: Callable[..., tuple[Any, dict[str, str]]], shop: tuple[LiveSite, str]
) -> None:
    buyer_page, _ = open_as("Rex Refused")
    order_id = buy(buyer_page, shop[1])
    page, _ = open_as("Ada Admin", roles=("admin",))
    page.goto(f"{ORDERS}?order={order_id}")
    with SandboxControl(shop[1]) as control:
        # PayPal down for the refund and its retries (4 = the first call and 3 retries)
        control.scenario(fail={"count": 4, "status": 503, "path": "/refund"})
    page.watch.expect_error_status(f"/api/admin/orders/{order_id}/refund")  # the 503, on purpose
    page.get_by_role("button", name="Refund…").click()
    with page.expect_response(re.compile(r"/refund$")) as answer:
        page.get_by_role("button", name="Refund $49.00").click()
    assert answer.value.status == 503, answer.value.text()
    alert = page.locator(".admin-refund [role=alert]")
    expect(alert).to_have_text(answer.value.json()["error"]["message"])
    expect(page.locator(".admin-detail-head .payments-status")).to_have_text("Paid")
    # Once PayPal answers again, the same button refunds it.
    page.get_by_role("button", name="Refund $49.00").click()
    expect(page.locator(".admin-detail-head .payments-status")).to_have_text("Refunded")
    expect(alert).to_be_hidden()
    settle(page)


def test_a_moderator_reads_the_orders_without_refunding(
    open_as: Callable[..., tuple[Any, dict[str, str]]], shop: tuple[LiveSite, str], shot: Shot
) -> None:
    # A long address: at 390 px it wraps before its "@", never in the middle of a word.
    buyer_page, buyer = open_as("Maximiliana-Bartholomew-Fitzgerald Buyer")
    order_id = buy(buyer_page, shop[1])
    page, _ = open_as("Mo Moderator", roles=("moderator",))
    page.goto(ORDERS)
    row = page.locator(".admin-orders-table tbody tr", has_text=buyer["email"])
    expect(row).to_contain_text("Paid")
    email = row.locator(".admin-email")
    expect(email).to_have_text(buyer["email"])
    page.set_viewport_size({"width": 390, "height": 844})
    name, domain = email.locator("span").all()
    assert name.bounding_box()["y"] < domain.bounding_box()["y"]  # the domain on a line below
    assert domain.inner_text().startswith("@")
    page.set_viewport_size({"width": 1280, "height": 900})
    settle(page)
    shot(page, "orders-moderator")

    row.get_by_role("link", name=f"Details of order {order_id}").click()
    detail = page.locator(".admin-detail")
    expect(detail.locator(".admin-detail-head .payments-status")).to_have_text("Paid")
    expect(detail.get_by_role("link", name=f"Receipt of order {order_id} (PDF)")).to_be_visible()
    refund = detail.locator("button", has_text="Refund…")
    expect(refund).to_have_count(1)  # in the page, never shown
    expect(refund).to_be_hidden()
    expect(detail.locator(".admin-refund")).to_be_hidden()
    settle(page)


# --- coupons ---------------------------------------------------------------------------------


def test_an_admin_creates_and_disables_a_coupon(
    open_as: Callable[..., tuple[Any, dict[str, str]]], shot: Shot
) -> None:
    page, _ = open_as("Ada Admin", roles=("admin",))
    code = "SPRING" + uuid.uuid4().hex[:4].upper()
    page.goto(COUPONS)
    expect(page.get_by_role("heading", name="Coupons", level=1)).to_be_visible()
    settle(page)
    page.get_by_role("button", name="New coupon").click()
    form = page.locator("#coupon-create")
    expect(form.get_by_role("heading", name="New coupon")).to_be_focused()

    # Required fields are checked here; the value's rules at the API, shown beside it.
    form.get_by_role("button", name="Create coupon").click()
    expect(form.locator("#coupon-code-error")).to_have_text("Fill in this field.")
    page.watch.expect_error_status("/api/admin/coupons")  # the 422 and the 409, on purpose
    form.get_by_label("Code").fill(code)
    form.get_by_label("Percentage off").fill("abc")
    with page.expect_response(re.compile(r"/api/admin/coupons$")) as answer:
        form.get_by_role("button", name="Create coupon").click()
    assert answer.value.status == 422
    value = form.get_by_label("Percentage off")
    expect(form.locator("#coupon-value-error")).to_have_text("Enter a number such as 12.50.")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_be_focused()
    expect(form.locator(".account-alert.alert-danger")).to_have_text(
        "Please correct the fields marked below."
    )
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    shot(page, "coupon-error")

    # A fixed amount off the paid course: its currency comes with the course.
    form.get_by_role("radio", name="Fixed amount").check()
    form.get_by_label("Amount off").fill("10.00")
    form.get_by_label("For").select_option(COURSE)
    expect(form.get_by_label("Currency")).to_have_value("USD")
    form.get_by_label("Total uses (optional)").fill("50")
    form.get_by_label("Uses per student (optional)").fill("1")
    form.get_by_label("Valid until (optional)").fill("2099-12-31")
    with page.expect_response(re.compile(r"/api/admin/coupons$")) as answer:
        form.get_by_role("button", name="Create coupon").click()
    assert answer.value.status == 201, answer.value.text()
    expect(page.locator(".admin-live")).to_have_text(f"Coupon {code} is created.")
    expect(form).to_be_hidden()
    row = page.locator(".admin-coupons-table tbody tr", has_text=code)
    expect(row).to_contain_text("$10.00")
    expect(row).to_contain_text("Data Analysis with pandas")
    expect(row).to_contain_text("0 of 50")
    expect(row).to_contain_text("1 per student")
    expect(row).to_contain_text("Until Dec 31, 2099")
    expect(row.locator(".admin-state")).to_have_text("Active")

    # The same code again: the API's 409, beside the code.
    page.get_by_role("button", name="New coupon").click()
    form.get_by_label("Code").fill(code.lower())
    form.get_by_role("radio", name="Percentage").check()
    form.get_by_label("Percentage off").fill("20")
    form.get_by_role("button", name="Create coupon").click()
    expect(form.locator("#coupon-code-error")).to_have_text(
        f"A coupon with the code {code} already exists."
    )
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_be_hidden()

    # Disable, then enable again.
    row.get_by_role("button", name=f"Disable coupon {code}").click()
    expect(row.locator(".admin-state")).to_have_text("Inactive")
    expect(page.locator(".admin-live")).to_contain_text(f"Coupon {code} is disabled")
    page.get_by_label("Show").select_option("active")
    expect(row).to_be_hidden()
    page.get_by_label("Show").select_option("inactive")
    expect(row).to_be_visible()
    settle(page)
    shot(page, "coupons")
    page.reload()
    row = page.locator(".admin-coupons-table tbody tr", has_text=code)
    expect(row.locator(".admin-state")).to_have_text("Inactive")
    row.get_by_role("button", name=f"Enable coupon {code}").click()
    expect(row.locator(".admin-state")).to_have_text("Active")
    settle(page)


# --- who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ORDERS, COUPONS])
def test_students_see_that_the_pages_are_not_for_them(
    open_as: Callable[..., tuple[Any, dict[str, str]]],
    open_page: Any,
    shop: tuple[LiveSite, str],
    path: str,
) -> None:
    page, _ = open_as("Sam Student")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(path)
    expect(page.get_by_role("heading", name="This page is for administrators")).to_be_visible()
    settle(page)
    expect(page.locator("table")).to_have_count(1)  # in the page, never shown
    expect(page.locator("table")).to_be_hidden()
    expect(page.locator("tbody tr")).to_have_count(0)
    assert not [url for url in asked if "/api/admin/" in url]
    menu = account_menu(page)
    expect(menu.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Orders", exact=True)).to_be_hidden()
    expect(menu.get_by_role("link", name="Coupons", exact=True)).to_be_hidden()

    visitor = open_page(site=shop[0])
    visitor.watch.expect_error_status("/api/me")  # the 401 that sends them to sign in
    visitor.goto(path)
    expect(visitor).to_have_url(
        re.compile(r"/account/sign-in/\?next=" + re.escape(path.replace("/", "%2F")) + "$")
    )
    settle(visitor)
