"""Evaluation attempts: start, submit, grade by hand, and extra attempts.

The rules an author sets in a lesson's ``evaluation:`` are enforced here, by the server:

- an attempt is graded against the evaluation as published when it *started* (its catalog
  version), so a republish mid-attempt changes nothing for it;
- a student has ``max_attempts`` attempts plus what instructors granted; a second start while
  an attempt is open returns that attempt (a reload resumes it);
- a time limit sets a deadline; a submission later than deadline + ``LMS_ATTEMPT_GRACE_
  SECONDS`` is refused, and the attempt is closed with what it had (nothing: score 0);
- open answers leave the attempt ``pending`` until a grader gives their points;
- passing an evaluation completes its lesson, which may complete the course.

Grading itself (pure) is ``dynamic_api/learning/grading.py``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from dynamic_api.auth import CurrentUser
from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning import access, certificates, grading
from dynamic_api.learning.catalog import Catalog, CatalogStore, CourseIndex
from dynamic_api.learning.enrollment import get_enrollment
from dynamic_api.learning.progress import evaluation_summaries, mark_complete, record_completion
from dynamic_api.models import (
    Attempt,
    AttemptRequest,
    AttemptStatus,
    Enrollment,
    EnrollmentMode,
    RequestStatus,
    User,
)
from dynamic_api.upsert import insert_or_ignore
from site_builder.manifest import ManifestLesson
from site_builder.models import Evaluation

#: Largest extra grant per request (a typo of 100 should not be accepted silently).
MAX_EXTRA_ATTEMPTS = 10


@dataclass
class EvaluationContext:
    """An evaluation lesson of a visible course, with the caller's enrollment."""

    catalog: Catalog
    course: CourseIndex
    lesson: ManifestLesson
    evaluation: Evaluation
    enrollment: Enrollment | None


def load_evaluation(
    session: Session,
    store: CatalogStore,
    user: CurrentUser | None,
    course_slug: str,
    lesson_id: str,
) -> EvaluationContext:
    catalog = store.current(session)
    course = access.visible_course(catalog, course_slug, user)
    assert catalog is not None
    lesson = access.known_lesson(course, lesson_id)
    if lesson.evaluation is None:
        raise ApiError(404, "not_found", "This lesson is not an evaluation.")
    enrollment = get_enrollment(session, user.id, course_slug) if user is not None else None
    return EvaluationContext(catalog, course, lesson, lesson.evaluation, enrollment)


# --- counting attempts -------------------------------------------------------------------


def attempts_of(session: Session, user_id: int, course: str, lesson: str) -> list[Attempt]:
    return list(
        session.exec(
            select(Attempt)
            .where(
                col(Attempt.user_id) == user_id,
                col(Attempt.course) == course,
                col(Attempt.lesson) == lesson,
            )
            .order_by(col(Attempt.number))
        ).all()
    )


def requests_of(session: Session, user_id: int, course: str, lesson: str) -> list[AttemptRequest]:
    return list(
        session.exec(
            select(AttemptRequest)
            .where(
                col(AttemptRequest.user_id) == user_id,
                col(AttemptRequest.course) == course,
                col(AttemptRequest.lesson) == lesson,
            )
            .order_by(col(AttemptRequest.id))
        ).all()
    )


def attempts_allowed(evaluation: Evaluation, requests: list[AttemptRequest]) -> int | None:
    """The author's limit plus every grant; ``None`` means unlimited."""
    if evaluation.max_attempts is None:
        return None
    granted = sum(r.extra_attempts for r in requests if r.status == RequestStatus.GRANTED.value)
    return evaluation.max_attempts + granted


def attempts_left(allowed: int | None, used: int) -> int | None:
    return None if allowed is None else max(allowed - used, 0)


# --- attempts ------------------------------------------------------------------------------


def blocked_reason(user: CurrentUser, context: EvaluationContext) -> str | None:
    """Why the caller may not take this evaluation (staff may, to try it out)."""
    if access.is_staff(user, context.course):
        return None
    enrollment = access.active(context.enrollment)
    if enrollment is None:
        return "not_enrolled"
    if enrollment.mode == EnrollmentMode.AUDIT.value:
        return "audit_excluded"
    return None


BLOCKED_MESSAGES = {
    "not_enrolled": "Enroll in the course to take this evaluation.",
    "audit_excluded": "Auditing gives you the lessons, but not graded evaluations.",
    "no_attempts_left": "You have used every attempt. You can ask the instructor for another.",
}


def refuse(code: str) -> ApiError:
    return ApiError(403, code, BLOCKED_MESSAGES[code])


def close_expired(
    session: Session, attempts: list[Attempt], evaluation: Evaluation, now: datetime, grace: int
) -> None:
    """Close open attempts whose deadline (plus grace) has passed: graded with no answers."""
    for attempt in attempts:
        if (
            attempt.status == AttemptStatus.IN_PROGRESS.value
            and attempt.deadline is not None
            and now > attempt.deadline + timedelta(seconds=grace)
        ):
            finish(attempt, evaluation, {}, now)
            session.add(attempt)


def finish(
    attempt: Attempt, evaluation: Evaluation, answers: dict[str, grading.Answer], now: datetime
) -> grading.GradeResult:
    """Grade ``answers`` and store the result on ``attempt``."""
    result = grading.grade(evaluation, answers)
    attempt.answers = grading.answers_to_json(answers)
    attempt.result = grading.result_to_json(result)
    attempt.submitted_at = now
    _store_result(attempt, result, now)
    return result


def _store_result(attempt: Attempt, result: grading.GradeResult, now: datetime) -> None:
    attempt.score = result.score
    attempt.passed = result.passed
    if result.pending:
        attempt.status = AttemptStatus.PENDING.value
    else:
        attempt.status = AttemptStatus.GRADED.value
        attempt.graded_at = now


def start_attempt(
    session: Session, user: CurrentUser, context: EvaluationContext, grace: int
) -> tuple[Attempt, bool]:
    """The caller's open attempt, or a new one; ``(attempt, created)``."""
    reason = blocked_reason(user, context)
    if reason is not None:
        raise refuse(reason)
    slug, lesson = context.course.course.slug, context.lesson.id
    now = utcnow()
    attempts = attempts_of(session, user.id, slug, lesson)
    close_expired(session, attempts, context.evaluation, now, grace)
    for attempt in attempts:
        if attempt.status == AttemptStatus.IN_PROGRESS.value:
            return attempt, False
    allowed = attempts_allowed(context.evaluation, requests_of(session, user.id, slug, lesson))
    if (
        allowed is not None
        and len(attempts) >= allowed
        and not access.is_staff(user, context.course)
    ):
        raise refuse("no_attempts_left")
    limit = context.evaluation.time_limit_minutes
    public_id = secrets.token_urlsafe(16)
    inserted = insert_or_ignore(
        session,
        Attempt,
        public_id=public_id,
        user_id=user.id,
        course=slug,
        lesson=lesson,
        number=len(attempts) + 1,
        catalog_version_id=context.catalog.version_id,
        seed=secrets.randbits(62),
        started_at=now,
        deadline=now + timedelta(minutes=limit) if limit else None,
    )
    if not inserted:  # a parallel start won the same number: that attempt is ours
        raise ApiError(409, "attempt_started", "An attempt was just started: reload the page.")
    created = session.exec(select(Attempt).where(col(Attempt.public_id) == public_id)).one()
    return created, True


def owned_attempt(session: Session, public_id: str, user: CurrentUser) -> Attempt:
    """The caller's attempt; someone else's is 404 (its existence is not revealed)."""
    attempt = session.exec(
        select(Attempt).where(col(Attempt.public_id) == public_id).with_for_update()
    ).first()
    if attempt is None or attempt.user_id != user.id:
        raise ApiError(404, "not_found", "There is no attempt with this id.")
    return attempt


def evaluation_of(session: Session, store: CatalogStore, attempt: Attempt) -> Evaluation:
    """The evaluation as published when the attempt started."""
    catalog = store.version(session, attempt.catalog_version_id)
    course = catalog.course(attempt.course) if catalog else None
    lesson = course.lesson(attempt.lesson) if course else None
    if lesson is None or lesson.evaluation is None:
        raise ApiError(404, "not_found", "This attempt's evaluation no longer exists.")
    return lesson.evaluation


@dataclass
class Submission:
    attempt: Attempt
    late: bool
    course_completed_now: bool


def submit_attempt(
    session: Session,
    store: CatalogStore,
    user: CurrentUser,
    public_id: str,
    raw_answers: object,
    grace: int,
) -> Submission:
    """Grade a submission. A late one closes the attempt empty (``late``: the caller answers
    409 after this transaction commits, so the closing is kept)."""
    attempt = owned_attempt(session, public_id, user)
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        raise ApiError(409, "already_submitted", "This attempt was already submitted.")
    evaluation = evaluation_of(session, store, attempt)
    now = utcnow()
    if attempt.deadline is not None and now > attempt.deadline + timedelta(seconds=grace):
        finish(attempt, evaluation, {}, now)
        session.add(attempt)
        return Submission(attempt, late=True, course_completed_now=False)
    try:
        answers = grading.parse_answers(evaluation, raw_answers)
    except grading.AnswerError as exc:
        fields = {f"answers.{key}": text for key, text in exc.fields.items()}
        raise ApiError(422, "invalid_fields", exc.message, fields or None) from exc
    result = finish(attempt, evaluation, answers, now)
    session.add(attempt)
    session.flush()
    completed_now = False
    if result.passed:
        completed_now = complete_passed(session, store, attempt)
    return Submission(attempt, late=False, course_completed_now=completed_now)


def complete_passed(session: Session, store: CatalogStore, attempt: Attempt) -> bool:
    """A passed evaluation completes its lesson; True if that completed the course now."""
    mark_complete(session, attempt.user_id, attempt.course, attempt.lesson)
    enrollment = get_enrollment(session, attempt.user_id, attempt.course)
    catalog = store.current(session)
    course = catalog.course(attempt.course) if catalog else None
    if access.active(enrollment) is None or course is None:
        return False
    assert enrollment is not None
    progress, newly = record_completion(session, enrollment, course)
    complete = progress.state is not None and progress.state.complete
    certificates.after_completing_write(session, catalog, enrollment, complete)
    return newly


# --- what the student sees ---------------------------------------------------------------


def attempt_view(
    attempt: Attempt,
    evaluation: Evaluation,
    left: int | None,
    now: datetime,
    passed_before: bool = False,
) -> dict[str, Any]:
    """The JSON of an attempt for its student (questions without keys; feedback as the
    evaluation's policy allows). ``passed_before``: the student has passed this evaluation in
    some attempt, which opens ``after_passing`` feedback on every one of their attempts."""
    feedback = None
    if attempt.status != AttemptStatus.IN_PROGRESS.value and attempt.result is not None:
        result = grading.result_from_json(attempt.result)
        answers = grading.parse_answers(evaluation, attempt.answers or {})
        allowed = grading.feedback_allowed(
            evaluation.feedback, passed=bool(attempt.passed) or passed_before, attempts_left=left
        )
        feedback = grading.feedback_for(
            evaluation, result, answers, policy_allows=allowed, seed=attempt.seed
        )
    return {
        "id": attempt.public_id,
        "course": attempt.course,
        "lesson": attempt.lesson,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "now": now,
        "questions": grading.public_questions(evaluation, seed=attempt.seed),
        "answers": attempt.answers,
        "score": str(attempt.score) if attempt.score is not None else None,
        "passed": attempt.passed,
        "pending": attempt.status == AttemptStatus.PENDING.value,
        "attempts_left": left,
        "feedback_policy": str(evaluation.feedback),
        "feedback": feedback,
        "comment": (attempt.result or {}).get("comment"),
    }


def standing(session: Session, attempt: Attempt, evaluation: Evaluation) -> tuple[int | None, bool]:
    """(attempts left, passed in any attempt) of the attempt's student on its evaluation."""
    attempts = attempts_of(session, attempt.user_id, attempt.course, attempt.lesson)
    requests = requests_of(session, attempt.user_id, attempt.course, attempt.lesson)
    left = attempts_left(attempts_allowed(evaluation, requests), len(attempts))
    return left, any(a.passed for a in attempts)


def request_view(request: AttemptRequest | None) -> dict[str, Any] | None:
    if request is None:
        return None
    return {
        "id": request.id,
        "status": request.status,
        "reason": request.reason,
        "note": request.note,
        "extra_attempts": request.extra_attempts,
        "created_at": request.created_at,
        "decided_at": request.decided_at,
    }


def evaluation_info(
    session: Session, user: CurrentUser, context: EvaluationContext, grace: int
) -> dict[str, Any]:
    """The evaluation's facts and the caller's standing: attempts, score, what they can do."""
    slug, lesson = context.course.course.slug, context.lesson.id
    evaluation = context.evaluation
    attempts = attempts_of(session, user.id, slug, lesson)
    close_expired(session, attempts, evaluation, utcnow(), grace)
    requests = requests_of(session, user.id, slug, lesson)
    allowed = attempts_allowed(evaluation, requests)
    left = attempts_left(allowed, len(attempts))
    in_progress = next(
        (a.public_id for a in attempts if a.status == AttemptStatus.IN_PROGRESS.value), None
    )
    summary = evaluation_summaries(session, user.id, context.course).get(lesson)
    score = summary.score if summary else None
    passed = bool(summary and summary.passed)
    pending = bool(summary and summary.pending)
    blocked = blocked_reason(user, context)
    if (
        blocked is None
        and in_progress is None
        and left == 0
        and not access.is_staff(user, context.course)
    ):
        blocked = "no_attempts_left"
    return {
        "course": slug,
        "lesson": lesson,
        "title": context.lesson.title,
        "passing_score": evaluation.passing_score,
        "max_attempts": evaluation.max_attempts,
        "extra_attempts": (allowed - evaluation.max_attempts)
        if allowed is not None and evaluation.max_attempts is not None
        else 0,
        "attempts_allowed": allowed,
        "attempts_used": len(attempts),
        "attempts_left": left,
        "time_limit_minutes": evaluation.time_limit_minutes,
        "scoring": str(evaluation.scoring),
        "feedback": str(evaluation.feedback),
        "question_count": len(evaluation.questions),
        "total_points": evaluation.total_points,
        "can_start": blocked is None,
        "blocked": blocked,
        "in_progress": in_progress,
        "score": str(score) if score is not None else None,
        "passed": passed,
        "pending": pending,
        "attempts": [
            {
                "id": a.public_id,
                "number": a.number,
                "status": a.status,
                "started_at": a.started_at,
                "submitted_at": a.submitted_at,
                "score": str(a.score) if a.score is not None else None,
                "passed": a.passed,
            }
            for a in attempts
        ],
        "request": request_view(requests[-1] if requests else None),
    }


# --- extra attempts ------------------------------------------------------------------------


def request_attempt(
    session: Session, user: CurrentUser, context: EvaluationContext, reason: str
) -> AttemptRequest:
    """A student who used every attempt asks for another."""
    blocked = blocked_reason(user, context)
    if blocked is not None:
        raise refuse(blocked)
    slug, lesson = context.course.course.slug, context.lesson.id
    attempts = attempts_of(session, user.id, slug, lesson)
    requests = requests_of(session, user.id, slug, lesson)
    left = attempts_left(attempts_allowed(context.evaluation, requests), len(attempts))
    if left is None or left > 0:
        raise ApiError(409, "attempts_remaining", "You still have attempts left.")
    if any(r.status == RequestStatus.PENDING.value for r in requests):
        raise ApiError(409, "request_pending", "Your request is waiting for the instructor.")
    request = AttemptRequest(user_id=user.id, course=slug, lesson=lesson, reason=reason)
    session.add(request)
    session.flush()
    return request


def decide_request(
    session: Session,
    store: CatalogStore,
    decider: CurrentUser,
    request_id: int,
    grant: bool,
    extra: int,
    note: str,
) -> tuple[AttemptRequest, User]:
    """Grant or deny a request; only the course's staff may. Returns it and its student."""
    request = session.get(AttemptRequest, request_id, with_for_update=True)
    catalog = store.current(session)
    course = catalog.course(request.course) if request and catalog else None
    if request is None or course is None or not access.is_staff(decider, course):
        raise ApiError(404, "not_found", "There is no such request among your courses.")
    if request.status != RequestStatus.PENDING.value:
        raise ApiError(409, "already_decided", "This request was already decided.")
    request.status = (RequestStatus.GRANTED if grant else RequestStatus.DENIED).value
    request.extra_attempts = extra if grant else 0
    request.note = note
    request.decided_at = utcnow()
    request.decided_by = decider.id
    session.add(request)
    student = session.get(User, request.user_id)
    assert student is not None
    session.flush()
    return request, student


# --- grading by hand -----------------------------------------------------------------------


def staff_courses(catalog: Catalog | None, user: CurrentUser) -> list[CourseIndex]:
    return [c for c in (catalog.courses.values() if catalog else []) if access.is_staff(user, c)]


def grade_attempt(
    session: Session,
    store: CatalogStore,
    grader: CurrentUser,
    public_id: str,
    points: dict[str, int],
    comment: str,
) -> tuple[Attempt, bool]:
    """Give points to an attempt's open answers; ``(attempt, course_completed_now)``."""
    attempt = session.exec(
        select(Attempt).where(col(Attempt.public_id) == public_id).with_for_update()
    ).first()
    catalog = store.current(session)
    course = catalog.course(attempt.course) if attempt and catalog else None
    if attempt is None or course is None or not access.is_staff(grader, course):
        raise ApiError(404, "not_found", "There is no such attempt among your courses.")
    if attempt.status != AttemptStatus.PENDING.value or attempt.result is None:
        raise ApiError(409, "not_pending", "This attempt is not waiting for a grader.")
    evaluation = evaluation_of(session, store, attempt)
    try:
        result = grading.apply_manual_grades(evaluation, attempt.result, points)
    except grading.ManualGradeError as exc:
        fields = {f"points.{key}": text for key, text in exc.fields.items()}
        raise ApiError(422, "invalid_fields", exc.message, fields or None) from exc
    now = utcnow()
    stored = grading.result_to_json(result)
    if comment:
        stored["comment"] = comment
    attempt.result = stored
    attempt.graded_by = grader.id
    _store_result(attempt, result, now)
    session.add(attempt)
    session.flush()
    completed_now = bool(result.passed) and complete_passed(session, store, attempt)
    return attempt, completed_now


def grading_queue(
    session: Session, store: CatalogStore, grader: CurrentUser
) -> list[dict[str, Any]]:
    """Attempts waiting for a grader in the courses ``grader`` may grade, oldest first."""
    catalog = store.current(session)
    courses = {c.course.slug: c for c in staff_courses(catalog, grader)}
    if not courses:
        return []
    rows = session.exec(
        select(Attempt, User)
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(
            col(Attempt.status) == AttemptStatus.PENDING.value,
            col(Attempt.course).in_(list(courses)),
        )
        .order_by(col(Attempt.submitted_at))
        .limit(200)
    ).all()
    items = []
    for attempt, student in rows:
        evaluation = evaluation_of(session, store, attempt)
        result = grading.result_from_json(attempt.result or {})
        pending = set(grading.pending_questions(result))
        lesson = courses[attempt.course].lesson(attempt.lesson)
        items.append(
            {
                "attempt": attempt.public_id,
                "course": attempt.course,
                "course_title": courses[attempt.course].course.title,
                "lesson": attempt.lesson,
                "lesson_title": lesson.title if lesson else attempt.lesson,
                "student": {"id": student.id, "name": student.name, "email": student.email},
                "submitted_at": attempt.submitted_at,
                "score_so_far": f"{result.points}/{result.total_points}",
                "questions": [
                    {
                        "id": q.id,
                        "prompt_html": grading.render_markdown(q.prompt),
                        "rubric": q.rubric,
                        "max_points": q.points,
                        "answer": (attempt.answers or {}).get(q.id),
                    }
                    for q in evaluation.questions
                    if q.id in pending
                ],
            }
        )
    return items


def request_queue(
    session: Session, store: CatalogStore, decider: CurrentUser, status: str
) -> list[dict[str, Any]]:
    """Extra-attempt requests of the courses ``decider`` teaches (or all, for admins)."""
    catalog = store.current(session)
    courses = {c.course.slug: c for c in staff_courses(catalog, decider)}
    if not courses:
        return []
    rows = session.exec(
        select(AttemptRequest, User)
        .join(User, col(User.id) == col(AttemptRequest.user_id))
        .where(
            col(AttemptRequest.status) == status,
            col(AttemptRequest.course).in_(list(courses)),
        )
        .order_by(col(AttemptRequest.created_at))
        .limit(200)
    ).all()
    items = []
    for request, student in rows:
        course = courses[request.course]
        lesson = course.lesson(request.lesson)
        attempts = attempts_of(session, request.user_id, request.course, request.lesson)
        allowed = (
            attempts_allowed(
                lesson.evaluation,
                requests_of(session, request.user_id, request.course, request.lesson),
            )
            if lesson and lesson.evaluation
            else None
        )
        items.append(
            {
                **(request_view(request) or {}),
                "course": request.course,
                "course_title": course.course.title,
                "lesson": request.lesson,
                "lesson_title": lesson.title if lesson else request.lesson,
                "student": {"id": student.id, "name": student.name, "email": student.email},
                "attempts_used": len(attempts),
                "attempts_allowed": allowed,
            }
        )
    return items
