"""Evaluations through the API, on every database: attempts, server-side grading, limits,
deadlines, open answers graded by hand, extra attempts, feedback policies.

The fixture quiz (`open-course`/`quiz`): six one-point questions, pass at 60 %, two attempts;
`essay` is an open question.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from api_support import Outbox
from learning_support import OPEN, Publisher, lesson_of
from sqlalchemy.engine import Engine
from sqlmodel import select, update
from starlette.testclient import TestClient

from dynamic_api.db import session_scope, utcnow
from dynamic_api.models import Attempt, User

pytestmark = pytest.mark.all_databases

QUIZ = f"/api/courses/{OPEN}/evaluations/quiz"
RIGHT = {
    "pick": "b",
    "many": ["four", "two"],
    "truth": True,
    "word": "answer-key-marker-c41e.",
    "number": 4242.42425,
    "essay": "Small, named, and known.",
}
WRONG = {"pick": "a", "many": ["two"], "truth": False, "word": "no", "number": 1}


def without_essay(manifest: dict[str, Any]) -> None:
    evaluation = lesson_of(manifest, OPEN, "quiz")["evaluation"]
    evaluation["questions"] = [q for q in evaluation["questions"] if q["id"] != "essay"]


def enrolled(login_as: Callable[..., TestClient], *roles: str) -> TestClient:
    student = login_as(*roles)
    assert student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"}).status_code == 201
    return student


def start(client: TestClient) -> dict[str, Any]:
    response = client.post(QUIZ + "/attempts", json={})
    assert response.status_code in (200, 201), response.text
    return response.json()


def submit(client: TestClient, attempt: str, answers: dict[str, Any]) -> Any:
    return client.post(f"/api/attempts/{attempt}/submit", json={"answers": answers})


def test_attempt_shows_questions_without_keys_and_resumes(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient]
) -> None:
    student = enrolled(login_as)
    first = student.post(QUIZ + "/attempts", json={})
    assert first.status_code == 201
    body = first.json()
    text = first.text
    for secret in ("ANSWER-KEY-MARKER", "RUBRIC-MARKER", "EXPLANATION-MARKER", '"correct"'):
        assert secret not in text
    assert [q["id"] for q in body["questions"]] == [
        "pick",
        "many",
        "truth",
        "word",
        "number",
        "essay",
    ]
    assert body["questions"][0]["options"][1] == {"id": "b", "text_html": "The second option"}
    assert "<p>" in body["questions"][0]["prompt_html"]
    assert body["status"] == "in_progress"
    assert body["deadline"] is None
    again = student.post(QUIZ + "/attempts", json={})
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    info = student.get(QUIZ).json()
    assert info["in_progress"] == body["id"]
    assert info["attempts_used"] == 1
    assert info["attempts_left"] == 1
    assert info["can_start"] is True


def test_passing_completes_the_lesson_and_the_course(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient]
) -> None:
    publish(without_essay)
    student = enrolled(login_as)
    for lesson in ("welcome", "reading", "path-a"):
        student.post(f"/api/courses/{OPEN}/lessons/{lesson}/complete")
    attempt = start(student)
    answers = {k: v for k, v in RIGHT.items() if k != "essay"}
    result = submit(student, attempt["id"], answers)
    assert result.status_code == 200, result.text
    graded = result.json()
    assert graded["status"] == "graded"
    assert graded["score"] == "100.00"
    assert graded["passed"]
    feedback = {item["id"]: item for item in graded["feedback"]}
    assert feedback["pick"]["correct"] is True
    assert feedback["pick"]["correct_answer"] == "b"
    assert "EXPLANATION-MARKER" in feedback["pick"]["explanation_html"]
    status = student.get(f"/api/courses/{OPEN}/status").json()
    assert status["progress"]["complete"] is True
    assert status["progress"]["percent"] == 100
    assert status["evaluations"]["quiz"]["passed"] is True
    assert status["progress"]["completed_at"] is not None


def test_failing_then_limits_then_extra_attempt_on_request(
    db_backend: str,
    catalog: Publisher,
    login_as: Callable[..., TestClient],
    engine: Engine,
    outbox: Outbox,
) -> None:
    student = enrolled(login_as)
    teacher = login_as("instructor", email="teacher@example.com")
    with session_scope(engine) as session:
        session.exec(
            update(User)
            .where(User.email == "teacher@example.com")
            .values(instructor_slug="tess-tester")
        )  # type: ignore[call-overload,arg-type]
    for _ in range(2):
        attempt = start(student)
        failed = submit(student, attempt["id"], WRONG).json()
        assert failed["status"] == "graded"
        assert failed["passed"] is False
        assert failed["score"] == "0.00"
    refused = student.post(QUIZ + "/attempts", json={})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "no_attempts_left"
    info = student.get(QUIZ).json()
    assert info["blocked"] == "no_attempts_left"
    assert info["attempts_left"] == 0
    asked = student.post(QUIZ + "/attempt-requests", json={"reason": "I was ill."})
    assert asked.status_code == 201
    assert asked.json()["status"] == "pending"
    assert "I was ill." in outbox.last("teacher@example.com").get_body(("plain",)).get_content()
    twice = student.post(QUIZ + "/attempt-requests", json={"reason": "Please"})
    assert twice.json()["error"]["code"] == "request_pending"
    queue = teacher.get("/api/admin/attempt-requests").json()["items"]
    assert len(queue) == 1
    assert queue[0]["attempts_used"] == 2
    other = login_as("instructor")
    assert other.get("/api/admin/attempt-requests").json()["items"] == []
    assert student.get("/api/admin/attempt-requests").status_code == 403
    unknown = teacher.post(f"/api/admin/attempt-requests/{10**30}", json={"decision": "deny"})
    assert unknown.status_code == 404
    decided = teacher.post(
        f"/api/admin/attempt-requests/{queue[0]['id']}",
        json={"decision": "grant", "extra_attempts": 1, "note": "Good luck"},
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "granted"
    mail = outbox.last(student.user["email"])  # type: ignore[attr-defined]
    assert "Good luck" in mail.get_body(("plain",)).get_content()
    again = teacher.post(f"/api/admin/attempt-requests/{queue[0]['id']}", json={"decision": "deny"})
    assert again.status_code == 409
    assert student.get(QUIZ).json()["attempts_left"] == 1
    assert student.post(QUIZ + "/attempts", json={}).status_code == 201


def test_open_answers_wait_for_a_grader(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    student = enrolled(login_as)
    moderator = login_as("moderator")
    attempt = start(student)
    pending = submit(student, attempt["id"], RIGHT).json()
    assert pending["status"] == "pending"
    assert pending["score"] is None
    assert pending["passed"] is None
    assert student.get(QUIZ).json()["pending"] is True
    queue = moderator.get("/api/admin/grading").json()["items"]
    assert [item["attempt"] for item in queue] == [attempt["id"]]
    assert queue[0]["questions"][0]["id"] == "essay"
    assert queue[0]["questions"][0]["answer"] == "Small, named, and known."
    assert "RUBRIC-MARKER" in queue[0]["questions"][0]["rubric"]
    too_many = moderator.post(
        f"/api/admin/attempts/{attempt['id']}/grade", json={"points": {"essay": 5}}
    )
    assert too_many.status_code == 422
    assert "points.essay" in too_many.json()["error"]["fields"]
    wrong_type = moderator.post(
        f"/api/admin/attempts/{attempt['id']}/grade", json={"points": {"essay": "1"}}
    )
    assert wrong_type.status_code == 422
    assert (
        student.post(f"/api/admin/attempts/{attempt['id']}/grade", json={"points": {}}).status_code
        == 403
    )
    graded = moderator.post(
        f"/api/admin/attempts/{attempt['id']}/grade",
        json={"points": {"essay": 1}, "comment": "Well put."},
    )
    assert graded.status_code == 200, graded.text
    assert graded.json()["score"] == "100.00"
    assert graded.json()["passed"] is True
    mine = student.get(f"/api/attempts/{attempt['id']}").json()
    assert mine["status"] == "graded"
    assert mine["comment"] == "Well put."
    assert moderator.get("/api/admin/grading").json()["items"] == []
    assert (
        moderator.post(
            f"/api/admin/attempts/{attempt['id']}/grade", json={"points": {"essay": 1}}
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"nope": "a"}, "answers.nope"),
        ({"pick": "z"}, "answers.pick"),
        ({"pick": ["b"]}, "answers.pick"),
        ({"many": "two"}, "answers.many"),
        ({"truth": "true"}, "answers.truth"),
        ({"number": "four"}, "answers.number"),
        ({"word": 42}, "answers.word"),
        ({"essay": "x" * 10_001}, "answers.essay"),
    ],
)
def test_wrong_payloads_are_422_and_leave_the_attempt_open(
    db_backend: str,
    catalog: Publisher,
    login_as: Callable[..., TestClient],
    answers: dict[str, Any],
    field: str,
) -> None:
    student = enrolled(login_as)
    attempt = start(student)
    response = submit(student, attempt["id"], answers)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    assert student.get(f"/api/attempts/{attempt['id']}").json()["status"] == "in_progress"


def test_malformed_and_second_submits(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient]
) -> None:
    student = enrolled(login_as)
    attempt = start(student)
    url = f"/api/attempts/{attempt['id']}/submit"
    assert student.post(url, json={"answers": [1]}).status_code == 422
    assert student.post(url, json={}).status_code == 422
    assert (
        student.post(url, content=b"{", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert submit(student, attempt["id"], {}).status_code == 200  # nothing answered: 0 %
    second = submit(student, attempt["id"], RIGHT)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_submitted"
    stranger = enrolled(login_as)
    assert stranger.get(f"/api/attempts/{attempt['id']}").status_code == 404
    assert submit(stranger, attempt["id"], RIGHT).status_code == 404


def test_late_submission_is_refused_and_closes_the_attempt(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    publish(lambda m: lesson_of(m, OPEN, "quiz")["evaluation"].update(time_limit_minutes=5))
    student = enrolled(login_as)
    attempt = start(student)
    assert attempt["deadline"] is not None
    with session_scope(engine) as session:
        session.exec(update(Attempt).values(deadline=utcnow() - timedelta(minutes=1)))  # type: ignore[call-overload]
    late = submit(student, attempt["id"], RIGHT)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "deadline_passed"
    closed = student.get(f"/api/attempts/{attempt['id']}").json()
    assert closed["status"] == "graded"
    assert closed["score"] == "0.00"
    assert closed["answers"] == {}


def test_within_the_grace_period_a_submission_counts(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    publish(lambda m: lesson_of(m, OPEN, "quiz")["evaluation"].update(time_limit_minutes=5))
    student = enrolled(login_as)
    attempt = start(student)
    with session_scope(engine) as session:
        session.exec(update(Attempt).values(deadline=utcnow() - timedelta(seconds=5)))  # type: ignore[call-overload]
    assert submit(student, attempt["id"], WRONG).status_code == 200


def test_audit_and_strangers_cannot_take_it(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient], client: TestClient
) -> None:
    from learning_support import course_of

    publish(lambda m: course_of(m, OPEN).update(audit=True))
    auditor = login_as()
    auditor.post(f"/api/courses/{OPEN}/enroll", json={"mode": "audit"})
    refused = auditor.post(QUIZ + "/attempts", json={})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "audit_excluded"
    assert auditor.get(QUIZ).json()["blocked"] == "audit_excluded"
    stranger = login_as()
    assert stranger.post(QUIZ + "/attempts", json={}).json()["error"]["code"] == "not_enrolled"
    assert client.post(QUIZ + "/attempts", json={}).status_code == 401
    assert stranger.get(f"/api/courses/{OPEN}/evaluations/welcome").status_code == 404


def test_an_attempt_is_graded_against_the_version_it_started_with(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient]
) -> None:
    publish(without_essay)
    student = enrolled(login_as)
    attempt = start(student)

    def new_key(manifest: dict[str, Any]) -> None:
        without_essay(manifest)
        question = lesson_of(manifest, OPEN, "quiz")["evaluation"]["questions"][0]
        for option in question["options"]:
            option["correct"] = option["id"] == "a"

    publish(new_key)
    graded = submit(student, attempt["id"], {"pick": "b"}).json()
    assert {f["id"]: f["correct"] for f in graded["feedback"]}["pick"] is True


def test_feedback_is_held_back_until_passing(
    db_backend: str, publish: Publisher, login_as: Callable[..., TestClient]
) -> None:
    def policy(manifest: dict[str, Any]) -> None:
        without_essay(manifest)
        lesson_of(manifest, OPEN, "quiz")["evaluation"]["feedback"] = "after_passing"

    publish(policy)
    student = enrolled(login_as)
    failed = submit(student, start(student)["id"], WRONG).json()
    assert failed["score"] == "0.00"
    assert all(
        set(item) == {"id", "max_points", "answered", "pending"} for item in failed["feedback"]
    )
    assert "EXPLANATION-MARKER" not in str(failed)
    answers = {k: v for k, v in RIGHT.items() if k != "essay"}
    passed = submit(student, start(student)["id"], answers).json()
    assert passed["feedback"][0]["correct"] is True
    # once passed, the earlier attempt shows its answers too
    earlier = student.get(f"/api/attempts/{failed['id']}").json()
    assert earlier["feedback"][0]["correct"] is False
    assert "correct_answer" in earlier["feedback"][0]


def test_racing_starts_make_one_attempt(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    import threading

    student = enrolled(login_as)
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def hit() -> None:
        barrier.wait()
        codes.append(student.post(QUIZ + "/attempts", json={}).status_code)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(201) == 1
    assert set(codes) <= {200, 201, 409}
    with session_scope(engine) as session:
        assert len(session.exec(select(Attempt)).all()) == 1
