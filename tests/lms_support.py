"""Helpers shared by the site-builder tests: settings in a temporary folder, small content
trees written from dicts, builds run from the repository root, and file-tree snapshots."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.build import BuildResult, build, check
from site_builder.problems import Problem
from site_builder.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_ACADEMY = REPO_ROOT / "tests" / "fixtures" / "academy"
THEME = REPO_ROOT / "themes" / "default"
PELICANCONF = REPO_ROOT / "pelicanconf.py"
SITE_URL = "https://learn.example.org"


def make_settings(root: Path, **changes: object) -> Settings:
    """Settings for a site under `root` (content/, output/, var/), independent of the
    process environment and of any `.env` file."""
    values: dict[str, object] = {
        "env": "test",
        "content_dir": root / "content",
        "output_dir": root / "output",
        "var_dir": root / "var",
        "theme": THEME,
        "pelican_settings": PELICANCONF,
        "site_url": SITE_URL,
        "api_url": "",
        "live_reload": False,
        "adsense_client": "",
    }
    values.update(changes)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def run_build(settings: Settings, **kwargs: object) -> BuildResult:
    """`build()` as `lms build` runs it: from the repository root (publishconf, pelicanconf)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO_ROOT)
        return build(settings, **kwargs)  # type: ignore[arg-type]


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Write `{relative path: text}` under `root`; text is dedented (front matter first)."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


# A valid academy of three files: the base every validation test breaks in one way.
BASE_TREE: dict[str, str | bytes] = {
    "instructors/ada.md": """
        ---
        name: Ada Lovelace
        ---
        Writes programs for engines.
        """,
    "courses/demo/course.md": """
        ---
        title: Demo
        summary: A small course.
        instructors: [ada]
        ---
        The description.
        """,
    "courses/demo/01-start/01-intro.md": """
        ---
        title: Intro
        ---
        Hello.
        """,
}


def check_tree(root: Path, files: dict[str, str | bytes], *, base: bool = True) -> list[Problem]:
    """Write BASE_TREE (unless `base=False`) plus `files` as content, run `lms check`'s checks."""
    content = root / "content"
    write_tree(content, {**(BASE_TREE if base else {}), **files})
    _, problems = check(make_settings(root))
    return problems.sorted()


def iter_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` and its bytes, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in iter_files(folder)}


def inodes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_ino for p in iter_files(folder)}


@dataclass(frozen=True)
class BuiltSite:
    settings: Settings
    result: BuildResult

    @property
    def output(self) -> Path:
        return self.settings.output_dir

    @property
    def private(self) -> Path:
        return self.settings.private_bundle_dir

    def page(self, relative: str) -> str:
        """The text of an output file, e.g. `courses/paid-course/index.html`."""
        return (self.output / relative).read_text(encoding="utf-8")
