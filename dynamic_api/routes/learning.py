"""Learning: the published catalog, enrollment, gated lessons and media, progress, dashboard.

Who may see what is decided in ``dynamic_api/learning/access.py``; the completion rules are in
``dynamic_api/learning/completion.py``. Each endpoint does its database work in one
``run_in_session`` call, which also reads the current catalog version; "complete" and
"un-complete" first read the enrollment and progress on the event loop where the backend
allows it, and take a database thread only to write.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import CurrentUser, current_user, requires, signed_in_user
from dynamic_api.db import run_in_session, utcnow
from dynamic_api.errors import ApiError, read_json
from dynamic_api.learning import access, certificates
from dynamic_api.learning.catalog import Catalog, CatalogStore, CourseIndex, request_catalog
from dynamic_api.learning.enrollment import (
    active_enrollments,
    check_mode,
    enroll,
    get_enrollment,
    seat_key,
    seats_taken,
    unenroll,
)
from dynamic_api.learning.progress import (
    ENROLLMENT_WITH_PROGRESS,
    EnrollmentRead,
    completed_ids,
    course_progress,
    enrollment_with_progress,
    mark_complete,
    mark_incomplete,
    progress_from,
    read_enrollment_with_progress,
    record_completion,
    record_visit,
    with_lesson_state,
)
from dynamic_api.learning.views import (
    CompletionResult,
    CourseList,
    CourseOutline,
    CourseStatus,
    CourseSummary,
    Dashboard,
    EnrollRequest,
    LessonBody,
    VisitRequest,
    catalog_version,
    dashboard_course,
    progress_of,
    status_of,
)
from dynamic_api.loop_reads import LoopReader
from dynamic_api.models import Enrollment, EnrollmentMode
from dynamic_api.responses import json_response

#: Media paths: the build's own file names (no ``..``, no hidden files).
MEDIA_PATH = re.compile(r"^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$")


@dataclass
class CourseContext:
    """What a course endpoint loads first: the catalog, the course, the caller's enrollment."""

    catalog: Catalog
    course: CourseIndex
    enrollment: Enrollment | None


def load_course(
    session: Session, store: CatalogStore, slug: str, user: CurrentUser | None
) -> CourseContext:
    catalog = store.current(session)
    course = access.visible_course(catalog, slug, user)
    assert catalog is not None
    enrollment = get_enrollment(session, user.id, slug) if user is not None else None
    return CourseContext(catalog, course, enrollment)


def course_status(session: Session, context: CourseContext, user: CurrentUser) -> CourseStatus:
    progress = course_progress(session, user.id, context.course, context.enrollment)
    taken = 0
    if context.course.course.capacity is not None:
        taken = seats_taken(session, seat_key("course", context.course.course.slug))
    return status_of(
        context.course,
        progress,
        context.enrollment,
        staff=access.is_staff(user, context.course),
        seats_taken=taken,
    )


async def list_courses(request: Request) -> Response:
    """The published catalog.

    ---
    summary: List courses
    description: >-
      The courses of the catalog version `lms publish` sent last, in content order. Drafts
      are listed only for callers who may see them (their instructors, moderators, admins).
    operationId: listCourses
    tags: [learning]
    responses:
      "200":
        description: The catalog.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CourseList"}
    """
    user = await current_user(request)
    store = request_catalog(request)

    def load(session: Session) -> CourseList:
        catalog = store.current(session)
        courses = [
            CourseSummary.of(index)
            for index in (catalog.courses.values() if catalog else [])
            if index.course.status == "published" or access.is_staff(user, index)
        ]
        return CourseList(version=catalog_version(catalog), courses=courses)

    return json_response(await run_in_session(request, load))


async def get_course(request: Request) -> Response:
    """One course's outline.

    ---
    summary: Get a course outline
    description: >-
      Sections and lessons (id, title, type, requirement, alternative group, preview,
      evaluation or not), without lesson bodies or answer keys.
    operationId: getCourse
    tags: [learning]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The outline.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CourseOutline"}
    """
    user = await current_user(request)
    slug = request.path_params["course"]
    store = request_catalog(request)

    def load(session: Session) -> CourseOutline:
        return CourseOutline.of_index(access.visible_course(store.current(session), slug, user))

    return json_response(await run_in_session(request, load))


@requires()
async def get_status(request: Request) -> Response:
    """The caller's enrollment and progress in a course.

    ---
    summary: Get my status in a course
    description: >-
      Enrollment (mode, date), what the caller can do (enroll, audit), progress (percent,
      completed lessons, the lesson to resume, what is still missing), playback positions and
      the standing on each evaluation.
    operationId: getCourseStatus
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The status.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CourseStatus"}
    """
    user = await signed_in_user(request)
    slug = request.path_params["course"]
    store = request_catalog(request)

    def load(session: Session) -> CourseStatus:
        return course_status(session, load_course(session, store, slug, user), user)

    return json_response(await run_in_session(request, load))


@requires()
async def enroll_in_course(request: Request) -> Response:
    """Enroll in a free course, or audit a course that allows it.

    ---
    summary: Enroll
    description: >-
      `free` enrolls in a free course; `audit` gives every lesson of a course that allows
      auditing, but no graded evaluations and no certificate. Paid courses are enrolled
      through checkout (403 `payment_required`). Enrolling again changes nothing (200); an
      auditor enrolling fully is upgraded. A course with a capacity answers 409
      `course_full` when every seat is taken.
    operationId: enroll
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/EnrollRequest"}
    responses:
      "200":
        description: Already enrolled so; the status.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CourseStatus"}
      "201":
        description: Enrolled; the status.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CourseStatus"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, EnrollRequest, max_bytes=1024)
    mode = EnrollmentMode(body.mode)
    slug = request.path_params["course"]
    store = request_catalog(request)

    def write(session: Session) -> tuple[CourseStatus, bool]:
        context = load_course(session, store, slug, user)
        check_mode(context.course, mode)
        context.enrollment, changed = enroll(session, user.id, context.course, mode)
        return course_status(session, context, user), changed

    status, changed = await run_in_session(request, write)
    return json_response(status, 201 if changed else 200)


@requires()
async def leave_course(request: Request) -> Response:
    """Unenroll; progress is kept for a later return.

    ---
    summary: Unenroll
    description: >-
      Ends a free or audit enrollment (and frees its seat). Progress stays: enrolling again
      finds it. Purchased enrollments end through a refund (409 `paid_enrollment`).
    operationId: unenroll
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
    responses:
      "204": {description: Unenrolled.}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    slug = request.path_params["course"]
    store = request_catalog(request)

    def write(session: Session) -> None:
        context = load_course(session, store, slug, user)
        unenroll(session, user.id, context.course)

    await run_in_session(request, write)
    return Response(status_code=204)


async def get_lesson(request: Request) -> Response:
    """A lesson's body, for callers entitled to it.

    ---
    summary: Get a lesson
    description: >-
      The rendered body of a gated lesson for entitled callers. Otherwise 401
      `not_authenticated`, or 403 with `not_enrolled` or `audit_excluded` (evaluation lessons
      while auditing). Public and preview lessons are open to everyone; the body of a public
      lesson is in its static page, so `html` is null for it.
    operationId: getLesson
    tags: [learning]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The lesson.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/LessonBody"}
      "401": {$ref: "#/components/responses/Unauthorized"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    user = await current_user(request)
    slug, lesson_id = request.path_params["course"], request.path_params["lesson"]
    store = request_catalog(request)

    def load(session: Session) -> LessonBody:
        context = load_course(session, store, slug, user)
        lesson = access.known_lesson(context.course, lesson_id)
        access.check_lesson_access(user, context.course, lesson, context.enrollment)
        html = None
        if lesson.body_path:
            data = store.file(session, context.catalog.version_id, lesson.body_path)
            if data is None:
                raise ApiError(404, "not_found", "This lesson's body was not published.")
            html = data.decode("utf-8")
        return LessonBody(
            course=slug,
            lesson=lesson.id,
            title=lesson.title,
            html=html,
            public=lesson.public,
            previous=context.course.before(lesson.id),
            next=context.course.after(lesson.id),
        )

    return json_response(await run_in_session(request, load))


def _completion_write(
    request: Request, user: CurrentUser, complete: bool, known: EnrollmentRead | None
) -> Callable[[Session], CompletionResult]:
    """The thread side of "complete" / "un-complete": check, write, recompute.

    ``known``: the enrollment and progress rows the event loop read already (then the only
    statements here are the write and its commit); ``None``: read them here, in one query.
    Either way the read is not locked, as before a lone write: the write itself is
    conditional (``completed_at IS NULL`` / ``IS NOT NULL``, then insert-unless-exists), so
    its row count says whether this call changed anything, whatever ran in between.
    """
    slug, lesson_id = request.path_params["course"], request.path_params["lesson"]
    store = request_catalog(request)

    def write(session: Session) -> CompletionResult:
        catalog = store.current(session)
        course = access.visible_course(catalog, slug, user)
        assert catalog is not None
        lesson = access.known_lesson(course, lesson_id)
        read = known or read_enrollment_with_progress(session, user.id, slug)
        enrollment = access.active(read.enrollment)
        if enrollment is None:
            raise ApiError(403, "not_enrolled", "Enroll in the course to record progress.")
        access.check_lesson_access(user, course, lesson, enrollment)
        if lesson.evaluation is not None:
            raise ApiError(
                409,
                "evaluation_lesson",
                "An evaluation is completed by passing it, not by marking it complete.",
            )
        rows = read.rows
        if (lesson.id in completed_ids(course, rows)) == complete:
            changed = False  # a repeat: nothing to write, and the rows read are current
        elif complete:
            changed = mark_complete(session, user.id, slug, lesson.id, known_incomplete=True)
            rows = with_lesson_state(rows, lesson.id, utcnow())  # no second read
        else:
            changed = mark_incomplete(session, user.id, slug, lesson.id)
            rows = with_lesson_state(rows, lesson.id, None)
        progress, newly = record_completion(session, enrollment, course, rows)
        finished = progress.state is not None and progress.state.complete
        certificates.after_completing_write(session, catalog, enrollment, finished)
        return CompletionResult(
            course=slug,
            lesson=lesson.id,
            completed=complete,
            changed=changed,
            course_completed_now=newly,
            progress=progress_of(course, progress, enrollment),
        )

    return write


async def _read_on_the_loop(
    request: Request, user: CurrentUser
) -> tuple[Catalog, EnrollmentRead] | None:
    """The caller's enrollment and progress rows of the course, read on the event loop by
    the session lookup's loop reader (``loop_reads.py``; one query, no thread hop), or
    ``None`` when there is no reader, it cannot answer now, or the catalog must be checked
    in the database first (then the thread path reads them)."""
    reader: LoopReader | None = getattr(request.app.state, "session_reader", None)
    catalog = request_catalog(request).fresh()
    if reader is None or catalog is None:
        return None
    slug = request.path_params["course"]
    found = await reader.fetch(ENROLLMENT_WITH_PROGRESS, {"user_id": user.id, "course": slug})
    return (catalog, enrollment_with_progress(user.id, slug, found)) if found is not None else None


def _repeat_answer(
    request: Request, catalog: Catalog, known: EnrollmentRead, complete: bool
) -> CompletionResult | None:
    """The answer to a repeat (a double click, a retry: the lesson is already in the state
    asked for), which writes nothing; ``None`` when the thread path must decide: a course
    that is not plainly published, evaluations (their scores count), an enrollment that is
    not active, a lesson to change, or a course complete whose certificate hook must run."""
    course = catalog.course(request.path_params["course"])
    if course is None or course.course.status != "published" or course.has_evaluations:
        return None
    lesson = course.lesson(request.path_params["lesson"])
    enrollment = access.active(known.enrollment)
    if lesson is None or lesson.evaluation is not None or enrollment is None:
        return None
    if (lesson.id in completed_ids(course, known.rows)) != complete:
        return None
    progress = progress_from(course, known.rows, {}, enrollment)
    if progress.state is None or progress.state.complete:
        return None
    return CompletionResult(
        course=course.course.slug,
        lesson=lesson.id,
        completed=complete,
        changed=False,
        course_completed_now=False,
        progress=progress_of(course, progress, enrollment),
    )


async def _set_completion(request: Request, complete: bool) -> Response:
    """Both completion endpoints: read on the event loop when it can, answer a repeat from
    there, and otherwise hop to a database thread only to write (and commit)."""
    user = await signed_in_user(request)
    read = await _read_on_the_loop(request, user)
    known = read[1] if read is not None else None
    if read is not None:
        repeat = _repeat_answer(request, *read, complete)
        if repeat is not None:
            return json_response(repeat)
    write = _completion_write(request, user, complete, known)
    return json_response(await run_in_session(request, write))


@requires()
async def complete_lesson(request: Request) -> Response:
    """Mark a lesson complete (idempotent).

    ---
    summary: Complete a lesson
    description: >-
      Marks the lesson done for the caller, who must be enrolled (auditors too). Repeating it
      changes nothing (`changed: false`). The answer has the course progress; the first time
      the course's rules are met, its completion time is recorded (`course_completed_now`).
      Evaluation lessons are completed by passing them (409 `evaluation_lesson`).
    operationId: completeLesson
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The lesson is complete; the course's progress.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CompletionResult"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    return await _set_completion(request, True)


@requires()
async def uncomplete_lesson(request: Request) -> Response:
    """Un-mark a completed lesson.

    ---
    summary: Un-complete a lesson
    description: >-
      Marks the lesson not done. A course completion already recorded stays recorded (a
      certificate may have been issued).
    operationId: uncompleteLesson
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The lesson is not complete; the course's progress.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CompletionResult"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    return await _set_completion(request, False)


@requires()
async def visit_lesson(request: Request) -> Response:
    """Record the lesson the student is on (resume) and the playback position.

    ---
    summary: Record a lesson visit
    description: >-
      The lesson page calls this when it opens (the lesson to resume) and, for video and
      audio lessons, every few seconds with the playback position, so the student resumes at
      the second they left. Callers who are not enrolled get 403 `not_enrolled`.
    operationId: visitLesson
    tags: [learning]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/VisitRequest"}
    responses:
      "204": {description: Recorded.}
    """
    user = await signed_in_user(request)
    body = await read_json(request, VisitRequest, max_bytes=1024)
    slug, lesson_id = request.path_params["course"], request.path_params["lesson"]
    store = request_catalog(request)

    def write(session: Session) -> None:
        context = load_course(session, store, slug, user)
        lesson = access.known_lesson(context.course, lesson_id)
        enrollment = access.active(context.enrollment)
        if enrollment is None:
            raise ApiError(403, "not_enrolled", "Enroll in the course to record progress.")
        access.check_lesson_access(user, context.course, lesson, enrollment)
        record_visit(session, enrollment, lesson.id, body.position)

    await run_in_session(request, write)
    return Response(status_code=204)


def _range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=a-b`` range (what media elements ask for), or None to send everything."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or (not match[1] and not match[2]):
        return None
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        start, end = max(size - int(match[2]), 0), size - 1
    return (start, end) if start <= end < size else None


async def get_media(request: Request) -> Response:
    """A private media file of a course (audio, PDF, data files of gated lessons).

    ---
    summary: Get a course's private media file
    description: >-
      Served to the callers who may read the course's gated lessons (enrolled students,
      auditors, staff); supports single byte ranges for media players.
    operationId: getCourseMedia
    tags: [learning]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: path, in: path, required: true, schema: {type: string}}
    responses:
      "200": {description: The file.}
      "206": {description: The requested byte range.}
      "401": {$ref: "#/components/responses/Unauthorized"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    user = await current_user(request)
    slug, path = request.path_params["course"], request.path_params["path"]
    if not MEDIA_PATH.fullmatch(path) or len(path) > 300:
        raise ApiError(404, "not_found", "There is no such file.")
    store = request_catalog(request)

    def load(session: Session) -> bytes:
        context = load_course(session, store, slug, user)
        if user is None:
            raise ApiError(401, "not_authenticated", "Sign in to open this file.")
        if not access.is_staff(user, context.course) and access.active(context.enrollment) is None:
            raise ApiError(403, "not_enrolled", "Enroll in the course to open this file.")
        data = store.file(session, context.catalog.version_id, f"media/{slug}/{path}")
        if data is None:
            raise ApiError(404, "not_found", "There is no such file.")
        return data

    data = await run_in_session(request, load)
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    headers = {"Cache-Control": "private, max-age=300", "Accept-Ranges": "bytes"}
    wanted = _range(request.headers.get("range", ""), len(data))
    if wanted is None:
        return Response(data, media_type=media_type, headers=headers)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return Response(data[start : end + 1], status_code=206, media_type=media_type, headers=headers)


@requires()
async def my_courses(request: Request) -> Response:
    """The student dashboard: enrolled courses with progress.

    ---
    summary: My courses
    description: >-
      Active enrollments, most recently visited first, each with percent complete, the
      lesson to resume and the standing on each evaluation.
    operationId: myCourses
    tags: [learning]
    security: [{session: []}]
    responses:
      "200":
        description: The dashboard.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Dashboard"}
    """
    user = await signed_in_user(request)
    store = request_catalog(request)

    def load(session: Session) -> Dashboard:
        catalog = store.current(session)
        courses, unavailable = [], []
        for enrollment in active_enrollments(session, user.id):
            index = catalog.course(enrollment.course) if catalog else None
            if index is None:
                unavailable.append(enrollment.course)
                continue
            progress = course_progress(session, user.id, index, enrollment)
            courses.append(dashboard_course(index, enrollment, progress))
        return Dashboard(courses=courses, unavailable=unavailable)

    return json_response(await run_in_session(request, load))


COURSE = "/api/courses/{course:str}"
LESSON = COURSE + "/lessons/{lesson:str}"

routes: list[BaseRoute] = [
    Route("/api/courses", list_courses, methods=["GET"], name="list_courses"),
    Route(COURSE, get_course, methods=["GET"], name="get_course"),
    Route(COURSE + "/status", get_status, methods=["GET"], name="course_status"),
    Route(COURSE + "/enroll", enroll_in_course, methods=["POST"], name="enroll"),
    Route(COURSE + "/enrollment", leave_course, methods=["DELETE"], name="unenroll"),
    Route(LESSON, get_lesson, methods=["GET"], name="get_lesson"),
    Route(LESSON + "/complete", complete_lesson, methods=["POST"], name="complete_lesson"),
    Route(LESSON + "/complete", uncomplete_lesson, methods=["DELETE"], name="uncomplete_lesson"),
    Route(LESSON + "/visit", visit_lesson, methods=["POST"], name="visit_lesson"),
    Route(COURSE + "/media/{path:path}", get_media, methods=["GET"], name="course_media"),
    Route("/api/me/courses", my_courses, methods=["GET"], name="my_courses"),
]

schema_models: list[type[BaseModel]] = [
    CourseList,
    CourseOutline,
    CourseStatus,
    EnrollRequest,
    LessonBody,
    CompletionResult,
    VisitRequest,
    Dashboard,
]
