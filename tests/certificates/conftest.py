"""Fixtures of the certificate tests: PDFs rendered once per session and shared.

Rendering is the slow part (a tenth of a second or more per PDF), so each (design, page
size, language) is rendered once and shared by the read-only tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from certificate_support import SPANISH, make_snapshot

from dynamic_api.certificates import CertificateSnapshot, render_certificate_pdf


@pytest.fixture(scope="session")
def rendered() -> Callable[..., tuple[CertificateSnapshot, bytes]]:
    """``rendered(design, page_size, language)`` → (snapshot, PDF bytes), cached."""
    cache: dict[tuple[str, str, str], tuple[CertificateSnapshot, bytes]] = {}

    def render(
        design: str, page_size: str = "A4", language: str = "en"
    ) -> tuple[CertificateSnapshot, bytes]:
        key = (design, page_size, language)
        if key not in cache:
            extra = SPANISH if language == "es" else {}
            snapshot = make_snapshot(design=design, **extra)
            cache[key] = (snapshot, render_certificate_pdf(snapshot, page_size=page_size))
        return cache[key]

    return render
