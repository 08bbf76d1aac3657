"""Who may read what: the entitlement matrix of gated lessons, on every database.

Callers: anonymous, a student not enrolled, an enrolled student, an auditor, an instructor
of another course, a moderator, an admin. Lessons: a preview lesson of a paid course, a gated
lesson, a gated evaluation lesson (not for auditors), and a lesson of a draft course.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from learning_support import DRAFT, PAID, Publisher, allow_audit, grant
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

pytestmark = pytest.mark.all_databases

PREVIEW = f"/api/courses/{PAID}/lessons/preview"
GATED = f"/api/courses/{PAID}/lessons/gated"
EVALUATION = f"/api/courses/{PAID}/lessons/deep-dive-b"
DRAFT_LESSON = f"/api/courses/{DRAFT}/lessons/draft-lesson"
MEDIA = f"/api/courses/{PAID}/media/media/gated-media-marker.txt"

# caller → expected (status, error code or None) for preview, gated, evaluation, draft, media
MATRIX: dict[str, tuple[tuple[int, str | None], ...]] = {
    "anonymous": (
        (200, None),
        (401, "not_authenticated"),
        (401, "not_authenticated"),
        (404, "not_found"),
        (401, "not_authenticated"),
    ),
    "student": (
        (200, None),
        (403, "not_enrolled"),
        (403, "not_enrolled"),
        (404, "not_found"),
        (403, "not_enrolled"),
    ),
    "enrolled": ((200, None), (200, None), (200, None), (404, "not_found"), (200, None)),
    "auditor": (
        (200, None),
        (200, None),
        (403, "audit_excluded"),
        (404, "not_found"),
        (200, None),
    ),
    "other_instructor": (
        (200, None),
        (403, "not_enrolled"),
        (403, "not_enrolled"),
        (404, "not_found"),
        (403, "not_enrolled"),
    ),
    "course_instructor": ((200, None), (200, None), (200, None), (200, None), (200, None)),
    "moderator": ((200, None), (200, None), (200, None), (200, None), (200, None)),
    "admin": ((200, None), (200, None), (200, None), (200, None), (200, None)),
}


@pytest.fixture
def caller(
    request: pytest.FixtureRequest,
    client: TestClient,
    login_as: Callable[..., TestClient],
    make_user: Callable[..., dict],
    engine: Engine,
) -> TestClient:
    kind = request.param
    if kind == "anonymous":
        return client
    if kind == "student":
        return login_as()
    if kind in {"enrolled", "auditor"}:
        other = login_as()
        grant(engine, other.user["id"], PAID, "paid" if kind == "enrolled" else "audit")  # type: ignore[attr-defined]
        return other
    if kind in {"other_instructor", "course_instructor"}:
        slug = "tess-tester" if kind == "course_instructor" else "someone-else"
        other = login_as("instructor")
        from dynamic_api.db import session_scope
        from dynamic_api.models import User

        with session_scope(engine) as session:
            user = session.get(User, other.user["id"])  # type: ignore[attr-defined]
            assert user is not None
            user.instructor_slug = slug
        return other
    return login_as(kind)


@pytest.mark.parametrize("caller", list(MATRIX), indirect=True)
def test_entitlement_matrix(
    db_backend: str, publish: Publisher, caller: TestClient, request: pytest.FixtureRequest
) -> None:
    publish(allow_audit)
    kind = request.node.callspec.params["caller"]
    for path, (status, code) in zip(
        (PREVIEW, GATED, EVALUATION, DRAFT_LESSON, MEDIA), MATRIX[kind], strict=True
    ):
        response = caller.get(path)
        assert response.status_code == status, (kind, path, response.text)
        if code is not None:
            assert response.json()["error"]["code"] == code, (kind, path)
        elif path == MEDIA:
            assert b"gated" in response.content.lower() or response.content
        elif path != DRAFT_LESSON or status == 200:
            body = response.json()
            assert body["lesson"] == path.rsplit("/", 1)[1]


def test_gated_body_is_served_and_public_body_is_not_duplicated(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    student = login_as()
    grant(engine, student.user["id"], PAID)  # type: ignore[attr-defined]
    gated = student.get(GATED).json()
    assert gated["html"]
    assert "<" in gated["html"]
    assert gated["public"] is False
    assert gated["previous"] == "preview"
    assert gated["next"] == "handout"
    preview = student.get(PREVIEW).json()
    assert preview["public"] is True
    assert preview["html"] is None


def test_revoked_and_cancelled_enrollments_lose_access(
    db_backend: str, catalog: Publisher, login_as: Callable[..., TestClient], engine: Engine
) -> None:
    from sqlmodel import update

    from dynamic_api.db import session_scope
    from dynamic_api.models import Enrollment

    student = login_as()
    grant(engine, student.user["id"], PAID)  # type: ignore[attr-defined]
    assert student.get(GATED).status_code == 200
    with session_scope(engine) as session:
        session.exec(update(Enrollment).values(status="revoked"))  # type: ignore[call-overload]
    response = student.get(GATED)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_enrolled"


def test_media_ranges_and_unsafe_paths(
    db_backend: str, catalog: Publisher, admin: TestClient
) -> None:
    whole = admin.get(MEDIA)
    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("text/plain")
    assert whole.headers["cache-control"].startswith("private")
    part = admin.get(MEDIA, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206
    assert part.content == whole.content[:4]
    assert part.headers["content-range"] == f"bytes 0-3/{len(whole.content)}"
    for bad in ("../manifest.json", ".hidden", "media/../../x", "media/%2e%2e/x"):
        response = admin.get(f"/api/courses/{PAID}/media/{bad}")
        assert response.status_code == 404, bad
    assert admin.get(f"/api/courses/{PAID}/media/media/nope.txt").status_code == 404


def test_unknown_course_and_lesson_are_404(
    db_backend: str, catalog: Publisher, admin: TestClient
) -> None:
    assert admin.get("/api/courses/nope/lessons/x").json()["error"]["code"] == "not_found"
    assert admin.get(f"/api/courses/{PAID}/lessons/nope").status_code == 404
    assert admin.get("/api/courses/nope/status").status_code == 404


def test_nothing_published_yet_means_404_not_500(client: TestClient, student: TestClient) -> None:
    assert client.get("/api/courses").json() == {"version": None, "courses": []}
    assert client.get(GATED).status_code == 404
    assert student.get(f"/api/courses/{PAID}/status").status_code == 404
