"""The account pages in headless Chromium, against the real accounts API of `lms serve`.

Sign-up → the verification email in the served build's outbox → its link → sign-in → the
navbar → settings → sign-out, plus the error paths the forms must show inline. Every page
is watched (see `conftest.py`). The API answers 4xx where a test expects it; Chromium logs
those as console errors, so each such test names the path with `expect_error_status`.

The demo build is served again with its own database and outbox (`serve_again`), with the
per-IP rate limits raised (every test signs up from 127.0.0.1; the per-address limits stay
as shipped, and one test runs into one) and a cheap Argon2.
"""

from __future__ import annotations

import email
import re
import time
import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from browser_support import (
    FAST_ACCOUNTS,
    MOBILE,
    PASSWORD,
    LiveSite,
    register,
    serve_again,
    settle,
    sign_in,
)
from playwright.sync_api import expect
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

HOME = "/"


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    yield from serve_again(
        site,
        tmp_path_factory.mktemp("accounts-site"),
        rate_limit_forgot_ip="1000/hour",
        **FAST_ACCOUNTS,
    )


@pytest.fixture
def page(open_page: Any, accounts_site: LiveSite) -> Any:
    """A watched page of the accounts site, 1280x900, nothing opened yet."""
    return open_page(site=accounts_site)


# --- helpers ---------------------------------------------------------------------------------


def new_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def mails_to(site: LiveSite, address: str, at_least: int = 1) -> list[EmailMessage]:
    """The messages to `address` in the served build's outbox (`var/outbox/*.eml`), waiting
    for the API's mail thread to write them."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for path in sorted(site.settings.outbox_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            if address.lower() in str(message["To"]).lower():
                found.append(message)
        if len(found) >= at_least or time.monotonic() > deadline:
            assert len(found) >= at_least, f"no message to {address} in the outbox"
            return found
        time.sleep(0.1)


def link_in(message: EmailMessage, page_path: str) -> str:
    """The site-relative `page_path?token=…` link of an email (the link is absolute, on
    LMS_SITE_URL; the test opens the same path on the local site)."""
    body = message.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())  # type: ignore[attr-defined]
    match = re.search(r"https?://\S+?" + re.escape(page_path) + r"\?token=[^\s\"'<>]+", text)
    assert match, text
    parts = urlsplit(match.group(0))
    return f"{parts.path}?{parts.query}"


def navbar(page: Any) -> Any:
    return page.locator("#account-nav")


def expect_signed_in_as(page: Any, name: str) -> None:
    expect(navbar(page).locator(".account-nav-name")).to_have_text(name)
    expect(navbar(page).get_by_role("link", name="Sign in")).to_be_hidden()


def expect_signed_out(page: Any) -> None:
    expect(navbar(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(navbar(page).get_by_role("link", name="Sign up")).to_be_visible()
    expect(navbar(page).locator(".account-nav-user")).to_be_hidden()


def hint(page: Any) -> str | None:
    return page.evaluate("localStorage.getItem('lmsSignedIn')")


def field_error(page: Any, input_id: str) -> Any:
    """The error element an input points at, after checking that it does point at it."""
    field = page.locator(f"#{input_id}")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{input_id}-error\b"))
    error = page.locator(f"#{input_id}-error")
    expect(error).to_be_visible()
    return error


def api_me_calls(page: Any) -> list[str]:
    calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            calls.append(request.method) if urlsplit(request.url).path == "/api/me" else None
        ),
    )
    return calls


# --- the whole journey -------------------------------------------------------------------------


def test_sign_up_verify_sign_in_rename_and_sign_out(page: Any, accounts_site: LiveSite) -> None:
    me_calls = api_me_calls(page)
    address = new_email("journey")

    page.goto("/account/sign-up/")
    expect(page.locator("h1")).to_have_text("Create your account")
    expect_signed_out(page)
    page.get_by_label("Your name").fill("Grace Journey")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(re.compile(r"/api/auth/register$")) as registered:
        page.get_by_role("button", name="Create account").click()
    assert registered.value.status == 201
    assert registered.value.request.post_data_json == {
        "name": "Grace Journey",
        "email": address,
        "password": PASSWORD,
        "language": "en",
    }
    done = page.locator(".account-done")
    expect(done.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(done).to_contain_text(f"We sent a link to {address}.")
    expect_signed_out(page)  # sign-up does not sign in

    # "Send the email again": a second verification email.
    done.get_by_role("button", name="Send the email again").click()
    expect(done.get_by_text("Sent again.")).to_be_visible()
    mails = mails_to(accounts_site, address, at_least=2)

    # The link in the (latest) email confirms the address.
    verify_path = link_in(mails[-1], "/account/verify/")
    assert verify_path.startswith("/account/verify/?token=")
    with page.expect_response(re.compile(r"/api/auth/verify$")) as verified:
        page.goto(verify_path)
    assert verified.value.status == 200
    result = page.locator(".account-result")
    expect(result.locator("h2 span:visible")).to_have_text("Your email address is confirmed")
    expect(page).to_have_url(re.compile(r"/account/verify/$"))  # the token left the address bar
    result.get_by_role("link", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))  # no ?next=: home
    expect(page.locator("h1")).to_have_text("Open Harbor Academy")
    expect_signed_in_as(page, "Grace Journey")
    assert hint(page) == "1"

    # The menu: Settings, where the name changes.
    navbar(page).locator(".account-nav-toggle").click()
    navbar(page).get_by_role("link", name="Settings").click()
    expect(page.locator("h1")).to_have_text("Account settings")
    name = page.locator("#profile-name")
    expect(name).to_have_value("Grace Journey")
    expect(page.locator(".account-sections")).to_contain_text(f"Signed in as {address}.")
    name.fill("Grace Renamed")
    profile = page.locator("form", has=name)
    with page.expect_response(re.compile(r"/api/me$")) as patched:
        profile.get_by_role("button", name="Save changes").click()
    assert patched.value.request.method == "PATCH"
    assert patched.value.status == 200
    expect(profile.get_by_role("status")).to_have_text("Your changes are saved.")
    expect_signed_in_as(page, "Grace Renamed")  # the navbar follows at once
    page.reload()
    expect(page.locator("#profile-name")).to_have_value("Grace Renamed")
    expect_signed_in_as(page, "Grace Renamed")

    # Sign out: back to the home page (settings needs an account), signed out.
    navbar(page).locator(".account-nav-toggle").click()
    with page.expect_response(re.compile(r"/api/auth/logout$")) as logout:
        navbar(page).get_by_role("button", name="Sign out").click()
    assert logout.value.status == 204
    assert logout.value.request.post_data_json == {}
    expect(page.locator("h1")).to_have_text("Open Harbor Academy")
    expect_signed_out(page)
    assert hint(page) is None
    settle(page)
    calls_before = len(me_calls)
    page.goto("/courses/python-foundations/")  # signed out: no /api/me at all
    expect_signed_out(page)
    settle(page)
    assert len(me_calls) == calls_before
    # /api/me was asked once per page while signed in (home, settings, settings reloaded;
    # the PATCH is the rename), and never once signed out.
    assert me_calls == ["GET", "GET", "PATCH", "GET"], me_calls


def test_anonymous_pages_do_not_ask_who_is_signed_in(page: Any) -> None:
    me_calls = api_me_calls(page)
    for path in ("/", "/account/sign-in/", "/courses/python-foundations/", "/blog/"):
        page.goto(path)
        expect_signed_out(page)
        settle(page)
    assert me_calls == []


def test_a_stale_signed_in_hint_is_cleared(page: Any) -> None:
    """The hint says signed in, the API says 401 (the session ended elsewhere): the navbar
    shows "Sign in" and forgets the hint, so the next page asks nothing."""
    page.watch.expect_error_status("/api/me")
    me_calls = api_me_calls(page)
    page.goto("/account/sign-in/")
    page.evaluate("localStorage.setItem('lmsSignedIn', '1')")
    page.goto("/?from=stale")
    expect_signed_out(page)
    assert hint(page) is None
    settle(page)
    page.goto("/blog/")
    expect_signed_out(page)
    settle(page)
    assert me_calls == ["GET"]


# --- error paths ---------------------------------------------------------------------------------


def test_wrong_password_shows_the_inline_error(page: Any) -> None:
    address = new_email("wrong")
    register(page, address)
    page.watch.expect_error_status("/api/auth/login")
    sign_in(page, address, "not the right password")
    form = page.locator(".sign-in form")
    alert = form.get_by_role("alert")
    expect(alert).to_have_text("The email address or password is incorrect.")
    expect(page).to_have_url(re.compile(r"/account/sign-in/$"))
    expect(form.get_by_role("button", name="Sign in")).to_be_enabled()  # not pending any more
    expect_signed_out(page)
    assert hint(page) is None
    # Corrected, the same form signs in.
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_signed_in_as(page, "Test Student")
    expect(alert).to_be_hidden()


def test_sign_up_field_errors(page: Any) -> None:
    page.watch.expect_error_status("/api/auth/register")
    register_calls: list[str] = []
    page.on(
        "request",
        lambda r: register_calls.append(r.url) if r.url.endswith("/api/auth/register") else None,
    )
    page.goto("/account/sign-up/")
    page.get_by_label("Your name").fill("Short Password")
    page.get_by_label("Email address").fill(new_email("short"))
    page.get_by_label("Password").fill("abc123")
    page.get_by_role("button", name="Create account").click()
    # Too short: said beside the input before anything is sent.
    expect(field_error(page, "signup-password")).to_have_text("Use at least 10 characters.")
    expect(page.locator("#signup-password")).to_be_focused()
    expect(page.locator(".sign-up form").get_by_role("alert")).to_have_text(
        "Please correct the fields marked below."
    )
    expect(page.locator("#signup-email")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    assert register_calls == []
    # The password rules are the input's description.
    expect(page.locator("#signup-password")).to_have_attribute(
        "aria-describedby", re.compile(r"\bsignup-password-help\b")
    )
    expect(page.locator("#signup-password-help")).to_contain_text("At least 10 characters")

    # Long enough but common: the API's rule, in `error.fields.password`, beside the input.
    page.get_by_label("Password").fill("password1234")
    with page.expect_response(re.compile(r"/api/auth/register$")) as answer:
        page.get_by_role("button", name="Create account").click()
    assert answer.value.status == 422
    api_message = answer.value.json()["error"]["fields"]["password"]
    expect(field_error(page, "signup-password")).to_have_text(api_message)
    # Fixed: the error goes away on the next try.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Create account").click()
    expect(field_error(page, "signup-email")).not_to_be_empty()
    expect(page.locator("#signup-password")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#signup-password")).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize(
    ("next_param", "lands_on"),
    [
        ("https://evil.example/steal", HOME),
        ("//evil.example/steal", HOME),
        ("/\\evil.example/steal", HOME),
        ("javascript:alert(1)", HOME),
        (
            "/courses/python-foundations/?tab=syllabus#start",
            "/courses/python-foundations/?tab=syllabus#start",
        ),
    ],
    ids=["absolute", "protocol-relative", "backslash", "javascript", "same-site-path"],
)
def test_sign_in_follows_next_only_within_the_site(
    page: Any, accounts_site: LiveSite, next_param: str, lands_on: str
) -> None:
    address = new_email("next")
    register(page, address)
    sign_in(page, address, path="/account/sign-in/?next=" + quote(next_param, safe=""))
    expect_signed_in_as(page, "Test Student")
    expect(page).to_have_url(accounts_site.url(lands_on))
    assert page.watch.external == []  # nothing was asked of evil.example


def test_the_sign_in_link_brings_the_visitor_back(page: Any) -> None:
    page.goto("/courses/python-foundations/")
    link = navbar(page).get_by_role("link", name="Sign in")
    expect(link).to_have_attribute(
        "href", "/account/sign-in/?next=%2Fcourses%2Fpython-foundations%2F"
    )
    address = new_email("back")
    register(page, address)
    link.click()
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/courses/python-foundations/$"))
    expect_signed_in_as(page, "Test Student")


def test_settings_sends_visitors_to_sign_in(page: Any) -> None:
    page.watch.expect_error_status("/api/me")
    page.goto("/account/settings/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=%2Faccount%2Fsettings%2F$"))
    expect(page.locator("h1")).to_have_text("Sign in")


def test_a_bad_verification_link_offers_a_new_one(page: Any, accounts_site: LiveSite) -> None:
    page.watch.expect_error_status("/api/auth/verify")
    page.goto("/account/verify/?token=not-a-real-token")
    result = page.locator(".account-result")
    expect(result.locator("h2 span:visible")).to_have_text("This link is not valid")
    address = new_email("relink")
    register(page, address)
    result.get_by_label("Email address").fill(address)
    with page.expect_response(re.compile(r"/api/auth/verify/resend$")) as resent:
        result.get_by_role("button", name="Send a new link").click()
    assert resent.value.status == 202
    expect(result.get_by_role("status")).to_contain_text("a new link is on its way")
    mails_to(accounts_site, address, at_least=2)  # the sign-up email, and the new one

    page.goto("/account/verify/")  # no token at all
    expect(result.locator("h2 span:visible")).to_have_text("This link is not valid")
    expect(result.get_by_role("button", name="Send a new link")).to_be_visible()


@pytest.fixture(scope="module")
def strict_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The demo build with LMS_REQUIRE_VERIFIED_EMAIL: sign-in waits for the confirmation."""
    yield from serve_again(
        site,
        tmp_path_factory.mktemp("strict-site"),
        require_verified_email=True,
        argon2_time_cost=1,
        argon2_memory_cost=8192,
        argon2_parallelism=1,
    )


def test_an_unconfirmed_address_is_offered_a_new_link(
    open_page: Any, strict_site: LiveSite
) -> None:
    page = open_page(site=strict_site)
    page.watch.expect_error_status("/api/auth/login")
    address = new_email("unconfirmed")
    register(page, address, name="Not Yet")
    sign_in(page, address)
    form = page.locator(".sign-in form")
    expect(form.get_by_role("alert")).to_contain_text("Confirm your email address first")
    resend = form.get_by_role("button", name="Send a new confirmation link")
    with page.expect_response(re.compile(r"/api/auth/verify/resend$")) as resent:
        resend.click()
    assert resent.value.status == 202
    assert resent.value.request.post_data_json == {"email": address}
    expect(form.get_by_text("Sent. Open the link in the email, then sign in.")).to_be_visible()
    expect_signed_out(page)

    page.goto(link_in(mails_to(strict_site, address, at_least=2)[-1], "/account/verify/"))
    expect(page.locator(".account-result h2 span:visible")).to_have_text(
        "Your email address is confirmed"
    )
    page.locator(".account-result").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_signed_in_as(page, "Not Yet")


def test_forgot_and_reset_password(page: Any, accounts_site: LiveSite) -> None:
    address = new_email("reset")
    register(page, address)
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.locator("h1")).to_have_text("Forgot your password?")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Send the link").click()
    done = page.locator(".account-done")
    expect(done).to_contain_text(f"If an account uses {address}, we sent it a link")

    # An address without an account gets the very same answer.
    done.get_by_role("button", name="Try another address").click()
    nobody = new_email("nobody")
    page.get_by_label("Email address").fill(nobody)
    page.get_by_role("button", name="Send the link").click()
    expect(done).to_contain_text(f"If an account uses {nobody}, we sent it a link")

    reset_path = link_in(mails_to(accounts_site, address)[-1], "/account/reset-password/")
    page.goto(reset_path)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    expect(page).to_have_url(re.compile(r"/account/reset-password/$"))  # token kept in memory only
    new_password = "a brand new harbor 2024"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password, again").fill(new_password + "!")
    page.get_by_role("button", name="Save the new password").click()
    expect(field_error(page, "reset-password-confirm")).to_have_text(
        "The two passwords are not the same."
    )
    page.get_by_label("New password, again").fill(new_password)
    with page.expect_response(re.compile(r"/api/auth/password/reset$")) as reset:
        page.get_by_role("button", name="Save the new password").click()
    assert reset.value.status == 200
    expect(page.locator(".account-done").get_by_role("heading")).to_have_text(
        "Your password is changed"
    )
    page.locator(".account-done").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_signed_in_as(page, "Test Student")


def test_forgot_password_rate_limit_shows_the_wait(page: Any) -> None:
    """Three messages an hour per address: the fourth request is 429, and the form says how
    long to wait (from Retry-After) and keeps its button disabled."""
    page.watch.expect_error_status("/api/auth/password/forgot")
    address = new_email("limited")
    page.goto("/account/forgot-password/")
    done = page.locator(".account-done")
    for _ in range(3):
        page.get_by_label("Email address").fill(address)
        page.get_by_role("button", name="Send the link").click()
        expect(done).to_be_visible()
        done.get_by_role("button", name="Try another address").click()
    page.get_by_label("Email address").fill(address)
    with page.expect_response(re.compile(r"/api/auth/password/forgot$")) as answer:
        page.get_by_role("button", name="Send the link").click()
    assert answer.value.status == 429
    wait = int(answer.value.headers["retry-after"])
    assert wait > 0
    alert = page.locator(".forgot-password form").get_by_role("alert")
    expect(alert).to_have_text(
        re.compile(r"Too many attempts\. You can try again in \d+ (seconds?|minutes?|hours?)\.")
    )
    expect(page.get_by_role("button", name="Send the link")).to_be_disabled()
    expect(done).to_be_hidden()


# --- settings ----------------------------------------------------------------------------------


def test_settings_email_and_password(page: Any, accounts_site: LiveSite) -> None:
    address = new_email("settings")
    register(page, address, name="Settings Person")
    sign_in(page, address)
    expect_signed_in_as(page, "Settings Person")
    page.goto("/account/settings/")
    expect(page.locator("h1")).to_have_text("Account settings")

    # Accessibility smoke checks of test_site.py's tour, on the signed-in page.
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids))
    for field, autocomplete in {
        "profile-name": "name",
        "email-change-email": "email",
        "email-change-password": "current-password",
        "password-change-current-password": "current-password",
        "password-change-new-password": "new-password",
        "delete-password": "current-password",
    }.items():
        expect(page.locator(f"#{field}")).to_have_attribute("autocomplete", autocomplete)

    # A new address: pending until its link is opened.
    new_address = new_email("moved")
    page.get_by_label("New email address").fill(new_address)
    page.locator("#email-change-password").fill(PASSWORD)
    page.get_by_role("button", name="Change email address").click()
    expect(page.locator(".account-pending")).to_contain_text(
        f"Waiting for confirmation: {new_address}."
    )
    expect(page.get_by_label("New email address")).to_have_value("")

    # Its link, opened while signed in: confirmed, "Continue", and the address has changed.
    page.goto(link_in(mails_to(accounts_site, new_address)[-1], "/account/verify/"))
    result = page.locator(".account-result")
    expect(result.locator("h2 span:visible")).to_have_text("Your email address is confirmed")
    expect(result.get_by_role("link", name="Sign in")).to_be_hidden()
    expect(result.get_by_role("link", name="Continue")).to_be_visible()
    page.goto("/account/settings/")
    expect(page.locator(".account-sections")).to_contain_text(f"Signed in as {new_address}.")
    expect(page.locator(".account-pending")).to_be_hidden()

    # A new password: a wrong current one is said beside its input.
    page.watch.expect_error_status("/api/me/password")
    page.get_by_label("Current password").fill("not my password at all")
    page.locator("#password-change-new-password").fill("another harbor light")
    page.locator("#password-change-new-password-confirm").fill("another harbor light")
    page.get_by_role("button", name="Change password").click()
    expect(field_error(page, "password-change-current-password")).to_have_text(
        "The password is incorrect."
    )
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    section = page.locator("section", has=page.get_by_role("heading", name="Password"))
    expect(section.get_by_role("status")).to_contain_text("Your password is changed.")
    expect(page.get_by_label("Current password")).to_have_value("")
    expect(page.locator("#password-change-current-password")).not_to_have_class(
        re.compile(r"\bis-invalid\b")
    )


def test_delete_account(page: Any) -> None:
    address = new_email("delete")
    register(page, address, name="Leaving Soon")
    sign_in(page, address)
    expect_signed_in_as(page, "Leaving Soon")
    page.goto("/account/settings/")
    danger = page.locator("section", has=page.get_by_role("heading", name="Delete your account"))
    danger.get_by_label("Your password").fill(PASSWORD)
    danger.get_by_role("button", name="Delete my account").click()
    # The explicit confirmation is required.
    expect(field_error(page, "delete-confirm")).to_have_text("Tick this box to confirm.")
    danger.get_by_label("I understand").check()
    with page.expect_response(re.compile(r"/api/me$")) as deleted:
        danger.get_by_role("button", name="Delete my account").click()
    assert deleted.value.request.method == "DELETE"
    assert deleted.value.status == 204
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    expect_signed_out(page)
    assert hint(page) is None


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/account/sign-up/", "/account/sign-in/", "/account/reset-password/?token=x"]
)
def test_account_pages_fit_a_phone(open_page: Any, accounts_site: LiveSite, path: str) -> None:
    page = open_page(path, viewport=MOBILE, site=accounts_site)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    toggler = page.get_by_role("button", name="Toggle navigation")
    toggler.click()
    expect(navbar(page).get_by_role("link", name="Sign up")).to_be_visible()


def test_account_pages_are_not_in_the_sitemap(site: LiveSite) -> None:
    sitemap = (site.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "/account/" not in sitemap
    assert "Disallow: /account/" in (site.output / "robots.txt").read_text(encoding="utf-8")
    for name in ("sign-up", "sign-in", "verify", "forgot-password", "reset-password", "settings"):
        page = (site.output / "account" / name / "index.html").read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex">' in page
