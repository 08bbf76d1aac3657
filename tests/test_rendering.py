"""Markdown rendering: content links, table of contents, slides, code, admonitions."""

from __future__ import annotations

import re

import pytest

from site_builder.rendering import LinkContext, Renderer, plain_text, pygments_css


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def links() -> LinkContext:
    lessons = {("py", "loops"), ("py", "intro"), ("web", "forms")}

    def lesson_url(course: str, lesson: str) -> str | None:
        return f"/courses/{course}/{lesson}/" if (course, lesson) in lessons else None

    def course_url(course: str) -> str | None:
        return f"/courses/{course}/" if course in {"py", "web"} else None

    def media_url(path: str) -> str:
        return f"/courses/py/{path.removeprefix('./')}"

    return LinkContext(lesson_url, course_url, media_url, course_slug="py")


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("lesson:loops", "/courses/py/loops/"),
        ("lesson:loops#while", "/courses/py/loops/#while"),
        ("lesson:web/forms", "/courses/web/forms/"),
        ("course:web", "/courses/web/"),
        ("course:py#syllabus", "/courses/py/#syllabus"),
        ("media/cheatsheet.pdf", "/courses/py/media/cheatsheet.pdf"),
        ("./media/cheatsheet.pdf", "/courses/py/media/cheatsheet.pdf"),
        ("https://docs.python.org/3/", "https://docs.python.org/3/"),
        ("http://example.org/a?b=c#d", "http://example.org/a?b=c#d"),
        ("mailto:help@example.org", "mailto:help@example.org"),
        ("#a-heading", "#a-heading"),
        ("/about/", "/about/"),
        ("//cdn.example.org/x.js", "//cdn.example.org/x.js"),
    ],
)
def test_link_rewriting(renderer: Renderer, target: str, expected: str) -> None:
    html = renderer.render(f"See [this]({target}).", links()).html
    assert hrefs(html) == [expected]


def test_images_are_rewritten_and_lazy(renderer: Renderer) -> None:
    html = renderer.render("![A diagram](media/loop.svg)", links()).html
    assert 'src="/courses/py/media/loop.svg"' in html
    assert 'loading="lazy"' in html
    assert 'alt="A diagram"' in html


def test_unresolved_links_are_reported_not_left_dangling(renderer: Renderer) -> None:
    context = links()
    html = renderer.render("[a](lesson:nope) [b](course:nope) [c](lesson:loops)", context).html
    assert hrefs(html) == ["#broken-link", "#broken-link", "/courses/py/loops/"]
    assert context.unresolved == ["lesson:nope", "course:nope"]


def test_without_a_link_context_content_links_are_broken_not_raw(renderer: Renderer) -> None:
    html = renderer.render("[a](lesson:loops)").html
    assert "lesson:" not in html


def test_toc_only_with_two_headings_or_more(renderer: Renderer) -> None:
    assert renderer.render("## Only one\n\nText.").toc == ""
    assert renderer.render("No heading at all.").toc == ""
    rendered = renderer.render("## First\n\nText.\n\n### Detail\n\nMore.\n\n## Second\n")
    assert rendered.toc
    assert rendered.toc.count("<li>") == 3
    assert 'href="#first"' in rendered.toc
    assert 'id="first"' in rendered.html


def test_renderer_state_does_not_leak_between_documents(renderer: Renderer) -> None:
    renderer.render("## A\n\n## B\n\n[^1]\n\n[^1]: note")
    after = renderer.render("Plain.")
    assert after.toc == ""
    assert "footnote" not in after.html


def test_slides_split_at_rule_lines(renderer: Renderer) -> None:
    slides = renderer.render_slides("# One\n\nFirst.\n\n---\n\n# Two\n\n---\n\n---\n\nThree.\n")
    assert len(slides) == 3
    assert "First." in slides[0]
    assert "Two" in slides[1]
    assert "Three." in slides[2]


def test_slides_rewrite_links(renderer: Renderer) -> None:
    slides = renderer.render_slides("[l](lesson:loops)\n\n---\n\n![i](media/a.png)", links())
    assert 'href="/courses/py/loops/"' in slides[0]
    assert 'src="/courses/py/media/a.png"' in slides[1]


def test_code_is_highlighted(renderer: Renderer) -> None:
    html = renderer.render("```python\ndef greet(name):\n    return name\n```").html
    assert 'class="highlight"' in html
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">greet</span>' in html


def test_code_without_a_language_is_not_guessed(renderer: Renderer) -> None:
    html = renderer.render("```\nplain <text> & more\n```").html
    assert "plain &lt;text&gt; &amp; more" in html
    assert '<span class="k">' not in html


def test_links_in_code_are_left_alone(renderer: Renderer) -> None:
    html = renderer.render("`[a](lesson:loops)`", links()).html
    assert "[a](lesson:loops)" in html
    assert "href" not in html


def test_admonitions(renderer: Renderer) -> None:
    html = renderer.render('!!! tip "Search the last line"\n    Copy it into a search engine.').html
    assert '<div class="admonition tip">' in html
    assert '<p class="admonition-title">Search the last line</p>' in html
    assert "<p>Copy it into a search engine.</p>" in html


def test_collapsible_details(renderer: Renderer) -> None:
    html = renderer.render('??? note "Answer"\n    Hidden until opened.').html
    assert "<details" in html
    assert "<summary>Answer</summary>" in html


def test_tables_and_task_lists(renderer: Renderer) -> None:
    html = renderer.render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n").html
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert 'type="checkbox"' in html


def test_pygments_css_has_light_and_dark_styles() -> None:
    css = pygments_css()
    assert ".highlight .k" in css
    assert '[data-bs-theme="dark"] .highlight .k' in css


def test_plain_text_excerpt() -> None:
    assert plain_text("<p>Hello <b>world</b></p>\n<p>again</p>") == "Hello world again"
    long = plain_text("<p>" + "word " * 100 + "</p>", limit=30)
    assert len(long) <= 30
    assert long.endswith("…")


def test_task_list_checkboxes_have_an_accessible_name() -> None:
    from site_builder.rendering import Renderer

    html = Renderer(task_labels=("Hecho", "Pendiente")).render("- [x] one\n- [ ] two").html
    assert 'checked aria-label="Hecho"' in html
    assert 'disabled aria-label="Pendiente"' in html
