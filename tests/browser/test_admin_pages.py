"""The admin pages for people and certificates in headless Chromium: /account/admin/users/
and /account/admin/certificates/, on the demo academy served again with its own database.

An admin finds an account through the account menu and the search, grants it the moderator
role and revokes it (each confirmed), links it to an instructor (the API's field error beside
the input first) and is told by the API that they cannot disable their own account. A
student earns the Python Foundations certificate; an admin revokes it with a reason and
reinstates it, and the public verification page says so each time. Moderators read the
certificates without the buttons that change them; students are told the pages are not for
them and no admin endpoint is asked. Screenshots at 1280 and 390 px, light and dark, go to
`$LMS_SHOTS_DIR` (when it is set) as admin-<name>-<width>-<scheme>.png
(`browser_support.Screenshots`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    FAST_ACCOUNTS,
    LiveSite,
    MakeUser,
    OpenAs,
    Screenshots,
    opener_as,
    serve_again,
    settle,
    user_maker,
)
from playwright.sync_api import expect
from test_admin_payment_pages import account_menu
from test_certificates_pages import complete_all_but_last
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

USERS = "/account/admin/users/"
CERTIFICATES = "/account/admin/certificates/"
COURSE = "python-foundations"  # free, with a certificate

# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    yield from serve_again(site, tmp_path_factory.mktemp("admin-people"), **FAST_ACCOUNTS)


@pytest.fixture(scope="module")
def make_user(admin_site: LiveSite) -> Iterator[MakeUser]:
    yield from user_maker(admin_site.settings)


@pytest.fixture
def open_as(open_page: Any, admin_site: LiveSite, make_user: MakeUser) -> OpenAs:
    return opener_as(open_page, admin_site, make_user)


@pytest.fixture
def shots() -> Screenshots:
    return Screenshots.into("admin-")


# --- helpers ---------------------------------------------------------------------------------


def earn_certificate(page: Any) -> dict[str, Any]:
    """The signed-in student of `page` completes Python Foundations through the API; returns
    their certificate (`GET /api/me/certificates`)."""
    last = complete_all_but_last(page)
    done = page.request.post(f"/api/courses/{COURSE}/lessons/{last}/complete", data={})
    assert done.status == 200, done.text()
    [certificate] = page.request.get("/api/me/certificates").json()["items"]
    return dict(certificate)


def confirm_panel(page: Any) -> Any:
    return page.locator(".admin-confirm")


# --- users -----------------------------------------------------------------------------------


def test_an_admin_finds_a_user_and_grants_and_revokes_a_role(
    open_as: OpenAs, make_user: MakeUser, shots: Screenshots
) -> None:
    person = make_user("Mona Moderation")
    tag = person["name"].split()[-1]
    page, me = open_as("Ada Admin", roles=("admin",))
    page.goto("/")
    menu = account_menu(page)
    expect(menu.get_by_role("link", name="Certificates", exact=True)).to_be_visible()
    menu.get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(USERS) + "$"))
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    tabs = page.get_by_role("navigation", name="Administration")
    for tab in ("Users", "Certificates", "Orders", "Coupons"):
        expect(tabs.get_by_role("link", name=tab, exact=True)).to_be_visible()
    expect(tabs.get_by_role("link", name="Users", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".admin-users-table tbody tr").first).to_be_visible()
    settle(page)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []

    # The search goes to the API and stays in the address.
    page.get_by_label("Name or email address").fill(tag)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"\?q={tag}$"))
    row = page.locator(".admin-users-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(person["name"])
    expect(row).to_contain_text(person["email"])
    expect(row).to_contain_text("Student")
    expect(page.locator(".admin-count")).to_have_text("1 user")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".admin-empty")).to_contain_text("No users match this search.")
    page.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(re.compile(re.escape(USERS) + "$"))
    settle(page)
    shots(page, "users")

    # One account: its facts and roles.
    page.goto(f"{USERS}?q={tag}")
    page.get_by_role("link", name=f"Details of {person['name']}").click()
    expect(page).to_have_url(re.compile(rf"\?q={tag}&user=\d+$"))
    expect(page.get_by_role("heading", name=person["name"], level=2)).to_be_focused()
    facts = page.locator(".admin-facts")
    expect(facts).to_contain_text("Student")
    expect(facts).to_contain_text("Verified")

    # Grant the moderator role: asked first; "Cancel" changes nothing.
    grant = page.get_by_role("button", name="Grant the moderator role")
    grant.click()
    panel = confirm_panel(page)
    expect(panel.get_by_role("heading", name=f"Make {person['name']} a moderator?")).to_be_focused()
    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_be_hidden()
    grant.click()
    settle(page)
    shots(page, "user-grant", anchor=".admin-confirm")
    with page.expect_response(re.compile(r"/api/admin/users/\d+$")) as answer:
        panel.get_by_role("button", name="Grant the moderator role").click()
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.request.post_data_json == {"roles": ["moderator"]}
    expect(page.locator(".admin-live")).to_have_text(f"{person['name']} is now a moderator.")
    expect(facts).to_contain_text("Student, Moderator")
    expect(page.get_by_role("button", name="Revoke the moderator role")).to_be_visible()

    # A reload asks the API again: still a moderator, in the list too.
    page.reload()
    expect(facts).to_contain_text("Student, Moderator")
    page.get_by_role("link", name="All users").click()
    row = page.locator(".admin-users-table tbody tr", has_text=person["email"])
    expect(row.locator(".admin-role")).to_have_text("Moderator")
    row.get_by_role("link", name=f"Details of {person['name']}").click()

    # Revoke it.
    page.get_by_role("button", name="Revoke the moderator role").click()
    expect(
        panel.get_by_role("heading", name=f"Take the moderator role from {person['name']}?")
    ).to_be_focused()
    panel.get_by_role("button", name="Revoke the moderator role").click()
    expect(page.locator(".admin-live")).to_have_text(f"{person['name']} is no longer a moderator.")
    expect(facts.locator("div").first).to_have_text(re.compile(r"Roles\s*Student$"))

    # The instructor link: the API's field error beside the input, then the link.
    form = page.locator("form", has=page.get_by_label(re.compile("^Instructor")))
    slug = form.get_by_label(re.compile("^Instructor"))
    slug.fill("nobody-here")
    page.watch.expect_error_status(re.sub(r"^https?://[^/]+", "", answer.value.request.url))
    form.get_by_role("button", name="Save the link").click()
    expect(form.locator("#instructor-instructor-slug-error")).to_have_text(
        "No instructor has this slug in the published content."
    )
    expect(slug).to_have_attribute("aria-invalid", "true")
    expect(slug).to_be_focused()
    slug.fill("ana-morales")
    form.get_by_role("button", name="Save the link").click()
    expect(page.locator(".admin-live")).to_have_text(
        "The account is linked to the instructor ana-morales."
    )
    expect(facts).to_contain_text("ana-morales:")
    settle(page)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top of the picture
    shots(page, "user")

    # The API's word on your own account.
    page.goto(f"{USERS}?q={me['name'].split()[-1]}")
    page.get_by_role("link", name=f"Details of {me['name']}").click()
    page.get_by_role("button", name="Disable the account…").click()
    page.watch.expect_error_status(f"/api/admin/users/{page.url.rsplit('=', 1)[1]}")
    panel.get_by_role("button", name="Disable the account").click()
    expect(panel.get_by_role("alert")).to_have_text("You cannot disable your own account.")
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Revoke the administrator role").click()
    expect(panel).to_contain_text("This is your own account: you lose access to this page.")
    panel.get_by_role("button", name="Cancel").click()
    settle(page)


# --- certificates ----------------------------------------------------------------------------


def test_an_admin_revokes_and_reinstates_a_certificate(
    open_as: OpenAs, open_page: Any, admin_site: LiveSite, shots: Screenshots
) -> None:
    student_page, student = open_as("Cora Certified")
    certificate = earn_certificate(student_page)
    cid = certificate["id"]

    page, _ = open_as("Ada Admin", roles=("admin",))
    page.goto("/")
    account_menu(page).get_by_role("link", name="Certificates", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(CERTIFICATES) + "$"))
    expect(page.get_by_role("heading", name="Certificates", level=1)).to_be_visible()
    page.get_by_label("Course or learning path").select_option(f"course:{COURSE}")
    page.get_by_label("Status").select_option("valid")
    with page.expect_response(re.compile(r"/api/admin/certificates\?")) as listed:
        page.get_by_role("button", name="Search").click()
    assert f"course={COURSE}" in listed.value.url
    assert "status=valid" in listed.value.url
    expect(page).to_have_url(re.compile(rf"\?status=valid&for=course%3A{COURSE}$"))
    row = page.locator(".admin-certificates-table tbody tr", has_text=student["email"])
    expect(row).to_contain_text("Python Foundations")
    expect(row).to_contain_text(cid)
    expect(row.locator(".admin-state")).to_have_text("Valid")
    verify = row.get_by_role("link", name=f"Verification page of certificate {cid}")
    assert verify.get_attribute("href") == f"/certificates/verify/?id={cid}"
    pdf = row.get_by_role("link", name=f"PDF of certificate {cid}")
    href = pdf.get_attribute("href")
    assert href == f"/api/certificates/{cid}.pdf"
    assert page.request.get(href).body().startswith(b"%PDF-")
    settle(page)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    shots(page, "certificates")

    # Revoke: a reason is required here before the API is asked.
    row.get_by_role("button", name=f"Revoke certificate {cid}").click()
    panel = confirm_panel(page)
    expect(
        panel.get_by_role("heading", name=f"Revoke {student['name']}'s certificate?")
    ).to_be_focused()
    panel.get_by_role("button", name="Revoke the certificate").click()
    reason = panel.get_by_label("Reason")
    expect(panel.locator("#certificate-reason-error")).to_have_text(
        "Say why, in at least 3 characters."
    )
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    reason.fill("Issued to the wrong account.")
    expect(panel.locator("#certificate-reason-error")).to_have_text("")  # gone as one types
    expect(reason).not_to_have_attribute("aria-invalid", "true")
    shots(page, "certificate-revoke", anchor=".admin-confirm")
    with page.expect_response(re.compile(r"/revoke$")) as answer:
        panel.get_by_role("button", name="Revoke the certificate").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator(".admin-live")).to_have_text(f"Certificate {cid} is revoked.")
    expect(row.locator(".admin-state")).to_have_text("Revoked")
    expect(row).to_contain_text("Revoked: Issued to the wrong account.")
    expect(pdf).to_be_hidden()
    settle(page)
    page.evaluate("window.scrollTo(0, 0)")
    shots(page, "certificates-revoked")

    public = open_page(f"/certificates/verify/?id={cid}", site=admin_site)
    record = public.locator(".certificate-record.is-revoked")
    expect(record.get_by_role("heading", name="Revoked certificate")).to_be_visible()
    expect(record).to_contain_text("Reason: Issued to the wrong account.")

    # Reinstate, with its own reason (kept for admins).
    row.get_by_role("button", name=f"Reinstate certificate {cid}").click()
    expect(
        panel.get_by_role("heading", name=f"Reinstate {student['name']}'s certificate?")
    ).to_be_focused()
    panel.get_by_label("Reason").fill("Checked with the student: it is theirs.")
    panel.get_by_role("button", name="Reinstate the certificate").click()
    expect(page.locator(".admin-live")).to_have_text(f"Certificate {cid} is valid again.")
    expect(row.locator(".admin-state")).to_have_text("Valid")
    expect(row).to_contain_text("Reinstated: Checked with the student: it is theirs.")
    expect(pdf).to_be_visible()
    settle(page)

    public.reload()
    expect(public.locator(".certificate-record.is-revoked")).to_have_count(0)
    expect(public.get_by_role("link", name="Download the PDF")).to_be_visible()


def test_moderators_read_the_certificates_without_changing_them(
    open_as: OpenAs, make_user: MakeUser
) -> None:
    student_page, student = open_as("Mo Student")
    earn_certificate(student_page)
    page, _ = open_as("Mia Moderator", roles=("moderator",))
    page.goto(CERTIFICATES)
    row = page.locator(".admin-certificates-table tbody tr", has_text=student["email"])
    expect(row.locator(".admin-state")).to_have_text("Valid")
    expect(row.get_by_role("link", name=re.compile("^Verification page"))).to_be_visible()
    expect(row.locator("button")).to_have_count(1)  # in the page, never shown
    expect(row.locator("button")).to_be_hidden()
    tabs = page.get_by_role("navigation", name="Administration")
    expect(tabs.get_by_role("link", name="Orders", exact=True)).to_be_visible()
    expect(tabs.get_by_role("link", name="Users", exact=True)).to_be_hidden()
    expect(tabs.get_by_role("link", name="Coupons", exact=True)).to_be_hidden()
    menu = account_menu(page)
    expect(menu.get_by_role("link", name="Certificates", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Users", exact=True)).to_be_hidden()
    settle(page)

    # The users' list is the admins' (GET /api/admin/users): the page says so.
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(USERS)
    expect(page.get_by_role("heading", name="This page is for administrators")).to_be_visible()
    settle(page)
    assert not [url for url in asked if "/api/admin/" in url]


# --- who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [USERS, CERTIFICATES])
def test_students_see_that_the_pages_are_not_for_them(
    open_as: OpenAs, open_page: Any, admin_site: LiveSite, path: str
) -> None:
    page, _ = open_as("Sam Student")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(path)
    expect(page.get_by_role("heading", name="This page is for administrators")).to_be_visible()
    settle(page)
    expect(page.locator("tbody tr")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Administration").get_by_role("link")).to_have_count(
        1
    )  # only this page's own tab
    assert not [url for url in asked if "/api/admin/" in url]
    menu = account_menu(page)
    expect(menu.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Users", exact=True)).to_be_hidden()
    expect(menu.get_by_role("link", name="Certificates", exact=True)).to_be_hidden()

    visitor = open_page(site=admin_site)
    visitor.watch.expect_error_status("/api/me")  # the 401 that sends them to sign in
    visitor.goto(path)
    expect(visitor).to_have_url(
        re.compile(r"/account/sign-in/\?next=" + re.escape(path.replace("/", "%2F")) + "$")
    )
    settle(visitor)
