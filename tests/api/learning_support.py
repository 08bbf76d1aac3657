"""Helpers of the learning tests: publishing the fixture academy (as built by the
site-builder tests) into the test's database, with edits to its manifest when a test needs
a different course (a capacity, audit allowed, a renamed lesson…)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from dynamic_api.db import session_scope
from dynamic_api.learning.publish import PublishResult, publish_files

Mutation = Callable[[dict[str, Any]], None]

#: Lesson ids of the fixture academy's courses, as the tests use them.
OPEN = "open-course"
MEMBERS = "members-course"
PAID = "paid-course"
DRAFT = "draft-course"


def course_of(manifest: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(c for c in manifest["courses"] if c["slug"] == slug)


def lesson_of(manifest: dict[str, Any], course: str, lesson: str) -> dict[str, Any]:
    return next(x for x in course_of(manifest, course)["lessons"] if x["id"] == lesson)


class Publisher:
    """``publish()`` the fixture bundle; ``publish(lambda m: ...)`` with a changed manifest."""

    def __init__(self, app: Starlette, engine: Engine, bundle: dict[str, bytes]) -> None:
        self.app = app
        self.engine = engine
        self.bundle = bundle

    def files(self, mutate: Mutation | None = None) -> dict[str, bytes]:
        files = dict(self.bundle)
        if mutate is not None:
            manifest = json.loads(files["manifest.json"])
            mutate(manifest)
            text = json.dumps(manifest, sort_keys=True)
            manifest["version"] = hashlib.sha256(text.encode()).hexdigest()[:16]
            files["manifest.json"] = json.dumps(manifest).encode()
        return files

    def __call__(self, mutate: Mutation | None = None) -> PublishResult:
        with session_scope(self.engine) as session:
            result = publish_files(session, self.files(mutate), published_by="test")
        self.app.state.catalog.forget()
        return result


def grant(engine: Engine, user_id: int, course: str, mode: str = "paid") -> None:
    """Enroll a user directly (what checkout or an admin does), skipping the API's rules."""
    from dynamic_api.models import Enrollment

    with session_scope(engine) as session:
        session.add(Enrollment(user_id=user_id, course=course, mode=mode, source="test"))


def allow_audit(manifest: dict[str, Any]) -> None:
    """Paid course: auditable, and its last lesson a gated evaluation (the open course's)."""
    quiz = lesson_of(manifest, OPEN, "quiz")
    course_of(manifest, PAID)["audit"] = True
    lesson = lesson_of(manifest, PAID, "deep-dive-b")
    lesson["type"] = "evaluation"
    lesson["evaluation"] = quiz["evaluation"]
