"""Markdown → HTML for every body the site shows: lessons, descriptions, bios, blog posts.

One configured `Markdown` instance is reused (building one costs more than rendering a
short lesson). A tree processor rewrites the links authors write in content terms —
`lesson:loops`, `course:python-foundations`, `media/diagram.svg` — into site URLs, so an
author never hard-codes where the site or the API is deployed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
from markdown.treeprocessors import Treeprocessor
from pygments.formatters import HtmlFormatter

RENDERER_VERSION = "1"  # bump when output changes, to invalidate render caches

EXTENSIONS = [
    "tables",
    "toc",
    "admonition",
    "footnotes",
    "def_list",
    "attr_list",
    "md_in_html",
    "sane_lists",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tasklist",
    "pymdownx.details",
]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False, "toc_depth": "2-3"},
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "footnotes": {"BACKLINK_TITLE": ""},
}
SLIDE_SEPARATOR = re.compile(r"^\s*---\s*$", re.MULTILINE)


@dataclass
class LinkContext:
    """How content links become URLs for the body being rendered."""

    lesson_url: Callable[[str, str], str | None] = lambda course, lesson: None
    course_url: Callable[[str], str | None] = lambda course: None
    media_url: Callable[[str], str] = lambda path: path
    course_slug: str = ""
    unresolved: list[str] = field(default_factory=list)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.context = LinkContext()

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src", "source": "src"}.get(element.tag)
            if attribute is None:
                continue
            target = element.get(attribute)
            if target:
                element.set(attribute, self._resolve(target))
            if element.tag == "img":
                element.set("loading", "lazy")

    def _resolve(self, target: str) -> str:
        context = self.context
        fragment = ""
        if "#" in target:
            target, fragment = target.split("#", 1)
            fragment = "#" + fragment
        if target.startswith("lesson:"):
            course, _, lesson = target.removeprefix("lesson:").rpartition("/")
            url = context.lesson_url(course or context.course_slug, lesson)
        elif target.startswith("course:"):
            url = context.course_url(target.removeprefix("course:"))
        elif target and not re.match(r"^([a-z][a-z0-9+.-]*:|/|//)", target, re.IGNORECASE):
            url = context.media_url(target)
        else:
            return target + fragment
        if url is None:
            context.unresolved.append(target)
            return "#broken-link"
        return url + fragment


class _RewriteExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkRewriter(md), "lms_links", 1)


@dataclass
class Rendered:
    html: str
    toc: str  # nested <ul> of the h2/h3 headings, empty when there are fewer than two


class Renderer:
    """A reusable Markdown renderer; not thread-safe (one per build)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, _RewriteExtension()],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )
        self._rewriter: _LinkRewriter = self._md.treeprocessors["lms_links"]  # type: ignore[assignment]

    def render(self, text: str, links: LinkContext | None = None) -> Rendered:
        self._md.reset()
        self._rewriter.context = links or LinkContext()
        html = self._md.convert(text)
        tokens = getattr(self._md, "toc_tokens", [])
        toc = self._md.toc if _count_headings(tokens) >= 2 else ""  # type: ignore[attr-defined]
        return Rendered(html, toc)

    def render_slides(self, text: str, links: LinkContext | None = None) -> list[str]:
        """A slides lesson: one HTML fragment per slide, split at `---` lines."""
        parts = [p for p in SLIDE_SEPARATOR.split(text) if p.strip()]
        return [self.render(part, links).html for part in parts]


def _count_headings(tokens: list[dict]) -> int:
    return sum(1 + _count_headings(t.get("children", [])) for t in tokens)


def pygments_css() -> str:
    """Code highlighting for light mode and, scoped to Bootstrap's dark theme, dark mode."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs('[data-bs-theme="dark"] .highlight')
    return f"{light}\n{dark}\n"


def plain_text(html: str, limit: int = 300) -> str:
    """A short plain-text excerpt of rendered HTML, for meta descriptions and search."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
