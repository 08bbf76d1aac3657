"""Pelican reader for blog posts and pages written with YAML front matter.

Pelican's own Markdown reader expects `Key: value` metadata; ours reads the same YAML front
matter as the rest of `content/`, validates it with the same models, and renders with the
same Markdown renderer, so an author learns one format.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pelican.readers import BaseReader
from pelican.utils import get_date

from ..frontmatter import read_document, validate
from ..models import BlogPostMeta, PageMeta
from ..problems import ContentError, Problems
from ..rendering import LinkContext, Renderer


class YamlMarkdownReader(BaseReader):
    enabled = True
    file_extensions = ["md", "markdown"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._renderer = Renderer()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = Path(source_path)
        problems = Problems()
        doc = read_document(path, problems)
        is_page = "pages" in path.relative_to(Path(self.settings["PATH"])).parts[:1]
        model = PageMeta if is_page else BlogPostMeta
        meta = validate(doc, model, problems) if doc else None
        if meta is None or doc is None:
            raise ContentError(problems.sorted())
        site = self.settings.get("SITEURL", "")
        links = LinkContext(
            lesson_url=lambda course, lesson: f"{site}/courses/{course}/{lesson}/",
            course_url=lambda course: f"{site}/courses/{course}/",
            media_url=lambda ref: f"{site}/{ref.lstrip('./')}",
        )
        rendered = self._renderer.render(doc.body, links)
        metadata: dict[str, Any] = {}
        for key, value in meta.model_dump(exclude_none=True).items():
            if key in ("date", "modified"):
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    value = dt.datetime(value.year, value.month, value.day)
                metadata[key] = get_date(value.isoformat())
            elif key == "tags":
                if value:
                    metadata["tags"] = self.process_metadata("tags", ",".join(value))
            elif key == "author":
                metadata["author"] = self.process_metadata("author", value)
                metadata["author_slug"] = value
            elif key == "summary":
                metadata["summary"] = value
            elif key == "status":
                metadata["status"] = str(value)
            else:
                metadata[key] = value
        metadata["toc"] = rendered.toc
        if not is_page:
            # Pelican's draft writer reads `draft.category` unguarded, and with
            # CATEGORY_SAVE_AS = "" it never sets a default one: without this a draft
            # post crashes the build. No category page or feed is written from it.
            metadata["category"] = self.process_metadata("category", "blog")
        return rendered.html, metadata
