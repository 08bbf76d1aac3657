"""Where certificate designs live, and which ones exist.

A design is ``certificates/<name>.html`` in a theme folder. The school's theme
(``LMS_THEME``) is searched first, then the default theme shipped with the project, so a
school can add a design, or replace a shipped one, without touching ``themes/default``.
Files whose name starts with ``_`` (the shared base template) are not designs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from site_builder.models.common import CERTIFICATE_DESIGNS

#: The designs shipped in ``themes/default/certificates/``.
SHIPPED_DESIGNS: tuple[str, ...] = CERTIFICATE_DESIGNS
DEFAULT_THEME_DIR = Path(__file__).resolve().parents[2] / "themes" / "default"
CERTIFICATES_FOLDER = "certificates"
DESIGN_NAME = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class UnknownDesignError(LookupError):
    """The snapshot or the course names a design that no theme folder has."""


def certificate_dirs(theme_dirs: Iterable[Path | str]) -> list[Path]:
    """The ``certificates/`` folders to search, in order, the default theme's always last."""
    folders: list[Path] = []
    for theme in [*theme_dirs, DEFAULT_THEME_DIR]:
        folder = (Path(theme) / CERTIFICATES_FOLDER).resolve()
        if folder.is_dir() and folder not in folders:
            folders.append(folder)
    return folders


def available_designs(theme_dirs: Sequence[Path | str] = ()) -> list[str]:
    """Every design name the theme folders offer, sorted."""
    names = {
        path.stem
        for folder in certificate_dirs(theme_dirs)
        for path in folder.glob("*.html")
        if DESIGN_NAME.match(path.stem)
    }
    return sorted(names)


def check_design(design: str, theme_dirs: Sequence[Path | str] = ()) -> str:
    """``design`` if some theme folder has it, else :class:`UnknownDesignError`."""
    if not DESIGN_NAME.match(design):
        raise UnknownDesignError(f"not a design name: {design!r}")
    for folder in certificate_dirs(theme_dirs):
        if (folder / f"{design}.html").is_file():
            return design
    known = ", ".join(available_designs(theme_dirs))
    raise UnknownDesignError(f"unknown certificate design {design!r} (known: {known})")
