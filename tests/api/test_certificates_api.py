"""Certificates through the API, on every database: issued once on completion (also under
parallel completions), never for auditors, program certificates, public verification,
the PDF printed once and then served as stored (its text and QR code checked for real),
revocation and reinstatement, expiry and the admin list; the "your certificate is ready"
email, sent once per certificate and only after the issuing transaction commits.

The fixture's members course has one required lesson (`members-lesson`); the tests turn its
certificate on by editing the published manifest. The open course ends with a quiz whose open
question waits for a grader.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pypdf
import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from api_support import (
    PASSWORD,
    Databases,
    Outbox,
    UserFactory,
    companion,
    html_of,
    text_of,
)
from learning_support import MEMBERS, OPEN, PAID, Publisher, course_of, grant
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import delete, select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dynamic_api import migrate
from dynamic_api.db import create_db_engine, session_scope
from dynamic_api.learning import certificates as issuing
from dynamic_api.models import Certificate, Enrollment, User

pytestmark = pytest.mark.all_databases

NAME = "Begoña Ibáñez-Okafor"
EMAIL = "begona@example.com"
READY = "Your certificate is ready"
LESSON = "members-lesson"
QUIZ = f"/api/courses/{OPEN}/evaluations/quiz"
RIGHT = {
    "pick": "b",
    "many": ["four", "two"],
    "truth": True,
    "word": "answer-key-marker-c41e.",
    "number": 4242.42425,
    "essay": "Small, named, and known.",
}


def certify_members(validity_years: int | None = None) -> Callable[[dict[str, Any]], None]:
    def mutate(manifest: dict[str, Any]) -> None:
        course = course_of(manifest, MEMBERS)
        course["certificate"] = {
            "enabled": True,
            "template": "minimal",
            "validity_years": validity_years,
        }
        course["duration"] = 150
        course["language"] = "es"

    return mutate


@pytest.fixture
def learner(client: TestClient, make_user: UserFactory) -> Iterator[TestClient]:
    """A signed-in student with an accented name (it is printed on the certificate)."""
    make_user("begona@example.com", name=NAME)
    other = companion(client)
    response = other.post(
        "/api/auth/login", json={"email": "begona@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    other.user = response.json()  # type: ignore[attr-defined]
    yield other
    other.close()


def enroll(client: TestClient, course: str = MEMBERS, mode: str = "free") -> None:
    response = client.post(f"/api/courses/{course}/enroll", json={"mode": mode})
    assert response.status_code in (200, 201), response.text


def complete(client: TestClient, course: str = MEMBERS, lesson: str = LESSON) -> Any:
    response = client.post(f"/api/courses/{course}/lessons/{lesson}/complete")
    assert response.status_code == 200, response.text
    return response.json()


def mine(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/me/certificates")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    return list(response.json()["items"])


def ready_emails(outbox: Outbox, to: str = EMAIL) -> list[Any]:
    """The "certificate ready" emails ``to`` received (after the mail thread is idle)."""
    return [m for m in outbox.messages(to) if m["Subject"] in (READY, "Tu certificado está listo")]


def rows(engine: Engine) -> list[Certificate]:
    with session_scope(engine) as session:
        return list(session.exec(select(Certificate)).all())


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def decode_qr(pdf: bytes) -> list[str]:
    """The page rasterised with PDFium and read by ZXing, as in tests/certificates."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image: Image.Image = page.render(scale=200 / 72).to_pil().convert("L")
        page.close()
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def finish_paid_course(client: TestClient) -> None:
    outline = client.get(f"/api/courses/{PAID}").json()
    for section in outline["sections"]:
        for lesson in section["lessons"]:
            complete(client, PAID, lesson["id"])


# --- issuing ---------------------------------------------------------------------------------


def test_completing_a_course_issues_one_certificate_with_its_snapshot(
    db_backend: str, publish: Publisher, learner: TestClient, engine: Engine
) -> None:
    publish(certify_members(validity_years=2))
    enroll(learner)
    assert mine(learner) == []
    assert complete(learner)["course_completed_now"] is True

    [certificate] = mine(learner)
    assert certificate["status"] == "valid"
    assert certificate["kind"] == "course"
    assert certificate["subject"] == MEMBERS
    assert certificate["title"] == "Members Course"
    assert certificate["student_name"] == NAME
    assert certificate["instructors"] == ["Tess Tester"]
    assert certificate["hours"] == 2.5
    assert certificate["language"] == "es"
    assert certificate["school"] == "Open Harbor Academy"
    today = dt.datetime.now(dt.UTC).date()
    assert certificate["completed_on"] == today.isoformat()
    assert certificate["expires_on"] == today.replace(year=today.year + 2).isoformat()
    public_id = certificate["id"]
    assert certificate["verification_url"] == (
        f"https://learn.example.org/certificates/verify/?id={public_id}"
    )
    assert certificate["pdf_url"].endswith(f"/api/certificates/{public_id}.pdf")
    assert certificate["download_url"] == certificate["pdf_url"] + "?download=1"
    linkedin = urlsplit(certificate["linkedin_url"])
    assert (linkedin.scheme, linkedin.netloc, linkedin.path) == (
        "https",
        "www.linkedin.com",
        "/profile/add",
    )
    query = {key: value[0] for key, value in parse_qs(linkedin.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == "Members Course"
    assert query["organizationName"] == "Open Harbor Academy"
    assert query["certId"] == public_id
    assert query["certUrl"] == certificate["verification_url"]
    assert query["issueYear"] == str(today.year)
    assert query["expirationYear"] == str(today.year + 2)

    # Completing again, un-completing and completing: still one certificate, unchanged.
    learner.delete(f"/api/courses/{MEMBERS}/lessons/{LESSON}/complete")
    complete(learner)
    assert [c["id"] for c in mine(learner)] == [public_id]
    assert len(rows(engine)) == 1

    # Later edits of the content do not change an issued certificate.
    def rename(manifest: dict[str, Any]) -> None:
        certify_members()(manifest)
        course_of(manifest, MEMBERS)["title"] = "Renamed Course"

    publish(rename)
    assert mine(learner)[0]["title"] == "Members Course"


def test_completing_a_course_emails_the_certificate_once(
    db_backend: str, publish: Publisher, learner: TestClient, outbox: Outbox
) -> None:
    publish(certify_members())
    enroll(learner)
    complete(learner)
    [certificate] = mine(learner)
    [email] = ready_emails(outbox)
    assert email["Content-Language"] == "en"  # the student's language, not the course's (es)
    text, html = text_of(email), html_of(email)
    assert f"Hello {NAME}," in text
    assert "you completed the course “Members Course”" in text
    assert certificate["verification_url"] in text
    assert certificate["pdf_url"] in text
    assert "/account/learning/#certificates" in text  # the dashboard (LMS_SITE_URL)
    assert f'href="{certificate["verification_url"]}"' in html
    assert f'href="{certificate["pdf_url"]}"' in html

    # Completing again, un-completing and completing, listing: no second email.
    complete(learner)
    learner.delete(f"/api/courses/{MEMBERS}/lessons/{LESSON}/complete")
    complete(learner)
    mine(learner)
    assert len(ready_emails(outbox)) == 1


def test_the_email_is_in_the_students_language(
    db_backend: str, publish: Publisher, learner: TestClient, engine: Engine, outbox: Outbox
) -> None:
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(User).where(User.email == EMAIL).values(language="es")  # type: ignore[arg-type]
        )
    publish(certify_members())
    enroll(learner)
    complete(learner)
    [email] = ready_emails(outbox)
    assert email["Subject"] == "Tu certificado está listo"
    assert email["Content-Language"] == "es"
    assert "has completado el curso «Members Course»" in text_of(email)


def test_no_email_unless_the_issuing_transaction_commits(
    db_backend: str,
    publish: Publisher,
    learner: TestClient,
    app: Starlette,
    engine: Engine,
    outbox: Outbox,
) -> None:
    """The email leaves after the commit: a rolled-back issue sends nothing, a committed one
    sends once, and a mail failure does not undo the certificate."""
    publish(certify_members())
    enroll(learner)
    complete(learner)
    with session_scope(engine) as session:
        session.exec(delete(Certificate))  # type: ignore[call-overload]
    user_id = learner.user["id"]  # type: ignore[attr-defined]
    sent: list[Any] = []

    def issue_then_fail() -> None:
        with session_scope(engine) as session:
            issuing.catch_up(session, app.state.catalog.current(session), user_id)
            assert sent == []  # issued, not committed: nothing sent yet
            raise RuntimeError("a later step of the same transaction fails")

    issuing.mail_when_issued(engine, app.state.settings, sent.append)
    try:
        with pytest.raises(RuntimeError):
            issue_then_fail()
        assert rows(engine) == []
        assert sent == []
        with session_scope(engine) as session:
            issuing.catch_up(session, app.state.catalog.current(session), user_id)
        [email] = sent
        assert rows(engine)[0].public_id in text_of(email)

        def broken(message: Any) -> None:
            raise OSError("the mail queue is gone")

        issuing.mail_when_issued(engine, app.state.settings, broken)
        with session_scope(engine) as session:
            session.exec(delete(Certificate))  # type: ignore[call-overload]
        with session_scope(engine) as session:
            issuing.catch_up(session, app.state.catalog.current(session), user_id)
        assert len(rows(engine)) == 1  # committed, the failure only logged
    finally:
        issuing.stop_mailing(engine)


def test_parallel_completions_issue_exactly_one_certificate(
    db_backend: str, publish: Publisher, learner: TestClient, engine: Engine, outbox: Outbox
) -> None:
    publish(certify_members())
    enroll(learner)
    barrier = threading.Barrier(10)
    codes: list[int] = []
    completed_now: list[bool] = []

    def hit() -> None:
        barrier.wait()
        response = learner.post(f"/api/courses/{MEMBERS}/lessons/{LESSON}/complete")
        codes.append(response.status_code)
        if response.status_code == 200:
            completed_now.append(response.json()["course_completed_now"])

    threads = [threading.Thread(target=hit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 10
    assert completed_now.count(True) == 1
    issued = rows(engine)
    assert len(issued) == 1
    assert issued[0].subject == MEMBERS
    assert len(mine(learner)) == 1
    assert len(ready_emails(outbox)) == 1  # sent by the one call whose insert won


def test_no_certificate_when_the_course_awards_none(
    db_backend: str, catalog: Publisher, learner: TestClient, engine: Engine
) -> None:
    enroll(learner)
    assert complete(learner)["course_completed_now"] is True
    assert mine(learner) == []
    assert rows(engine) == []


def test_auditors_get_no_certificate_until_they_enroll_fully(
    db_backend: str, publish: Publisher, learner: TestClient, engine: Engine, outbox: Outbox
) -> None:
    def auditable(manifest: dict[str, Any]) -> None:
        certify_members()(manifest)
        course_of(manifest, MEMBERS)["audit"] = True

    publish(auditable)
    enroll(learner, mode="audit")
    assert complete(learner)["course_completed_now"] is True
    assert mine(learner) == []
    assert rows(engine) == []
    assert ready_emails(outbox) == []
    # Enrolling fully after finishing: the certificate comes with the next look at the list.
    enroll(learner, mode="free")
    [certificate] = mine(learner)
    assert certificate["subject"] == MEMBERS
    [email] = ready_emails(outbox)  # the catch-up that issued it emails it too
    assert certificate["verification_url"] in text_of(email)


def test_passing_an_evaluation_graded_by_hand_issues_the_certificate(
    db_backend: str,
    catalog: Publisher,
    learner: TestClient,
    login_as: Callable[..., TestClient],
    engine: Engine,
    outbox: Outbox,
) -> None:
    enroll(learner, OPEN)
    for lesson in ("welcome", "reading", "path-b"):
        complete(learner, OPEN, lesson)
    attempt = learner.post(QUIZ + "/attempts", json={}).json()
    submitted = learner.post(f"/api/attempts/{attempt['id']}/submit", json={"answers": RIGHT})
    assert submitted.json()["status"] == "pending"
    assert mine(learner) == []
    moderator = login_as("moderator")
    graded = moderator.post(
        f"/api/admin/attempts/{attempt['id']}/grade", json={"points": {"essay": 1}}
    )
    assert graded.status_code == 200, graded.text
    [certificate] = [row for row in rows(engine)]
    assert (certificate.kind, certificate.subject) == ("course", OPEN)
    assert certificate.snapshot["design"] == "classic"
    [email] = ready_emails(outbox)  # to the student, after the grader's transaction
    assert certificate.public_id in text_of(email)


def test_a_program_certificate_once_every_course_is_certified(
    db_backend: str, catalog: Publisher, learner: TestClient, engine: Engine, outbox: Outbox
) -> None:
    """The fixture bundle: the open course and the paid course, both with certificates."""
    user_id = learner.user["id"]  # type: ignore[attr-defined]
    grant(engine, user_id, PAID)
    enroll(learner, OPEN)
    with session_scope(engine) as session:  # the open course, finished earlier
        session.exec(  # type: ignore[call-overload]
            update(Enrollment)
            .where(Enrollment.course == OPEN)  # type: ignore[arg-type]
            .values(completed_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
        )
    assert {c["subject"] for c in mine(learner)} == {OPEN}  # the catch-up issues it
    finish_paid_course(learner)
    certificates = {c["subject"]: c for c in mine(learner)}
    assert set(certificates) == {OPEN, PAID, "fixture-bundle"}
    program = certificates["fixture-bundle"]
    assert program["kind"] == "program"
    assert program["title"] == "Fixture bundle"
    assert program["courses"] == ["Open Course", "Paid Course"]
    assert program["completed_on"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert certificates[OPEN]["completed_on"] == "2026-03-01"
    assert len(rows(engine)) == 3
    texts = [text_of(m) for m in ready_emails(outbox)]
    assert len(texts) == 3  # one per certificate, the program's its own
    [program_text] = [t for t in texts if program["verification_url"] in t]
    assert "the program “Fixture bundle”" in program_text
    [paid_text] = [t for t in texts if certificates[PAID]["verification_url"] in t]
    assert "the course “Paid Course”" in paid_text


def test_a_revoked_course_certificate_holds_back_the_program_certificate(
    db_backend: str,
    catalog: Publisher,
    learner: TestClient,
    admin: TestClient,
    engine: Engine,
    outbox: Outbox,
) -> None:
    user_id = learner.user["id"]  # type: ignore[attr-defined]
    grant(engine, user_id, PAID)
    finish_paid_course(learner)
    [paid] = mine(learner)
    revoked = admin.post(
        f"/api/admin/certificates/{paid['id']}/revoke", json={"reason": "Plagiarism found."}
    )
    assert revoked.status_code == 200, revoked.text
    enroll(learner, OPEN)
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Enrollment)
            .where(Enrollment.course == OPEN)  # type: ignore[arg-type]
            .values(completed_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
        )
    assert {c["subject"] for c in mine(learner)} == {OPEN, PAID}
    # Reinstating the course certificate issues the program certificate it held back.
    reinstated = admin.post(
        f"/api/admin/certificates/{paid['id']}/reinstate", json={"reason": "Appeal upheld."}
    )
    assert reinstated.status_code == 200, reinstated.text
    assert {(row.kind, row.subject) for row in rows(engine)} == {
        ("course", OPEN),
        ("course", PAID),
        ("program", "fixture-bundle"),
    }
    assert len(ready_emails(outbox)) == 3
    assert any("the program “Fixture bundle”" in text_of(m) for m in ready_emails(outbox))


# --- verification and the PDF ------------------------------------------------------------------


@pytest.fixture
def issued(publish: Publisher, learner: TestClient) -> dict[str, Any]:
    publish(certify_members())
    enroll(learner)
    complete(learner)
    [certificate] = mine(learner)
    return certificate


def test_verification_record_is_public_and_has_no_private_data(
    db_backend: str, issued: dict[str, Any], client: TestClient
) -> None:
    response = client.get(f"/api/certificates/{issued['id']}")
    assert response.status_code == 200
    record = response.json()
    assert record["status"] == "valid"
    assert record["student_name"] == NAME
    assert record["title"] == "Members Course"
    assert record["revoked_reason"] is None
    assert "begona@example.com" not in response.text
    assert "user_id" not in record
    assert "email" not in response.text
    assert "linkedin_url" not in record
    for unknown in ("x" * 20, "not-an-id", "2" * 20):
        missing = client.get(f"/api/certificates/{unknown}")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
    assert client.get("/api/certificates/nope.pdf").status_code == 404


def test_pdf_is_printed_once_then_served_as_stored(
    db_backend: str, issued: dict[str, Any], client: TestClient, engine: Engine
) -> None:
    path = f"/api/certificates/{issued['id']}.pdf"
    with session_scope(engine) as session:
        assert session.exec(select(Certificate.pdf)).one() is None
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == (
        f'inline; filename="certificate-{issued["id"]}.pdf"'
    )
    pdf = first.content
    assert pdf.startswith(b"%PDF")
    with session_scope(engine) as session:
        stored = session.exec(select(Certificate)).one()
        assert bytes(stored.pdf or b"") == pdf
        assert stored.pdf_rendered_at is not None
    again = client.get(path + "?download=1")
    assert again.content == pdf  # the stored bytes, not a new print
    assert again.headers["content-disposition"].startswith("attachment;")
    cached = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304

    text = pdf_text(pdf)
    assert NAME in text
    assert "Members Course" in text
    assert issued["id"] in text
    assert "Certificado" in text  # the course's language: Spanish labels
    assert decode_qr(pdf) == [issued["verification_url"]]


def test_parallel_first_downloads_store_one_pdf(
    db_backend: str, issued: dict[str, Any], client: TestClient, engine: Engine
) -> None:
    path = f"/api/certificates/{issued['id']}.pdf"
    barrier = threading.Barrier(4)
    bodies: list[bytes] = []

    def hit() -> None:
        other = companion(client)
        barrier.wait()
        bodies.append(other.get(path).content)
        other.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(engine) as session:
        stored = bytes(session.exec(select(Certificate.pdf)).one() or b"")
    assert stored.startswith(b"%PDF")
    assert client.get(path).content == stored


def test_revoked_certificates_show_as_revoked(
    db_backend: str,
    issued: dict[str, Any],
    client: TestClient,
    admin: TestClient,
    learner: TestClient,
    login_as: Callable[..., TestClient],
) -> None:
    path = f"/api/admin/certificates/{issued['id']}/revoke"
    assert client.post(path, json={"reason": "nope"}).status_code == 401
    assert login_as("moderator").post(path, json={"reason": "nope"}).status_code == 403
    assert learner.post(path, json={"reason": "nope"}).status_code == 403
    empty = admin.post(path, json={"reason": "   "})
    assert empty.status_code == 422
    assert "reason" in empty.json()["error"]["fields"]
    response = admin.post(path, json={"reason": "Issued by mistake."})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "revoked"
    assert body["student"]["email"] == "begona@example.com"
    again = admin.post(path, json={"reason": "Twice."})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_revoked"

    record = client.get(f"/api/certificates/{issued['id']}").json()
    assert record["status"] == "revoked"
    assert record["revoked_reason"] == "Issued by mistake."
    assert record["pdf_url"] is None
    gone = client.get(f"/api/certificates/{issued['id']}.pdf")
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "certificate_revoked"
    [mine_now] = mine(learner)
    assert mine_now["status"] == "revoked"
    assert mine_now["download_url"] is None
    assert (
        admin.post(
            "/api/admin/certificates/2222222222222222222a/revoke", json={"reason": "Unknown."}
        ).status_code
        == 404
    )


def test_admins_reinstate_a_revoked_certificate(
    db_backend: str,
    issued: dict[str, Any],
    client: TestClient,
    admin: TestClient,
    learner: TestClient,
    login_as: Callable[..., TestClient],
    outbox: Outbox,
) -> None:
    public_id = issued["id"]
    path = f"/api/admin/certificates/{public_id}/reinstate"
    reason = {"reason": "Appeal upheld."}
    assert client.post(path, json=reason).status_code == 401
    assert learner.post(path, json=reason).status_code == 403
    assert login_as("moderator").post(path, json=reason).status_code == 403  # as revoking
    missing = admin.post("/api/admin/certificates/2222222222222222222a/reinstate", json=reason)
    assert missing.status_code == 404
    assert admin.post("/api/admin/certificates/nope/reinstate", json=reason).status_code == 404
    not_revoked = admin.post(path, json=reason)
    assert not_revoked.status_code == 409
    assert not_revoked.json()["error"]["code"] == "not_revoked"
    for bad in ({"reason": "  "}, {}, {"reason": "x" * 501}, {"reason": "Fine.", "more": 1}):
        refused = admin.post(path, json=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "invalid_fields"

    revoke = admin.post(
        f"/api/admin/certificates/{public_id}/revoke", json={"reason": "Issued by mistake."}
    )
    assert revoke.status_code == 200, revoke.text
    response = admin.post(path, json={"reason": "  Appeal upheld.  "})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "valid"
    assert body["revoked_at"] is None
    assert body["reinstated_reason"] == "Appeal upheld."
    assert body["reinstated_by"] == admin.user["id"]  # type: ignore[attr-defined]
    assert body["reinstated_at"] is not None

    record = client.get(f"/api/certificates/{public_id}").json()
    assert record["status"] == "valid"
    assert record["revoked_at"] is None
    assert record["revoked_reason"] is None
    assert "reinstated_reason" not in record  # for admins only
    assert record["pdf_url"] is not None
    assert client.get(f"/api/certificates/{public_id}.pdf").status_code == 200
    assert mine(learner)[0]["status"] == "valid"
    again = admin.post(path, json=reason)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_revoked"
    assert len(ready_emails(outbox)) == 1  # reinstating is not a new certificate

    # It can be revoked again, with a new reason.
    revoke = admin.post(
        f"/api/admin/certificates/{public_id}/revoke", json={"reason": "Second review."}
    )
    assert revoke.status_code == 200, revoke.text
    record = client.get(f"/api/certificates/{public_id}").json()
    assert (record["status"], record["revoked_reason"]) == ("revoked", "Second review.")
    listed = admin.get("/api/admin/certificates?status=revoked").json()
    assert [item["reinstated_reason"] for item in listed["items"]] == ["Appeal upheld."]


def test_expired_certificates_show_as_expired(
    db_backend: str, publish: Publisher, learner: TestClient, client: TestClient, engine: Engine
) -> None:
    publish(certify_members(validity_years=1))
    enroll(learner)
    complete(learner)
    [certificate] = mine(learner)
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Certificate).values(expires_on=dt.date(2020, 1, 1))
        )
    record = client.get(f"/api/certificates/{certificate['id']}").json()
    assert record["status"] == "expired"
    assert client.get(f"/api/certificates/{certificate['id']}.pdf").status_code == 200


def test_admins_list_certificates_by_course(
    db_backend: str,
    issued: dict[str, Any],
    admin: TestClient,
    learner: TestClient,
    login_as: Callable[..., TestClient],
) -> None:
    assert learner.get("/api/admin/certificates").status_code == 403
    listing = login_as("moderator").get(f"/api/admin/certificates?course={MEMBERS}")
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["id"] == issued["id"]
    assert item["student"]["name"] == NAME
    assert admin.get(f"/api/admin/certificates?course={OPEN}").json()["total"] == 0
    assert admin.get("/api/admin/certificates?status=revoked").json()["total"] == 0
    assert admin.get("/api/admin/certificates?program=fixture-bundle").json()["items"] == []
    both = admin.get(f"/api/admin/certificates?course={OPEN}&program=fixture-bundle")
    assert both.status_code == 422
    assert admin.get("/api/admin/certificates?status=lost").status_code == 422


# --- the migration that added reinstatement ---------------------------------------------------


def test_the_reinstatement_migration_keeps_every_certificate(
    db_backend: str, databases: Databases
) -> None:
    """0006 adds the ``reinstated_*`` columns to existing rows without losing any data
    (SQLite rebuilds the table), and its downgrade keeps the rest of the row too."""
    now = "2026-01-02 03:04:05"
    with databases.scratch(db_backend, "cert") as url:
        migrate.upgrade(url, "0005")
        engine = create_db_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO users (email, email_normalized, name, password_hash,"
                        " language, is_active, created_at, updated_at) VALUES ('a@example.com',"
                        " 'a@example.com', 'Ana', 'h', 'es', :yes, :now, :now)"
                    ),
                    {"yes": True, "now": now},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO certificates (public_id, user_id, kind, subject, snapshot,"
                        " issued_at, revoked_at, revoked_reason, revoked_by, pdf) VALUES"
                        " ('abcdefghijk234567892', 1, 'course', 'pandas', :snapshot, :now, :now,"
                        " 'Plagiarism.', 1, :pdf)"
                    ),
                    {"snapshot": '{"title": "Pandas"}', "now": now, "pdf": b"%PDF-1.7 \x00\xff"},
                )
            columns = "public_id, subject, snapshot, revoked_reason, revoked_by, pdf"
            migrate.upgrade(url)
            with engine.connect() as connection:
                row = connection.execute(
                    sa.text(f"SELECT {columns}, reinstated_at, reinstated_reason FROM certificates")
                ).one()
            assert tuple(row[:2]) == ("abcdefghijk234567892", "pandas")
            assert "Pandas" in str(row[2])
            assert (row[3], row[4], bytes(row[5])) == ("Plagiarism.", 1, b"%PDF-1.7 \x00\xff")
            assert (row[6], row[7]) == (None, "")

            migrate.downgrade(url, "0005")
            with engine.connect() as connection:
                kept = connection.execute(sa.text(f"SELECT {columns} FROM certificates")).one()
            assert tuple(kept[:2]) == tuple(row[:2])
            assert bytes(kept[5]) == b"%PDF-1.7 \x00\xff"
        finally:
            engine.dispose()
