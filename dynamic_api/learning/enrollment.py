"""Enrolling and unenrolling, with race-safe capacity.

Modes (README, "Enrollment modes"): ``free`` for free courses; ``audit`` where the course
allows it (every lesson, but no graded evaluations and no certificate); ``paid`` only from
checkout; ``granted`` by an admin. Unenrolling keeps progress: enrolling again finds it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from dynamic_api.db import utcnow
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import CourseIndex
from dynamic_api.models import CapacityCounter, Enrollment, EnrollmentMode, EnrollmentStatus
from dynamic_api.upsert import insert_or_ignore


def seat_key(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def take_seat(session: Session, key: str, limit: int) -> bool:
    """Take one of ``limit`` seats; False when all are taken. Race-safe: the conditional
    update locks the counter row, so concurrent callers are serialised by the database."""
    statement = (
        update(CapacityCounter)
        .where(col(CapacityCounter.key) == key, col(CapacityCounter.taken) < limit)
        .values(taken=CapacityCounter.taken + 1)
    )
    if session.exec(statement).rowcount == 1:  # type: ignore[call-overload]
        return True
    # No counter yet (publishing creates them; this covers one made since): create, retry.
    if insert_or_ignore(session, CapacityCounter, key=key, taken=0):
        return bool(session.exec(statement).rowcount == 1)  # type: ignore[call-overload]
    return False


def ensure_counters(session: Session, keys: list[str]) -> None:
    """Create the counters of everything with a capacity (at publish time), so taking a
    seat is a single conditional update from the start."""
    for key in keys:
        insert_or_ignore(session, CapacityCounter, key=key, taken=0)


def release_seat(session: Session, key: str) -> None:
    session.exec(  # type: ignore[call-overload]
        update(CapacityCounter)
        .where(col(CapacityCounter.key) == key, col(CapacityCounter.taken) > 0)
        .values(taken=CapacityCounter.taken - 1)
    )


def seats_taken(session: Session, key: str) -> int:
    return (
        session.exec(select(CapacityCounter.taken).where(col(CapacityCounter.key) == key)).first()
        or 0
    )


def get_enrollment(session: Session, user_id: int, course: str) -> Enrollment | None:
    return session.exec(
        select(Enrollment).where(
            col(Enrollment.user_id) == user_id, col(Enrollment.course) == course
        )
    ).first()


def check_mode(course: CourseIndex, mode: EnrollmentMode) -> None:
    """Refuse a self-service enrollment the course does not offer."""
    free = course.course.price is None
    if mode is EnrollmentMode.FREE and not free:
        audit = ", or audit it" if course.course.audit else ""
        raise ApiError(403, "payment_required", f"This is a paid course: buy it to enroll{audit}.")
    if mode is EnrollmentMode.AUDIT and not course.course.audit:
        raise ApiError(403, "audit_not_allowed", "This course cannot be audited.")
    if course.course.status != "published":
        raise ApiError(409, "course_not_published", "This course is not open for enrollment yet.")


def enroll(
    session: Session, user_id: int, course: CourseIndex, mode: EnrollmentMode, source: str = ""
) -> tuple[Enrollment, bool]:
    """Enroll ``user_id``; returns the enrollment and whether it changed.

    Enrolling again in the same mode changes nothing. An auditor who enrolls fully (free or
    paid) is upgraded; a full enrollment is never downgraded to audit. A course with a
    capacity takes a seat for each active enrollment; 409 ``course_full`` when none is left.
    """
    slug = course.course.slug
    insert_or_ignore(
        session,
        Enrollment,
        user_id=user_id,
        course=slug,
        mode=mode.value,
        status=EnrollmentStatus.CANCELLED.value,  # activated below, with its seat
        source=source,
    )
    enrollment = session.exec(
        select(Enrollment)
        .where(col(Enrollment.user_id) == user_id, col(Enrollment.course) == slug)
        .with_for_update()
    ).one()
    is_active = enrollment.status == EnrollmentStatus.ACTIVE.value
    if is_active and (enrollment.mode == mode.value or mode is EnrollmentMode.AUDIT):
        return enrollment, False
    if not is_active and course.course.capacity is not None:
        if not take_seat(session, seat_key("course", slug), course.course.capacity):
            raise ApiError(409, "course_full", "This course is full: every seat is taken.")
    enrollment.mode = mode.value
    enrollment.status = EnrollmentStatus.ACTIVE.value
    enrollment.source = source or enrollment.source
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    session.flush()
    return enrollment, True


def unenroll(session: Session, user_id: int, course: CourseIndex) -> None:
    """Leave a course (progress stays). Paid enrollments end through a refund instead."""
    enrollment = get_enrollment(session, user_id, course.course.slug)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE.value:
        raise ApiError(404, "not_enrolled", "You are not enrolled in this course.")
    if enrollment.mode == EnrollmentMode.PAID.value:
        raise ApiError(
            409, "paid_enrollment", "A purchased course cannot be left here: ask for a refund."
        )
    revoke(session, enrollment, course, EnrollmentStatus.CANCELLED)


def revoke(
    session: Session, enrollment: Enrollment, course: CourseIndex | None, status: EnrollmentStatus
) -> None:
    """End an active enrollment (unenroll, refund, admin) and give its seat back."""
    if enrollment.status == EnrollmentStatus.ACTIVE.value and (
        course is None or course.course.capacity is not None
    ):
        release_seat(session, seat_key("course", enrollment.course))
    enrollment.status = status.value
    enrollment.updated_at = utcnow()
    session.add(enrollment)
    session.flush()


def active_enrollments(session: Session, user_id: int) -> list[Enrollment]:
    return list(
        session.exec(
            select(Enrollment)
            .where(
                col(Enrollment.user_id) == user_id,
                col(Enrollment.status) == EnrollmentStatus.ACTIVE.value,
            )
            .order_by(sa.desc(sa.func.coalesce(Enrollment.last_visited_at, Enrollment.created_at)))
        ).all()
    )
