"""The private bundle: what the API needs from a build, and what must never be public.

`lms build` writes `var/site/manifest.json` plus the rendered bodies of gated lessons under
`var/site/lessons/<course>/<lesson>.html` and their private media under
`var/site/media/<course>/…`. The manifest holds the catalog as the API enforces it: ids and
order, requirements, prices, evaluation definitions *with answer keys*, and master-class join
links. Nothing here is written to `output/`; `tests/test_leaks.py` proves it.

The API reads this through `Manifest.model_validate_json` (`lms publish`, issue "Learning").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .loader import Academy, Course, Lesson
from .models import Evaluation

MANIFEST_VERSION = 1


class ManifestPrice(BaseModel):
    amount: Decimal
    currency: str


class ManifestLesson(BaseModel):
    id: str
    title: str
    type: str
    section: str
    position: int
    requirement: str
    group: str | None
    preview: bool
    public: bool  # body is in the static site
    duration: int
    renamed_from: list[str]
    body_path: str | None  # relative to the bundle; None when the body is public
    evaluation: Evaluation | None  # full definition, answer keys included
    required_evaluation: bool


class ManifestSection(BaseModel):
    slug: str
    title: str
    lessons: list[str]


class ManifestCourse(BaseModel):
    slug: str
    title: str
    summary: str
    status: str
    language: str
    level: str
    tags: list[str]
    instructors: list[str]
    price: ManifestPrice | None
    audit: bool
    access: str
    certificate: dict[str, Any]
    capacity: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    duration: int
    sections: list[ManifestSection]
    lessons: list[ManifestLesson]


class ManifestMasterclass(BaseModel):
    slug: str
    title: str
    summary: str
    status: str
    instructors: list[str]
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    timezone: str
    capacity: int | None
    price: ManifestPrice | None
    platform: str
    join_url: str | None
    recording_url: str | None


class ManifestProgram(BaseModel):
    slug: str
    title: str
    courses: list[str]
    price: ManifestPrice | None
    certificate: dict[str, Any]
    status: str


class ManifestInstructor(BaseModel):
    slug: str
    name: str


class Manifest(BaseModel):
    format: int = MANIFEST_VERSION
    version: str  # content hash: the same content gives the same version
    built_at: dt.datetime
    site_url: str
    site_name: str = ""  # pelicanconf's SITENAME: the issuer printed on certificates
    courses: list[ManifestCourse]
    masterclasses: list[ManifestMasterclass]
    programs: list[ManifestProgram]
    instructors: list[ManifestInstructor]


def _price(price: Any) -> ManifestPrice | None:
    return ManifestPrice(amount=price.amount, currency=price.currency) if price else None


def body_path(lesson: Lesson) -> str:
    return f"lessons/{lesson.course_slug}/{lesson.id}.html"


def _lesson(lesson: Lesson) -> ManifestLesson:
    meta = lesson.meta
    return ManifestLesson(
        id=lesson.id,
        title=lesson.title,
        type=str(meta.type),
        section=lesson.section_slug,
        position=lesson.position,
        requirement=str(meta.requirement),
        group=meta.group,
        preview=meta.preview,
        public=lesson.public,
        duration=lesson.duration,
        renamed_from=list(meta.renamed_from),
        body_path=None if lesson.public else body_path(lesson),
        evaluation=meta.evaluation,
        required_evaluation=meta.required_evaluation,
    )


def _course(course: Course) -> ManifestCourse:
    meta = course.meta
    return ManifestCourse(
        slug=course.slug,
        title=course.title,
        summary=meta.summary,
        status=str(meta.status),
        language=meta.language,
        level=str(meta.level),
        tags=meta.tags,
        instructors=meta.instructors,
        price=_price(meta.price),
        audit=meta.audit,
        access=str(meta.access),
        certificate=meta.certificate.model_dump(),
        capacity=meta.capacity,
        start_date=meta.start_date,
        end_date=meta.end_date,
        duration=course.duration,
        sections=[
            ManifestSection(slug=s.slug, title=s.title, lessons=[x.id for x in s.lessons])
            for s in course.sections
        ],
        lessons=[_lesson(x) for x in course.lessons],
    )


def build_manifest(academy: Academy, site_url: str, site_name: str = "") -> Manifest:
    """The manifest of an academy; `version` changes exactly when the content changes."""
    digest = hashlib.sha256()
    for path in sorted(academy.root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(academy.root)).encode())
            digest.update(path.read_bytes())
    return Manifest(
        version=digest.hexdigest()[:16],
        built_at=dt.datetime.now(dt.UTC),
        site_url=site_url,
        site_name=site_name,
        courses=[_course(c) for c in academy.courses],
        masterclasses=[
            ManifestMasterclass(
                slug=m.slug,
                title=m.meta.title,
                summary=m.meta.summary,
                status=str(m.meta.status),
                instructors=m.meta.instructors,
                start=m.meta.start_utc(),
                end=m.meta.end_utc(),
                timezone=m.meta.timezone,
                capacity=m.meta.capacity,
                price=_price(m.meta.price),
                platform=str(m.meta.platform),
                join_url=str(m.meta.join_url) if m.meta.join_url else None,
                recording_url=str(m.meta.recording_url) if m.meta.recording_url else None,
            )
            for m in academy.masterclasses
        ],
        programs=[
            ManifestProgram(
                slug=p.slug,
                title=p.meta.title,
                courses=p.meta.courses,
                price=_price(p.meta.price),
                certificate=p.meta.certificate.model_dump(),
                status=str(p.meta.status),
            )
            for p in academy.programs
        ],
        instructors=[
            ManifestInstructor(slug=i.slug, name=i.name) for i in academy.instructors.values()
        ],
    )
