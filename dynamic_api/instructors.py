"""Instructors as the content names them, read from the build's private bundle.

A user account is linked to an instructor by ``users.instructor_slug`` (the slug of
``content/instructors/<slug>.md``); the courses that instructor teaches are the courses whose
front matter lists that slug. The API learns both from ``var/site/manifest.json``.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

from site_builder.settings import Settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    taught: dict[str, list[str]] = {
        str(item["slug"]): [] for item in data.get("instructors", []) if "slug" in item
    }
    for course in data.get("courses", []):
        for slug in course.get("instructors", []):
            taught.setdefault(str(slug), []).append(str(course["slug"]))
    return taught


def instructors(settings: Settings) -> dict[str, list[str]] | None:
    """Instructor slug → slugs of the courses naming them; ``None`` before any build."""
    path = settings.private_bundle_dir / "manifest.json"
    try:
        return _read(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        logger.exception("Could not read instructors from %s", path)
        return None


def courses_taught_by(settings: Settings, slug: str | None) -> list[str]:
    """Slugs of the courses whose content names instructor ``slug``."""
    if not slug:
        return []
    return list((instructors(settings) or {}).get(slug, []))


def is_known_instructor(settings: Settings, slug: str) -> bool:
    """Whether the content has ``content/instructors/<slug>.md`` (true when not yet built)."""
    known = instructors(settings)
    return known is None or slug in known
