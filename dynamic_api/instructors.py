"""Instructors as the published content names them.

A user account is linked to an instructor by ``users.instructor_slug`` (the slug of
``content/instructors/<slug>.md``); the courses that instructor teaches are the courses whose
front matter lists that slug. The API learns both from the published catalog
(``dynamic_api/learning/catalog.py``), so it works the same on a server that never saw a
build.
"""

from __future__ import annotations

from dynamic_api.learning.catalog import Catalog


def courses_taught_by(catalog: Catalog | None, slug: str | None) -> list[str]:
    """Slugs of the courses whose content names instructor ``slug``, in catalog order."""
    if not slug or catalog is None:
        return []
    return [c.slug for c in catalog.manifest.courses if slug in c.instructors]


def is_known_instructor(catalog: Catalog | None, slug: str) -> bool:
    """Whether the content has ``content/instructors/<slug>.md`` (true before any publish,
    so an admin can link accounts ahead of the first publish)."""
    return catalog is None or slug in catalog.instructor_names
