"""What students do: enrollments, lesson progress, evaluation attempts, extra-attempt requests.

Courses and lessons are referred to by their stable slugs/ids from the content manifest, not
by foreign keys: content lives in git, and a lesson that disappears from one published version
must keep its students' records (a later version may bring it back). Declared renames move the
records at publish time (``dynamic_api/learning/publish.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dynamic_api.db import UTCDateTime, utcnow
from dynamic_api.models.base import TABLE_OPTIONS

SLUG_LENGTH = 100


class EnrollmentMode(StrEnum):
    FREE = "free"  # a free course, enrolled by the student
    PAID = "paid"  # bought through checkout
    AUDIT = "audit"  # lessons only: no graded evaluations, no certificate
    GRANTED = "granted"  # given by an admin


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # unenrolled by the student (progress is kept)
    REVOKED = "revoked"  # refunded or removed by an admin


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("user_id", "course"), TABLE_OPTIONS)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    course: str = Field(max_length=SLUG_LENGTH, index=True)
    mode: str = Field(max_length=10)
    status: str = Field(default=EnrollmentStatus.ACTIVE.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Set once, the first time the completion rules are met.
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The lesson to resume: the last one the student opened.
    last_lesson: str | None = Field(default=None, max_length=SLUG_LENGTH)
    last_visited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Where a paid or granted enrollment came from (an order id, an admin's id).
    source: str = Field(default="", max_length=100)


@dataclass(slots=True)
class EnrollmentRow:
    """An enrollment read as a plain row, for the hot path of "mark complete", which only
    reads it (and notes its completion time): building an ORM :class:`Enrollment` costs
    about 130 µs (pydantic validation, SQLAlchemy instrumentation), more than the query."""

    id: int
    user_id: int
    course: str
    mode: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    last_lesson: str | None


#: Either form of an enrollment, for code that only reads it.
AnyEnrollment = Enrollment | EnrollmentRow


class LessonProgress(SQLModel, table=True):
    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "course", "lesson"), TABLE_OPTIONS)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    course: str = Field(max_length=SLUG_LENGTH)
    lesson: str = Field(max_length=SLUG_LENGTH)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Seconds into a video or audio lesson, to resume playback there.
    position: Decimal | None = Field(default=None, sa_type=sa.Numeric(10, 2))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CapacityCounter(SQLModel, table=True):
    """Seats taken of something with a capacity (``course:<slug>``, ``masterclass:<slug>``).

    Taking a seat is one conditional ``UPDATE … SET taken = taken + 1 WHERE taken < :limit``:
    the database serialises concurrent updates of the row, so no race over-fills it.
    """

    __tablename__ = "capacity_counters"
    __table_args__ = (TABLE_OPTIONS,)

    key: str = Field(max_length=120, primary_key=True)
    taken: int = 0


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    PENDING = "pending"  # submitted; open answers wait for a grader
    GRADED = "graded"


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course", "lesson", "number"),
        TABLE_OPTIONS,
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The unguessable id clients use (``/api/attempts/{public_id}``).
    public_id: str = Field(max_length=32, unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    course: str = Field(max_length=SLUG_LENGTH)
    lesson: str = Field(max_length=SLUG_LENGTH)
    #: 1, 2, …: the unique key makes two racing starts of the same number impossible.
    number: int
    #: The catalog version whose evaluation definition this attempt is graded against.
    catalog_version_id: int = Field(foreign_key="catalog_versions.id")
    seed: int = Field(sa_type=sa.BigInteger)
    status: str = Field(default=AttemptStatus.IN_PROGRESS.value, max_length=12)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Submissions after this (plus a short grace) are refused.
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    graded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    graded_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    answers: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    score: Decimal | None = Field(default=None, sa_type=sa.Numeric(5, 2))
    passed: bool | None = None


class RequestStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"


class AttemptRequest(SQLModel, table=True):
    """A student's request for more attempts, and the instructor's decision."""

    __tablename__ = "attempt_requests"
    __table_args__ = (TABLE_OPTIONS,)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    course: str = Field(max_length=SLUG_LENGTH)
    lesson: str = Field(max_length=SLUG_LENGTH)
    reason: str = Field(default="", max_length=2000)
    status: str = Field(default=RequestStatus.PENDING.value, max_length=10)
    #: Attempts granted on top of the evaluation's limit.
    extra_attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
