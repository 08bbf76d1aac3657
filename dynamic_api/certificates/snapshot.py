"""What a certificate says, frozen at issue time.

A certificate must not change when the course is edited later (a new title, another
instructor), so everything printed on it is copied into a :class:`CertificateSnapshot` when it
is issued; the PDF and the public verification record are made from the snapshot alone.
``to_dict``/``from_dict`` give a JSON-safe form for a database column.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any
from urllib.parse import quote

#: Public ids: 20 characters of an unambiguous alphabet (no 0/O, 1/l/I), about 100 bits.
ID_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
ID_LENGTH = 20
ID_PATTERN = re.compile(rf"^[{ID_ALPHABET}]{{{ID_LENGTH}}}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


class CertificateKind(StrEnum):
    course = "course"
    program = "program"


def new_certificate_id() -> str:
    """An unguessable public id: it is the only key to the verification page."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def verification_url(site_url: str, certificate_id: str) -> str:
    """The static verification page of a certificate (the QR code and the PDF point here)."""
    return f"{site_url.rstrip('/')}/certificates/verify/?id={quote(certificate_id, safe='')}"


@dataclass(frozen=True, slots=True)
class CertificateSnapshot:
    """Everything a certificate shows; no email or other private data."""

    id: str
    student_name: str
    title: str  # of the course or the program
    kind: CertificateKind
    completed_on: dt.date  # also the issue date: certificates are issued on completion
    verification_url: str
    language: str = "en"
    design: str = "classic"
    instructors: tuple[str, ...] = ()
    hours: float | None = None
    expires_on: dt.date | None = None
    school: str = ""  # the issuing organisation, e.g. pelicanconf's SITENAME
    courses: tuple[str, ...] = field(default=())  # program certificates: titles of its courses

    def __post_init__(self) -> None:
        # Coerce the forms a caller naturally has (a list, a "course" string) so the snapshot
        # stays hashable and comparable; reject what would print a broken certificate.
        object.__setattr__(self, "kind", CertificateKind(self.kind))
        object.__setattr__(self, "instructors", tuple(self.instructors))
        object.__setattr__(self, "courses", tuple(self.courses))
        if not self.id.strip():
            raise ValueError("a certificate needs an id")
        if not self.student_name.strip():
            raise ValueError("a certificate needs the student's name")
        if not self.title.strip():
            raise ValueError("a certificate needs a course or program title")
        if not LANGUAGE_PATTERN.match(self.language):
            raise ValueError(f"not a BCP 47 language code: {self.language!r}")
        if self.hours is not None and self.hours < 0:
            raise ValueError("hours cannot be negative")
        if self.expires_on is not None and self.expires_on < self.completed_on:
            raise ValueError("a certificate cannot expire before it is issued")

    def is_expired(self, today: dt.date | None = None) -> bool:
        """True once the validity (recertification) period is over."""
        today = today or dt.datetime.now(dt.UTC).date()
        return self.expires_on is not None and today > self.expires_on

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (dates as ISO strings, tuples as lists)."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, StrEnum):
                value = str(value)
            data[item.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertificateSnapshot:
        """The inverse of :meth:`to_dict`; unknown keys are ignored (a newer writer)."""
        known = {item.name for item in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("completed_on", "expires_on"):
            if isinstance(values.get(key), str):
                values[key] = dt.date.fromisoformat(values[key])
        return cls(**values)


def expiry_date(completed_on: dt.date, validity_years: int | None) -> dt.date | None:
    """The day a certificate valid for ``validity_years`` stops being valid (29 Feb → 28 Feb)."""
    if validity_years is None:
        return None
    try:
        return completed_on.replace(year=completed_on.year + validity_years)
    except ValueError:  # 29 February into a year that has none
        return completed_on.replace(year=completed_on.year + validity_years, day=28)
