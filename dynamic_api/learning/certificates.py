"""Certificates: issued once on completion, verified by anyone, printed once.

The rules (README, "Certificates and calendars"):

- A **course certificate** is due when a student's enrollment is active, not ``audit``, and
  complete (``Enrollment.completed_at``, recorded once by ``progress.record_completion``),
  and the course's content enables certificates (``certificate: {enabled: true}``). It is
  issued in the same transaction as the write that completed the course (a lesson marked
  complete, an evaluation passed, open answers graded), and again, as a catch-up, when the
  student lists their certificates: an auditor who enrolls fully after finishing, a course
  that enabled certificates later, or two courses of a program finished at the same moment.
- A **program certificate** is due when a published program with certificates enabled has
  every one of its courses *certified* for the student: a course certificate that is not
  revoked or, for a course that awards none, a completed full enrollment.
- **Exactly once**: ``UNIQUE(user_id, kind, subject)`` and an insert-unless-exists, so
  parallel completions issue one certificate; a revoked one is never issued again.
- The **snapshot** copies what the certificate prints (student name, title, instructors'
  names, completion date, hours, expiry, design, the school's name) so later edits of the
  content or the account do not change an issued certificate. The PDF is printed from the
  snapshot alone, the first time it is asked for, and stored (:func:`store_pdf`).
- **Emailed once**: a certificate inserted by a transaction is emailed to its student when
  that transaction commits (:func:`mail_when_issued`), never for one that rolls back, and
  never twice: only the call whose insert won records it.
- **Reinstated**: an admin can undo a revocation (:func:`reinstate`), with a reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode, urlsplit
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select, update

from dynamic_api.certificates import (
    CertificateKind,
    CertificateSnapshot,
    expiry_date,
    new_certificate_id,
    verification_url,
)
from dynamic_api.certificates.mail import ready_email
from dynamic_api.certificates.snapshot import ID_PATTERN, LANGUAGE_PATTERN
from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog, CourseIndex
from dynamic_api.models import (
    AnyEnrollment,
    Certificate,
    Enrollment,
    EnrollmentMode,
    EnrollmentStatus,
    User,
)
from dynamic_api.upsert import insert_or_ignore
from site_builder.manifest import ManifestProgram
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

#: What a verification record says about a certificate.
VALID, REVOKED, EXPIRED = "valid", "revoked", "expired"


def is_public_id(value: str) -> bool:
    """Only ids of the right shape can exist: anything else is 404 without a query."""
    return bool(ID_PATTERN.fullmatch(value))


def status_of(certificate: Certificate, today: dt.date | None = None) -> str:
    if certificate.revoked_at is not None:
        return REVOKED
    today = today or utcnow().date()
    if certificate.expires_on is not None and today > certificate.expires_on:
        return EXPIRED
    return VALID


def snapshot_of(certificate: Certificate) -> CertificateSnapshot:
    return CertificateSnapshot.from_dict(certificate.snapshot)


# --- issuing -------------------------------------------------------------------------------


def _language(value: str | None, fallback: str = "en") -> str:
    return value if value and LANGUAGE_PATTERN.match(value) else fallback


def _school(catalog: Catalog) -> str:
    manifest = catalog.manifest
    return manifest.site_name or urlsplit(manifest.site_url).hostname or ""


def _hours(minutes: int) -> float | None:
    return round(minutes / 60, 1) if minutes > 0 else None


def _enabled(certificate: dict[str, Any] | None) -> bool:
    return bool(certificate and certificate.get("enabled"))


def _full(enrollment: AnyEnrollment | None) -> bool:
    """An active, complete enrollment that may earn a certificate (not an audit)."""
    return (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.ACTIVE.value
        and enrollment.mode != EnrollmentMode.AUDIT.value
        and enrollment.completed_at is not None
    )


def _student(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None or not user.name.strip():
        return None
    return user


def _insert(session: Session, student: User, snapshot: CertificateSnapshot, subject: str) -> bool:
    """Insert unless the student holds it already; an insert is emailed after the commit."""
    inserted = insert_or_ignore(
        session,
        Certificate,
        public_id=snapshot.id,
        user_id=student.id,
        kind=snapshot.kind.value,
        subject=subject,
        snapshot=snapshot.to_dict(),
        issued_at=utcnow(),
        expires_on=snapshot.expires_on,
    )
    if inserted:
        _mail_after_commit(session, student, snapshot)
    return inserted


def course_snapshot(
    catalog: Catalog, course: CourseIndex, student_name: str, completed_on: dt.date
) -> CertificateSnapshot:
    """What a certificate of ``course`` completed on ``completed_on`` prints."""
    meta = course.course
    settings = meta.certificate or {}
    certificate_id = new_certificate_id()
    names = catalog.instructor_names
    return CertificateSnapshot(
        id=certificate_id,
        student_name=student_name.strip(),
        title=meta.title,
        kind=CertificateKind.course,
        completed_on=completed_on,
        verification_url=verification_url(catalog.manifest.site_url, certificate_id),
        language=_language(meta.language),
        design=str(settings.get("template") or "classic"),
        instructors=tuple(names.get(slug, slug) for slug in meta.instructors),
        hours=_hours(meta.duration),
        expires_on=expiry_date(completed_on, settings.get("validity_years")),
        school=_school(catalog),
    )


def program_snapshot(
    catalog: Catalog,
    program: ManifestProgram,
    student: User,
    completed_on: dt.date,
) -> CertificateSnapshot:
    """What a program certificate prints: its courses' titles, instructors and hours."""
    courses = [catalog.courses[slug].course for slug in program.courses if slug in catalog.courses]
    languages = {course.language for course in courses}
    names = catalog.instructor_names
    instructors = dict.fromkeys(
        names.get(slug, slug) for course in courses for slug in course.instructors
    )
    settings = program.certificate or {}
    certificate_id = new_certificate_id()
    language = languages.pop() if len(languages) == 1 else student.language
    return CertificateSnapshot(
        id=certificate_id,
        student_name=student.name.strip(),
        title=program.title,
        kind=CertificateKind.program,
        completed_on=completed_on,
        verification_url=verification_url(catalog.manifest.site_url, certificate_id),
        language=_language(language),
        design=str(settings.get("template") or "classic"),
        instructors=tuple(instructors),
        hours=_hours(sum(course.duration for course in courses)),
        expires_on=expiry_date(completed_on, settings.get("validity_years")),
        school=_school(catalog),
        courses=tuple(course.title for course in courses),
    )


def issue_for_course(session: Session, catalog: Catalog, enrollment: AnyEnrollment) -> bool:
    """Issue the course certificate ``enrollment`` has earned, unless it exists; then any
    program certificate that completes. True when a certificate was issued now."""
    course = catalog.course(enrollment.course)
    if course is None or not _full(enrollment):
        return False
    student = _student(session, enrollment.user_id)
    if student is None:
        return False
    issued = False
    if _enabled(course.course.certificate):
        if _holds(session, enrollment.user_id, CertificateKind.course, enrollment.course):
            return False  # issued before, and its programs were looked at then
        assert enrollment.completed_at is not None
        completed_on = enrollment.completed_at.date()
        snapshot = course_snapshot(catalog, course, student.name, completed_on)
        issued = _insert(session, student, snapshot, course.course.slug)
    programs = [p for p in catalog.manifest.programs if enrollment.course in p.courses]
    if programs:
        issued = issue_programs(session, catalog, student, programs) or issued
    return issued


def _holds(session: Session, user_id: int, kind: CertificateKind, subject: str) -> bool:
    return (
        session.exec(
            select(Certificate.id).where(
                col(Certificate.user_id) == user_id,
                col(Certificate.kind) == kind.value,
                col(Certificate.subject) == subject,
            )
        ).first()
        is not None
    )


def after_completing_write(
    session: Session, catalog: Catalog | None, enrollment: AnyEnrollment | None, complete: bool
) -> bool:
    """The hook the completing writes call after ``record_completion``: issue what is due
    once the course is complete (not only the first time: a certificate the first call
    could not issue, e.g. while auditing, is issued by a later one)."""
    if catalog is None or enrollment is None or not complete:
        return False
    return issue_for_course(session, catalog, enrollment)


def _program_due(program: ManifestProgram) -> bool:
    return program.status == "published" and _enabled(program.certificate) and bool(program.courses)


def issue_programs(
    session: Session, catalog: Catalog, student: User, programs: Iterable[ManifestProgram]
) -> bool:
    """Issue the certificate of each program in ``programs`` the student has now finished."""
    assert student.id is not None
    issued = False
    due = [p for p in programs if _program_due(p)]
    if not due:
        return False
    held = {
        (row.kind, row.subject): row
        for row in session.exec(
            select(Certificate)
            .options(defer(Certificate.pdf))  # type: ignore[arg-type]
            .where(col(Certificate.user_id) == student.id)
        ).all()
    }
    slugs = {slug for program in due for slug in program.courses}
    enrollments = {
        row.course: row
        for row in session.exec(
            select(Enrollment).where(
                col(Enrollment.user_id) == student.id, col(Enrollment.course).in_(slugs)
            )
        ).all()
    }
    for program in due:
        if ("program", program.slug) in held:
            continue
        finished: list[dt.date] = []
        for slug in program.courses:
            course = catalog.course(slug)
            enrollment = enrollments.get(slug)
            if course is None or not _full(enrollment):
                break
            assert enrollment is not None
            assert enrollment.completed_at is not None
            certificate = held.get(("course", slug))
            if _enabled(course.course.certificate) and (
                certificate is None or certificate.revoked_at is not None
            ):
                break
            finished.append(enrollment.completed_at.date())
        else:
            snapshot = program_snapshot(catalog, program, student, max(finished))
            issued = _insert(session, student, snapshot, program.slug) or issued
    return issued


def catch_up(session: Session, catalog: Catalog | None, user_id: int) -> None:
    """Issue every certificate the student has earned but not received (see the module)."""
    if catalog is None:
        return
    held = set(
        session.exec(
            select(Certificate.subject).where(
                col(Certificate.user_id) == user_id,
                col(Certificate.kind) == CertificateKind.course.value,
            )
        ).all()
    )
    enrollments = session.exec(
        select(Enrollment).where(
            col(Enrollment.user_id) == user_id,
            col(Enrollment.completed_at).is_not(None),
        )
    ).all()
    for enrollment in enrollments:
        course = catalog.course(enrollment.course)
        if enrollment.course in held or course is None or not _full(enrollment):
            continue
        if _enabled(course.course.certificate):
            issue_for_course(session, catalog, enrollment)
    student = _student(session, user_id)
    if student is not None and catalog.manifest.programs:
        issue_programs(session, catalog, student, catalog.manifest.programs)


# --- the "certificate ready" email ----------------------------------------------------------

#: Where each engine's (each app's) issued certificates are emailed: its settings and
#: ``Mailer.send``, set by the app's lifespan through :func:`mail_when_issued`.
_OUTLETS: WeakKeyDictionary[Engine, tuple[Settings, Callable[[EmailMessage], object]]] = (
    WeakKeyDictionary()
)
_PENDING = "lms_certificates_to_mail"


@dataclass(frozen=True, slots=True)
class _Issued:
    """What the email needs, copied before the commit (no lazy load afterwards)."""

    email: str
    name: str
    language: str
    snapshot: CertificateSnapshot


def mail_when_issued(
    engine: Engine, settings: Settings, send: Callable[[EmailMessage], object]
) -> None:
    """Email "your certificate is ready" for every certificate issued in a session of
    ``engine``, once that session commits. Without this (the CLI, tests that build no app)
    certificates are issued without an email."""
    _OUTLETS[engine] = (settings, send)


def stop_mailing(engine: Engine) -> None:
    _OUTLETS.pop(engine, None)


def _mail_after_commit(session: Session, student: User, snapshot: CertificateSnapshot) -> None:
    """Keep the email for the commit. The listeners are per session and only added here, so a
    write that issues nothing (the common "mark complete") pays nothing for them; they send
    from the database thread after the commit, as other emails send once ``run_in_session``
    has returned: the routes that issue need no change."""
    pending: list[_Issued] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_rollback", _drop_pending)
    pending.append(_Issued(student.email, student.name, student.language, snapshot))


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _send_pending(session: Session) -> None:
    pending: list[_Issued] = session.info.pop(_PENDING, None) or []
    bind = session.get_bind()
    outlet = _OUTLETS.get(bind) if pending and isinstance(bind, Engine) else None
    if outlet is None:
        return
    settings, send = outlet
    for item in pending:
        try:  # the certificate is committed: a mail problem must not fail the request
            send(
                ready_email(
                    settings,
                    to=item.email,
                    name=item.name,
                    language=item.language,
                    snapshot=item.snapshot,
                )
            )
        except Exception:
            logger.exception("Could not email certificate %s", item.snapshot.id)


# --- reading -------------------------------------------------------------------------------


def certificates_of(session: Session, user_id: int) -> list[Certificate]:
    """A student's certificates, newest first (without the PDF bytes)."""
    return list(
        session.exec(
            select(Certificate)
            .options(defer(Certificate.pdf))  # type: ignore[arg-type]
            .where(col(Certificate.user_id) == user_id)
            .order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
        ).all()
    )


def find(session: Session, public_id: str) -> Certificate | None:
    """A certificate by its public id (without the PDF bytes)."""
    if not is_public_id(public_id):
        return None
    return session.exec(
        select(Certificate)
        .options(defer(Certificate.pdf))  # type: ignore[arg-type]
        .where(col(Certificate.public_id) == public_id)
    ).first()


def get(session: Session, public_id: str) -> Certificate:
    certificate = find(session, public_id)
    if certificate is None:
        raise ApiError(404, "not_found", "There is no certificate with this id.")
    return certificate


@dataclass(frozen=True)
class StoredPdf:
    """What serving a certificate's PDF needs: its row id, snapshot, and bytes if printed."""

    id: int
    public_id: str
    snapshot: dict[str, Any]
    revoked: bool
    pdf: bytes | None


def stored_pdf(session: Session, public_id: str) -> StoredPdf | None:
    """One indexed query for the hot path of ``GET /api/certificates/{id}.pdf``."""
    if not is_public_id(public_id):
        return None
    row = session.exec(
        select(Certificate.id, Certificate.snapshot, Certificate.revoked_at, Certificate.pdf).where(
            col(Certificate.public_id) == public_id
        )
    ).first()
    if row is None:
        return None
    row_id, snapshot, revoked_at, pdf = row
    return StoredPdf(row_id, public_id, snapshot, revoked_at is not None, _bytes(pdf))


def _bytes(value: Any) -> bytes | None:
    return bytes(value) if value is not None else None


def store_pdf(session: Session, certificate_id: int, pdf: bytes) -> bytes:
    """Keep the first PDF printed for a certificate; returns the stored bytes (another
    request may have printed and stored it first: then those are served, not ours)."""
    result = session.exec(  # type: ignore[call-overload]
        update(Certificate)
        .where(col(Certificate.id) == certificate_id, col(Certificate.pdf).is_(None))
        .values(pdf=pdf, pdf_rendered_at=utcnow())
    )
    if result.rowcount == 1:
        return pdf
    stored = session.exec(select(Certificate.pdf).where(col(Certificate.id) == certificate_id))
    return _bytes(stored.first()) or pdf


# --- administration ------------------------------------------------------------------------


def revoke(session: Session, public_id: str, actor_id: int, reason: str) -> Certificate:
    """Revoke a certificate (409 ``already_revoked`` the second time: the first reason
    stays). The verification page shows it as revoked, with the reason, at once."""
    certificate = get(session, public_id)
    result = session.exec(  # type: ignore[call-overload]
        update(Certificate)
        .where(col(Certificate.id) == certificate.id, col(Certificate.revoked_at).is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason, revoked_by=actor_id)
    )
    if result.rowcount != 1:
        raise ApiError(409, "already_revoked", "This certificate was already revoked.")
    session.expire(certificate)
    return get(session, public_id)


def reinstate(session: Session, public_id: str, actor_id: int, reason: str) -> Certificate:
    """Undo a revocation (409 ``not_revoked`` unless revoked): the verification page shows
    the certificate valid again and its PDF is served again. The last revocation's reason
    and author stay as a record beside the reinstatement's."""
    certificate = get(session, public_id)
    result = session.exec(  # type: ignore[call-overload]
        update(Certificate)
        .where(col(Certificate.id) == certificate.id, col(Certificate.revoked_at).is_not(None))
        .values(
            revoked_at=None,
            reinstated_at=utcnow(),
            reinstated_reason=reason,
            reinstated_by=actor_id,
        )
    )
    if result.rowcount != 1:
        raise ApiError(409, "not_revoked", "This certificate is not revoked.")
    session.expire(certificate)
    return get(session, public_id)


def after_reinstating(session: Session, catalog: Catalog | None, certificate: Certificate) -> None:
    """A reinstated course certificate counts again for its programs: issue those now due."""
    if catalog is None or certificate.kind != CertificateKind.course.value:
        return
    programs = [p for p in catalog.manifest.programs if certificate.subject in p.courses]
    student = _student(session, certificate.user_id) if programs else None
    if student is not None:
        issue_programs(session, catalog, student, programs)


@dataclass(frozen=True)
class AdminPage:
    rows: list[tuple[Certificate, User]]
    total: int


def admin_list(
    session: Session,
    *,
    kind: str | None,
    subject: str | None,
    status: str | None,
    page: int,
    per_page: int,
) -> AdminPage:
    """Certificates with their students, newest first; filtered by course or program and by
    revoked or not."""
    query = (
        select(Certificate, User)
        .options(defer(Certificate.pdf))  # type: ignore[arg-type]
        .join(User, col(User.id) == col(Certificate.user_id))
    )
    count = select(sa.func.count()).select_from(Certificate)
    conditions: list[Any] = []
    if kind is not None:
        conditions.append(col(Certificate.kind) == kind)
    if subject is not None:
        conditions.append(col(Certificate.subject) == subject)
    if status == REVOKED:
        conditions.append(col(Certificate.revoked_at).is_not(None))
    elif status == VALID:
        conditions.append(col(Certificate.revoked_at).is_(None))
    for condition in conditions:
        query, count = query.where(condition), count.where(condition)
    rows = session.exec(
        query.order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AdminPage(rows=[(c, u) for c, u in rows], total=session.exec(count).one())


# --- sharing -------------------------------------------------------------------------------


def linkedin_url(snapshot: CertificateSnapshot) -> str:
    """LinkedIn's "Add licence or certification" form, pre-filled: a plain link (nothing is
    loaded from LinkedIn until the student follows it)."""
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": snapshot.title,
        "organizationName": snapshot.school,
        "issueYear": snapshot.completed_on.year,
        "issueMonth": snapshot.completed_on.month,
        "certUrl": snapshot.verification_url,
        "certId": snapshot.id,
    }
    if snapshot.expires_on is not None:
        params["expirationYear"] = snapshot.expires_on.year
        params["expirationMonth"] = snapshot.expires_on.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
