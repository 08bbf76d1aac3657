"""Buying the demo academy's paid course in headless Chromium, the way `lms serve` runs it:
the site, the API and the bundled PayPal-compatible sandbox (started beside it, webhooks to
the served API) with no payment configuration at all.

A student opens the paid course, follows "Buy", applies a coupon, pays with PayPal (the
sandbox's approval page, a real navigation to another origin), comes back enrolled, opens a
gated lesson, finds the receipt in their payment history and in the mail outbox. Another
cancels at PayPal and is told nothing was charged. Screenshots of the checkout page:
pay-<name>-<width>-<scheme>.png (see `Screenshots`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from browser_support import LiveSite, Screenshots, serve_with_paypal, settle, signed_in_account
from playwright.sync_api import expect

from dynamic_api.db import create_db_engine, session_scope
from dynamic_api.models import Coupon

pytestmark = pytest.mark.browser

PANDAS = "/courses/data-analysis-with-pandas/"
GATED_LESSON = PANDAS + "series-and-dataframes/"


@pytest.fixture(scope="module")
def shop(
    site: LiveSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveSite, str]]:
    with serve_with_paypal(site, tmp_path_factory.mktemp("shop")) as served:
        engine = create_db_engine(served[0].settings.effective_database_url())
        try:
            with session_scope(engine) as session:
                session.add(
                    Coupon(
                        code="WELCOME10",
                        kind="percent",
                        value=Decimal(10),
                        course="data-analysis-with-pandas",
                    )
                )
        finally:
            engine.dispose()
        yield served


@pytest.fixture
def open_shop(open_page: Any, shop: tuple[LiveSite, str]) -> Any:
    """Watched pages of the shop, allowed to navigate to the sandbox's approval page."""
    site, sandbox_url = shop

    def open_(**options: Any) -> Any:
        page = open_page(site=site, **options)
        # The sandbox is "PayPal": another origin the buyer is sent to, and back from.
        page.context.route(re.compile("^" + re.escape(sandbox_url) + "/"), lambda r: r.continue_())
        return page

    return open_


@pytest.fixture
def shoot() -> Screenshots:
    return Screenshots.into("pay-")


def outbox_subjects(site: LiveSite, address: str) -> list[str]:
    from email import message_from_bytes, policy

    found = []
    for path in sorted(site.settings.outbox_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]):
            found.append(str(message["Subject"]))
    return found


def latest_order(site: LiveSite) -> str:
    engine = create_db_engine(site.settings.effective_database_url())
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT public_id FROM orders ORDER BY id DESC LIMIT 1")
            ).scalar_one()
    finally:
        engine.dispose()
    return str(found)


def test_buy_the_paid_course_with_a_coupon_and_open_a_gated_lesson(
    open_shop: Any, shop: tuple[LiveSite, str], shoot: Screenshots
) -> None:
    site, sandbox_url = shop
    page = open_shop()
    address = signed_in_account(page, "buyer", "Pat Buyer", PANDAS)
    settle(page)
    # Signed in, not enrolled: the course page's "guest" actions (after its status call).
    guest = page.locator(".enroll-card .course-actions-guest")
    expect(guest).to_be_visible()
    buy = guest.get_by_role("link", name="Buy for $49.00")
    expect(buy).to_be_visible()
    buy.click()

    # The checkout page: the server's price, then a coupon.
    expect(page).to_have_url(re.compile(r"/account/checkout/\?course=data-analysis-with-pandas$"))
    expect(page.locator("h1")).to_have_text("Checkout")
    summary = page.locator(".checkout-summary")
    expect(summary.locator(".checkout-item")).to_have_text("Data Analysis with pandas")
    expect(summary.locator(".checkout-kind")).to_have_text("Course")
    expect(summary.locator(".checkout-total dd")).to_have_text("$49.00")
    coupon = page.get_by_label("Coupon code")
    page.watch.expect_error_status(
        "/api/prices/course/data-analysis-with-pandas"
    )  # 422: no such code
    coupon.fill("nope")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#checkout-coupon-error")).to_have_text(
        "There is no coupon with this code."
    )
    expect(coupon).to_have_attribute("aria-invalid", "true")
    coupon.fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(summary.locator(".checkout-total dd")).to_have_text("$44.10")
    expect(summary.locator(".checkout-discount")).to_contain_text("Coupon WELCOME10")
    expect(summary.locator(".checkout-discount dd")).to_have_text("\u2212$4.90")
    expect(page.locator("#checkout-coupon-applied")).to_contain_text("Coupon WELCOME10 applied")
    pay = page.get_by_role("button", name="Pay $44.10 with PayPal")
    expect(pay).to_be_visible()
    settle(page)
    shoot(page, "review")

    # PayPal's approval page (the sandbox, on its own origin), then back.
    pay.click()
    expect(page).to_have_url(re.compile("^" + re.escape(sandbox_url) + r"/checkoutnow\?token="))
    expect(page.get_by_text("Data Analysis with pandas")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Approve and pay")).click()
    expect(page).to_have_url(
        re.compile(r"/account/checkout/\?order=[A-Z2-7]{16}$")
    )  # token dropped
    paid = page.get_by_role("heading", name="Thank you! Your payment is confirmed")
    expect(paid).to_be_visible()
    expect(paid).to_be_focused()
    expect(page.locator(".checkout-panel")).to_contain_text(
        "You are enrolled in “Data Analysis with pandas”."
    )
    expect(page.locator(".checkout-summary .checkout-total dd")).to_have_text("$44.10")
    receipt = page.get_by_role("link", name="Download the receipt (PDF)")
    expect(receipt).to_have_attribute(
        "href", re.compile(r"^/api/me/payments/[A-Z2-7]{16}/receipt\.pdf$")
    )
    pdf = page.request.get(receipt.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF-")
    settle(page)
    shoot(page, "paid")
    # A reload (the token is gone from the address) shows the paid order again.
    page.reload()
    expect(page.get_by_role("heading", name="Thank you! Your payment is confirmed")).to_be_visible()

    # Enrolled: the course page says so, and a gated lesson opens.
    page.get_by_role("link", name="Start learning").click()
    expect(page).to_have_url(re.compile(re.escape(PANDAS) + "$"))
    expect(page.locator(".enroll-card .enrolled-note")).to_contain_text(
        "You are enrolled in this course"
    )
    page.goto(GATED_LESSON)
    expect(page.locator("h1")).to_have_text("Series and DataFrames")
    expect(page.locator(".lesson-body")).to_contain_text(
        "Everything in pandas is built on two objects"
    )

    # The history, and the receipt in the outbox.
    page.goto("/account/payments/")
    row = page.locator(".payments-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Data Analysis with pandas")
    expect(row).to_contain_text("$44.10")
    expect(row).to_contain_text("Payment received")
    expect(
        row.get_by_role("link", name="Receipt of Data Analysis with pandas (PDF)")
    ).to_be_visible()
    settle(page)
    shoot(page, "history")
    deadline = time.monotonic() + 10
    while "Your payment is confirmed" not in outbox_subjects(site, address):
        assert time.monotonic() < deadline, "no receipt in the outbox"
        time.sleep(0.1)


def test_cancel_at_paypal_charges_nothing(open_shop: Any, shoot: Screenshots) -> None:
    page = open_shop()
    signed_in_account(
        page, "buyer", "Casey Cancel", "/account/checkout/?course=data-analysis-with-pandas"
    )
    page.get_by_role("button", name="Pay $49.00 with PayPal").click()
    page.get_by_role("button", name=re.compile(r"^Cancel and return")).click()
    cancelled = page.get_by_role("heading", name="Payment cancelled")
    expect(cancelled).to_be_visible()
    expect(page.locator(".checkout-panel")).to_contain_text("Nothing was charged.")
    settle(page)
    shoot(page, "cancelled")
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("button", name="Pay $49.00 with PayPal")).to_be_visible()
    page.goto(PANDAS)
    guest = page.locator(".enroll-card .course-actions-guest")
    expect(guest.get_by_role("link", name="Buy for $49.00")).to_be_visible()
    expect(page.locator(".enroll-card .enrolled-note")).to_be_hidden()
    settle(page)


def test_visitors_see_the_price_and_are_asked_to_sign_in(
    open_shop: Any, shoot: Screenshots
) -> None:
    page = open_shop()
    page.goto("/account/checkout/?program=data-analyst-starter")
    expect(page.locator(".checkout-summary .checkout-kind")).to_have_text("Learning path")
    link = page.get_by_role("link", name="Sign in to buy")
    expect(link).to_be_visible()
    expect(link).to_have_attribute(
        "href", "/account/sign-in/?next=%2Faccount%2Fcheckout%2F%3Fprogram%3Ddata-analyst-starter"
    )
    expect(page.get_by_role("button", name=re.compile("with PayPal"))).to_be_hidden()
    settle(page)
    shoot(page, "signin")
    page.goto("/account/checkout/")
    expect(page.get_by_role("heading", name="Nothing to buy here")).to_be_visible()
    settle(page)


def test_a_declined_card_then_another_way_to_pay(
    open_shop: Any, shop: tuple[LiveSite, str], shoot: Screenshots
) -> None:
    from paypal_sandbox.testing import SandboxControl

    site, sandbox_url = shop
    page = open_shop()
    signed_in_account(
        page, "buyer", "Dana Decline", "/account/checkout/?course=data-analysis-with-pandas"
    )
    with SandboxControl(sandbox_url) as control:
        control.scenario(decline_captures=1)
    page.get_by_role("button", name="Pay $49.00 with PayPal").click()
    expect(page).to_have_url(re.compile("^" + re.escape(sandbox_url)))
    order_id = latest_order(site)
    page.watch.expect_error_status(f"/api/checkout/{order_id}/capture")  # the 402, on purpose
    with page.expect_response(re.compile(r"/api/checkout/[A-Z2-7]{16}/capture$")) as answer:
        page.get_by_role("button", name=re.compile(r"^Approve and pay")).click()
    assert answer.value.status == 402
    heading = page.get_by_role("heading", name="PayPal declined the payment")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.locator(".checkout-panel")).to_contain_text("nothing was charged")
    back = page.get_by_role("link", name="Back to PayPal")
    expect(back).to_have_attribute("href", re.compile("^" + re.escape(sandbox_url)))
    settle(page)
    shoot(page, "declined")
    back.click()
    page.get_by_role("button", name=re.compile(r"^Approve and pay")).click()
    expect(page.get_by_role("heading", name="Thank you! Your payment is confirmed")).to_be_visible()
    settle(page)
