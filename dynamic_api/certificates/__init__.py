"""Certificates without a database: the frozen snapshot, its designs, and the PDF.

``CertificateSnapshot`` holds what a certificate says; ``render_certificate_pdf`` prints it
with a design from the theme folders (``certificates/<design>.html``). Issuing, storing and
serving the PDF are the API's job (it renders once and serves the stored bytes).
"""

from dynamic_api.certificates.designs import (
    DEFAULT_THEME_DIR,
    SHIPPED_DESIGNS,
    UnknownDesignError,
    available_designs,
    certificate_dirs,
    check_design,
)
from dynamic_api.certificates.fetcher import ForbiddenResourceError, OfflineFetcher
from dynamic_api.certificates.render import (
    PAGE_SIZES,
    CertificateRenderError,
    PageSize,
    certificate_html,
    render_certificate_pdf,
    template_context,
)
from dynamic_api.certificates.snapshot import (
    CertificateKind,
    CertificateSnapshot,
    expiry_date,
    new_certificate_id,
    verification_url,
)

__all__ = [
    "DEFAULT_THEME_DIR",
    "PAGE_SIZES",
    "SHIPPED_DESIGNS",
    "CertificateKind",
    "CertificateRenderError",
    "CertificateSnapshot",
    "ForbiddenResourceError",
    "OfflineFetcher",
    "PageSize",
    "UnknownDesignError",
    "available_designs",
    "certificate_dirs",
    "certificate_html",
    "check_design",
    "expiry_date",
    "new_certificate_id",
    "render_certificate_pdf",
    "template_context",
    "verification_url",
]
