"""Enrollment, progress and completion through the API, on every database.

The fixture's open course: `welcome`, `reading` (required), `path-a` / `path-b` (alternative
group `pick-one`), `quiz` (a required evaluation). The members course: one required lesson.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from learning_support import MEMBERS, OPEN, PAID, Publisher, course_of, grant, lesson_of
from sqlalchemy.engine import Engine
from sqlmodel import select, update
from starlette.testclient import TestClient

from dynamic_api.db import session_scope
from dynamic_api.models import Enrollment, LessonProgress
from dynamic_api.routes import learning as learning_routes

pytestmark = pytest.mark.all_databases


def complete(client: TestClient, course: str, lesson: str) -> Any:
    return client.post(f"/api/courses/{course}/lessons/{lesson}/complete")


def status(client: TestClient, course: str) -> dict[str, Any]:
    response = client.get(f"/api/courses/{course}/status")
    assert response.status_code == 200, response.text
    return response.json()


def test_catalog_lists_published_courses_without_keys_or_drafts(
    db_backend: str, catalog: Publisher, client: TestClient, admin: TestClient
) -> None:
    body = client.get("/api/courses").json()
    slugs = [c["slug"] for c in body["courses"]]
    assert slugs == [OPEN, PAID, MEMBERS]
    paid = body["courses"][1]
    assert paid["price"] == {"amount": "49.9", "currency": "USD"}
    assert paid["free"] is False
    assert body["courses"][0]["certificate"] is True
    assert "draft-course" in [c["slug"] for c in admin.get("/api/courses").json()["courses"]]
    outline = client.get(f"/api/courses/{OPEN}")
    text = outline.text
    for marker in ("ANSWER-KEY-MARKER", "RUBRIC-MARKER", "EXPLANATION-MARKER", '"correct"'):
        assert marker not in text
    lessons = [x for s in outline.json()["sections"] for x in s["lessons"]]
    assert [x["id"] for x in lessons] == ["welcome", "reading", "path-a", "path-b", "quiz"]
    assert lessons[2]["group"] == "pick-one"
    assert lessons[4]["evaluation"] is True
    assert client.get("/api/courses/draft-course").status_code == 404
    assert admin.get("/api/courses/draft-course").status_code == 200


def test_enroll_free_then_status_then_unenroll_keeps_progress(
    db_backend: str, catalog: Publisher, student: TestClient
) -> None:
    assert status(student, MEMBERS)["enrolled"] is False
    assert status(student, MEMBERS)["can_enroll"] is True
    first = student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    assert first.status_code == 201
    assert first.json()["enrolled"] is True
    assert first.json()["mode"] == "free"
    again = student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    assert again.status_code == 200
    done = complete(student, MEMBERS, "members-lesson").json()
    assert done["changed"] is True
    assert done["course_completed_now"] is True
    assert done["progress"]["percent"] == 100
    assert done["progress"]["complete"] is True
    assert student.delete(f"/api/courses/{MEMBERS}/enrollment").status_code == 204
    after = status(student, MEMBERS)
    assert after["enrolled"] is False
    assert student.get(f"/api/courses/{MEMBERS}/lessons/members-lesson").status_code == 403
    student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    back = status(student, MEMBERS)
    assert back["progress"]["completed"] == ["members-lesson"]
    assert back["progress"]["completed_at"] is not None


def test_enrollment_modes_are_enforced(
    db_backend: str, publish: Publisher, student: TestClient
) -> None:
    publish(lambda m: course_of(m, OPEN).update(audit=True))
    paid = student.post(f"/api/courses/{PAID}/enroll", json={"mode": "free"})
    assert paid.status_code == 403
    assert paid.json()["error"]["code"] == "payment_required"
    audit = student.post(f"/api/courses/{PAID}/enroll", json={"mode": "audit"})
    assert audit.json()["error"]["code"] == "audit_not_allowed"
    bad = student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "paid"})
    assert bad.status_code == 422
    assert student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "audit"}).status_code == 201
    assert status(student, OPEN)["mode"] == "audit"
    upgraded = student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"})
    assert upgraded.status_code == 201
    assert upgraded.json()["mode"] == "free"
    # a full enrollment is never downgraded to audit
    assert student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "audit"}).status_code == 200
    assert status(student, OPEN)["mode"] == "free"


def test_paid_enrollment_cannot_be_left_here(
    db_backend: str, catalog: Publisher, student: TestClient, engine: Engine
) -> None:
    grant(engine, student.user["id"], PAID)  # type: ignore[attr-defined]
    response = student.delete(f"/api/courses/{PAID}/enrollment")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "paid_enrollment"


def test_completion_needs_required_lessons_one_alternative_and_the_evaluation(
    db_backend: str, catalog: Publisher, student: TestClient, engine: Engine
) -> None:
    student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"})
    assert complete(student, OPEN, "welcome").json()["progress"]["percent"] == 25
    progress = complete(student, OPEN, "path-b").json()["progress"]
    assert progress["percent"] == 50
    assert progress["missing"] == ["reading", "quiz"]
    # the other lesson of a satisfied group adds nothing
    assert complete(student, OPEN, "path-a").json()["progress"]["percent"] == 50
    progress = complete(student, OPEN, "reading").json()["progress"]
    assert progress["percent"] == 75
    assert progress["complete"] is False
    assert progress["next_lesson"] == "quiz"
    refused = complete(student, OPEN, "quiz")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "evaluation_lesson"
    # un-marking moves the bar back
    undone = student.delete(f"/api/courses/{OPEN}/lessons/reading/complete").json()
    assert undone["changed"] is True
    assert undone["progress"]["percent"] == 50
    again = student.delete(f"/api/courses/{OPEN}/lessons/reading/complete").json()
    assert again["changed"] is False


def test_progress_needs_an_enrollment(
    db_backend: str, catalog: Publisher, student: TestClient, client: TestClient
) -> None:
    response = complete(student, OPEN, "welcome")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_enrolled"
    assert complete(client, OPEN, "welcome").status_code == 401
    assert complete(student, OPEN, "nope").status_code == 404


def test_twenty_parallel_completes_make_one_record(
    db_backend: str, catalog: Publisher, student: TestClient, engine: Engine
) -> None:
    student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    barrier = threading.Barrier(20)
    results: list[int] = []
    changed: list[bool] = []

    def hit() -> None:
        barrier.wait()
        response = complete(student, MEMBERS, "members-lesson")
        results.append(response.status_code)
        if response.status_code == 200:
            changed.append(response.json()["changed"])

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 20
    assert changed.count(True) == 1
    with session_scope(engine) as session:
        rows = session.exec(select(LessonProgress)).all()
        enrollment = session.exec(select(Enrollment)).one()
    assert len(rows) == 1
    assert enrollment.completed_at is not None


def test_capacity_is_race_safe(
    db_backend: str,
    publish: Publisher,
    login_as: Callable[..., TestClient],
) -> None:
    publish(lambda m: course_of(m, MEMBERS).update(capacity=3))
    students = [login_as() for _ in range(8)]
    barrier = threading.Barrier(len(students))
    codes: list[int] = []

    def enroll(client: TestClient) -> None:
        barrier.wait()
        codes.append(
            client.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"}).status_code
        )

    threads = [threading.Thread(target=enroll, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 201, 201, 409, 409, 409, 409, 409]
    full = [s for s in students if status(s, MEMBERS)["enrolled"]]
    assert status(students[0], MEMBERS)["seats_left"] == 0
    # leaving frees a seat for someone else
    assert full[0].delete(f"/api/courses/{MEMBERS}/enrollment").status_code == 204
    waiting = next(s for s in students if not status(s, MEMBERS)["enrolled"])
    assert waiting.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"}).status_code == 201


def test_resume_and_playback_position(
    db_backend: str, catalog: Publisher, student: TestClient
) -> None:
    student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"})
    assert status(student, OPEN)["progress"]["next_lesson"] == "welcome"
    visit = student.post(f"/api/courses/{OPEN}/lessons/path-a/visit", json={"position": 93.5})
    assert visit.status_code == 204
    state = status(student, OPEN)
    assert state["progress"]["next_lesson"] == "path-a"
    assert state["progress"]["last_lesson"] == "path-a"
    assert state["positions"] == {"path-a": 93.5}
    complete(student, OPEN, "path-a")
    # path-a done: resume at the next lesson still to do, skipping the satisfied group
    assert status(student, OPEN)["progress"]["next_lesson"] == "quiz"
    for bad in ({"position": -1}, {"position": "x"}, {"position": 10**9}):
        assert (
            student.post(f"/api/courses/{OPEN}/lessons/path-a/visit", json=bad).status_code == 422
        )


def test_dashboard_lists_courses_with_progress(
    db_backend: str, catalog: Publisher, student: TestClient, engine: Engine
) -> None:
    assert student.get("/api/me/courses").json() == {"courses": [], "unavailable": []}
    student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"})
    student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    complete(student, OPEN, "welcome")
    student.post(f"/api/courses/{OPEN}/lessons/welcome/visit", json={})
    courses = student.get("/api/me/courses").json()["courses"]
    assert [c["slug"] for c in courses] == [OPEN, MEMBERS]
    first = courses[0]
    assert first["percent"] == 25
    assert first["next_lesson"] == "reading"
    assert first["next_lesson_title"] == "A reading lesson"
    assert first["lessons_done"] == 1
    assert first["lessons_total"] == 5
    assert first["certificate"] is True


def test_republish_keeps_records_of_removed_lessons_and_carries_renames(
    db_backend: str, publish: Publisher, student: TestClient, engine: Engine
) -> None:
    publish()
    student.post(f"/api/courses/{OPEN}/enroll", json={"mode": "free"})
    complete(student, OPEN, "welcome")
    complete(student, OPEN, "reading")

    def remove_reading(manifest: dict[str, Any]) -> None:
        course = course_of(manifest, OPEN)
        course["lessons"] = [x for x in course["lessons"] if x["id"] != "reading"]
        for section in course["sections"]:
            section["lessons"] = [x for x in section["lessons"] if x != "reading"]

    publish(remove_reading)
    assert status(student, OPEN)["progress"]["completed"] == ["welcome"]
    with session_scope(engine) as session:
        assert len(session.exec(select(LessonProgress)).all()) == 2  # kept
    publish()  # the lesson comes back, and finds its progress
    assert status(student, OPEN)["progress"]["completed"] == ["welcome", "reading"]

    def rename_welcome(manifest: dict[str, Any]) -> None:
        course = course_of(manifest, OPEN)
        lesson = lesson_of(manifest, OPEN, "welcome")
        lesson["id"] = "hello"
        lesson["renamed_from"] = ["welcome"]
        for section in course["sections"]:
            section["lessons"] = ["hello" if x == "welcome" else x for x in section["lessons"]]

    result = publish(rename_welcome)
    assert result.moved_records == 1
    assert status(student, OPEN)["progress"]["completed"] == ["hello", "reading"]
    # the old id still answers (renamed lessons resolve) until it is reused
    assert student.get(f"/api/courses/{OPEN}/lessons/welcome").json()["lesson"] == "hello"


def test_publishing_the_same_content_twice_is_a_no_op(db_backend: str, publish: Publisher) -> None:
    first = publish()
    second = publish()
    assert first.created is True
    assert second.created is False
    assert second.version_id == first.version_id


def test_a_repeated_complete_answers_like_the_first(
    db_backend: str, catalog: Publisher, student: TestClient, engine: Engine
) -> None:
    """The repeat is read on the event loop where the backend allows it (no write, no thread
    hop); its answer must match the one the write path gives."""
    grant(engine, student.user["id"], PAID)  # type: ignore[attr-defined]
    student.post(f"/api/courses/{PAID}/lessons/preview/visit", json={})
    first = complete(student, PAID, "gated").json()
    again = complete(student, PAID, "gated").json()
    assert first["changed"] is True
    assert again["changed"] is False
    assert again["progress"] == first["progress"]
    assert again["progress"]["completed"] == ["gated"]
    assert again["progress"]["last_lesson"] == "preview"
    with session_scope(engine) as session:
        assert len(session.exec(select(LessonProgress)).all()) == 1
    # not enrolled any more: the repeat is refused, not answered from the loop
    with session_scope(engine) as session:
        session.exec(update(Enrollment).values(status="revoked"))  # type: ignore[call-overload]
    assert complete(student, PAID, "gated").status_code == 403


@pytest.mark.parametrize("course", [OPEN, PAID])
def test_the_loop_read_and_the_thread_read_give_the_same_answers(
    db_backend: str,
    catalog: Publisher,
    student: TestClient,
    engine: Engine,
    course: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Complete" and "un-complete" read the enrollment and progress on the event loop when
    the backend has a loop reader, and in the database thread otherwise: the same sequence
    of calls (first, repeat, undo, repeat of the undo) answers the same either way."""
    grant(engine, student.user["id"], course)  # type: ignore[attr-defined]
    lesson = "welcome" if course == OPEN else "gated"
    path = f"/api/courses/{course}/lessons/{lesson}/complete"
    thread_reads: list[int] = []
    read_in_thread = learning_routes.read_enrollment_with_progress

    def counted(*args: Any) -> Any:
        thread_reads.append(1)
        return read_in_thread(*args)

    monkeypatch.setattr(learning_routes, "read_enrollment_with_progress", counted)

    def run_sequence() -> list[Any]:
        calls = [student.delete, student.post, student.post, student.delete, student.delete]
        answers = []
        for call in calls:
            response = call(path)
            assert response.status_code == 200, response.text
            answers.append(response.json())
        return answers

    reader = student.app.state.session_reader  # type: ignore[attr-defined]
    student.get(f"/api/courses/{course}/status")  # the catalog is fresh: the loop may read
    with_reader = run_sequence()
    assert len(thread_reads) == (0 if reader is not None else 5)
    student.app.state.session_reader = None  # type: ignore[attr-defined]
    try:
        without_reader = run_sequence()
    finally:
        student.app.state.session_reader = reader  # type: ignore[attr-defined]
    assert len(thread_reads) == (5 if reader is not None else 10)
    assert without_reader == with_reader
    assert [a["changed"] for a in with_reader] == [False, True, False, True, False]
    assert [a["completed"] for a in with_reader] == [False, True, True, False, False]
    assert with_reader[1]["progress"]["completed"] == [lesson]
    assert with_reader[4]["progress"]["completed"] == []
    with session_scope(engine) as session:
        rows = session.exec(select(LessonProgress)).all()
        assert [(r.lesson, r.completed_at) for r in rows] == [(lesson, None)]


def test_a_repeat_in_an_unfinished_course_keeps_the_resume_point(
    db_backend: str, catalog: Publisher, student: TestClient
) -> None:
    student.post(f"/api/courses/{MEMBERS}/enroll", json={"mode": "free"})
    first = complete(student, MEMBERS, "members-lesson").json()
    undone = student.delete(f"/api/courses/{MEMBERS}/lessons/members-lesson/complete").json()
    assert undone["progress"]["percent"] == 0
    redone = complete(student, MEMBERS, "members-lesson").json()
    assert redone["changed"] is True
    assert redone["progress"]["percent"] == first["progress"]["percent"] == 100
