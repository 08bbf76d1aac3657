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


def test_the_readme_evaluation_example_is_valid_content(readme: str) -> None:
    """The full evaluation example in the README parses as a lesson with all six types."""
    import yaml

    from site_builder.models.lesson import LessonMeta

    start = readme.index("```yaml\n---\ntitle: Final assessment")
    block = readme[start + len("```yaml\n") : readme.index("```", start + 8)]
    front = block.split("---\n")[1]
    lesson = LessonMeta.model_validate(yaml.safe_load(front))
    assert lesson.evaluation is not None
    assert {str(q.type) for q in lesson.evaluation.questions} == {
        "single",
        "multiple",
        "true_false",
        "short_text",
        "numeric",
        "open",
    }
