"""Helpers of the certificate tests: a snapshot factory and Spanish sample text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dynamic_api.certificates import CertificateSnapshot, new_certificate_id, verification_url

SITE_URL = "https://learn.example.org"


def make_snapshot(**changes: Any) -> CertificateSnapshot:
    """An English course certificate; keyword arguments replace fields."""
    certificate_id = changes.pop("id", None) or new_certificate_id()
    values: dict[str, Any] = {
        "id": certificate_id,
        "student_name": "Alexandra Whitfield",
        "title": "Data Analysis with pandas",
        "kind": "course",
        "completed_on": dt.date(2026, 3, 14),
        "verification_url": verification_url(SITE_URL, certificate_id),
        "language": "en",
        "design": "classic",
        "instructors": ("Priya Raman", "Luis Ortega"),
        "hours": 12.5,
        "expires_on": dt.date(2029, 3, 14),
        "school": "Open Harbor Academy",
    }
    values.update(changes)
    return CertificateSnapshot(**values)


SPANISH = {
    "student_name": "María José Peñalosa Núñez",
    "title": "Análisis de datos con pandas: ¿qué aprenderás?",
    "language": "es",
    "instructors": ("Íñigo Añón", "Begoña Ibáñez"),
}
