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
SLIDE_SEPARATOR = re.compile(r"\s*---\s*")
TOC_MARKER = re.compile(r"^\s*\[TOC\]\s*$", re.MULTILINE)


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
            if element.tag in ("th", "td"):
                _alignment_to_class(element)
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


ALIGN_CLASSES = {"left": "text-start", "center": "text-center", "right": "text-end"}


def _alignment_to_class(cell: ET.Element) -> None:
    """Table column alignment as a class: the site's CSP forbids inline `style` attributes."""
    style = cell.attrib.pop("style", "")
    match = re.search(r"text-align:\s*(left|center|right)", style)
    if match:
        cell.set("class", (cell.get("class", "") + " " + ALIGN_CLASSES[match.group(1)]).strip())


class _RewriteExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkRewriter(md), "lms_links", 1)


@dataclass
class Rendered:
    html: str
    toc: str  # nested <ul> of the h2/h3 headings, empty when there are fewer than two


TASK_CHECKBOX = re.compile(r'<input type="checkbox" disabled( checked)?/>')


class Renderer:
    """A reusable Markdown renderer; not thread-safe (one per build)."""

    def __init__(self, task_labels: tuple[str, str] = ("Done", "To do")) -> None:
        # Task-list checkboxes have no text of their own: give them an accessible name.
        self._task_labels = task_labels
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, _RewriteExtension()],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )
        self._rewriter: _LinkRewriter = self._md.treeprocessors["lms_links"]  # type: ignore[assignment]

    def render(self, text: str, links: LinkContext | None = None) -> Rendered:
        """HTML and an "On this page" box (unless the author placed `[TOC]` themselves)."""
        self._md.reset()
        self._rewriter.context = links or LinkContext()
        html = TASK_CHECKBOX.sub(self._label_task, self._md.convert(text))
        tokens = getattr(self._md, "toc_tokens", [])
        wants_box = _count_headings(tokens) >= 2 and not TOC_MARKER.search(text)
        toc = self._md.toc if wants_box else ""  # type: ignore[attr-defined]
        return Rendered(html, toc)

    def _label_task(self, match: re.Match[str]) -> str:
        done, todo = self._task_labels
        checked = bool(match.group(1))
        label = done if checked else todo
        return (
            f'<input type="checkbox" disabled{" checked" if checked else ""} aria-label="{label}"/>'
        )

    def render_slides(self, text: str, links: LinkContext | None = None) -> list[str]:
        """A slides lesson: one HTML fragment per slide, split at `---` lines."""
        return [self.render(part, links).html for part in split_slides(text)]


def split_slides(text: str) -> list[str]:
    """Split at lines holding only `---`, except inside fenced code blocks."""
    slides: list[list[str]] = [[]]
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        opener = re.match(r"^(`{3,}|~{3,})", stripped)
        if opener and (fence is None or stripped.startswith(fence)):
            fence = opener.group(1) if fence is None else None
        if fence is None and SLIDE_SEPARATOR.fullmatch(line):
            slides.append([])
        else:
            slides[-1].append(line)
    return [part for part in ("\n".join(lines) for lines in slides) if part.strip()]


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
