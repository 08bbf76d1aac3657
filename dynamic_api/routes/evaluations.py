"""Evaluations: attempts for students; the grading queue and extra attempts for staff.

Grading is server-side only (``dynamic_api/learning/grading.py``); the rules of attempts,
deadlines and extra attempts are in ``dynamic_api/learning/evaluations.py``.

Who may call what:

- the evaluation, starting attempts, asking for another: enrolled students (not auditors),
  and the course's staff, to try it out;
- reading and submitting an attempt: its student only;
- ``/api/admin/grading``, ``…/grade`` and ``/api/admin/attempt-requests``: instructors of
  the course, moderators and admins.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dynamic_api.auth import CurrentUser, requires, signed_in_user
from dynamic_api.db import run_in_session, utcnow
from dynamic_api.errors import ApiError, read_json, read_path_id, read_query
from dynamic_api.learning import evaluations as ev
from dynamic_api.learning.catalog import CatalogStore, request_catalog
from dynamic_api.mail.compose import compose
from dynamic_api.models import Role, User
from dynamic_api.responses import json_response
from site_builder.settings import Settings

logger = logging.getLogger(__name__)

#: The largest submission: 50 open answers of 10,000 characters, with room for JSON.
MAX_SUBMISSION_BYTES = 600_000


class AttemptSummary(BaseModel):
    id: str
    number: int
    status: str = Field(description="`in_progress`, `pending` (waits for a grader) or `graded`.")
    started_at: datetime
    submitted_at: datetime | None
    score: str | None
    passed: bool | None


class AttemptRequestView(BaseModel):
    id: int
    status: str = Field(description="`pending`, `granted` or `denied`.")
    reason: str
    note: str
    extra_attempts: int
    created_at: datetime
    decided_at: datetime | None


class EvaluationInfo(BaseModel):
    course: str
    lesson: str
    title: str
    passing_score: int
    max_attempts: int | None = Field(description="The author's limit; null = unlimited.")
    extra_attempts: int = Field(description="Attempts granted on request.")
    attempts_allowed: int | None
    attempts_used: int
    attempts_left: int | None
    time_limit_minutes: int | None
    scoring: str = Field(description="`best` or `last`: which attempt counts.")
    feedback: str = Field(description="When answers and explanations are shown.")
    question_count: int
    total_points: int
    can_start: bool
    blocked: str | None = Field(
        description="Why not: `not_enrolled`, `audit_excluded` or `no_attempts_left`."
    )
    in_progress: str | None = Field(description="The open attempt to resume.")
    score: str | None = Field(description="The counted score, in percent.")
    passed: bool
    pending: bool
    attempts: list[AttemptSummary]
    request: AttemptRequestView | None


class Question(BaseModel):
    id: str
    type: str = Field(description="single, multiple, true_false, short_text, numeric, open.")
    points: int
    prompt_html: str
    options: list[dict[str, str]] | None = Field(None, description="`[{id, text_html}]`.")
    max_length: int | None = None


class AttemptView(BaseModel):
    id: str
    course: str
    lesson: str
    number: int
    status: str
    started_at: datetime
    deadline: datetime | None = Field(description="Submissions after it are refused.")
    submitted_at: datetime | None
    now: datetime = Field(description="The server's clock, for the countdown.")
    questions: list[Question] = Field(description="In this attempt's (shuffled) order.")
    answers: dict[str, Any] | None
    score: str | None
    passed: bool | None
    pending: bool
    attempts_left: int | None
    feedback_policy: str
    feedback: list[dict[str, Any]] | None = Field(
        description="Per question; answers and explanations only when the policy allows."
    )
    comment: str | None = Field(description="The grader's comment.")


class SubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        description="Question id → answer: option id (single), option ids (multiple), "
        "true/false, text (short_text, open) or a number (numeric). Omit to leave unanswered."
    )


class AttemptRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000, description="Why another attempt would help.")


class Student(BaseModel):
    id: int
    name: str
    email: str


class GradingQuestion(BaseModel):
    id: str
    prompt_html: str
    rubric: str | None
    max_points: int
    answer: Any


class GradingItem(BaseModel):
    attempt: str
    course: str
    course_title: str
    lesson: str
    lesson_title: str
    student: Student
    submitted_at: datetime | None
    score_so_far: str = Field(description="Points from the automatic part, e.g. `9/12`.")
    questions: list[GradingQuestion] = Field(description="The open answers to grade.")


class GradingQueue(BaseModel):
    items: list[GradingItem]


class GradeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: dict[str, StrictInt] = Field(
        description="Open question id → whole points, from 0 to the question's points."
    )
    comment: str = Field("", max_length=2000, description="Shown to the student.")


class RequestItem(AttemptRequestView):
    course: str
    course_title: str
    lesson: str
    lesson_title: str
    student: Student
    attempts_used: int
    attempts_allowed: int | None


class RequestList(BaseModel):
    items: list[RequestItem]


class RequestQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: str = Field("pending", pattern="^(pending|granted|denied)$")


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(pattern="^(grant|deny)$")
    extra_attempts: StrictInt = Field(1, ge=1, le=ev.MAX_EXTRA_ATTEMPTS)
    note: str = Field("", max_length=2000)


def _grace(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.attempt_grace_seconds


def _view(session: Session, store: CatalogStore, attempt: Any) -> AttemptView:
    evaluation = ev.evaluation_of(session, store, attempt)
    left, passed_before = ev.standing(session, attempt, evaluation)
    view = ev.attempt_view(attempt, evaluation, left, utcnow(), passed_before)
    return AttemptView.model_validate(view)


@requires()
async def get_evaluation(request: Request) -> Response:
    """An evaluation's facts and the caller's standing.

    ---
    summary: Get an evaluation
    description: >-
      Passing score, attempts (allowed, used, left), time limit, scoring, feedback policy,
      the caller's attempts and counted score, whether they can start one (and why not), and
      their latest request for another attempt.
    operationId: getEvaluation
    tags: [evaluations]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The evaluation.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/EvaluationInfo"}
    """
    user = await signed_in_user(request)
    course, lesson = request.path_params["course"], request.path_params["lesson"]
    store, grace = request_catalog(request), _grace(request)

    def load(session: Session) -> EvaluationInfo:
        context = ev.load_evaluation(session, store, user, course, lesson)
        return EvaluationInfo.model_validate(ev.evaluation_info(session, user, context, grace))

    return json_response(await run_in_session(request, load))


@requires()
async def start_attempt(request: Request) -> Response:
    """Start an attempt (or resume the open one).

    ---
    summary: Start an attempt
    description: >-
      Returns the questions without answer keys, shuffled per attempt when the evaluation
      says so, and the deadline of a timed evaluation. An attempt already open is returned
      (200) instead of a new one (201). 403 `not_enrolled`, `audit_excluded` or
      `no_attempts_left`.
    operationId: startAttempt
    tags: [evaluations]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The attempt already in progress.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptView"}
      "201":
        description: A new attempt.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    course, lesson = request.path_params["course"], request.path_params["lesson"]
    store, grace = request_catalog(request), _grace(request)

    def start(session: Session) -> tuple[AttemptView, bool]:
        context = ev.load_evaluation(session, store, user, course, lesson)
        attempt, created = ev.start_attempt(session, user, context, grace)
        return _view(session, store, attempt), created

    view, created = await run_in_session(request, start)
    return json_response(view, 201 if created else 200)


@requires()
async def get_attempt(request: Request) -> Response:
    """One of the caller's attempts.

    ---
    summary: Get an attempt
    description: The caller's attempt with its result and feedback, as the policy allows.
    operationId: getAttempt
    tags: [evaluations]
    security: [{session: []}]
    parameters:
      - {name: attempt, in: path, required: true, schema: {type: string}}
    responses:
      "200":
        description: The attempt.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptView"}
    """
    user = await signed_in_user(request)
    public_id = request.path_params["attempt"]
    store, grace = request_catalog(request), _grace(request)

    def load(session: Session) -> AttemptView:
        attempt = ev.owned_attempt(session, public_id, user)
        evaluation = ev.evaluation_of(session, store, attempt)
        ev.close_expired(session, [attempt], evaluation, utcnow(), grace)
        return _view(session, store, attempt)

    return json_response(await run_in_session(request, load))


@requires()
async def submit_attempt(request: Request) -> Response:
    """Submit the answers of an attempt; graded on the server.

    ---
    summary: Submit an attempt
    description: >-
      Grades the answers and returns score, passed and per-question feedback as the
      evaluation allows; open answers leave the attempt `pending` for a grader. Passing
      completes the lesson. 409 `already_submitted` for a second submit; 409
      `deadline_passed` after a timed attempt's deadline (the attempt is closed with no
      answers); 422 `invalid_fields` with `fields` keyed `answers.<question id>`.
    operationId: submitAttempt
    tags: [evaluations]
    security: [{session: []}]
    parameters:
      - {name: attempt, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/SubmitRequest"}
    responses:
      "200":
        description: The graded (or pending) attempt.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, SubmitRequest, max_bytes=MAX_SUBMISSION_BYTES)
    public_id = request.path_params["attempt"]
    store, grace = request_catalog(request), _grace(request)

    def submit(session: Session) -> tuple[AttemptView, bool]:
        done = ev.submit_attempt(session, store, user, public_id, body.answers, grace)
        return _view(session, store, done.attempt), done.late

    view, late = await run_in_session(request, submit)
    if late:
        raise ApiError(
            409, "deadline_passed", "The time for this attempt is over; it was closed unanswered."
        )
    return json_response(view)


def _staff_emails(
    request: Request, session: Session, store: CatalogStore, item: Any
) -> list[EmailMessage]:
    """Emails to the course's instructors (linked accounts) about a new request."""
    settings: Settings = request.app.state.settings
    catalog = store.current(session)
    course = catalog.course(item.course) if catalog else None
    if course is None:
        return []
    lesson = course.lesson(item.lesson)
    student = session.get(User, item.user_id)
    instructors = session.exec(
        select(User).where(
            col(User.instructor_slug).in_(course.course.instructors),
            col(User.is_active).is_(True),
            col(User.deleted_at).is_(None),
        )
    ).all()
    return [
        compose(
            settings,
            template="attempt_request",
            to=instructor.email,
            name=instructor.name,
            language=instructor.language,
            student=student.name if student else "",
            course=course.course.title,
            lesson=lesson.title if lesson else item.lesson,
            reason=item.reason,
            url=f"{settings.site_url.rstrip('/')}/account/grading/",
        )
        for instructor in instructors
    ]


@requires()
async def ask_for_attempt(request: Request) -> Response:
    """Ask the instructor for another attempt.

    ---
    summary: Request another attempt
    description: >-
      For a student who used every attempt; the course's instructors are emailed and decide
      on the grading page. 409 `attempts_remaining` or `request_pending`.
    operationId: requestAttempt
    tags: [evaluations]
    security: [{session: []}]
    parameters:
      - {name: course, in: path, required: true, schema: {type: string}}
      - {name: lesson, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/AttemptRequestBody"}
    responses:
      "201":
        description: The request.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptRequestView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, AttemptRequestBody, max_bytes=16_384)
    course, lesson = request.path_params["course"], request.path_params["lesson"]
    store = request_catalog(request)

    def ask(session: Session) -> tuple[AttemptRequestView, list[EmailMessage]]:
        context = ev.load_evaluation(session, store, user, course, lesson)
        item = ev.request_attempt(session, user, context, body.reason.strip())
        emails = _staff_emails(request, session, store, item)
        return AttemptRequestView.model_validate(ev.request_view(item)), emails

    view, emails = await run_in_session(request, ask)
    for email in emails:  # after the commit: no email about a request that was not stored
        request.app.state.mailer.send(email)
    return json_response(view, 201)


STAFF = (Role.ADMIN, Role.MODERATOR, Role.INSTRUCTOR)


@requires(*STAFF)
async def grading_queue(request: Request) -> Response:
    """Attempts waiting for a grader.

    ---
    summary: Grading queue
    description: >-
      Attempts with open answers to grade, oldest first, in the courses the caller teaches
      (moderators and admins: every course), with each answer and the rubric.
    operationId: adminGradingQueue
    tags: [admin]
    security: [{session: []}]
    responses:
      "200":
        description: The queue.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/GradingQueue"}
    """
    user = await signed_in_user(request)
    store = request_catalog(request)

    def load(session: Session) -> GradingQueue:
        return GradingQueue.model_validate({"items": ev.grading_queue(session, store, user)})

    return json_response(await run_in_session(request, load))


@requires(*STAFF)
async def grade_attempt(request: Request) -> Response:
    """Grade the open answers of an attempt.

    ---
    summary: Grade an attempt
    description: >-
      Whole points for each open answer (0 to the question's points) and an optional
      comment for the student. When every open answer has points, the attempt is graded
      and, if passed, completes the lesson. 409 `not_pending` if it does not wait for a
      grader.
    operationId: adminGradeAttempt
    tags: [admin]
    security: [{session: []}]
    parameters:
      - {name: attempt, in: path, required: true, schema: {type: string}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/GradeBody"}
    responses:
      "200":
        description: The attempt as its student now sees it.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user = await signed_in_user(request)
    body = await read_json(request, GradeBody, max_bytes=65_536)
    public_id = request.path_params["attempt"]
    store = request_catalog(request)

    def grade(session: Session) -> AttemptView:
        attempt, _ = ev.grade_attempt(session, store, user, public_id, body.points, body.comment)
        return _view(session, store, attempt)

    view = await run_in_session(request, grade)
    logger.info("Attempt %s graded by user %s", public_id, user.id)
    return json_response(view)


@requires(*STAFF)
async def list_requests(request: Request) -> Response:
    """Requests for extra attempts.

    ---
    summary: List attempt requests
    description: Requests in the caller's courses (moderators and admins see all).
    operationId: adminListAttemptRequests
    tags: [admin]
    security: [{session: []}]
    parameters:
      - name: status
        in: query
        schema: {type: string, enum: [pending, granted, denied], default: pending}
    responses:
      "200":
        description: The requests, oldest first.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/RequestList"}
      "422": {$ref: "#/components/responses/InvalidFields"}
    """
    user = await signed_in_user(request)
    query = read_query(request, RequestQuery)
    store = request_catalog(request)

    def load(session: Session) -> RequestList:
        items = ev.request_queue(session, store, user, query.status)
        return RequestList.model_validate({"items": items})

    return json_response(await run_in_session(request, load))


@requires(*STAFF)
async def decide_request(request: Request) -> Response:
    """Grant or deny a request for extra attempts; the student is emailed.

    ---
    summary: Decide an attempt request
    description: >-
      `grant` with 1 to 10 extra attempts, or `deny`; an optional note goes to the student.
      409 `already_decided`.
    operationId: adminDecideAttemptRequest
    tags: [admin]
    security: [{session: []}]
    parameters:
      - {name: request_id, in: path, required: true, schema: {type: integer}}
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/DecisionBody"}
    responses:
      "200":
        description: The decided request.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/AttemptRequestView"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    user: CurrentUser = await signed_in_user(request)
    body = await read_json(request, DecisionBody, max_bytes=16_384)
    request_id = read_path_id(request, "request_id", "There is no such request among your courses.")
    store = request_catalog(request)
    settings: Settings = request.app.state.settings
    grant = body.decision == "grant"

    def decide(session: Session) -> tuple[AttemptRequestView, EmailMessage]:
        item, student = ev.decide_request(
            session, store, user, request_id, grant, body.extra_attempts, body.note.strip()
        )
        catalog = store.current(session)
        course = catalog.course(item.course) if catalog else None
        lesson = course.lesson(item.lesson) if course else None
        email = compose(
            settings,
            template="attempt_decision",
            to=student.email,
            name=student.name,
            language=student.language,
            granted=grant,
            extra=item.extra_attempts,
            note=item.note,
            course=course.course.title if course else item.course,
            lesson=lesson.title if lesson else item.lesson,
            url=f"{settings.site_url.rstrip('/')}/courses/{item.course}/{item.lesson}/",
        )
        return AttemptRequestView.model_validate(ev.request_view(item)), email

    view, email = await run_in_session(request, decide)
    request.app.state.mailer.send(email)
    return json_response(view)


EVALUATION = "/api/courses/{course:str}/evaluations/{lesson:str}"

routes: list[BaseRoute] = [
    Route(EVALUATION, get_evaluation, methods=["GET"], name="get_evaluation"),
    Route(EVALUATION + "/attempts", start_attempt, methods=["POST"], name="start_attempt"),
    Route(EVALUATION + "/attempt-requests", ask_for_attempt, methods=["POST"], name="ask_attempt"),
    Route("/api/attempts/{attempt:str}", get_attempt, methods=["GET"], name="get_attempt"),
    Route("/api/attempts/{attempt:str}/submit", submit_attempt, methods=["POST"], name="submit"),
    Route("/api/admin/grading", grading_queue, methods=["GET"], name="grading_queue"),
    Route(
        "/api/admin/attempts/{attempt:str}/grade",
        grade_attempt,
        methods=["POST"],
        name="grade_attempt",
    ),
    Route("/api/admin/attempt-requests", list_requests, methods=["GET"], name="list_requests"),
    Route(
        "/api/admin/attempt-requests/{request_id:int}",
        decide_request,
        methods=["POST"],
        name="decide_request",
    ),
]

schema_models: list[type[BaseModel]] = [
    EvaluationInfo,
    AttemptView,
    SubmitRequest,
    AttemptRequestBody,
    AttemptRequestView,
    GradingQueue,
    GradeBody,
    RequestList,
    DecisionBody,
]
