"""Certificates in headless Chromium, on the demo academy: complete Python Foundations (free,
certificate enabled) → My learning shows the certificate → download its PDF (text and QR code
checked for real) → open the verification page from the QR code's URL; the verification
page's other states (revoked, unknown, no id).

The demo build is served again with its own database and outbox (`serve_again`). Screenshots
of the verification page and of the dashboard's certificates, at 1280 and 390 px, light and
dark: cert-<name>-<width>-<scheme>.png (see `Screenshots`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pypdf
import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from browser_support import (
    FAST_ACCOUNTS,
    MOBILE,
    OTHER_LOOKS,
    LiveSite,
    Screenshots,
    same_session,
    serve_again,
    settle,
    signed_in_account,
)
from playwright.sync_api import expect
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

COURSE = "python-foundations"
NAME = "Lucía Fernández-Okafor"


@pytest.fixture(scope="module")
def cert_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    yield from serve_again(site, tmp_path_factory.mktemp("certificates-site"), **FAST_ACCOUNTS)


@pytest.fixture
def shoot() -> Screenshots:
    return Screenshots.into("cert-")


def complete_all_but_last(page: Any) -> str:
    """Enroll and complete the course's required lessons through the API but the last one;
    returns the last one's id (the test completes it on its page)."""
    enrolled = page.request.post(f"/api/courses/{COURSE}/enroll", data={"mode": "free"})
    assert enrolled.status in (200, 201), enrolled.text()
    outline = page.request.get(f"/api/courses/{COURSE}").json()
    lessons = [x for s in outline["sections"] for x in s["lessons"]]
    required = [x["id"] for x in lessons if x["requirement"] == "required"]
    assert len(required) >= 5
    for lesson in required[:-1]:
        done = page.request.post(f"/api/courses/{COURSE}/lessons/{lesson}/complete", data={})
        assert done.status == 200, done.text()
    return required[-1]


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def decode_qr(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=200 / 72).to_pil().convert("L")
        page.close()
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def local_path(url: str) -> str:
    """The site-relative path of an absolute URL on LMS_SITE_URL (the local site serves it)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_complete_the_course_download_the_certificate_and_verify_it(
    open_page: Any, cert_site: LiveSite, shoot: Screenshots
) -> None:
    page = open_page(site=cert_site)
    signed_in_account(page, "cert", NAME)
    last = complete_all_but_last(page)

    page.goto(f"/courses/{COURSE}/{last}/")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("Congratulations: you completed the course!")).to_be_visible()
    page.get_by_role("link", name="Go to My learning").click()

    section = page.locator("#certificates")
    card = section.locator(".certificate-card")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", name="Python Foundations")).to_be_visible()
    expect(card).to_contain_text("Course")
    expect(card).to_contain_text("Completed on")
    expect(section.locator(".learning-certificates-empty")).to_be_hidden()
    certificate_id = card.get_attribute("data-certificate")
    assert certificate_id
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    section.scroll_into_view_if_needed()
    shoot.one(page, "dashboard-1280-light")

    linkedin = card.get_by_role("link", name="Add to LinkedIn profile: Python Foundations")
    href = linkedin.get_attribute("href") or ""
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["name"] == "Python Foundations"
    assert query["organizationName"] == "Open Harbor Academy"
    assert query["certId"] == certificate_id
    assert linkedin.get_attribute("target") == "_blank"

    card.get_by_role("button", name="Copy link").click()
    expect(card.get_by_role("button", name="Copied")).to_be_visible()

    with page.expect_download() as download_info:
        card.get_by_role("link", name="Download PDF: Python Foundations").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{certificate_id}.pdf"
    pdf = Path(download.path()).read_bytes()
    text = pdf_text(pdf)
    assert NAME in text
    assert "Python Foundations" in text
    assert certificate_id in text
    [qr_url] = decode_qr(pdf)
    assert qr_url == f"https://learn.example.org/certificates/verify/?id={certificate_id}"

    # The QR code's URL, opened on the local site (LMS_SITE_URL is learn.example.org).
    page.goto(local_path(qr_url))
    record = page.locator(".certificate-record.is-valid")
    expect(record.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(record.locator(".certificate-student")).to_have_text(NAME)
    expect(record.locator(".certificate-course-title")).to_have_text("Python Foundations")
    expect(record).to_contain_text("Ana Morales")
    expect(record).to_contain_text("Open Harbor Academy")
    expect(record.locator(".certificate-id")).to_have_text(certificate_id)
    expect(page).to_have_title("Certificate: Python Foundations")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    shoot.one(page, "verify-1280-light")
    with page.expect_download() as again:
        record.get_by_role("link", name="Download the PDF").click()
    assert Path(again.value.path()).read_bytes() == pdf  # the stored PDF, served again

    # The same pages in dark mode and on a phone, for the screenshots.
    for label, viewport, scheme in OTHER_LOOKS:
        other = same_session(open_page, page, cert_site, viewport=viewport, color_scheme=scheme)
        other.goto(local_path(qr_url))
        expect(other.get_by_role("heading", name="Valid certificate")).to_be_visible()
        shoot.one(other, f"verify-{label}")
        other.goto("/account/learning/")
        expect(other.locator("#certificates .certificate-card")).to_have_count(1)
        other.locator("#certificates").scroll_into_view_if_needed()
        shoot.one(other, f"dashboard-{label}")
        if viewport is MOBILE:
            width = other.evaluate("document.documentElement.scrollWidth")
            assert width <= MOBILE["width"], f"horizontal overflow: {width}px"


def test_verification_page_states(open_page: Any, cert_site: LiveSite, shoot: Screenshots) -> None:
    page = open_page(site=cert_site)
    signed_in_account(page, "cert", "Revoked Person")
    last = complete_all_but_last(page)
    page.request.post(f"/api/courses/{COURSE}/lessons/{last}/complete", data={})
    [certificate] = page.request.get("/api/me/certificates").json()["items"]

    # Revoked (by an admin; here straight in the database).
    engine = sa.create_engine(cert_site.settings.effective_database_url())
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE certificates SET revoked_at = CURRENT_TIMESTAMP, "
                "revoked_reason = :reason WHERE public_id = :id"
            ),
            {"reason": "Issued to the wrong account.", "id": certificate["id"]},
        )
    engine.dispose()
    page.goto(f"/certificates/verify/?id={certificate['id']}")
    record = page.locator(".certificate-record.is-revoked")
    expect(record.get_by_role("heading", name="Revoked certificate")).to_be_visible()
    expect(record).to_contain_text("Reason: Issued to the wrong account.")
    expect(record.get_by_role("link", name="Download the PDF")).to_be_hidden()
    shoot.one(page, "verify-revoked-1280-light")

    # Unknown id (the API answers 404, which the page expects).
    unknown = "2222222222222222222a"
    page.watch.expect_error_status(f"/api/certificates/{unknown}")
    page.goto(f"/certificates/verify/?id={unknown}")
    expect(page.get_by_role("heading", name="No certificate has this ID")).to_be_visible()
    expect(page.get_by_label("Certificate ID")).to_have_value(unknown)

    # No id: a form to type one.
    page.goto("/certificates/verify/")
    expect(page.locator(".certificate-record")).to_have_count(2)
    expect(page.locator(".certificate-record").first).to_be_hidden()
    page.get_by_label("Certificate ID").fill(certificate["id"])
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{cert_site.base_url}/certificates/verify/?id={certificate['id']}")
    expect(page.get_by_role("heading", name="Revoked certificate")).to_be_visible()


def test_dashboard_without_certificates_shows_the_empty_state(
    open_page: Any, cert_site: LiveSite
) -> None:
    page = open_page(site=cert_site)
    signed_in_account(page, "cert", "New Student")
    page.goto("/account/learning/")
    settle(page)
    expect(page.locator(".learning-certificates-empty")).to_be_visible()
    expect(page.locator(".certificate-card")).to_have_count(0)


def test_signed_out_dashboard_asks_nothing_of_the_certificates_api(open_page: Any) -> None:
    """A visitor on My learning is sent to sign in; the certificate and calendar sections
    wait for the dashboard, so they never ask the API (no 401 in the console)."""
    page = open_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    page.watch.expect_error_status("/api/me/courses")
    page.goto("/account/learning/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next="))
    settle(page)
    assert not [p for p in asked if p in {"/api/me/certificates", "/api/me/calendar"}], asked
