"""Writing a build safely and fast: stage elsewhere, reuse unchanged pages, swap at the end.

A build writes into a fresh staging folder; only when everything succeeded is it swapped
into place, so a failed build leaves the previous `output/` intact. Pages whose inputs did
not change (same fingerprint as last time) are hard-linked from the previous output instead
of rendered again: this is what makes a one-lesson rebuild cheap. Linking is safe because
staging is always a fresh folder, so nothing is ever written *into* a linked file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger(__name__)


def fingerprint(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """A fingerprint of every file below some folders (theme templates, translations)."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class IncrementalWriter:
    """Writes files into a staging root, reusing the previous build's file when unchanged."""

    def __init__(self, root: Path, previous: Path | None, state_file: Path) -> None:
        self.root = root
        self.previous = previous if previous and previous.is_dir() else None
        self.state_file = state_file
        self._old: dict[str, str] = {}
        if self.previous is not None and state_file.is_file():
            try:
                self._old = json.loads(state_file.read_text())
            except (OSError, ValueError):
                self._old = {}
        self._new: dict[str, str] = {}
        self.rendered = 0
        self.reused = 0

    def write(self, relative: str, key: str, render: Callable[[], str | bytes]) -> Path:
        """Write `relative` under the root; call `render` only if `key` changed."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        self._new[relative] = key
        if self.previous is not None and self._old.get(relative) == key:
            old = self.previous / relative
            if old.is_file():
                try:
                    os.link(old, target)
                except OSError:
                    shutil.copy2(old, target)
                self.reused += 1
                return target
        content = render()
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
        self.rendered += 1
        return target

    def copy(self, source: Path, relative: str) -> None:
        """Copy a static file (media), linking when the previous build has the same file."""
        stat = source.stat()
        self.write(relative, f"file:{source}:{stat.st_size}:{stat.st_mtime_ns}", source.read_bytes)

    def save_state(self) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(self._new, sort_keys=True))


def swap_into_place(staged: Path, target: Path) -> None:
    """Replace `target` by `staged` with two renames; the old tree is removed afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    if target.exists():
        os.rename(target, retired)
    os.rename(staged, target)
    if retired.exists():
        shutil.rmtree(retired, ignore_errors=True)
