"""The `lms` command through click's CliRunner: exit codes, messages, scaffolding, schemas.

The CLI reads its settings from `LMS_*` variables, like in production; each test sets
them to a temporary site and clears the cached settings before and after.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result
from lms_support import FIXTURE_ACADEMY, PELICANCONF, REPO_ROOT, SITE_URL, THEME

from site_builder import cli
from site_builder.frontmatter import read_document
from site_builder.problems import Problems
from site_builder.settings import get_settings

Invoke = Callable[..., Result]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty site folder the CLI is pointed at (and runs in)."""
    for name in list(os.environ):
        if name.startswith("LMS_"):
            monkeypatch.delenv(name)
    values = {
        "LMS_ENV": "test",
        "LMS_CONTENT_DIR": str(tmp_path / "content"),
        "LMS_OUTPUT_DIR": str(tmp_path / "output"),
        "LMS_VAR_DIR": str(tmp_path / "var"),
        "LMS_THEME": str(THEME),
        "LMS_PELICAN_SETTINGS": str(PELICANCONF),
        "LMS_SITE_URL": SITE_URL,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def lms() -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def fixture_site(site: Path) -> Path:
    shutil.copytree(FIXTURE_ACADEMY, site / "content")
    return site


def test_check_passes_on_the_fixture_academy(fixture_site: Path, lms: Invoke) -> None:
    result = lms("check")
    assert result.exit_code == 0, result.output
    assert "OK: 4 courses, 12 lessons, 1 master classes, 1 instructors." in result.output


def test_check_lists_problems_as_file_line_and_exits_1(fixture_site: Path, lms: Invoke) -> None:
    quiz = fixture_site / "content/courses/open-course/02-check/01-quiz.md"
    quiz.write_text(
        quiz.read_text().replace("type: evaluation\n", "type: evaluation\nsummery: x\n")
    )
    reading = fixture_site / "content/courses/open-course/01-basics/02-reading.md"
    reading.write_text(reading.read_text() + "\nSee [x](lesson:nope).\n")
    result = lms("check")
    assert result.exit_code == 1
    assert "content/courses/open-course/02-check/01-quiz.md:4: unknown field `summery`" in (
        result.output
    )
    assert "hint: did you mean `summary`?" in result.output
    assert "content/courses/open-course/01-basics/02-reading.md:6: broken link" in result.output
    assert "2 problem(s) found." in result.output


def test_build_exits_0_and_writes_the_site(fixture_site: Path, lms: Invoke) -> None:
    result = lms("build")
    assert result.exit_code == 0, result.output
    assert "pages rendered" in result.output
    assert (fixture_site / "output/index.html").is_file()
    assert (fixture_site / "var/site/manifest.json").is_file()


def test_build_refuses_invalid_content_with_exit_1(fixture_site: Path, lms: Invoke) -> None:
    (fixture_site / "content/instructors/tess-tester.md").write_text("---\nnam: Tess\n---\n")
    result = lms("build")
    assert result.exit_code == 1
    assert "content/instructors/tess-tester.md:2: unknown field `nam`" in result.output
    assert "Build refused" in result.output
    assert not (fixture_site / "output").exists()


def test_build_failure_in_the_theme_exits_1(
    fixture_site: Path, lms: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = fixture_site / "theme"
    shutil.copytree(THEME, theme, ignore=shutil.ignore_patterns("vendor"))
    (theme / "templates/404.html").write_text("{% extends 'base.html' %}{% block content %}{{ }")
    monkeypatch.setenv("LMS_THEME", str(theme))
    get_settings.cache_clear()
    result = lms("build")
    assert result.exit_code == 1
    assert "Build failed" in result.output


def test_build_publish_uses_absolute_urls(
    fixture_site: Path, lms: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)  # publishconf.py is read from the working directory
    result = lms("build", "--publish")
    assert result.exit_code == 0, result.output
    page = (fixture_site / "output/courses/open-course/index.html").read_text()
    assert f'href="{SITE_URL}/courses/open-course/welcome/"' in page
    # absolute page URLs must not be prefixed with the site URL a second time
    image = f'<meta property="og:image" content="{SITE_URL}/courses/open-course/media/cover.svg"'
    assert image in page
    assert f"{SITE_URL}{SITE_URL}" not in page


def test_new_course_passes_check_and_builds(fixture_site: Path, lms: Invoke) -> None:
    result = lms("new", "course", "Intro to Testing")
    assert result.exit_code == 0, result.output
    folder = fixture_site / "content/courses/intro-to-testing"
    assert (folder / "course.md").is_file()
    assert "created" in result.output
    course = read_document(folder / "course.md", Problems())
    assert course is not None
    assert course.data["title"] == "Intro to Testing"
    assert course.data["instructors"] == ["tess-tester"]  # the existing instructor
    check = lms("check")
    assert check.exit_code == 0, check.output
    assert "OK: 5 courses, 14 lessons" in check.output
    build = lms("build")
    assert build.exit_code == 0, build.output
    # a scaffolded course is a draft: nothing of it is published yet
    assert not (fixture_site / "output/courses/intro-to-testing").exists()


def test_new_course_in_an_empty_school_creates_its_instructor(site: Path, lms: Invoke) -> None:
    result = lms("new", "course", "Intro to Testing", "--instructor", "grace-hopper")
    assert result.exit_code == 0, result.output
    assert (site / "content/instructors/grace-hopper.md").is_file()
    course = site / "content/courses/intro-to-testing/course.md"
    course.write_text(course.read_text().replace("status: draft", "status: published"))
    assert lms("check").exit_code == 0
    build = lms("build")
    assert build.exit_code == 0, build.output
    assert (site / "output/courses/intro-to-testing/welcome/index.html").is_file()
    assert (site / "output/courses/intro-to-testing/first-steps/index.html").is_file()


def test_new_course_with_a_slug_and_an_existing_folder(fixture_site: Path, lms: Invoke) -> None:
    assert lms("new", "course", "Testing", "--slug", "testing-101").exit_code == 0
    assert (fixture_site / "content/courses/testing-101/course.md").is_file()
    again = lms("new", "course", "Testing", "--slug", "testing-101")
    assert again.exit_code == 1
    assert "already exists" in again.output


def _front_matter(path: Path) -> dict:
    if path.suffix == ".yml":
        data = yaml.safe_load(path.read_text())
    else:
        doc = read_document(path, Problems())
        assert doc is not None
        data = doc.data
    return json.loads(json.dumps(data, default=str))  # YAML dates → ISO strings, as in JSON


def _schema_name(relative: Path) -> str:
    top = relative.parts[0]
    if top == "courses":
        if relative.name == "course.md":
            return "course"
        return "section" if relative.name == "section.yml" else "lesson"
    return {
        "instructors": "instructor",
        "masterclasses": "masterclass",
        "programs": "program",
        "blog": "blog-post",
        "pages": "page",
    }[top]


def test_schema_writes_json_schemas_that_accept_the_fixture(site: Path, lms: Invoke) -> None:
    result = lms("schema", "--out", "schemas")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (site / "schemas").glob("*.json"))
    assert written == sorted(
        f"{name}.schema.json"
        for name in (
            "course",
            "section",
            "lesson",
            "instructor",
            "masterclass",
            "program",
            "blog-post",
            "page",
        )
    )
    validators = {}
    for path in (site / "schemas").glob("*.schema.json"):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[path.name.removesuffix(".schema.json")] = jsonschema.Draft202012Validator(schema)
    checked = 0
    for path in sorted(FIXTURE_ACADEMY.rglob("*")):
        if path.suffix not in (".md", ".yml"):
            continue
        relative = path.relative_to(FIXTURE_ACADEMY)
        errors = list(validators[_schema_name(relative)].iter_errors(_front_matter(path)))
        assert errors == [], f"{relative}: {[e.message for e in errors]}"
        checked += 1
    assert checked >= 20


def test_schema_rejects_what_check_rejects(tmp_path: Path, lms: Invoke, site: Path) -> None:
    assert lms("schema", "--out", str(tmp_path / "schemas")).exit_code == 0
    course = json.loads((tmp_path / "schemas/course.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(course)
    base = {"title": "T", "summary": "S", "instructors": ["ada"]}
    assert validator.is_valid(base)
    assert validator.is_valid({**base, "price": "free", "certificate": True})
    assert validator.is_valid({**base, "price": {"amount": "10.00", "currency": "EUR"}})
    assert not validator.is_valid({**base, "summery": "typo"})
    assert not validator.is_valid({**base, "price": {"amount": "10.00"}})
    assert not validator.is_valid({**base, "level": "expert"})
    assert not validator.is_valid({"title": "T", "summary": "S"})


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = [(), *_commands(cli.main)]


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "lms")
def test_help_of_every_command(command: tuple[str, ...], lms: Invoke) -> None:
    result = lms(*command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    assert "-h, --help" in result.output


def test_the_expected_commands_exist() -> None:
    names = {" ".join(c) for c in ALL_COMMANDS if c}
    assert {"check", "build", "serve", "api", "schema", "new", "new course"} <= names


def test_usage_errors_exit_2(lms: Invoke) -> None:
    assert lms("nonsense").exit_code == 2
    assert lms("new", "course").exit_code == 2  # TITLE missing
    assert lms("build", "--no-such-option").exit_code == 2


def test_check_on_a_missing_content_folder(site: Path, lms: Invoke) -> None:
    result = lms("check")
    assert result.exit_code == 1
    assert "content folder not found" in result.output
