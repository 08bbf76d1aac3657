"""Lessons: one Markdown file each, typed by its front matter."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, HttpUrl, model_validator

from .common import SLUG_PATTERN, StrictModel, Subtitle
from .evaluation import EvaluationField


class LessonType(StrEnum):
    text = "text"
    video = "video"
    audio = "audio"
    pdf = "pdf"
    image = "image"
    download = "download"
    link = "link"
    slides = "slides"
    evaluation = "evaluation"


class Requirement(StrEnum):
    required = "required"
    optional = "optional"
    alternative = "alternative"


class VideoProvider(StrEnum):
    youtube = "youtube"
    vimeo = "vimeo"
    file = "file"


class Video(StrictModel):
    provider: VideoProvider
    id: str | None = Field(None, description="YouTube or Vimeo video id.")
    src: str | None = Field(None, description="Self-hosted file, relative to the course folder.")
    poster: str | None = Field(None, description="Image shown before playing (self-hosted).")
    subtitles: list[Subtitle] = Field(default_factory=list)

    @model_validator(mode="after")
    def _source_matches_provider(self) -> Video:
        if self.provider is VideoProvider.file:
            if not self.src:
                raise ValueError("a self-hosted video (`provider: file`) needs `src:`")
        elif not self.id or not re.fullmatch(r"[A-Za-z0-9_-]{6,20}", self.id):
            raise ValueError(f"a {self.provider} video needs its `id:` (letters, digits, - _)")
        return self


class Audio(StrictModel):
    src: str = Field(description="Audio file (mp3, ogg, m4a), relative to the course folder.")
    subtitles: list[Subtitle] = Field(default_factory=list)


class Document(StrictModel):
    """A PDF, an image, or a downloadable file."""

    src: str = Field(description="The file, relative to the course folder.")
    alt: str | None = Field(None, description="Text alternative (images).")
    label: str | None = Field(None, description="Text of the download button.")


class ExternalLink(StrictModel):
    url: HttpUrl
    label: str | None = None


# Which front-matter block each lesson type needs.
TYPE_BLOCKS: dict[LessonType, str] = {
    LessonType.video: "video",
    LessonType.audio: "audio",
    LessonType.pdf: "pdf",
    LessonType.image: "image",
    LessonType.download: "download",
    LessonType.link: "link",
    LessonType.evaluation: "evaluation",
}


class LessonMeta(StrictModel):
    """The front matter of a lesson file."""

    title: str = Field(min_length=1, max_length=200)
    type: LessonType = LessonType.text
    id: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        description="Stable id. Default: the file name without its order prefix "
        "(`02-loops.md` → `loops`). Progress is stored by it: change it only with `renamed_from`.",
    )
    renamed_from: list[str] = Field(
        default_factory=list, description="Former ids of this lesson: progress carries over."
    )
    summary: str | None = Field(None, max_length=500)
    requirement: Requirement = Requirement.required
    group: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        description="Name of the alternative group (with `requirement: alternative`).",
    )
    preview: bool = Field(False, description="Open to every visitor, even in a paid course.")
    duration: int | None = Field(
        None, ge=1, le=1440, description="Minutes; default estimated from the text."
    )
    video: Video | None = None
    audio: Audio | None = None
    pdf: Document | None = None
    image: Document | None = None
    download: Document | None = None
    link: ExternalLink | None = None
    evaluation: EvaluationField | None = None
    required_evaluation: bool = Field(
        True, description="Evaluations: passing it is needed to complete the course."
    )

    @model_validator(mode="after")
    def _blocks_match_type(self) -> LessonMeta:
        needed = TYPE_BLOCKS.get(self.type)
        if needed and getattr(self, needed) is None:
            raise ValueError(f"a {self.type} lesson needs a `{needed}:` block")
        for lesson_type, block in TYPE_BLOCKS.items():
            if block != needed and getattr(self, block) is not None:
                raise ValueError(
                    f"`{block}:` belongs to {lesson_type} lessons, but this lesson has "
                    f"`type: {self.type}`"
                )
        if self.requirement is Requirement.alternative and not self.group:
            raise ValueError("an alternative lesson needs `group:` (the name of its group)")
        if self.group and self.requirement is not Requirement.alternative:
            raise ValueError("`group:` only applies with `requirement: alternative`")
        return self
