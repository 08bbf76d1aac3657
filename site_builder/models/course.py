"""Courses, sections and programs: the folder structure of `content/courses/`."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from .common import (
    SLUG_PATTERN,
    Certificate,
    CertificateField,
    Level,
    PriceField,
    Status,
    StrictModel,
)


class LessonAccess(StrEnum):
    """Who may read the lessons of a free course."""

    public = "public"  # every visitor: the lesson body is in the static page
    enrolled = "enrolled"  # signed-in, enrolled students: the body comes from the API


class CourseMeta(StrictModel):
    """The front matter of `content/courses/<slug>/course.md`; the body is the description."""

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400, description="One or two sentences.")
    level: Level = Level.beginner
    language: str = Field("en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="BCP 47 code.")
    tags: list[str] = Field(default_factory=list)
    instructors: list[str] = Field(min_length=1, description="Instructor slugs.")
    price: PriceField = Field(None, description="`free` (default) or `{amount, currency}`.")
    audit: bool = Field(
        False, description="Allow auditing: lessons without graded evaluations or certificate."
    )
    certificate: CertificateField = Field(default_factory=lambda: Certificate(enabled=False))
    access: LessonAccess = Field(
        LessonAccess.public,
        description="Free courses: are lessons public, or for enrolled students only?",
    )
    status: Status = Status.published
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    capacity: int | None = Field(None, ge=1, description="Maximum number of enrolled students.")
    image: str | None = Field(None, description="Cover image, relative to the course folder.")
    image_alt: str = Field(
        "", max_length=300, description="Text alternative of `image`; empty = decorative."
    )
    order: int = Field(100, description="Position in the catalog (lower first).")

    @model_validator(mode="after")
    def _dates_in_order(self) -> CourseMeta:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("`end_date` is before `start_date`")
        return self

    @property
    def is_free(self) -> bool:
        return self.price is None


class SectionMeta(StrictModel):
    """Optional `section.yml` in a section folder; without it the folder name is the title."""

    title: str | None = None
    summary: str | None = None


class ProgramMeta(StrictModel):
    """A bundle of courses sold together, with its own price and certificate."""

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400)
    courses: list[str] = Field(min_length=2, description="Course slugs, in order.")
    price: PriceField = None
    certificate: CertificateField = Field(default_factory=lambda: Certificate(enabled=False))
    status: Status = Status.published
    image: str | None = None
    image_alt: str = Field(
        "", max_length=300, description="Text alternative of `image`; empty = decorative."
    )


__all__ = ["SLUG_PATTERN", "CourseMeta", "LessonAccess", "ProgramMeta", "SectionMeta"]
