"""The published catalog as the API serves it: the current version, cached per process.

Each API process keeps the parsed manifest of the versions it has seen and checks which
version is current at most every ``LMS_CATALOG_REFRESH_SECONDS`` (one indexed query), so
several processes sharing one database all move to a new publish within that delay, and a
publish made by this process (``lms serve``) is seen at once (:meth:`CatalogStore.forget`).
Attempts are graded against the version they started with (:meth:`CatalogStore.version`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.requests import Request

from dynamic_api.models import CatalogBlob, CatalogFile, CatalogVersion
from site_builder.manifest import (
    Manifest,
    ManifestCourse,
    ManifestLesson,
    ManifestMasterclass,
    ManifestProgram,
)

MANIFEST_PATH = "manifest.json"

#: Parsed versions kept per process (the current one plus those of running attempts).
VERSIONS_KEPT = 8

#: Lesson bodies and media kept in memory, by content hash, up to this many bytes.
FILE_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class CourseIndex:
    """A course of the manifest with the look-ups the endpoints need."""

    course: ManifestCourse
    lessons: dict[str, ManifestLesson]
    order: list[str]
    #: Old lesson id → current id, from the lessons' ``renamed_from``.
    renamed: dict[str, str]

    @classmethod
    def of(cls, course: ManifestCourse) -> CourseIndex:
        lessons = {lesson.id: lesson for lesson in course.lessons}
        renamed = {old: x.id for x in course.lessons for old in x.renamed_from}
        return cls(course, lessons, [x.id for x in course.lessons], renamed)

    def lesson(self, lesson_id: str) -> ManifestLesson | None:
        return self.lessons.get(lesson_id) or self.lessons.get(self.renamed.get(lesson_id, ""))

    def after(self, lesson_id: str) -> str | None:
        """The id of the lesson after ``lesson_id`` in syllabus order."""
        try:
            index = self.order.index(lesson_id)
        except ValueError:
            return None
        return self.order[index + 1] if index + 1 < len(self.order) else None

    def before(self, lesson_id: str) -> str | None:
        try:
            index = self.order.index(lesson_id)
        except ValueError:
            return None
        return self.order[index - 1] if index > 0 else None

    @cached_property
    def has_evaluations(self) -> bool:
        return any(lesson.evaluation is not None for lesson in self.course.lessons)

    @cached_property
    def section_titles(self) -> dict[str, str]:
        return {section.slug: section.title for section in self.course.sections}


@dataclass(frozen=True)
class Catalog:
    """One published version, parsed."""

    version_id: int
    manifest: Manifest
    courses: dict[str, CourseIndex] = field(default_factory=dict)

    @classmethod
    def of(cls, version_id: int, manifest: Manifest) -> Catalog:
        return cls(version_id, manifest, {c.slug: CourseIndex.of(c) for c in manifest.courses})

    def course(self, slug: str) -> CourseIndex | None:
        return self.courses.get(slug)

    @cached_property
    def masterclasses(self) -> dict[str, ManifestMasterclass]:
        return {m.slug: m for m in self.manifest.masterclasses}

    @cached_property
    def programs(self) -> dict[str, ManifestProgram]:
        return {p.slug: p for p in self.manifest.programs}

    @cached_property
    def instructor_names(self) -> dict[str, str]:
        return {i.slug: i.name for i in self.manifest.instructors}


def current_version_id(session: Session) -> int | None:
    return session.exec(select(sa.func.max(CatalogVersion.id))).one()


def read_file(session: Session, version_id: int, path: str) -> tuple[str, bytes] | None:
    """``(sha256, bytes)`` of one file of a version, or ``None``."""
    row = session.exec(
        select(CatalogBlob.sha256, CatalogBlob.data)
        .join(CatalogFile, col(CatalogFile.sha256) == col(CatalogBlob.sha256))
        .where(col(CatalogFile.version_id) == version_id, col(CatalogFile.path) == path)
    ).first()
    return (row[0], bytes(row[1])) if row else None


def file_hash(session: Session, version_id: int, path: str) -> str | None:
    return session.exec(
        select(CatalogFile.sha256).where(
            col(CatalogFile.version_id) == version_id, col(CatalogFile.path) == path
        )
    ).first()


class CatalogStore:
    """Per-process cache of parsed catalog versions and of file contents (thread-safe)."""

    def __init__(self, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._versions: OrderedDict[int, Catalog] = OrderedDict()
        self._current: int | None = None
        self._checked_at = float("-inf")
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._file_bytes = 0

    def forget(self) -> None:
        """Look the current version up again on the next request (after a local publish)."""
        with self._lock:
            self._checked_at = float("-inf")

    def current(self, session: Session) -> Catalog | None:
        """The current version, or ``None`` when nothing was ever published."""
        now = time.monotonic()
        with self._lock:
            stale = now - self._checked_at >= self.refresh_seconds
            current = self._current
        if stale:
            current = current_version_id(session)
            with self._lock:
                self._current, self._checked_at = current, now
        return self.version(session, current) if current is not None else None

    def fresh(self) -> Catalog | None:
        """The current version if it was checked within the refresh interval and is parsed
        already; ``None`` otherwise (then use :meth:`current`). Costs no query."""
        with self._lock:
            if time.monotonic() - self._checked_at >= self.refresh_seconds:
                return None
            return self._versions.get(self._current) if self._current is not None else None

    def version(self, session: Session, version_id: int) -> Catalog | None:
        """A version by id (parsed once per process)."""
        with self._lock:
            cached = self._versions.get(version_id)
            if cached is not None:
                self._versions.move_to_end(version_id)
                return cached
        found = read_file(session, version_id, MANIFEST_PATH)
        if found is None:
            return None
        catalog = Catalog.of(version_id, Manifest.model_validate_json(found[1]))
        with self._lock:
            self._versions[version_id] = catalog
            while len(self._versions) > VERSIONS_KEPT:
                self._versions.popitem(last=False)
        return catalog

    def file(self, session: Session, version_id: int, path: str) -> bytes | None:
        """A file of a version (a gated lesson body, a private media file)."""
        sha = file_hash(session, version_id, path)
        if sha is None:
            return None
        with self._lock:
            data = self._files.get(sha)
            if data is not None:
                self._files.move_to_end(sha)
                return data
        found = read_file(session, version_id, path)
        if found is None:
            return None
        sha, data = found
        if len(data) <= FILE_CACHE_BYTES // 4:
            with self._lock:
                if sha not in self._files:
                    self._files[sha] = data
                    self._file_bytes += len(data)
                while self._file_bytes > FILE_CACHE_BYTES:
                    _, dropped = self._files.popitem(last=False)
                    self._file_bytes -= len(dropped)
        return data


def request_catalog(request: Request) -> CatalogStore:
    """The API process's catalog store (made by ``create_app``)."""
    store: CatalogStore = request.app.state.catalog
    return store
