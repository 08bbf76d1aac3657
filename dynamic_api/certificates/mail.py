"""The links of a certificate and the "your certificate is ready" email.

Pure like the rest of the package (no database, no HTTP): the issuing service
(``dynamic_api/learning/certificates.py``) calls :func:`ready_email` once the transaction that
issued a certificate has committed, and hands the message to the mailer.
"""

from __future__ import annotations

from email.message import EmailMessage

from dynamic_api.certificates.snapshot import CertificateKind, CertificateSnapshot
from dynamic_api.mail import compose
from site_builder.settings import Settings


def api_root(settings: Settings) -> str:
    """Absolute root of the API as clients reach it (the site's origin when they share it)."""
    return settings.api_base or settings.site_url.rstrip("/")


def pdf_url(settings: Settings, public_id: str) -> str:
    return f"{api_root(settings)}/api/certificates/{public_id}.pdf"


def dashboard_url(settings: Settings) -> str:
    """The certificates section of the student's "My learning" page."""
    return f"{settings.site_url.rstrip('/')}/account/learning/#certificates"


def ready_email(
    settings: Settings, *, to: str, name: str, language: str, snapshot: CertificateSnapshot
) -> EmailMessage:
    """ "Your certificate is ready", in the student's language (not the certificate's): the
    course or program, its verification page, the PDF and the dashboard."""
    return compose(
        settings,
        template="certificate_ready",
        to=to,
        name=name,
        language=language,
        title=snapshot.title,
        program=snapshot.kind == CertificateKind.program,
        url=snapshot.verification_url,
        pdf_url=pdf_url(settings, snapshot.id),
        dashboard_url=dashboard_url(settings),
    )
