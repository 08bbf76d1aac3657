"""The JSON shapes of the learning endpoints, as pydantic models (they are also the OpenAPI
schemas), and the functions that fill them from the catalog and a student's records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from dynamic_api.learning.catalog import Catalog, CourseIndex
from dynamic_api.learning.progress import CourseProgress
from dynamic_api.models import AnyEnrollment, Enrollment
from site_builder.manifest import ManifestLesson, ManifestPrice


class Price(BaseModel):
    amount: str = Field(description="Decimal string, e.g. `49.00`.")
    currency: str = Field(description="ISO 4217 code.")

    @classmethod
    def of(cls, price: ManifestPrice | None) -> Price | None:
        return cls(amount=str(price.amount), currency=price.currency) if price else None


class CourseSummary(BaseModel):
    slug: str
    title: str
    summary: str
    status: str
    language: str
    level: str
    tags: list[str]
    instructors: list[str] = Field(description="Instructor slugs.")
    price: Price | None = Field(description="null for a free course.")
    free: bool
    audit: bool = Field(description="Whether the course can be audited.")
    certificate: bool = Field(description="Whether completing it earns a certificate.")
    capacity: int | None
    lessons: int
    duration: int = Field(description="Minutes to complete (required lessons).")

    @classmethod
    def of(cls, index: CourseIndex) -> CourseSummary:
        course = index.course
        return cls(
            slug=course.slug,
            title=course.title,
            summary=course.summary,
            status=course.status,
            language=course.language,
            level=course.level,
            tags=course.tags,
            instructors=course.instructors,
            price=Price.of(course.price),
            free=course.price is None,
            audit=course.audit,
            certificate=bool(course.certificate.get("enabled", False)),
            capacity=course.capacity,
            lessons=len(course.lessons),
            duration=course.duration,
        )


class CourseList(BaseModel):
    version: str | None = Field(description="The published catalog version; null before any.")
    courses: list[CourseSummary]


class OutlineLesson(BaseModel):
    id: str
    title: str
    type: str
    requirement: str = Field(description="`required`, `optional` or `alternative`.")
    group: str | None = Field(description="The alternative group, for `alternative` lessons.")
    preview: bool
    public: bool = Field(description="The body is in the static page (no API call needed).")
    evaluation: bool
    required_evaluation: bool
    duration: int

    @classmethod
    def of(cls, lesson: ManifestLesson) -> OutlineLesson:
        return cls(
            id=lesson.id,
            title=lesson.title,
            type=lesson.type,
            requirement=lesson.requirement,
            group=lesson.group,
            preview=lesson.preview,
            public=lesson.public,
            evaluation=lesson.evaluation is not None,
            required_evaluation=lesson.evaluation is not None and lesson.required_evaluation,
            duration=lesson.duration,
        )


class OutlineSection(BaseModel):
    slug: str
    title: str
    lessons: list[OutlineLesson]


class CourseOutline(CourseSummary):
    sections: list[OutlineSection]

    @classmethod
    def of_index(cls, index: CourseIndex) -> CourseOutline:
        return cls(
            **CourseSummary.of(index).model_dump(),
            sections=[
                OutlineSection(
                    slug=section.slug,
                    title=section.title,
                    lessons=[OutlineLesson.of(index.lessons[x]) for x in section.lessons],
                )
                for section in index.course.sections
            ],
        )


class Progress(BaseModel):
    percent: int = Field(ge=0, le=100)
    complete: bool
    completed: list[str] = Field(description="Lessons done (evaluations: passed), in order.")
    next_lesson: str | None = Field(description="The lesson to resume.")
    last_lesson: str | None = Field(description="The lesson visited last.")
    units_done: int
    units_total: int
    missing: list[str] = Field(
        description="Still needed to complete: lesson ids, and `group:<name>` for alternative "
        "groups without a finished lesson."
    )
    completed_at: datetime | None = Field(description="When the course was first completed.")


class EvaluationStanding(BaseModel):
    attempts_used: int
    score: str | None = Field(description="The counted score in percent (best or last).")
    passed: bool
    pending: bool = Field(description="An open answer waits for a grader.")
    in_progress: str | None = Field(description="Id of an attempt not submitted yet.")


class CourseStatus(BaseModel):
    course: str
    enrolled: bool
    mode: str | None = Field(description="`free`, `paid`, `audit` or `granted`.")
    enrolled_at: datetime | None
    staff: bool = Field(description="Instructor of this course, moderator or admin.")
    can_enroll: bool = Field(description="A free course the caller can enroll in now.")
    can_audit: bool
    seats_left: int | None
    progress: Progress
    positions: dict[str, float] = Field(description="Playback positions in seconds, by lesson.")
    evaluations: dict[str, EvaluationStanding]


def progress_of(
    index: CourseIndex, progress: CourseProgress, enrollment: AnyEnrollment | None
) -> Progress:
    state = progress.state
    assert state is not None
    return Progress(
        percent=state.percent,
        complete=state.complete,
        completed=[x for x in index.order if x in state.done],
        next_lesson=progress.resume,
        last_lesson=enrollment.last_lesson if enrollment else None,
        units_done=state.units_done,
        units_total=state.units_total,
        missing=list(state.missing),
        completed_at=enrollment.completed_at if enrollment else None,
    )


def status_of(
    index: CourseIndex,
    progress: CourseProgress,
    enrollment: Enrollment | None,
    *,
    staff: bool,
    seats_taken: int,
) -> CourseStatus:
    course = index.course
    enrolled = enrollment is not None and enrollment.status == "active"
    seats_left = max(course.capacity - seats_taken, 0) if course.capacity is not None else None
    open_seat = seats_left is None or seats_left > 0
    published = course.status == "published"
    return CourseStatus(
        course=course.slug,
        enrolled=enrolled,
        mode=enrollment.mode if enrolled and enrollment else None,
        enrolled_at=enrollment.created_at if enrolled and enrollment else None,
        staff=staff,
        can_enroll=published
        and course.price is None
        and open_seat
        and not (enrolled and enrollment is not None and enrollment.mode != "audit"),
        can_audit=published and course.audit and open_seat and not enrolled,
        seats_left=seats_left,
        progress=progress_of(index, progress, enrollment if enrolled else None),
        positions={k: float(v) for k, v in progress.positions.items()},
        evaluations={k: EvaluationStanding(**v.as_json()) for k, v in progress.evaluations.items()},
    )


class LessonBody(BaseModel):
    course: str
    lesson: str
    title: str
    html: str | None = Field(
        description="The rendered body; null for a public lesson, whose static page has it."
    )
    public: bool
    previous: str | None
    next: str | None


class EnrollRequest(BaseModel):
    mode: str = Field(
        "free", pattern="^(free|audit)$", description="`free` or `audit`; paid courses: checkout."
    )


class VisitRequest(BaseModel):
    position: Decimal | None = Field(
        None, ge=0, le=86_400, description="Seconds into a video or audio lesson."
    )


class CompletionResult(BaseModel):
    course: str
    lesson: str
    completed: bool = Field(description="Whether the lesson is now marked complete.")
    changed: bool = Field(description="Whether this call changed it (false on a repeat).")
    course_completed_now: bool = Field(description="This call completed the course.")
    progress: Progress


class DashboardCourse(BaseModel):
    slug: str
    title: str
    mode: str
    enrolled_at: datetime
    last_visited_at: datetime | None
    percent: int
    complete: bool
    completed_at: datetime | None
    next_lesson: str | None
    next_lesson_title: str | None
    lessons_done: int
    lessons_total: int
    certificate: bool
    evaluations: list[dict[str, Any]] = Field(
        description="Per evaluation: lesson, title, attempts_used, score, passed, pending."
    )


class Dashboard(BaseModel):
    courses: list[DashboardCourse]
    unavailable: list[str] = Field(
        description="Enrolled courses no longer in the published catalog (records are kept)."
    )


def dashboard_course(
    index: CourseIndex, enrollment: Enrollment, progress: CourseProgress
) -> DashboardCourse:
    state = progress.state
    assert state is not None
    resume = index.lessons.get(progress.resume or "")
    return DashboardCourse(
        slug=index.course.slug,
        title=index.course.title,
        mode=enrollment.mode,
        enrolled_at=enrollment.created_at,
        last_visited_at=enrollment.last_visited_at,
        percent=state.percent,
        complete=state.complete,
        completed_at=enrollment.completed_at,
        next_lesson=resume.id if resume else None,
        next_lesson_title=resume.title if resume else None,
        lessons_done=len(state.done),
        lessons_total=len(index.order),
        certificate=bool(index.course.certificate.get("enabled", False)),
        evaluations=[
            {
                "lesson": lesson_id,
                "title": index.lessons[lesson_id].title,
                **summary.as_json(),
            }
            for lesson_id, summary in progress.evaluations.items()
            if lesson_id in index.lessons
        ],
    )


def catalog_version(catalog: Catalog | None) -> str | None:
    return catalog.manifest.version if catalog is not None else None
