"""The README documents every setting and every command (in the spirit of Datasette's
documentation tests): adding one without documenting it fails here."""

from __future__ import annotations

import click
import pytest
from lms_support import REPO_ROOT

from site_builder import cli
from site_builder.settings import Settings


@pytest.fixture(scope="module")
def readme() -> str:
    return (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(readme: str, name: str) -> None:
    assert f"`LMS_{name.upper()}`" in readme


def _commands(group: click.Group, prefix: str = "lms") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize("command", _commands(cli.main))
def test_every_command_is_in_the_readme(readme: str, command: str) -> None:
    assert f"`{command}" in readme


@pytest.mark.parametrize(
    "option",
    sorted(
        {
            opt
            for command in cli.main.commands.values()
            for sub in (
                [command, *command.commands.values()]
                if isinstance(command, click.Group)
                else [command]
            )
            for param in sub.params
            if isinstance(param, click.Option)
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        }
    ),
)
def test_every_command_option_is_in_the_readme(readme: str, option: str) -> None:
    assert option in readme
