"""`lms user create`, `lms user set-role`, `lms user list`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import PASSWORD, make_settings
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from dynamic_api import create_app
from site_builder.cli import main
from site_builder.settings import get_settings


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``lms`` reads the process settings: a fresh SQLite file, created on first use."""
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    monkeypatch.setenv("LMS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LMS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("LMS_ARGON2_MEMORY_COST", "8")
    monkeypatch.setenv("LMS_ARGON2_PARALLELISM", "1")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def lms(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def create(email: str, *extra: str) -> Result:
    return lms("user", "create", "--email", email, "--name", "Ana", "--password", PASSWORD, *extra)


def test_create_the_first_admin_who_can_then_sign_in(database: str, tmp_path: Path) -> None:
    result = create("Admin@Example.com", "--role", "admin")

    assert result.exit_code == 0, result.output
    assert "Created user 1 <Admin@example.com> with roles admin, student." in result.output

    settings = make_settings(tmp_path, database)
    with TestClient(create_app(settings)) as client:
        login = client.post(
            "/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200
        assert login.json()["roles"] == ["admin", "student"]
        assert login.json()["verified"] is True
        assert client.get("/api/admin/users").status_code == 200


def test_create_an_instructor_linked_to_content(database: str) -> None:
    result = create("ana@example.com", "--instructor", "ana-morales")

    assert result.exit_code == 0, result.output
    listed = lms("user", "list")
    assert "ana@example.com\tAna\tinstructor,student\tinstructor:ana-morales" in listed.output


def test_the_password_is_prompted_when_omitted(database: str) -> None:
    result = lms(
        "user", "create", "--email", "p@example.com", "--name", "P",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email"], "@-sign"),
        (["--email", "a@example.com", "--password", "password123"], "too common"),
        (["--email", "a@example.com", "--instructor", "Not A Slug"], "slug"),
        (["--email", "a@example.com", "--role", "superuser"], "superuser"),
    ],
)
def test_create_refuses_bad_input(database: str, args: list[str], message: str) -> None:
    base = {"--name": "Ana", "--password": PASSWORD}
    for index in range(0, len(args), 2):
        base[args[index]] = args[index + 1]
    result = lms("user", "create", *[part for pair in base.items() for part in pair])

    assert result.exit_code == 2
    assert message in result.output


def test_create_refuses_a_taken_address(database: str) -> None:
    create("ana@example.com")

    result = create("ANA@example.com")

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_set_role_and_remove_it(database: str) -> None:
    create("admin@example.com", "--role", "admin")
    create("mod@example.com")

    given = lms("user", "set-role", "--email", "MOD@example.com", "--role", "moderator")
    listed = lms("user", "list", "--role", "moderator")
    removed = lms(
        "user", "set-role", "--email", "mod@example.com", "--role", "moderator", "--remove"
    )

    assert given.exit_code == 0, given.output
    assert "mod@example.com: moderator, student." in given.output
    assert "mod@example.com" in listed.output
    assert "admin@example.com" not in listed.output
    assert removed.exit_code == 0
    assert "mod@example.com: student." in removed.output


def test_set_role_keeps_the_last_admin(database: str) -> None:
    create("admin@example.com", "--role", "admin")

    result = lms("user", "set-role", "--email", "admin@example.com", "--role", "admin", "--remove")

    assert result.exit_code == 1
    assert "last administrator" in result.output


def test_set_role_on_an_unknown_user(database: str) -> None:
    result = lms("user", "set-role", "--email", "nobody@example.com", "--role", "admin")

    assert result.exit_code == 1
    assert "No user has the email address nobody@example.com." in result.output


def test_student_is_not_a_role_to_give(database: str) -> None:
    create("a@example.com")

    result = lms("user", "set-role", "--email", "a@example.com", "--role", "student")

    assert result.exit_code == 2


def test_list_with_search(database: str) -> None:
    create("ana@example.com")
    lms("user", "create", "--email", "bo@example.com", "--name", "Bo", "--password", PASSWORD)

    result = lms("user", "list", "--search", "bo@")

    assert result.exit_code == 0
    assert "bo@example.com" in result.output
    assert "ana@example.com" not in result.output
    assert "1 of 1 user(s)." in result.output


def test_commands_on_an_unmigrated_server_database_say_what_to_do(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_AUTO_MIGRATE", "never")
    get_settings.cache_clear()

    result = lms("user", "list")

    assert result.exit_code == 1
    assert "run `lms db upgrade` first" in result.output
