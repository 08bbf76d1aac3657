"""Certificates: the student's list, public verification, the PDF, and revocation.

| endpoint | who |
| --- | --- |
| ``GET /api/me/certificates`` | signed in: their own |
| ``GET /api/certificates/{id}`` | anyone with the id: the verification record (no email) |
| ``GET /api/certificates/{id}.pdf`` | anyone with the id, like the verification page |
| ``GET /api/admin/certificates`` | admins, moderators |
| ``POST /api/admin/certificates/{id}/revoke`` | admins |
| ``POST /api/admin/certificates/{id}/reinstate`` | admins |

The PDF is public on purpose: the id (about 100 random bits) is the key to the verification
page already, and the PDF shows nothing more than that page does. Issuing is
``dynamic_api/learning/certificates.py``; the PDF is printed on the first request (in a
worker thread, about 0.2 s) and stored, and later requests serve the stored bytes.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import requires, signed_in_user
from dynamic_api.certificates import (
    CertificateSnapshot,
    UnknownDesignError,
    render_certificate_pdf,
)
from dynamic_api.certificates.mail import api_root as api_root  # routes/masterclasses.py uses it
from dynamic_api.certificates.mail import pdf_url
from dynamic_api.db import run_in_session
from dynamic_api.errors import ApiError, read_json, read_query
from dynamic_api.fields import Slug
from dynamic_api.learning import certificates as issuing
from dynamic_api.learning.catalog import request_catalog
from dynamic_api.models import Certificate, Role, User
from dynamic_api.responses import json_response
from site_builder.settings import Settings

logger = logging.getLogger(__name__)


class CertificateRecord(BaseModel):
    """A certificate as its public verification page shows it: no email, no user id."""

    id: str = Field(description="The public id (20 characters).")
    status: str = Field(description="`valid`, `revoked` or `expired`.")
    kind: str = Field(description="`course` or `program`.")
    subject: str = Field(description="The course's or program's slug.")
    title: str
    student_name: str
    completed_on: date = Field(description="The completion date, also the issue date (UTC).")
    issued_at: datetime
    expires_on: date | None = Field(description="End of validity; null = never expires.")
    instructors: list[str] = Field(description="Names, as when it was issued.")
    hours: float | None
    school: str = Field(description="The issuing school.")
    courses: list[str] = Field(description="A program's course titles; empty for a course.")
    language: str
    verification_url: str = Field(description="The public page (the QR code's target).")
    pdf_url: str | None = Field(description="The PDF; null once revoked.")
    revoked_at: datetime | None
    revoked_reason: str | None


class MyCertificate(CertificateRecord):
    download_url: str | None = Field(description="The PDF as an attachment; null once revoked.")
    linkedin_url: str = Field(
        description='LinkedIn\'s pre-filled "Add licence or certification" form (a plain link).'
    )


class MyCertificates(BaseModel):
    items: list[MyCertificate] = Field(description="Newest first.")


class CertificateStudent(BaseModel):
    id: int
    name: str = Field(description="The account's current name (the certificate keeps its own).")
    email: str


class AdminCertificate(CertificateRecord):
    student: CertificateStudent
    revoked_by: int | None
    reinstated_at: datetime | None = Field(description="The last reinstatement, if any.")
    reinstated_reason: str | None = Field(description="Why it was reinstated (admins only).")
    reinstated_by: int | None


class AdminCertificateList(BaseModel):
    items: list[AdminCertificate]
    total: int
    page: int
    per_page: int


class AdminCertificateQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    course: Slug | None = Field(None, description="Only this course's certificates.")
    program: Slug | None = Field(None, description="Only this program's certificates.")
    status: str | None = Field(None, pattern="^(valid|revoked)$")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=3,
        max_length=500,
        description="Why; shown on the public verification page.",
    )


class ReinstateRequest(RevokeRequest):
    reason: str = Field(
        min_length=3,
        max_length=500,
        description="Why; kept with the certificate for admins, not shown publicly.",
    )


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def record_values(settings: Settings, certificate: Certificate) -> dict[str, Any]:
    snapshot = issuing.snapshot_of(certificate)
    status = issuing.status_of(certificate)
    revoked = status == issuing.REVOKED
    return {
        "id": certificate.public_id,
        "status": status,
        "kind": certificate.kind,
        "subject": certificate.subject,
        "title": snapshot.title,
        "student_name": snapshot.student_name,
        "completed_on": snapshot.completed_on,
        "issued_at": certificate.issued_at,
        "expires_on": certificate.expires_on,
        "instructors": list(snapshot.instructors),
        "hours": snapshot.hours,
        "school": snapshot.school,
        "courses": list(snapshot.courses),
        "language": snapshot.language,
        "verification_url": snapshot.verification_url,
        "pdf_url": None if revoked else pdf_url(settings, certificate.public_id),
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason if revoked else None,
    }


def _mine(settings: Settings, certificate: Certificate) -> MyCertificate:
    values = record_values(settings, certificate)
    url = values["pdf_url"]
    return MyCertificate(
        **values,
        download_url=f"{url}?download=1" if url else None,
        linkedin_url=issuing.linkedin_url(issuing.snapshot_of(certificate)),
    )


def _admin(settings: Settings, certificate: Certificate, user: User) -> AdminCertificate:
    assert user.id is not None
    return AdminCertificate(
        **record_values(settings, certificate),
        student=CertificateStudent(id=user.id, name=user.name, email=user.email),
        revoked_by=certificate.revoked_by,
        reinstated_at=certificate.reinstated_at,
        reinstated_reason=certificate.reinstated_reason or None,
        reinstated_by=certificate.reinstated_by,
    )


@requires()
async def my_certificates(request: Request) -> Response:
    """The signed-in student's certificates.

    ---
    summary: My certificates
    description: >-
      Course and program certificates, newest first, each with its status, verification
      URL, PDF links and a pre-filled "add to LinkedIn profile" link. Certificates the
      student has earned but not yet received (for example after upgrading from auditing a
      finished course) are issued on the way.
    operationId: myCertificates
    tags: [certificates]
    security: [{session: []}]
    responses:
      "200":
        description: The certificates.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/MyCertificates"}
    """
    user = await signed_in_user(request)
    store = request_catalog(request)
    settings = _settings(request)

    def load(session: Session) -> MyCertificates:
        issuing.catch_up(session, store.current(session), user.id)
        rows = issuing.certificates_of(session, user.id)
        return MyCertificates(items=[_mine(settings, row) for row in rows])

    return json_response(await run_in_session(request, load))


async def verify_certificate(request: Request) -> Response:
    """The public verification record of a certificate.

    ---
    summary: Verify a certificate
    description: >-
      What the certificate says (student's name, title, instructors, dates, hours) and
      whether it is `valid`, `revoked` (with the reason) or `expired` (past its validity).
      No email address or account id. 404 for an unknown id.
    operationId: verifyCertificate
    tags: [certificates]
    parameters:
      - {name: certificate, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The verification record.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CertificateRecord"}
    """
    public_id = request.path_params["certificate"]
    settings = _settings(request)

    def load(session: Session) -> CertificateRecord:
        return CertificateRecord(**record_values(settings, issuing.get(session, public_id)))

    return json_response(await run_in_session(request, load), cache_control="no-cache")


def render(settings: Settings, snapshot: CertificateSnapshot) -> bytes:
    """Print a certificate with the API's theme; a design the theme no longer has falls
    back to ``classic`` rather than leaving the student without a PDF."""
    options: dict[str, Any] = {
        "theme_dirs": [settings.theme],
        "page_size": settings.certificate_page_size,
    }
    try:
        return render_certificate_pdf(snapshot, **options)
    except UnknownDesignError:
        logger.warning(
            "certificate %s: design %r is missing, printed with classic",
            snapshot.id,
            snapshot.design,
        )
        return render_certificate_pdf(snapshot, design="classic", **options)


async def certificate_pdf(request: Request) -> Response:
    """A certificate's PDF.

    ---
    summary: Download a certificate
    description: >-
      The PDF, public like the verification record (the id is the key). Printed on the
      first request and stored; later requests get the stored bytes (with an `ETag`).
      `?download=1` asks the browser to save it. A revoked certificate answers 410
      `certificate_revoked`.
    operationId: getCertificatePdf
    tags: [certificates]
    parameters:
      - {name: certificate, in: path, required: true, schema: {type: string}}
      - {name: download, in: query, schema: {type: string, enum: ["1"]}}
    responses:
      "200":
        description: The PDF.
        content:
          application/pdf:
            schema: {type: string, format: binary}
      "304": {description: Not modified (`If-None-Match`).}
      "410":
        description: "`certificate_revoked`."
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ErrorResponse"}
    """
    public_id = request.path_params["certificate"]
    found = await run_in_session(request, issuing.stored_pdf, public_id)
    if found is None:
        raise ApiError(404, "not_found", "There is no certificate with this id.")
    if found.revoked:
        raise ApiError(410, "certificate_revoked", "This certificate was revoked.")
    pdf = found.pdf
    if pdf is None:
        snapshot = CertificateSnapshot.from_dict(found.snapshot)
        printed = await run_in_threadpool(render, _settings(request), snapshot)
        pdf = await run_in_session(request, issuing.store_pdf, found.id, printed)
    etag = '"' + hashlib.sha256(pdf).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    disposition = "attachment" if request.query_params.get("download") else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="certificate-{public_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


@requires(Role.ADMIN, Role.MODERATOR)
async def admin_list_certificates(request: Request) -> Response:
    """Issued certificates, with their students.

    ---
    summary: List certificates
    description: >-
      Admins and moderators. Newest first; `course` or `program` narrows to one subject,
      `status` to valid (not revoked, including expired) or revoked ones.
    operationId: adminListCertificates
    tags: [admin, certificates]
    security: [{session: []}]
    parameters:
      - {name: course, in: query, schema: {type: string}}
      - {name: program, in: query, schema: {type: string}}
      - {name: status, in: query, schema: {type: string, enum: [valid, revoked]}}
      - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    responses:
      "200":
        description: One page of certificates.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminCertificateList"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    query = read_query(request, AdminCertificateQuery)
    if query.course and query.program:
        message = "Give a course or a program, not both."
        raise ApiError(422, "invalid_fields", message, {"program": message})
    kind, subject = None, None
    if query.course:
        kind, subject = "course", query.course
    elif query.program:
        kind, subject = "program", query.program
    settings = _settings(request)

    def load(session: Session) -> AdminCertificateList:
        page = issuing.admin_list(
            session,
            kind=kind,
            subject=subject,
            status=query.status,
            page=query.page,
            per_page=query.per_page,
        )
        return AdminCertificateList(
            items=[_admin(settings, c, u) for c, u in page.rows],
            total=page.total,
            page=query.page,
            per_page=query.per_page,
        )

    return json_response(await run_in_session(request, load))


@requires(Role.ADMIN)
async def revoke_certificate(request: Request) -> Response:
    """Revoke a certificate.

    ---
    summary: Revoke a certificate
    description: >-
      Admins only. The verification page then shows it as revoked, with the reason, and
      its PDF is no longer served. 409 `already_revoked` the second time.
    operationId: adminRevokeCertificate
    tags: [admin, certificates]
    security: [{session: []}]
    parameters:
      - {name: certificate, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/RevokeRequest"}
    responses:
      "200":
        description: The revoked certificate.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminCertificate"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    return await _set_revoked(request, revoked=True)


@requires(Role.ADMIN)
async def reinstate_certificate(request: Request) -> Response:
    """Reinstate a revoked certificate.

    ---
    summary: Reinstate a certificate
    description: >-
      Admins only (as revoking). Undoes a revocation: the verification page shows the
      certificate as valid again (or expired, past its validity) and its PDF is served
      again. The reason is kept for admins beside the revocation's. A program certificate
      that was waiting for this course certificate is issued. 409 `not_revoked`.
    operationId: adminReinstateCertificate
    tags: [admin, certificates]
    security: [{session: []}]
    parameters:
      - {name: certificate, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/ReinstateRequest"}
    responses:
      "200":
        description: The reinstated certificate.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AdminCertificate"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    return await _set_revoked(request, revoked=False)


async def _set_revoked(request: Request, *, revoked: bool) -> Response:
    """Both admin changes of a certificate's standing: a reason, the change, the admin view."""
    actor = await signed_in_user(request)
    model = RevokeRequest if revoked else ReinstateRequest
    body = await read_json(request, model, max_bytes=4096)
    reason = body.reason.strip()
    verb = "revoked" if revoked else "reinstated"
    if len(reason) < 3:
        message = f"Say why the certificate is {verb}."
        raise ApiError(422, "invalid_fields", message, {"reason": message})
    public_id = request.path_params["certificate"]
    settings = _settings(request)
    store = request_catalog(request)

    def write(session: Session) -> AdminCertificate:
        if revoked:
            certificate = issuing.revoke(session, public_id, actor.id, reason)
        else:
            certificate = issuing.reinstate(session, public_id, actor.id, reason)
            issuing.after_reinstating(session, store.current(session), certificate)
        user = session.get(User, certificate.user_id)
        assert user is not None
        return _admin(settings, certificate, user)

    view = await run_in_session(request, write)
    logger.info("Certificate %s %s by %s", public_id, verb, actor.id)
    return json_response(view)


CERTIFICATE = "/api/certificates/{certificate:str}"

routes: list[BaseRoute] = [
    Route("/api/me/certificates", my_certificates, methods=["GET"], name="my_certificates"),
    # ".pdf" first: `{certificate:str}` alone would match "<id>.pdf" as well.
    Route(CERTIFICATE + ".pdf", certificate_pdf, methods=["GET"], name="certificate_pdf"),
    Route(CERTIFICATE, verify_certificate, methods=["GET"], name="verify_certificate"),
    Route(
        "/api/admin/certificates",
        admin_list_certificates,
        methods=["GET"],
        name="admin_list_certificates",
    ),
    Route(
        "/api/admin/certificates/{certificate:str}/revoke",
        revoke_certificate,
        methods=["POST"],
        name="admin_revoke_certificate",
    ),
    Route(
        "/api/admin/certificates/{certificate:str}/reinstate",
        reinstate_certificate,
        methods=["POST"],
        name="admin_reinstate_certificate",
    ),
]

schema_models: list[type[BaseModel]] = [
    CertificateRecord,
    MyCertificates,
    AdminCertificateList,
    AdminCertificate,
    RevokeRequest,
    ReinstateRequest,
]
