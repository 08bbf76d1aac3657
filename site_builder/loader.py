"""The one content loader: reads `content/` into an `Academy`, used by the build and the API.

Layout it reads (documented in docs/content.md):

    content/courses/<course>/course.md              course front matter + description
    content/courses/<course>/NN-<section>/          a section (optional section.yml)
    content/courses/<course>/NN-<section>/NN-<lesson>.md
    content/courses/<course>/media/                 files the course uses
    content/instructors/<slug>.md, content/masterclasses/<slug>.md, content/programs/<slug>.md
    content/blog/*.md, content/pages/*.md           read by Pelican through our reader

Loading never stops at the first problem: every file is read, and cross-file rules run in
`validation.check_academy`, so `lms check` can list everything at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from slugify import slugify

from .frontmatter import read_document, read_yaml_file, validate
from .models import (
    BlogPostMeta,
    CourseMeta,
    InstructorMeta,
    LessonAccess,
    LessonMeta,
    LessonType,
    MasterclassMeta,
    PageMeta,
    ProgramMeta,
    Requirement,
    SectionMeta,
    Status,
)
from .models.common import SLUG_PATTERN
from .problems import Problems

ORDER_PREFIX = re.compile(r"^(\d+)[-_.\s]+(.*)$")
SKIPPED_DIRS = {"media", "assets", "files"}
WORDS_PER_MINUTE = 200


@dataclass
class Lesson:
    id: str
    meta: LessonMeta
    course_slug: str
    section_slug: str
    source: Path
    body: str
    body_line: int
    digest: str
    position: int = 0  # 0-based order within the course
    public: bool = False  # the body may appear in the static site

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def type(self) -> LessonType:
        return self.meta.type

    @property
    def duration(self) -> int:
        """Minutes: as declared, or estimated from the words and questions."""
        if self.meta.duration:
            return self.meta.duration
        words = _word_count(self.body)
        minutes = max(1, round(words / WORDS_PER_MINUTE))
        if self.meta.evaluation:
            minutes = max(minutes, round(len(self.meta.evaluation.questions) * 1.5))
        return minutes

    @property
    def url_path(self) -> str:
        return f"courses/{self.course_slug}/{self.id}/"


@lru_cache(maxsize=16384)
def _word_count(text: str) -> int:
    """Words of a body. Cached: every syllabus shows every lesson's duration, so a course of
    100 lessons asks for each one 100 times per build (and `str.split` of a body is slow)."""
    return len(text.split())


@dataclass
class Section:
    slug: str
    title: str
    summary: str | None
    source: Path
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Course:
    slug: str
    meta: CourseMeta
    source: Path
    description: str
    description_line: int
    digest: str
    sections: list[Section] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.source.parent

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def published(self) -> bool:
        return self.meta.status is Status.published

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for section in self.sections for lesson in section.lessons]

    def lesson(self, lesson_id: str) -> Lesson | None:
        for section in self.sections:  # not `self.lessons`: no list built per lookup
            for lesson in section.lessons:
                if lesson.id == lesson_id:
                    return lesson
        return None

    @property
    def duration(self) -> int:
        """Minutes of the path to completion: required lessons plus the shortest lesson of
        each alternative group. Optional lessons are extra (see `total_duration`)."""
        groups: dict[str, int] = {}
        required = 0
        for lesson in self.lessons:
            if lesson.meta.requirement is Requirement.required:
                required += lesson.duration
            elif lesson.meta.requirement is Requirement.alternative and lesson.meta.group:
                best = groups.get(lesson.meta.group)
                groups[lesson.meta.group] = min(best or lesson.duration, lesson.duration)
        return required + sum(groups.values())

    @property
    def total_duration(self) -> int:
        """Minutes of every lesson, optional and alternative ones included."""
        return sum(lesson.duration for lesson in self.lessons)

    @property
    def url_path(self) -> str:
        return f"courses/{self.slug}/"


@dataclass
class Instructor:
    slug: str
    meta: InstructorMeta
    source: Path
    bio: str
    digest: str
    body_line: int = 1

    @property
    def name(self) -> str:
        return self.meta.name


@dataclass
class Masterclass:
    slug: str
    meta: MasterclassMeta
    source: Path
    description: str
    digest: str
    body_line: int = 1

    @property
    def published(self) -> bool:
        return self.meta.status is Status.published


@dataclass
class Program:
    slug: str
    meta: ProgramMeta
    source: Path
    description: str
    digest: str
    body_line: int = 1


@dataclass
class Academy:
    """Everything under `content/` that is not a Pelican article or page."""

    root: Path
    courses: list[Course] = field(default_factory=list)
    instructors: dict[str, Instructor] = field(default_factory=dict)
    masterclasses: list[Masterclass] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)

    def course(self, slug: str) -> Course | None:
        return next((c for c in self.courses if c.slug == slug), None)

    @property
    def published_courses(self) -> list[Course]:
        return [c for c in self.courses if c.published]


def load_academy(root: Path, problems: Problems | None = None) -> tuple[Academy, Problems]:
    """Read every course, instructor, master class and program under `root`."""
    problems = problems if problems is not None else Problems()
    academy = Academy(root=root)
    if not root.is_dir():
        problems.add(root, 1, "content folder not found", "run `lms` from your school's repo")
        return academy, problems
    for folder in _children(root / "courses", dirs=True):
        course = _load_course(folder, problems)
        if course is not None:
            academy.courses.append(course)
    academy.courses.sort(key=lambda c: (c.meta.order, c.title.lower()))
    for path in _children(root / "instructors", suffix=".md"):
        doc = read_document(path, problems)
        meta = doc and validate(doc, InstructorMeta, problems)
        if doc and meta and _valid_slug(path.stem, path, problems):
            academy.instructors[path.stem] = Instructor(
                path.stem, meta, path, doc.body, doc.digest, doc.body_line
            )
    for path in _children(root / "masterclasses", suffix=".md"):
        doc = read_document(path, problems)
        meta = doc and validate(doc, MasterclassMeta, problems)
        if doc and meta and _valid_slug(path.stem, path, problems):
            academy.masterclasses.append(
                Masterclass(path.stem, meta, path, doc.body, doc.digest, doc.body_line)
            )
    academy.masterclasses.sort(key=lambda m: m.meta.start_utc())
    for path in _children(root / "programs", suffix=".md"):
        doc = read_document(path, problems)
        meta = doc and validate(doc, ProgramMeta, problems)
        if doc and meta and _valid_slug(path.stem, path, problems):
            academy.programs.append(
                Program(path.stem, meta, path, doc.body, doc.digest, doc.body_line)
            )
    return academy, problems


def check_articles(root: Path, problems: Problems) -> None:
    """Validate blog posts and pages; Pelican reads them for the build with the same models."""
    for folder, model in (("blog", BlogPostMeta), ("pages", PageMeta)):
        for path in sorted((root / folder).rglob("*.md")) if (root / folder).is_dir() else []:
            doc = read_document(path, problems)
            if doc is not None:
                validate(doc, model, problems)


def _load_course(folder: Path, problems: Problems) -> Course | None:
    source = folder / "course.md"
    if not source.is_file():
        problems.add(
            folder, 1, "course folder without course.md", "run `lms new course` to scaffold one"
        )
        return None
    doc = read_document(source, problems)
    meta = validate(doc, CourseMeta, problems) if doc is not None else None
    valid_slug = _valid_slug(folder.name, source, problems)
    if doc is None or meta is None or not valid_slug:
        _check_lesson_files(folder, problems)  # their own problems, listed now, not later
        return None
    course = Course(folder.name, meta, source, doc.body, doc.body_line, doc.digest)
    for loose in _children(folder, suffix=".md"):
        if loose.name != "course.md":
            problems.add(
                loose,
                1,
                "lesson outside a section",
                f"move it into a section folder, e.g. {folder.name}/01-introduction/",
            )
    for section_dir in _children(folder, dirs=True):
        if section_dir.name in SKIPPED_DIRS:
            continue
        section = _load_section(section_dir, course, problems)
        course.sections.append(section)
    for position, lesson in enumerate(course.lessons):
        lesson.position = position
        lesson.public = _is_public(course, lesson)
    return course


def _check_lesson_files(folder: Path, problems: Problems) -> None:
    """Validate the lessons of a course that could not be loaded, file by file."""
    for section_dir in _children(folder, dirs=True):
        if section_dir.name in SKIPPED_DIRS:
            continue
        if (section_dir / "section.yml").is_file():
            section_doc = read_yaml_file(section_dir / "section.yml", problems)
            if section_doc is not None:
                validate(section_doc, SectionMeta, problems)
        for path in _children(section_dir, suffix=".md"):
            doc = read_document(path, problems)
            if doc is not None:
                validate(doc, LessonMeta, problems)


def _load_section(folder: Path, course: Course, problems: Problems) -> Section:
    slug = _unprefixed(folder.name)
    title = slug.replace("-", " ").capitalize()
    summary = None
    section_file = folder / "section.yml"
    if section_file.is_file():
        doc = read_yaml_file(section_file, problems)
        meta = doc and validate(doc, SectionMeta, problems)
        if meta:
            title = meta.title or title
            summary = meta.summary
    section = Section(slugify(slug) or "section", title, summary, folder)
    for path in _children(folder, suffix=".md"):
        lesson = _load_lesson(path, course, section, problems)
        if lesson is not None:
            section.lessons.append(lesson)
    return section


def _load_lesson(path: Path, course: Course, section: Section, problems: Problems) -> Lesson | None:
    doc = read_document(path, problems)
    if doc is None:
        return None
    meta = validate(doc, LessonMeta, problems)
    if meta is None:
        return None
    lesson_id = meta.id or slugify(_unprefixed(path.stem))
    return Lesson(
        id=lesson_id,
        meta=meta,
        course_slug=course.slug,
        section_slug=section.slug,
        source=path,
        body=doc.body,
        body_line=doc.body_line,
        digest=doc.digest,
    )


def _is_public(course: Course, lesson: Lesson) -> bool:
    """May this lesson's body be written into the static site? The security line."""
    if not course.published:
        return False
    if lesson.meta.preview:
        return True
    return course.meta.is_free and course.meta.access is LessonAccess.public


def _valid_slug(slug: str, path: Path, problems: Problems) -> bool:
    if re.fullmatch(SLUG_PATTERN, slug):
        return True
    problems.add(
        path,
        1,
        f"`{slug}` is not a valid slug",
        f"rename it to `{slugify(slug)}`: lowercase letters, digits and hyphens",
    )
    return False


def _unprefixed(name: str) -> str:
    match = ORDER_PREFIX.match(name)
    return match.group(2) if match else name


def _order_key(path: Path) -> tuple[int, str]:
    match = ORDER_PREFIX.match(path.name)
    return (int(match.group(1)) if match else 10**9, path.name)


def _children(folder: Path, *, dirs: bool = False, suffix: str = "") -> Iterator[Path]:
    """Visible entries of a folder in author order (numeric prefix, then name)."""
    if not folder.is_dir():
        return iter(())
    entries = [
        p
        for p in folder.iterdir()
        if not p.name.startswith((".", "_"))
        and (p.is_dir() if dirs else p.is_file() and p.suffix == suffix)
    ]
    return iter(sorted(entries, key=_order_key))


__all__ = [
    "Academy",
    "Course",
    "Instructor",
    "Lesson",
    "Masterclass",
    "Program",
    "Requirement",
    "Section",
    "check_articles",
    "load_academy",
]
