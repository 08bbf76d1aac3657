"""Who may see what of a course: the entitlement rules in one place.

| caller | draft course | public / preview lesson | gated lesson | evaluation |
| --- | --- | --- | --- | --- |
| anonymous | 404 | yes | 401 ``not_authenticated`` | 401 |
| signed in, not enrolled | 404 | yes | 403 ``not_enrolled`` | 403 ``not_enrolled`` |
| enrolled (free, paid, granted) | 404 | yes | yes | yes |
| auditing | 404 | yes | yes, except evaluation lessons | 403 ``audit_excluded`` |
| instructor of *this* course, moderator, admin | yes | yes | yes | yes (not graded for them) |

An instructor of another course is an ordinary student here.
"""

from __future__ import annotations

from typing import TypeVar

from dynamic_api.auth import CurrentUser
from dynamic_api.errors import ApiError
from dynamic_api.learning.catalog import Catalog, CourseIndex
from dynamic_api.models import (
    AnyEnrollment,
    Enrollment,
    EnrollmentMode,
    EnrollmentRow,
    EnrollmentStatus,
    Role,
)
from site_builder.manifest import ManifestLesson


def is_staff(user: CurrentUser | None, course: CourseIndex) -> bool:
    """Admins, moderators and the instructors the course's content names."""
    if user is None:
        return False
    if user.has_role(Role.ADMIN, Role.MODERATOR):
        return True
    return (
        user.has_role(Role.INSTRUCTOR)
        and user.instructor_slug is not None
        and user.instructor_slug in course.course.instructors
    )


def visible_course(catalog: Catalog | None, slug: str, user: CurrentUser | None) -> CourseIndex:
    """The course, or 404 (unknown, nothing published, or a draft the caller may not see)."""
    course = catalog.course(slug) if catalog is not None else None
    if course is None or (course.course.status != "published" and not is_staff(user, course)):
        raise ApiError(404, "not_found", "There is no course with this name.")
    return course


def known_lesson(course: CourseIndex, lesson_id: str) -> ManifestLesson:
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise ApiError(404, "not_found", "This course has no lesson with this id.")
    return lesson


#: An enrollment of either form; :func:`active` returns the form it was given.
E = TypeVar("E", Enrollment, EnrollmentRow)


def active(enrollment: E | None) -> E | None:
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE.value:
        return None
    return enrollment


def check_lesson_access(
    user: CurrentUser | None,
    course: CourseIndex,
    lesson: ManifestLesson,
    enrollment: AnyEnrollment | None,
) -> None:
    """Raise the 401/403 that explains why the caller may not read a gated lesson."""
    if lesson.public or lesson.preview:
        return
    if user is None:
        raise ApiError(401, "not_authenticated", "Sign in to open this lesson.")
    if is_staff(user, course):
        return
    enrolled = active(enrollment)
    if enrolled is None:
        raise ApiError(403, "not_enrolled", "Enroll in the course to open this lesson.")
    if enrolled.mode == EnrollmentMode.AUDIT.value and lesson.evaluation is not None:
        raise ApiError(
            403, "audit_excluded", "Auditing gives you the lessons, but not graded evaluations."
        )


def check_can_learn(
    user: CurrentUser, course: CourseIndex, enrollment: Enrollment | None
) -> Enrollment | None:
    """For recording progress: an active enrollment, or staff (who record nothing: None)."""
    enrolled = active(enrollment)
    if enrolled is not None:
        return enrolled
    if is_staff(user, course):
        return None
    raise ApiError(403, "not_enrolled", "Enroll in the course first.")
