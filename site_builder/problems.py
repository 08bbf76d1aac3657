"""Problems found in content, reported as `file:line: message` with a hint, all at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str
    hint: str = ""

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            try:
                shown = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                shown = self.path
        text = f"{shown}:{self.line}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


@dataclass
class Problems:
    """A collector passed through the loader and the checks; nothing stops at the first one."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, max(line, 1), message, hint))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))


class ContentError(Exception):
    """Raised by the build when content has problems; carries them all."""

    def __init__(self, problems: list[Problem], root: Path | None = None) -> None:
        self.problems = problems
        lines = [p.format(root) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in content:\n" + "\n".join(lines))
