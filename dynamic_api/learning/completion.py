"""The completion engine: when a course is complete, how far along a student is, where to resume.

The rules (README, "Completion rules"):

- every ``required`` lesson is done;
- every alternative group is satisfied: one of its lessons is done;
- every evaluation lesson with ``required_evaluation: true`` is passed (for an evaluation
  lesson "done" always means "passed"; marking it complete by hand is refused);
- ``optional`` lessons never count.

Progress is the share of these *units* that are done (an alternative group is one unit),
rounded down, so 100 % means complete. A course made only of optional lessons counts every
lesson instead. Pure functions of the manifest and the student's records, no database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from dynamic_api.learning.catalog import CourseIndex
from site_builder.manifest import ManifestLesson


@dataclass(frozen=True)
class Completion:
    complete: bool
    percent: int
    units_done: int
    units_total: int
    #: Lesson ids that count as done (completed, or passed for evaluations).
    done: frozenset[str]
    #: Required lessons, evaluations and unsatisfied groups still to do, in syllabus order.
    missing: tuple[str, ...]


def is_done(lesson: ManifestLesson, completed: Collection[str], passed: Collection[str]) -> bool:
    if lesson.evaluation is not None:
        return lesson.id in passed
    return lesson.id in completed


def counts_alone(lesson: ManifestLesson) -> bool:
    """Whether the lesson is a unit on its own (not optional, not in a group)."""
    if lesson.evaluation is not None and lesson.required_evaluation and not lesson.group:
        return True
    return lesson.requirement == "required"


def completion(
    course: CourseIndex, completed: Collection[str], passed: Collection[str]
) -> Completion:
    """The completion of ``course`` for a student who completed ``completed`` lessons and
    passed the evaluations of ``passed`` (ids of the current version; renames resolved)."""
    lessons = course.course.lessons
    done = frozenset(x.id for x in lessons if is_done(x, completed, passed))
    units_total = units_done = 0
    missing: list[str] = []
    groups: dict[str, bool] = {}
    for lesson in lessons:
        if lesson.requirement == "alternative" and lesson.group:
            groups[lesson.group] = groups.get(lesson.group, False) or lesson.id in done
        elif counts_alone(lesson):
            units_total += 1
            if lesson.id in done:
                units_done += 1
            else:
                missing.append(lesson.id)
    for group, satisfied in groups.items():
        units_total += 1
        units_done += satisfied
        if not satisfied:
            missing.append(f"group:{group}")
    if units_total == 0:  # only optional lessons: every lesson counts
        units_total = len(lessons)
        units_done = len(done)
        missing = [x.id for x in lessons if x.id not in done]
    percent = (100 * units_done) // units_total if units_total else 0
    return Completion(
        complete=units_total > 0 and units_done == units_total,
        percent=percent,
        units_done=units_done,
        units_total=units_total,
        done=done,
        missing=tuple(missing),
    )


def resume_lesson(course: CourseIndex, state: Completion, last_lesson: str | None) -> str | None:
    """The lesson "Continue" opens: the last one visited if it is not done yet, else the
    next lesson still to do after it (skipping optional lessons and lessons of satisfied
    alternative groups), else the first such lesson of the course, else the last visited."""
    lessons = course.course.lessons
    satisfied_groups = {
        x.group
        for x in lessons
        if x.requirement == "alternative" and x.group and x.id in state.done
    }

    def still_to_do(lesson: ManifestLesson) -> bool:
        if lesson.id in state.done or lesson.requirement == "optional":
            return False
        return not (lesson.requirement == "alternative" and lesson.group in satisfied_groups)

    last = course.lesson(last_lesson) if last_lesson else None
    if last is not None and last.id not in state.done:
        return last.id
    start = course.order.index(last.id) + 1 if last is not None else 0
    for lesson in [*lessons[start:], *lessons[:start]]:
        if still_to_do(lesson):
            return lesson.id
    if last is not None:
        return last.id
    return lessons[0].id if lessons else None
