"""Lesson progress: completing, un-completing, the lesson to resume, playback positions, and
the student's view of a course (what ``/status`` and the dashboard show).

Every write is race-free: marking complete is a conditional update, else an
insert-unless-exists, so 20 parallel calls leave one row and one completion time (a repeat of
a lesson already complete writes nothing); the course's completion time is set by
``UPDATE … WHERE completed_at IS NULL``, so it is recorded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from dynamic_api.db import utcnow
from dynamic_api.learning import grading
from dynamic_api.learning.catalog import CourseIndex
from dynamic_api.learning.completion import Completion, completion, resume_lesson
from dynamic_api.models import (
    AnyEnrollment,
    Attempt,
    AttemptStatus,
    Enrollment,
    EnrollmentRow,
    LessonProgress,
)
from dynamic_api.upsert import insert_or_ignore


@dataclass
class EvaluationSummary:
    """A student's standing on one evaluation (the attempt that counts, per its scoring)."""

    attempts_used: int = 0
    score: Decimal | None = None
    passed: bool = False
    pending: bool = False
    in_progress: str | None = None  # public id of an unfinished attempt

    def as_json(self) -> dict[str, Any]:
        return {
            "attempts_used": self.attempts_used,
            "score": str(self.score) if self.score is not None else None,
            "passed": self.passed,
            "pending": self.pending,
            "in_progress": self.in_progress,
        }


@dataclass
class CourseProgress:
    """Everything the status endpoint and the dashboard say about one student and course."""

    completed: dict[str, datetime] = field(default_factory=dict)
    positions: dict[str, Decimal] = field(default_factory=dict)
    evaluations: dict[str, EvaluationSummary] = field(default_factory=dict)
    state: Completion | None = None
    resume: str | None = None


#: ``(lesson id, completed_at, position)`` of one ``lesson_progress`` row.
ProgressRow = tuple[str, datetime | None, Decimal | None]


def progress_rows(session: Session, user_id: int, course: str) -> list[ProgressRow]:
    """The student's progress rows of a course, as plain tuples (cheaper than ORM objects on
    the hot path of "mark complete")."""
    rows = session.exec(
        select(LessonProgress.lesson, LessonProgress.completed_at, LessonProgress.position).where(
            col(LessonProgress.user_id) == user_id, col(LessonProgress.course) == course
        )
    ).all()
    return [(lesson, completed_at, position) for lesson, completed_at, position in rows]


def completed_ids(course: CourseIndex, rows: list[ProgressRow]) -> set[str]:
    """Current ids of the lessons ``rows`` mark complete (renames resolved)."""
    done = set()
    for lesson_id, completed_at, _ in rows:
        lesson = course.lesson(lesson_id)
        if lesson is not None and completed_at is not None:
            done.add(lesson.id)
    return done


def evaluation_summaries(
    session: Session, user_id: int, course: CourseIndex
) -> dict[str, EvaluationSummary]:
    """Per evaluation lesson: attempts used, the counted score (best or last, as the
    evaluation says), passed, and whether an attempt waits for a grader or is still open."""
    if not course.has_evaluations:
        return {}
    attempts = session.exec(
        select(Attempt)
        .where(col(Attempt.user_id) == user_id, col(Attempt.course) == course.course.slug)
        .order_by(col(Attempt.number))
    ).all()
    by_lesson: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        lesson = course.lesson(attempt.lesson)
        if lesson is not None and lesson.evaluation is not None:
            by_lesson.setdefault(lesson.id, []).append(attempt)
    summaries: dict[str, EvaluationSummary] = {}
    for lesson_id, rows in by_lesson.items():
        evaluation = course.lessons[lesson_id].evaluation
        assert evaluation is not None
        submitted = [a for a in rows if a.status != AttemptStatus.IN_PROGRESS.value]
        scores = [a.score if a.status == AttemptStatus.GRADED.value else None for a in submitted]
        score = grading.counted_score(evaluation.scoring, scores)
        summaries[lesson_id] = EvaluationSummary(
            attempts_used=len(rows),
            score=score,
            passed=bool(grading.is_passing(evaluation, score)),
            pending=any(a.status == AttemptStatus.PENDING.value for a in submitted),
            in_progress=next(
                (a.public_id for a in rows if a.status == AttemptStatus.IN_PROGRESS.value), None
            ),
        )
    return summaries


def course_progress(
    session: Session,
    user_id: int,
    course: CourseIndex,
    enrollment: AnyEnrollment | None,
    rows: list[ProgressRow] | None = None,
) -> CourseProgress:
    """The student's records for ``course`` (two queries at most, or one when ``rows`` were
    read already or the course has no evaluation), renames resolved."""
    if rows is None:
        rows = progress_rows(session, user_id, course.course.slug)
    evaluations = evaluation_summaries(session, user_id, course)
    return progress_from(course, rows, evaluations, enrollment)


def progress_from(
    course: CourseIndex,
    rows: list[ProgressRow],
    evaluations: dict[str, EvaluationSummary],
    enrollment: AnyEnrollment | None,
) -> CourseProgress:
    """:func:`course_progress` from records already read (pure)."""
    progress = CourseProgress(evaluations=evaluations)
    for lesson_id, completed_at, position in rows:
        lesson = course.lesson(lesson_id)
        if lesson is None:
            continue  # a lesson of an older version: kept, but not part of this course now
        if completed_at is not None:
            progress.completed[lesson.id] = completed_at
        if position is not None:
            progress.positions[lesson.id] = position
    passed = {lesson for lesson, summary in evaluations.items() if summary.passed}
    progress.state = completion(course, progress.completed.keys(), passed)
    last = enrollment.last_lesson if enrollment is not None else None
    progress.resume = resume_lesson(course, progress.state, last)
    return progress


#: A student's enrollment in a course and its progress rows, in one query: what "complete"
#: and "un-complete" read before they write (on the event loop where the backend allows it,
#: see ``routes/learning.py``). Without the playback positions, which their answer does not
#: carry.
ENROLLMENT_WITH_PROGRESS = (
    sa.select(
        Enrollment.id,
        Enrollment.mode,
        Enrollment.status,
        Enrollment.created_at,
        Enrollment.completed_at,
        Enrollment.last_lesson,
        LessonProgress.lesson,
        LessonProgress.completed_at,
    )
    .select_from(Enrollment)
    .outerjoin(
        LessonProgress,
        sa.and_(
            col(LessonProgress.user_id) == col(Enrollment.user_id),
            col(LessonProgress.course) == col(Enrollment.course),
        ),
    )
    .where(
        col(Enrollment.user_id) == sa.bindparam("user_id"),
        col(Enrollment.course) == sa.bindparam("course"),
    )
)


@dataclass
class EnrollmentRead:
    """A student's enrollment in a course (``None``: not enrolled) and its progress rows,
    as :data:`ENROLLMENT_WITH_PROGRESS` read them: on the event loop or in the thread."""

    enrollment: EnrollmentRow | None
    rows: list[ProgressRow]


def enrollment_with_progress(
    user_id: int, course: str, rows: Sequence[Sequence[Any]]
) -> EnrollmentRead:
    """The rows of :data:`ENROLLMENT_WITH_PROGRESS` as an (unattached) enrollment and its
    progress rows."""
    if not rows:
        return EnrollmentRead(None, [])
    first = rows[0]
    enrollment = EnrollmentRow(
        id=first[0],
        user_id=user_id,
        course=course,
        mode=first[1],
        status=first[2],
        created_at=first[3],
        completed_at=first[4],
        last_lesson=first[5],
    )
    progress: list[ProgressRow] = [(row[6], row[7], None) for row in rows if row[6] is not None]
    return EnrollmentRead(enrollment, progress)


def read_enrollment_with_progress(session: Session, user_id: int, course: str) -> EnrollmentRead:
    """:data:`ENROLLMENT_WITH_PROGRESS` in the session's transaction (Core: no ORM objects)."""
    found = session.connection().execute(
        ENROLLMENT_WITH_PROGRESS, {"user_id": user_id, "course": course}
    )
    return enrollment_with_progress(user_id, course, found.all())


# The writes of "mark complete" and "un-complete", built once (SQLAlchemy memoises a
# statement's cache key, so running one again costs no compile) and run as Core statements:
# an ORM bulk update would look for objects to synchronise in the session on every call.
# The bound names differ from the column names, which an UPDATE reserves for its SET clause.
_PROGRESS = LessonProgress.__table__  # type: ignore[attr-defined]
_ENROLLMENTS = Enrollment.__table__  # type: ignore[attr-defined]
_THIS_LESSON = sa.and_(
    _PROGRESS.c.user_id == sa.bindparam("b_user"),
    _PROGRESS.c.course == sa.bindparam("b_course"),
    _PROGRESS.c.lesson == sa.bindparam("b_lesson"),
)
_NOW = sa.bindparam("b_now", type_=_PROGRESS.c.updated_at.type)
COMPLETE_LESSON = (
    sa.update(_PROGRESS)
    .where(_THIS_LESSON, _PROGRESS.c.completed_at.is_(None))
    .values(completed_at=_NOW, updated_at=_NOW)
)
UNCOMPLETE_LESSON = (
    sa.update(_PROGRESS)
    .where(_THIS_LESSON, _PROGRESS.c.completed_at.is_not(None))
    .values(completed_at=None, updated_at=_NOW)
)
COMPLETE_COURSE = (
    sa.update(_ENROLLMENTS)
    .where(_ENROLLMENTS.c.id == sa.bindparam("b_id"), _ENROLLMENTS.c.completed_at.is_(None))
    .values(completed_at=sa.bindparam("b_now", type_=_ENROLLMENTS.c.completed_at.type))
)


def _lesson_params(user_id: int, course: str, lesson: str, now: datetime) -> dict[str, Any]:
    return {"b_user": user_id, "b_course": course, "b_lesson": lesson, "b_now": now}


def record_completion(
    session: Session,
    enrollment: AnyEnrollment,
    course: CourseIndex,
    rows: list[ProgressRow] | None = None,
) -> tuple[CourseProgress, bool]:
    """Recompute after a write (``rows``: the progress rows, when nothing changed them since
    they were read); set the course's completion time the first time it is complete.
    Returns the progress and whether the course was completed just now."""
    progress = course_progress(session, enrollment.user_id, course, enrollment, rows)
    newly = False
    if progress.state is not None and progress.state.complete and enrollment.completed_at is None:
        now = utcnow()
        result = session.connection().execute(
            COMPLETE_COURSE, {"b_id": enrollment.id, "b_now": now}
        )
        newly = result.rowcount == 1
        if newly:
            enrollment.completed_at = now
    return progress, newly


def with_lesson_state(
    rows: list[ProgressRow], lesson: str, completed_at: datetime | None
) -> list[ProgressRow]:
    """``rows`` after marking ``lesson`` complete at ``completed_at`` (or not complete, with
    None): the progress after a write, without reading the rows again."""
    updated = [(i, completed_at if i == lesson else done, p) for i, done, p in rows]
    if completed_at is not None and all(i != lesson for i, _, _ in rows):
        updated.append((lesson, completed_at, None))
    return updated


def mark_complete(
    session: Session, user_id: int, course: str, lesson: str, *, known_incomplete: bool = False
) -> bool:
    """Mark a lesson done; idempotent. True when this call completed it.

    A read first, so a repeat writes nothing; then update, then insert-unless-exists, and
    nothing after: a loser of the insert race only waits for the winner's commit, so no lock
    upgrade can deadlock on MariaDB.
    """
    if not known_incomplete:  # the caller has not just read the rows
        done = session.exec(
            select(LessonProgress.completed_at).where(
                col(LessonProgress.user_id) == user_id,
                col(LessonProgress.course) == course,
                col(LessonProgress.lesson) == lesson,
            )
        ).first()
        if done is not None:
            return False  # already complete: a repeat (a double click, a retry) writes nothing
    now = utcnow()
    result = session.connection().execute(
        COMPLETE_LESSON, _lesson_params(user_id, course, lesson, now)
    )
    if result.rowcount == 1:
        return True
    return insert_or_ignore(
        session,
        LessonProgress,
        user_id=user_id,
        course=course,
        lesson=lesson,
        completed_at=now,
        updated_at=now,
    )


def mark_incomplete(session: Session, user_id: int, course: str, lesson: str) -> bool:
    """Undo "complete" (the playback position stays). The course's completion time, once
    recorded, stays: a certificate may already have been issued for it."""
    result = session.connection().execute(
        UNCOMPLETE_LESSON, _lesson_params(user_id, course, lesson, utcnow())
    )
    return bool(result.rowcount == 1)


def record_visit(
    session: Session, enrollment: Enrollment, lesson: str, position: Decimal | None
) -> None:
    """Remember the lesson to resume and, for media lessons, the playback position."""
    now = utcnow()
    session.exec(  # type: ignore[call-overload]
        update(Enrollment)
        .where(col(Enrollment.id) == enrollment.id)
        .values(last_lesson=lesson, last_visited_at=now)
    )
    if position is None:
        return
    if not insert_or_ignore(
        session,
        LessonProgress,
        user_id=enrollment.user_id,
        course=enrollment.course,
        lesson=lesson,
        position=position,
        updated_at=now,
    ):
        session.exec(  # type: ignore[call-overload]
            update(LessonProgress)
            .where(
                col(LessonProgress.user_id) == enrollment.user_id,
                col(LessonProgress.course) == enrollment.course,
                col(LessonProgress.lesson) == lesson,
            )
            .values(position=position, updated_at=now)
        )
