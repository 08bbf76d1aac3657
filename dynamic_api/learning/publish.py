"""Publishing a build's private bundle as a new catalog version.

`lms publish` reads ``var/site/`` (``manifest.json``, ``lessons/…``, ``media/…``) and either
stores it in the database directly or uploads it as a ``.tar.gz`` to ``POST
/api/admin/catalog`` with the deploy token; both end in :func:`publish_files`.

One transaction inserts the new blobs, the version's file list and the version row, and moves
the records of renamed lessons (``renamed_from`` in a lesson's front matter) to their new ids.
Records of lessons that simply disappeared are left alone: a later version that brings the
lesson back finds them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import ValidationError
from sqlmodel import Session, col, select, update

from dynamic_api.learning.catalog import MANIFEST_PATH, current_version_id
from dynamic_api.learning.enrollment import ensure_counters, seat_key
from dynamic_api.models import (
    Attempt,
    AttemptRequest,
    CatalogBlob,
    CatalogFile,
    CatalogVersion,
    Enrollment,
    LessonProgress,
)
from site_builder.manifest import MANIFEST_VERSION, Manifest

logger = logging.getLogger(__name__)

#: The folders of the private bundle that are published, beside ``manifest.json``.
BUNDLE_FOLDERS = ("lessons", "media")


class BundleError(ValueError):
    """The bundle cannot be published (missing manifest, bad archive, unsafe path…)."""


@dataclass(frozen=True)
class PublishResult:
    version_id: int
    version: str
    created: bool  # False: the same content is already the current version
    files: int
    new_bytes: int  # bytes of content the database did not have yet
    moved_records: int  # progress and attempt rows carried over by declared renames


def read_bundle_dir(root: Path) -> dict[str, bytes]:
    """The publishable files of a private bundle folder, by relative POSIX path."""
    manifest = root / MANIFEST_PATH
    if not manifest.is_file():
        raise BundleError(f"{manifest} does not exist: run `lms build` first")
    files = {MANIFEST_PATH: manifest.read_bytes()}
    for folder in BUNDLE_FOLDERS:
        base = root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def pack(files: Mapping[str, bytes]) -> bytes:
    """The bundle as a ``.tar.gz``, the upload format of ``POST /api/admin/catalog``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _safe_path(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BundleError(f"unsafe path in the bundle: {name!r}")
    normalized = path.as_posix()
    if normalized != MANIFEST_PATH and path.parts[0] not in BUNDLE_FOLDERS:
        raise BundleError(f"unexpected file in the bundle: {name!r}")
    if len(normalized) > 500:
        raise BundleError(f"path too long in the bundle: {name[:80]!r}…")
    return normalized


def unpack(archive: bytes, max_bytes: int) -> dict[str, bytes]:
    """Files of an uploaded ``.tar.gz``: regular files only, no path escaping the bundle,
    at most ``max_bytes`` once uncompressed (a small archive can expand a lot)."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BundleError(f"only regular files may be published: {member.name!r}")
                total += member.size
                if total > max_bytes:
                    raise BundleError(f"the bundle is larger than {max_bytes} bytes uncompressed")
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[_safe_path(member.name)] = extracted.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"not a valid .tar.gz archive: {exc}") from exc
    return files


def parse_manifest(files: Mapping[str, bytes]) -> Manifest:
    data = files.get(MANIFEST_PATH)
    if data is None:
        raise BundleError("the bundle has no manifest.json")
    try:
        manifest = Manifest.model_validate_json(data)
    except ValidationError as exc:
        raise BundleError(f"manifest.json is not valid: {exc.errors()[0]['msg']}") from exc
    if manifest.format != MANIFEST_VERSION:
        raise BundleError(
            f"manifest format {manifest.format} is not supported (expected {MANIFEST_VERSION})"
        )
    missing = [
        lesson.body_path
        for course in manifest.courses
        for lesson in course.lessons
        if lesson.body_path and lesson.body_path not in files
    ]
    if missing:
        raise BundleError(f"lesson bodies missing from the bundle: {', '.join(missing[:5])}")
    return manifest


def publish_files(
    session: Session, files: Mapping[str, bytes], published_by: str = ""
) -> PublishResult:
    """Store ``files`` as the new current version (no-op when the content is unchanged)."""
    manifest = parse_manifest(files)
    for path in files:
        _safe_path(path)
    current = current_version_id(session)
    if current is not None:
        current_row = session.get(CatalogVersion, current)
        if current_row is not None and current_row.version == manifest.version:
            return PublishResult(current, manifest.version, False, len(files), 0, 0)

    hashes = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    known = set(
        session.exec(
            select(CatalogBlob.sha256).where(col(CatalogBlob.sha256).in_(set(hashes.values())))
        ).all()
    )
    new_bytes = 0
    for path, data in files.items():
        sha = hashes[path]
        if sha not in known:
            session.add(CatalogBlob(sha256=sha, size=len(data), data=data))
            known.add(sha)
            new_bytes += len(data)
    session.flush()
    version = CatalogVersion(
        version=manifest.version,
        published_by=published_by[:200],
        file_count=len(files),
        total_bytes=sum(len(data) for data in files.values()),
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    session.add_all(
        CatalogFile(version_id=version.id, path=path, sha256=hashes[path], size=len(data))
        for path, data in files.items()
    )
    moved = carry_over_renames(session, manifest)
    ensure_counters(
        session,
        [seat_key("course", c.slug) for c in manifest.courses if c.capacity is not None]
        + [seat_key("masterclass", m.slug) for m in manifest.masterclasses if m.capacity],
    )
    session.flush()
    logger.info(
        "Published catalog version %s (id %s): %s files, %s new bytes, %s records renamed",
        manifest.version,
        version.id,
        len(files),
        new_bytes,
        moved,
    )
    return PublishResult(version.id, manifest.version, True, len(files), new_bytes, moved)


def carry_over_renames(session: Session, manifest: Manifest) -> int:
    """Move student records from each declared old lesson id to the lesson's current id.

    Where a student already has a record under the new id, theirs under the new id wins and
    the old one stays as it is (never merged silently, never deleted).
    """
    moved = 0
    for course in manifest.courses:
        for lesson in course.lessons:
            for old in lesson.renamed_from:
                moved += _rename_lesson(session, course.slug, old, lesson.id)
    return moved


def _rename_lesson(session: Session, course: str, old: str, new: str) -> int:
    moved = 0
    rows = session.exec(
        select(LessonProgress).where(
            col(LessonProgress.course) == course, col(LessonProgress.lesson) == old
        )
    ).all()
    for row in rows:
        clash = session.exec(
            select(LessonProgress.id).where(
                col(LessonProgress.user_id) == row.user_id,
                col(LessonProgress.course) == course,
                col(LessonProgress.lesson) == new,
            )
        ).first()
        if clash is None:
            row.lesson = new
            session.add(row)
            moved += 1
    attempts = session.exec(
        select(Attempt).where(col(Attempt.course) == course, col(Attempt.lesson) == old)
    ).all()
    for attempt in attempts:
        clash = session.exec(
            select(Attempt.id).where(
                col(Attempt.user_id) == attempt.user_id,
                col(Attempt.course) == course,
                col(Attempt.lesson) == new,
                col(Attempt.number) == attempt.number,
            )
        ).first()
        if clash is None:
            attempt.lesson = new
            session.add(attempt)
            moved += 1
    session.exec(  # type: ignore[call-overload]
        update(AttemptRequest)
        .where(col(AttemptRequest.course) == course, col(AttemptRequest.lesson) == old)
        .values(lesson=new)
    )
    session.exec(  # type: ignore[call-overload]
        update(Enrollment)
        .where(col(Enrollment.course) == course, col(Enrollment.last_lesson) == old)
        .values(last_lesson=new)
    )
    return moved
