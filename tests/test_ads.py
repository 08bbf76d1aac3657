"""The ads rule (from the seed): with `LMS_ADSENSE_CLIENT` set, an AdSense slot and its script
appear on the pages of free courses and on the blog, and nowhere else: never on a paid
course, never on a lesson (free or paid), never on the catalog, programs, master classes,
account or checkout pages. Without the setting, no page has either.

Every HTML page of the built fixture academy is classified, so a new template or page type
that shows an ad by mistake fails here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lms_support import FIXTURE_ACADEMY, BuiltSite, make_settings, run_build

CLIENT = "ca-pub-1234567890123456"
SCRIPT = "pagead2.googlesyndication.com"
SLOT = re.compile(r'<ins class="adsbygoogle[^"]*" data-ad-client="' + re.escape(CLIENT) + '"')

#: Free courses of the fixture academy (no `price:`), and the paid one.
FREE_COURSES = {"open-course", "members-course"}
PAID_COURSES = {"paid-course"}


@pytest.fixture(scope="module")
def with_ads(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = tmp_path_factory.mktemp("ads-academy")
    shutil.copytree(FIXTURE_ACADEMY, root / "content")
    settings = make_settings(root, adsense_client=CLIENT)
    return BuiltSite(settings, run_build(settings))


def html_pages(output: Path) -> dict[str, str]:
    return {
        path.relative_to(output).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(output.rglob("*.html"))
    }


def may_show_ads(page: str) -> bool:
    """The rule: a free course's own page, or a blog page (index, pages 2+, posts)."""
    parts = page.split("/")
    if parts[0] == "courses" and len(parts) == 3 and parts[2] == "index.html":
        return parts[1] in FREE_COURSES
    return parts[0] == "blog"


def test_ads_only_on_free_courses_and_the_blog(with_ads: BuiltSite) -> None:
    pages = html_pages(with_ads.output)
    with_slot = {page for page, text in pages.items() if SLOT.search(text)}
    with_script = {page for page, text in pages.items() if SCRIPT in text}
    expected = {page for page in pages if may_show_ads(page)}
    # proof that the walk saw what it should: both kinds of page exist and have ads
    assert "courses/open-course/index.html" in expected
    assert "blog/index.html" in expected
    assert any(page.startswith("blog/") and page != "blog/index.html" for page in expected)
    assert with_slot == expected
    assert with_script == expected


@pytest.mark.parametrize(
    "page",
    [
        "courses/paid-course/index.html",
        "courses/paid-course/preview/index.html",
        "courses/paid-course/gated/index.html",
        "courses/open-course/welcome/index.html",
        "courses/open-course/quiz/index.html",
        "index.html",
        "programs/fixture-bundle/index.html",
        "masterclasses/live-qa/index.html",
        "account/checkout/index.html",
        "account/payments/index.html",
    ],
)
def test_never_on_paid_courses_lessons_or_other_pages(with_ads: BuiltSite, page: str) -> None:
    text = with_ads.page(page)
    assert SCRIPT not in text
    assert "adsbygoogle" not in text
    assert CLIENT not in text


def test_no_ads_without_a_client(built_academy: BuiltSite) -> None:
    for page, text in html_pages(built_academy.output).items():
        assert SCRIPT not in text, page
        assert "adsbygoogle" not in text, page


def test_the_seed_rule_holds_for_the_demo_academy(tmp_path: Path) -> None:
    """The demo academy's paid course and its lessons stay ad-free too."""
    from lms_support import REPO_ROOT

    settings = make_settings(tmp_path, content_dir=REPO_ROOT / "content", adsense_client=CLIENT)
    run_build(settings)
    output = settings.output_dir
    paid = output / "courses" / "data-analysis-with-pandas"
    assert SCRIPT not in (paid / "index.html").read_text(encoding="utf-8")
    for lesson in paid.glob("*/index.html"):
        assert SCRIPT not in lesson.read_text(encoding="utf-8"), lesson
    free_pages = [
        path
        for path in (output / "courses").glob("*/index.html")
        if SLOT.search(path.read_text(encoding="utf-8"))
    ]
    assert free_pages, "no free course page shows the slot"
    assert paid / "index.html" not in free_pages
