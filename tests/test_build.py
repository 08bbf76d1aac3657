"""`lms build` on the fixture academy: the pages, their metadata, the private bundle, failed
builds that keep the old output, incremental rebuilds, and a Spanish site. The last test
builds the demo academy in `content/`."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lms_support import (
    PELICANCONF,
    REPO_ROOT,
    SITE_URL,
    THEME,
    BuiltSite,
    inodes,
    iter_files,
    make_settings,
    run_build,
    snapshot,
)

from site_builder.build import check
from site_builder.loader import load_academy
from site_builder.manifest import Manifest, build_manifest
from site_builder.problems import ContentError
from site_builder.settings import Settings

MakeAcademy = Callable[..., Settings]

EXPECTED_PAGES = [
    "index.html",
    "404.html",
    "robots.txt",
    "sitemap.xml",
    "feeds/atom.xml",
    "theme/css/pygments.css",
    "courses/open-course/index.html",
    "courses/open-course/welcome/index.html",
    "courses/open-course/reading/index.html",
    "courses/open-course/path-a/index.html",
    "courses/open-course/path-b/index.html",
    "courses/open-course/quiz/index.html",
    "courses/open-course/media/cover.svg",
    "courses/open-course/media/diagram.svg",
    "courses/paid-course/index.html",
    "courses/paid-course/preview/index.html",
    "courses/paid-course/gated/index.html",
    "courses/paid-course/handout/index.html",
    "courses/paid-course/deep-dive-a/index.html",
    "courses/paid-course/deep-dive-b/index.html",
    "courses/members-course/index.html",
    "courses/members-course/members-lesson/index.html",
    "instructors/index.html",
    "instructors/tess-tester/index.html",
    "tags/index.html",
    "tags/testing/index.html",
    "tags/fixtures/index.html",
    "masterclasses/index.html",
    "masterclasses/live-qa/index.html",
    "programs/fixture-bundle/index.html",
    "blog/index.html",
    "blog/hello-fixtures/index.html",
    "about/index.html",
]


@pytest.mark.parametrize("page", EXPECTED_PAGES)
def test_expected_page_exists(built_academy: BuiltSite, page: str) -> None:
    path = built_academy.output / page
    assert path.is_file()
    assert path.stat().st_size > 0


def test_first_build_renders_every_academy_page(built_academy: BuiltSite) -> None:
    assert built_academy.result.pages_rendered >= 25
    assert built_academy.result.pages_reused == 0


def test_html_pages_are_complete_documents(built_academy: BuiltSite) -> None:
    for path in built_academy.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().lower().startswith("<!doctype html>"), path
        assert '<html lang="en"' in text, path
        assert "</html>" in text, path


def _json_ld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_course_page_has_schema_org_course(built_academy: BuiltSite) -> None:
    data = _json_ld(built_academy.page("courses/paid-course/index.html"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["name"] == "Paid Course"
    assert data["url"] == f"{SITE_URL}/courses/paid-course/"
    assert data["offers"][0]["price"] == "49.9"
    assert data["offers"][0]["priceCurrency"] == "USD"
    assert data["instructor"] == [{"@type": "Person", "name": "Tess Tester"}]
    free = _json_ld(built_academy.page("courses/open-course/index.html"))
    assert free["offers"][0]["category"] == "Free"


def _meta(page: str, prop: str) -> str:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', page)
    assert match, f"no {prop}"
    return html.unescape(match.group(1))


def test_course_page_has_opengraph_tags(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/open-course/index.html")
    assert "Open Course" in _meta(page, "og:title")
    assert _meta(page, "og:description") == "A free course whose lessons are open to every visitor."
    assert _meta(page, "og:url") == f"{SITE_URL}/courses/open-course/"
    assert _meta(page, "og:type")
    assert _meta(page, "og:image") == f"{SITE_URL}/courses/open-course/media/cover.svg"
    assert f'<link rel="canonical" href="{SITE_URL}/courses/open-course/">' in page


def test_course_page_has_an_inline_svg_qr_code(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/paid-course/index.html")
    match = re.search(r"<svg [^>]*class=\"qr-code\"[^>]*>.*?</svg>", page, re.DOTALL)
    assert match
    svg = match.group(0)
    assert 'role="img"' in svg
    assert 'aria-label="QR code: Paid Course"' in svg
    assert "<path" in svg
    assert "<?xml" not in page


def test_public_lesson_page_renders_markdown(built_academy: BuiltSite) -> None:
    page = built_academy.page("courses/open-course/welcome/index.html")
    assert 'href="/courses/open-course/reading/"' in page  # lesson:reading
    assert 'src="/courses/open-course/media/diagram.svg"' in page
    assert '<span class="k">def</span>' in page
    assert 'class="admonition note"' in page
    assert 'href="https://docs.python.org/3/"' in page


def test_root_relative_links_point_at_files_of_the_site(built_academy: BuiltSite) -> None:
    """Every `/…` link and asset of every page exists in output/ (the API's and the
    account area's dynamic routes excepted)."""
    missing = set()
    for path in built_academy.output.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="(/[^"/][^"]*)"', path.read_text()):
            clean = html.unescape(target).split("#")[0].split("?")[0]
            if clean.startswith(("/api/", "/account/")):
                continue
            file = built_academy.output / clean.lstrip("/")
            if not (file.is_file() or (file / "index.html").is_file()):
                missing.add(clean)
    assert missing == set()


def test_robots_points_at_the_sitemap(built_academy: BuiltSite) -> None:
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in built_academy.page("robots.txt")


def test_manifest_validates_and_matches_the_bundle(built_academy: BuiltSite) -> None:
    manifest = Manifest.model_validate_json((built_academy.private / "manifest.json").read_text())
    assert manifest.site_url == SITE_URL
    assert [c.slug for c in manifest.courses] == [
        "open-course",
        "paid-course",
        "members-course",
        "draft-course",
    ]
    assert [m.slug for m in manifest.masterclasses] == ["live-qa"]
    assert manifest.masterclasses[0].start.isoformat() == "2031-03-11T00:00:00+00:00"  # UTC
    assert [p.slug for p in manifest.programs] == ["fixture-bundle"]
    assert [i.slug for i in manifest.instructors] == ["tess-tester"]
    for course in manifest.courses:
        for lesson in course.lessons:
            assert (lesson.body_path is None) == lesson.public
            if lesson.body_path:  # drafts too: their staff read them through the API
                assert (built_academy.private / lesson.body_path).is_file()
    bodies = {str(p.relative_to(built_academy.private)) for p in iter_files(built_academy.private)}
    assert {b for b in bodies if b.startswith("lessons/")} == {
        "lessons/paid-course/gated.html",
        "lessons/paid-course/handout.html",
        "lessons/paid-course/deep-dive-a.html",
        "lessons/paid-course/deep-dive-b.html",
        "lessons/members-course/members-lesson.html",
        "lessons/draft-course/draft-lesson.html",
    }


def test_gated_media_links_go_through_the_api(built_academy: BuiltSite) -> None:
    body = (built_academy.private / "lessons/paid-course/handout.html").read_text()
    assert 'href="/api/courses/paid-course/media/media/gated-media-marker.txt"' in body


def test_manifest_version_follows_the_content(tmp_path: Path, academy_copy: MakeAcademy) -> None:
    settings = academy_copy()
    academy, _ = load_academy(settings.content_dir)
    first = build_manifest(academy, SITE_URL).version
    assert build_manifest(academy, SITE_URL).version == first
    page = settings.content_dir / "pages/about.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    assert build_manifest(academy, SITE_URL).version != first


def test_a_refused_build_keeps_the_previous_output(academy_copy: MakeAcademy) -> None:
    settings = academy_copy()
    run_build(settings)
    site, bundle = snapshot(settings.output_dir), snapshot(settings.private_bundle_dir)
    lesson = settings.content_dir / "courses/open-course/01-basics/02-reading.md"
    lesson.write_text("---\ntitle: Broken\nsummery: typo\n---\nNEW-TEXT-THAT-MUST-NOT-APPEAR\n")
    with pytest.raises(ContentError) as caught:
        run_build(settings)
    assert any("summery" in p.message for p in caught.value.problems)
    assert snapshot(settings.output_dir) == site
    assert snapshot(settings.private_bundle_dir) == bundle


def test_a_template_error_keeps_the_previous_output(
    tmp_path: Path, academy_copy: MakeAcademy
) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme, ignore=shutil.ignore_patterns("vendor"))
    settings = academy_copy(theme=theme)
    run_build(settings)
    site, bundle = snapshot(settings.output_dir), snapshot(settings.private_bundle_dir)
    lesson_template = theme / "templates/lesson.html"
    original = lesson_template.read_text()
    assert "{% block content %}" in original
    lesson_template.write_text(
        original.replace("{% block content %}", "{% block content %}{{ lesson.no_such_method() }}")
    )
    with pytest.raises(Exception, match="no_such_method"):
        run_build(settings)
    assert snapshot(settings.output_dir) == site
    assert snapshot(settings.private_bundle_dir) == bundle
    lesson_template.write_text("{% extends 'base.html' %}{% block content %}{% if %}")
    with pytest.raises(Exception):  # noqa: PT011 - a syntax error, whatever Pelican makes of it
        run_build(settings)
    assert snapshot(settings.output_dir) == site


def _academy_files(output: Path) -> set[str]:
    """Files the academy generator writes (Pelican writes the blog, pages, feed, theme)."""
    return {
        name
        for name in snapshot(output)
        if not name.startswith(("blog/", "about/", "feeds/", "theme/"))
        or name == "theme/css/pygments.css"
    }


def test_incremental_rebuild(academy_copy: MakeAcademy) -> None:
    settings = academy_copy()
    first = run_build(settings)
    academy_pages = _academy_files(settings.output_dir)
    assert first.pages_rendered == len(academy_pages)

    unchanged = run_build(settings)
    assert unchanged.pages_rendered == 0
    assert unchanged.pages_reused == len(academy_pages)

    before = inodes(settings.output_dir)
    lesson = settings.content_dir / "courses/open-course/01-basics/02-reading.md"
    lesson.write_text(lesson.read_text() + "\nINCREMENTAL-EDIT-5e3f is new.\n")
    edited = run_build(settings)
    after = inodes(settings.output_dir)
    changed = {name for name in academy_pages if after[name] != before[name]}
    assert len(changed) == edited.pages_rendered
    assert edited.pages_reused == len(academy_pages) - len(changed)
    # the edited course's pages are rendered again …
    assert {f"courses/open-course/{x}/index.html" for x in ("reading", "welcome")} <= changed
    # … the other courses' pages, and media files, are reused as they were
    untouched = {n for n in academy_pages if n.startswith(("courses/paid-", "courses/members-"))}
    assert untouched
    assert changed & untouched == set()
    assert not {n for n in changed if n.startswith("courses/open-course/media/")}
    assert (
        "INCREMENTAL-EDIT-5e3f"
        in (settings.output_dir / "courses/open-course/reading/index.html").read_text()
    )


def test_incremental_rebuild_of_a_gated_lesson_updates_the_bundle(
    academy_copy: MakeAcademy,
) -> None:
    settings = academy_copy()
    run_build(settings)
    lesson = settings.content_dir / "courses/paid-course/01-start/02-gated.md"
    lesson.write_text(lesson.read_text() + "\nGATED-EDIT-77aa for students.\n")
    run_build(settings)
    body = (settings.private_bundle_dir / "lessons/paid-course/gated.html").read_text()
    assert "GATED-EDIT-77aa" in body
    site = settings.output_dir / "courses/paid-course/gated/index.html"
    assert "GATED-EDIT-77aa" not in site.read_text()


def test_spanish_site(tmp_path: Path, academy_copy: MakeAcademy) -> None:
    conf = tmp_path / "es_pelicanconf.py"
    conf.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from pelicanconf import *  # noqa: F403\n\n"
        'DEFAULT_LANG = "es"\n'
    )
    settings = academy_copy(pelican_settings=conf)
    run_build(settings)
    catalog = (settings.output_dir / "index.html").read_text()
    assert '<html lang="es"' in catalog
    assert "Cursos" in catalog
    course = (settings.output_dir / "courses/open-course/index.html").read_text()
    assert "Gratis" in course  # "Free"


def test_the_english_settings_file_is_english(built_academy: BuiltSite) -> None:
    assert built_academy.settings.pelican_settings == PELICANCONF
    assert "Courses" in built_academy.page("index.html")


def test_the_demo_academy_passes_check_and_builds(tmp_path: Path) -> None:
    """The real academy in content/ (written by the content engineer)."""
    settings = make_settings(tmp_path, content_dir=REPO_ROOT / "content")
    academy, problems = check(settings)
    assert not problems, "\n".join(p.format(REPO_ROOT) for p in problems.sorted())
    result = run_build(settings)
    assert (settings.output_dir / "index.html").is_file()
    published = [c for c in academy.courses if c.published]
    assert len(published) >= 4
    for course in published:
        assert (settings.output_dir / course.url_path / "index.html").is_file()
    assert result.pages_rendered > 0
    assert (settings.private_bundle_dir / "manifest.json").is_file()
