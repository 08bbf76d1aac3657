"""`lms check`: a course or program names a certificate design some theme has."""

from __future__ import annotations

from pathlib import Path

import pytest
from lms_support import BASE_TREE, check_tree, make_settings, write_tree

from site_builder.build import check

COURSE_WITH = """
    ---
    title: Demo
    summary: A small course.
    instructors: [ada]
    certificate:
      enabled: true
      template: {template}
    ---
    The description.
    """


def course_with(template: str) -> dict[str, str | bytes]:
    return {"courses/demo/course.md": COURSE_WITH.format(template=template)}


@pytest.mark.parametrize("template", ["classic", "modern", "minimal"])
def test_shipped_designs_pass(tmp_path: Path, template: str) -> None:
    assert check_tree(tmp_path, course_with(template)) == []


def test_unknown_design_is_reported_at_its_line(tmp_path: Path) -> None:
    [problem] = check_tree(tmp_path, course_with("fancy"))
    assert problem.path.name == "course.md"
    assert problem.line == 7
    assert "unknown certificate design `fancy`" in problem.message
    assert "classic, minimal, modern" in problem.hint


def test_a_disabled_certificate_is_not_checked(tmp_path: Path) -> None:
    files = {
        "courses/demo/course.md": COURSE_WITH.format(template="fancy").replace(
            "enabled: true", "enabled: false"
        )
    }
    assert check_tree(tmp_path, files) == []


def test_a_path_is_not_a_design_name(tmp_path: Path) -> None:
    [problem] = check_tree(tmp_path, course_with("../secrets"))
    assert "template" in problem.message


def test_a_design_from_the_school_theme_passes(tmp_path: Path) -> None:
    theme = tmp_path / "school-theme"
    (theme / "certificates").mkdir(parents=True)
    (theme / "certificates" / "harbor.html").write_text('{% extends "_base.html" %}')
    write_tree(tmp_path / "content", {**BASE_TREE, **course_with("harbor")})
    _, problems = check(make_settings(tmp_path, theme=theme))
    assert problems.sorted() == []
    _, problems = check(make_settings(tmp_path))  # the default theme has no "harbor"
    assert "unknown certificate design `harbor`" in problems.sorted()[0].message
