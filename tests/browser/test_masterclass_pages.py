"""Master classes in headless Chromium, on the demo academy: register for the free master
class "Reading Python error messages", see the waiting state, the confirmation email with its
calendar file, download the `.ics`, cancel; then, on a server whose join window already covers
the session, the Join button; the paid master class's checkout link; My learning's calendar
section (registered sessions, the feed URL, regenerating it).

Screenshots of the master-class page (visitor, registered, join open) at 1280 and 390 px,
light and dark: cert-masterclass-<name>-<width>-<scheme>.png (see `Screenshots`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from browser_support import (
    DESKTOP,
    FAST_ACCOUNTS,
    MOBILE,
    OTHER_LOOKS,
    LiveSite,
    Screenshots,
    same_session,
    serve_again,
    signed_in_account,
)
from playwright.sync_api import expect
from test_account_pages import mails_to
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

FREE = "reading-error-messages"
PAID = "dashboards-that-answer-questions"
JOIN_URL = "https://meet.jit.si/openharbor-reading-errors-2027-01"
START = dt.datetime(2027, 1, 21, 0, 0, tzinfo=dt.UTC)  # 18:00 in Mexico City


@pytest.fixture(scope="module")
def mc_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The demo, served again: the join window is the shipped 15 minutes."""
    if dt.datetime.now(dt.UTC) > START - dt.timedelta(hours=1):
        pytest.skip("the demo master class is not in the future any more: update its dates")
    yield from serve_again(site, tmp_path_factory.mktemp("masterclass-site"), **FAST_ACCOUNTS)


@pytest.fixture(scope="module")
def open_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The demo, served again with a join window that already covers the free session."""
    if dt.datetime.now(dt.UTC) > START - dt.timedelta(hours=1):
        pytest.skip("the demo master class is not in the future any more: update its dates")
    minutes = math.ceil((START - dt.datetime.now(dt.UTC)).total_seconds() / 60) + 60
    yield from serve_again(
        site,
        tmp_path_factory.mktemp("masterclass-open-site"),
        masterclass_join_minutes=minutes,
        **FAST_ACCOUNTS,
    )


@pytest.fixture
def shoot() -> Screenshots:
    return Screenshots.into("cert-masterclass-")


def actions(page: Any) -> Any:
    return page.locator(".masterclass-actions")


def test_register_download_the_ics_and_cancel(
    open_page: Any, mc_site: LiveSite, shoot: Screenshots
) -> None:
    page = open_page(site=mc_site)
    page.goto(f"/masterclasses/{FREE}/")
    box = actions(page)
    expect(box.get_by_text("50 seats left")).to_be_visible()
    visitor = box.get_by_role("link", name="Register for free")
    expect(visitor).to_be_visible()
    assert "/account/sign-in/?next=" in (visitor.get_attribute("href") or "")
    assert JOIN_URL not in page.content()
    shoot.one(page, "visitor-1280-light")

    address = signed_in_account(page, "mc", "Marta Quiroga")
    page.goto(f"/masterclasses/{FREE}/")
    button = box.get_by_role("button", name="Register for free")
    expect(button).to_be_visible()
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    button.click()
    expect(box.get_by_text("You are registered", exact=True)).to_be_visible()
    expect(box.get_by_role("status")).to_contain_text("We sent you an email")
    expect(box.get_by_text("49 seats left")).to_be_visible()
    expect(box.get_by_role("button", name="Register for free")).to_be_hidden()
    expect(box.get_by_role("link", name="Register for free")).to_be_hidden()
    expect(box.locator(".masterclass-join-later")).to_contain_text(
        "The “Join” button appears here on"
    )
    expect(box.get_by_role("link", name="Join the session")).to_be_hidden()
    assert JOIN_URL not in page.content()
    shoot.one(page, "registered-1280-light")

    [mail] = [
        m for m in mails_to(mc_site, address, 2) if m["Subject"] == "Your master class registration"
    ]
    assert JOIN_URL not in mail.as_string()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{FREE}.ics"

    with page.expect_download() as info:
        box.get_by_role("link", name="Add to calendar (.ics)").click()
    assert info.value.suggested_filename == f"{FREE}.ics"
    data = Path(info.value.path()).read_bytes()
    assert JOIN_URL.encode() not in data
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(dt.UTC) == START
    assert str(event["dtstart"].params["TZID"]) == "America/Mexico_City"
    assert event.decoded("dtstart").hour == 18

    box.get_by_role("button", name="Cancel my registration").click()
    box.get_by_role("button", name="Yes, cancel").click()
    expect(box.get_by_role("button", name="Register for free")).to_be_visible()
    expect(box.get_by_text("50 seats left")).to_be_visible()
    expect(box.get_by_role("status")).to_contain_text("Your registration is cancelled")
    expect(box.get_by_text("You are registered", exact=True)).to_be_hidden()


def test_join_button_in_the_join_window(
    open_page: Any, open_site: LiveSite, shoot: Screenshots
) -> None:
    page = open_page(site=open_site)
    signed_in_account(page, "mc", "Marta Quiroga")
    page.goto(f"/masterclasses/{FREE}/")
    assert JOIN_URL not in page.content()
    actions(page).get_by_role("button", name="Register for free").click()
    join = actions(page).get_by_role("link", name="Join the session")
    expect(join).to_be_visible()
    assert join.get_attribute("href") == JOIN_URL
    assert join.get_attribute("target") == "_blank"
    expect(actions(page).locator(".masterclass-join-later")).to_be_hidden()
    shoot.one(page, "join-1280-light")

    # My learning: the session, the feed URL, a new one on request.
    page.goto("/account/learning/")
    calendar = page.locator("#calendar")
    expect(
        calendar.get_by_role("link", name="Live: Reading Python error messages without fear")
    ).to_be_visible()
    expect(calendar.get_by_text("Join now")).to_be_visible()
    feed = calendar.get_by_label("Your calendar feed address")
    expect(feed).to_have_value(re.compile(r"/api/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    first = feed.input_value()
    calendar.scroll_into_view_if_needed()
    shoot.one(page, "dashboard-calendar-1280-light")
    path = first[first.index("/api/") :]
    feed_text = page.request.get(path).text()
    assert f"masterclass-{FREE}@" in feed_text
    assert JOIN_URL not in feed_text
    calendar.get_by_role("button", name="Get a new address").click()
    calendar.get_by_role("button", name="Replace the address").click()
    expect(calendar.get_by_text("Your calendar has a new address.")).to_be_visible()
    expect(feed).not_to_have_value(first)
    page.watch.expect_error_status(path)
    assert page.request.get(path).status == 404

    # Phone and dark screenshots of the join state.
    for label, viewport, scheme in OTHER_LOOKS:
        other = same_session(open_page, page, open_site, viewport=viewport, color_scheme=scheme)
        other.goto(f"/masterclasses/{FREE}/")
        expect(actions(other).get_by_role("link", name="Join the session")).to_be_visible()
        shoot.one(other, f"join-{label}")
        if viewport is MOBILE:
            width = other.evaluate("document.documentElement.scrollWidth")
            assert width <= MOBILE["width"], f"horizontal overflow: {width}px"


def test_visitor_and_paid_master_class(
    open_page: Any, mc_site: LiveSite, shoot: Screenshots
) -> None:
    for label, viewport, scheme in (("390-light", MOBILE, "light"), ("1280-dark", DESKTOP, "dark")):
        page = open_page(site=mc_site, viewport=viewport, color_scheme=scheme)
        page.goto(f"/masterclasses/{FREE}/")
        expect(actions(page).get_by_text("50 seats left")).to_be_visible()
        shoot.one(page, f"visitor-{label}")
    page = open_page(site=mc_site)
    signed_in_account(page, "mc", "Paid Visitor")
    page.goto(f"/masterclasses/{PAID}/")
    buy = actions(page).get_by_role("link", name="Register for $15.00")
    expect(buy).to_be_visible()
    expect(actions(page).get_by_role("link", name="Register for free")).to_have_count(0)
    assert f"masterclass={PAID}" in (buy.get_attribute("href") or "")
    expect(actions(page).get_by_role("button", name="Register for free")).to_have_count(0)
