"""Instructors, master classes and blog posts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, HttpUrl, field_validator, model_validator

from .common import PriceField, Status, StrictModel


class InstructorMeta(StrictModel):
    """`content/instructors/<slug>.md`: the body is the biography."""

    name: str = Field(min_length=1, max_length=120)
    headline: str | None = Field(None, max_length=200, description="e.g. `Data engineer`.")
    avatar: str | None = Field(None, description="Image path under `content/`.")
    website: HttpUrl | None = None
    github: str | None = None
    linkedin: HttpUrl | None = None
    mastodon: HttpUrl | None = None


def _parse_local_datetime(value: Any) -> Any:
    """YAML reads `2026-12-10 18:00` (no seconds) as text; accept it as a local time."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


LocalDateTime = Annotated[
    dt.datetime, BeforeValidator(_parse_local_datetime, json_schema_input_type=str)
]


class Platform(StrEnum):
    zoom = "zoom"
    meet = "meet"
    jitsi = "jitsi"
    teams = "teams"
    other = "other"


class MasterclassMeta(StrictModel):
    """`content/masterclasses/<slug>.md`: a live session."""

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400)
    instructors: list[str] = Field(min_length=1)
    start: LocalDateTime = Field(description="Local start time, e.g. `2026-12-10 18:00`.")
    end: LocalDateTime
    timezone: str = Field(description="IANA time zone, e.g. `America/Mexico_City`.")
    capacity: int | None = Field(None, ge=1)
    price: PriceField = None
    platform: Platform = Platform.other
    join_url: HttpUrl | None = Field(
        None, description="Private: kept out of the site, revealed to registered users."
    )
    recording_url: HttpUrl | None = Field(
        None, description="Private: for registered users after the event."
    )
    tags: list[str] = Field(default_factory=list)
    image: str | None = None
    image_alt: str = Field(
        "", max_length=300, description="Text alternative of `image`; empty = decorative."
    )
    status: Status = Status.published

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as `Europe/Madrid`"
            ) from exc
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> MasterclassMeta:
        if self.end <= self.start:
            raise ValueError("the master class ends before it starts: set `end` after `start`")
        return self

    def start_utc(self) -> dt.datetime:
        return _aware(self.start, self.timezone).astimezone(dt.UTC)

    def end_utc(self) -> dt.datetime:
        return _aware(self.end, self.timezone).astimezone(dt.UTC)


def _aware(moment: dt.datetime, zone: str) -> dt.datetime:
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


class BlogPostMeta(StrictModel):
    """`content/blog/*.md`: Pelican articles, with YAML front matter like everything else."""

    title: str = Field(min_length=1, max_length=200)
    date: dt.datetime | dt.date
    author: str = Field(description="An instructor slug.")
    summary: str | None = Field(None, max_length=400)
    tags: list[str] = Field(default_factory=list)
    slug: str | None = None
    image: str | None = None
    image_alt: str = Field(
        "", max_length=300, description="Text alternative of `image`; empty = decorative."
    )
    status: Status = Status.published
    modified: dt.datetime | dt.date | None = None


class PageMeta(StrictModel):
    """`content/pages/*.md`: ordinary pages such as About."""

    title: str = Field(min_length=1, max_length=200)
    slug: str | None = None
    summary: str | None = None
    menu: bool = Field(True, description="List the page in the navigation bar.")
    order: int = 100
    status: Status = Status.published
