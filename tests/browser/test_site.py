"""The demo academy in headless Chromium, under the strict CSP of `lms serve`.

Every page here is watched (see `conftest.py`): a console error, an uncaught exception, a
CSP violation, an Alpine expression warning, a broken asset or a request to another host
fails the test.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from browser_support import MOBILE, LiveSite, build_and_serve, settle
from lms_support import FIXTURE_ACADEMY, REPO_ROOT, write_tree
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from site_builder.serve import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

PANDAS = "/courses/data-analysis-with-pandas/"
PYTHON = "/courses/python-foundations/"
GIT = "/courses/git-desde-cero/"

ALL_SLUGS = [
    "data-analysis-with-pandas",
    "git-desde-cero",
    "python-foundations",
    "web-accessibility-essentials",
]

#: One page of every type the theme renders, with the text of its one `h1`.
PAGE_TYPES = {
    "catalog": ("/", "Open Harbor Academy"),
    "course": (PANDAS, "Data Analysis with pandas"),
    "free-course": (PYTHON, "Python Foundations"),
    "lesson": (PYTHON + "your-first-program/", "Your first program"),
    "video-lesson": (PYTHON + "installing-python/", "Installing Python"),
    "slides-lesson": (PYTHON + "functions/", "Functions in six slides"),
    "evaluation-lesson": (GIT + "repaso/", "Repaso final"),
    "preview-lesson": (PANDAS + "welcome/", "Welcome, and how analysts work"),
    "gated-lesson": (PANDAS + "series-and-dataframes/", "Series and DataFrames"),
    "instructors": ("/instructors/", "Instructors"),
    "instructor": ("/instructors/ana-morales/", "Ana Morales"),
    "masterclasses": ("/masterclasses/", "Master classes"),
    "masterclass": (
        "/masterclasses/reading-error-messages/",
        "Live: Reading Python error messages without fear",
    ),
    "program": ("/programs/data-analyst-starter/", "Data Analyst Starter Path"),
    "blog": ("/blog/", "Blog"),
    "post": ("/blog/how-we-design-our-courses/", None),
    "tags": ("/tags/", "Topics"),
    "tag": ("/tags/python/", "#python"),
    "page": ("/about/", None),
    "404": ("/no-such-page/", "Page not found"),
    # The account pages a visitor can open (settings needs an account: test_account_pages.py).
    "sign-up": ("/account/sign-up/", "Create your account"),
    "sign-in": ("/account/sign-in/", "Sign in"),
    "verify": ("/account/verify/", "Confirm your email address"),
    "forgot-password": ("/account/forgot-password/", "Forgot your password?"),
    "reset-password": ("/account/reset-password/", "Choose a new password"),
}


# --- helpers ---------------------------------------------------------------------------------


def expect_courses(page: Any, *slugs: str) -> None:
    """The catalog shows exactly these course cards (retried: the search is debounced)."""
    expect(page.locator(".course-card-col:visible")).to_have_count(len(slugs))
    for slug in slugs:
        expect(page.locator(f'.course-card-col[data-slug="{slug}"]')).to_be_visible()


QUERY_IS = """expected => {
  const got = Object.fromEntries(new URLSearchParams(location.search));
  const keys = Object.keys(got);
  return keys.length === Object.keys(expected).length && keys.every(k => got[k] === expected[k]);
}"""


def expect_query(page: Any, expected: dict[str, str]) -> None:
    """The query string holds exactly `expected` (waited for: the URL follows the filters)."""
    try:
        page.wait_for_function(QUERY_IS, arg=expected, timeout=3_000)
    except PlaywrightTimeoutError:
        got = page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")
        assert got == expected
        raise


def text_of(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def tracks_in(html: str) -> list[dict[str, str | None]]:
    """The `<track>` elements of an `<audio>`/`<video>` in HTML, as attribute dicts."""

    class Tracks(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tracks: list[dict[str, str | None]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "track":
                self.tracks.append(dict(attrs))

    parser = Tracks()
    parser.feed(html)
    return parser.tracks


# --- 1. catalog ------------------------------------------------------------------------------


def test_catalog_filters_count_and_url(page: Any) -> None:
    page.goto("/")
    count = page.locator(".course-count")
    filters = page.locator("form.catalog-filters")
    clear = filters.get_by_role("button", name="Clear filters")
    expect_courses(page, *ALL_SLUGS)
    expect(count).to_have_text("4 courses")
    expect(clear).to_be_disabled()

    page.get_by_label("Level").select_option("intermediate")
    expect_courses(page, "data-analysis-with-pandas")
    expect(count).to_have_text("1 course")
    expect_query(page, {"level": "intermediate"})
    expect(clear).to_be_enabled()

    # The filters live in the URL: a reload (or a shared link) restores them.
    page.reload()
    expect(page.get_by_label("Level")).to_have_value("intermediate")
    expect_courses(page, "data-analysis-with-pandas")
    expect(count).to_have_text("1 course")

    clear.click()
    expect_courses(page, *ALL_SLUGS)
    expect(count).to_have_text("4 courses")
    expect(page.get_by_label("Level")).to_have_value("")
    expect_query(page, {})

    page.get_by_label("Language").select_option(label="Spanish")
    expect_courses(page, "git-desde-cero")
    expect_query(page, {"language": "es"})
    clear.click()

    page.get_by_label("Paid").check()
    expect_courses(page, "data-analysis-with-pandas")
    page.get_by_label("Free", exact=True).check()
    expect_courses(page, "git-desde-cero", "python-foundations", "web-accessibility-essentials")
    expect(count).to_have_text("3 courses")
    expect_query(page, {"price": "free"})
    page.get_by_label("All", exact=True).check()
    expect_courses(page, *ALL_SLUGS)

    page.get_by_label("Topic").select_option("python")
    expect_courses(page, "data-analysis-with-pandas", "python-foundations")
    page.get_by_label("Topic").select_option("accessibility")
    expect_courses(page, "web-accessibility-essentials")
    clear.click()

    search = page.get_by_role("searchbox", name="Search courses")
    search.fill("csv")  # in the pandas course's summary, in upper case
    expect_courses(page, "data-analysis-with-pandas")
    expect(page).to_have_url(re.compile(r"[?&]q=csv(&|$)"))
    search.fill("espanol")  # accents are folded: "español" is in git-desde-cero's summary
    expect_courses(page, "git-desde-cero")
    search.fill("wcag html")  # every word must match (title, summary or tags)
    expect_courses(page, "web-accessibility-essentials")
    search.fill("")
    expect_courses(page, *ALL_SLUGS)

    # An impossible combination: no card, the empty message, and its own reset button.
    empty = page.locator(".catalog-empty")
    expect(empty).to_be_hidden()
    page.get_by_label("Level").select_option("intermediate")
    page.get_by_label("Language").select_option("es")
    expect_courses(page)
    expect(count).to_have_text("0 courses")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("No course matches these filters.")
    empty.get_by_role("button", name="Clear filters").click()
    expect_courses(page, *ALL_SLUGS)
    expect(empty).to_be_hidden()
    expect_query(page, {})


def test_catalog_reads_filters_from_a_shared_link(page: Any) -> None:
    page.goto("/?language=en&price=free&q=python&utm_source=newsletter")
    expect_courses(page, "python-foundations")
    expect(page.locator(".course-count")).to_have_text("1 course")
    expect(page.get_by_label("Language")).to_have_value("en")
    expect(page.get_by_label("Free", exact=True)).to_be_checked()
    expect(page.get_by_role("searchbox", name="Search courses")).to_have_value("python")
    # Clearing the filters keeps parameters that are not the catalog's.
    page.locator("form.catalog-filters").get_by_role("button", name="Clear filters").click()
    expect_courses(page, *ALL_SLUGS)
    expect_query(page, {"utm_source": "newsletter"})

    page.goto("/?price=bogus")  # an unknown value is ignored
    expect(page.get_by_label("All", exact=True)).to_be_checked()
    expect_courses(page, *ALL_SLUGS)


def test_catalog_ignores_unknown_filter_values_in_the_url(page: Any) -> None:
    """A shared link to a topic renamed since (or a mistyped level) must not leave the selects
    on "Any …" while nothing matches: values the catalog cannot show are dropped."""
    page.goto("/?tag=no-such-topic&level=expert&language=xx&price=paid")
    for label in ("Topic", "Level", "Language"):
        expect(page.get_by_label(label)).to_have_value("")
    expect(page.get_by_label("Paid")).to_be_checked()  # the valid one is kept
    expect_courses(page, "data-analysis-with-pandas")
    expect(page.locator(".catalog-empty")).to_be_hidden()


# --- 2. course page ----------------------------------------------------------------------------


def test_paid_course_page(page: Any) -> None:
    page.goto(PANDAS)
    expect(page.locator("h1")).to_have_text("Data Analysis with pandas")
    expect(page.locator(".course-price")).to_have_text("$49.00")
    expect(page.locator(".enrolled-note")).to_be_hidden()  # a visitor, not a student
    settle(page)  # the course actions and the syllabus share one status request
    calls = [m.split()[0] for m in page.watch.api_misses]
    assert calls == ["/api/courses/data-analysis-with-pandas/status"]

    buy = page.get_by_role("link", name="Buy for $49.00")
    expect(buy).to_be_visible()
    expect(buy).to_have_attribute("href", "/account/checkout/?course=data-analysis-with-pandas")
    preview = page.get_by_role("link", name="Try a free preview lesson")
    expect(preview).to_have_attribute("href", PANDAS + "welcome/")
    expect(page.get_by_role("link", name="Audit this course")).to_be_visible()

    syllabus = page.locator("ol.syllabus")
    expect(syllabus.locator(".syllabus-section-title")).to_have_text(
        ["Getting oriented", "Working with data", "Combining and communicating", "Final project"]
    )
    expect(syllabus.locator(".syllabus-lesson")).to_have_count(15)

    def lesson(lesson_id: str) -> Any:
        return syllabus.locator(f'.syllabus-lesson[data-lesson-id="{lesson_id}"]')

    expect(lesson("working-with-dates").locator(".badge")).to_have_text("Optional")
    for project in ("project-city-bikes", "project-weather-records"):
        expect(lesson(project).locator(".badge-choice")).to_have_text("Choose one: final-project")
    for free in ("welcome", "setting-up"):
        expect(lesson(free).locator(".badge-preview")).to_have_text("Free preview")
        expect(lesson(free).locator(".syllabus-lock")).to_have_count(0)
    expect(lesson("cleaning-data").locator(".badge")).to_have_count(0)  # plain required
    expect(syllabus.locator(".syllabus-lock")).to_have_count(13)
    expect(syllabus.locator(".syllabus-done:visible")).to_have_count(0)  # nothing completed
    expect(lesson("cleaning-data").get_by_role("link")).to_have_attribute(
        "href", PANDAS + "cleaning-data/"
    )

    instructors = page.locator("section[aria-labelledby=instructors-heading]")
    expect(instructors.get_by_role("link")).to_have_text(["Daniel Okafor", "Ana Morales"])
    expect(instructors.get_by_role("link", name="Daniel Okafor")).to_have_attribute(
        "href", "/instructors/daniel-okafor/"
    )

    qr = page.locator(".qr-wrapper")
    expect(qr.locator("> svg")).to_have_count(1)
    expect(qr.locator("> svg")).to_have_attribute("aria-label", re.compile("QR code"))
    expect(qr.locator("img")).to_have_count(0)
    expect(page.locator(".share-card input")).to_have_value(
        "https://learn.example.org/courses/data-analysis-with-pandas/"
    )

    ld = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert ld["@type"] == "Course"
    assert ld["name"] == "Data Analysis with pandas"
    offers = ld["offers"] if isinstance(ld["offers"], list) else [ld["offers"]]
    assert [(o["price"], o["priceCurrency"]) for o in offers] == [("49.00", "USD")]
    assert page.locator('meta[property="og:title"]').get_attribute("content") == (
        "Data Analysis with pandas · Open Harbor Academy"
    )

    # The links lead where they say.
    instructors.get_by_role("link", name="Daniel Okafor").click()
    expect(page).to_have_url(re.compile(r"/instructors/daniel-okafor/$"))
    expect(page.locator("h1")).to_have_text("Daniel Okafor")
    page.go_back()
    page.get_by_role("link", name="Try a free preview lesson").click()
    expect(page.locator("h1")).to_have_text("Welcome, and how analysts work")
    expect(page.locator(".lesson .badge-preview")).to_have_text("Free preview")
    expect(page.locator(".lesson-body .prose")).to_be_visible()  # the body is in the page
    expect(page.locator(".gated-lesson")).to_have_count(0)


# --- 3. lesson navigation ----------------------------------------------------------------------


def test_lesson_navigation_in_the_free_course(page: Any) -> None:
    page.goto(PYTHON)
    page.get_by_role("link", name="Start learning").click()
    walk = [
        ("welcome", "Welcome to Python Foundations"),
        ("installing-python", "Installing Python"),
        ("your-first-program", "Your first program"),
        ("the-official-tutorial", "The official Python tutorial"),
        ("values-and-variables", "Values and variables"),
    ]
    sidebar = page.locator(".syllabus-sidebar")
    for position, (lesson_id, title) in enumerate(walk):
        if position:
            page.locator(".lesson-pager a[rel=next]").click()
        expect(page).to_have_url(re.compile(re.escape(f"{PYTHON}{lesson_id}/") + "$"))
        expect(page.locator("h1")).to_have_text(title)
        current = sidebar.locator('a[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_text(title)
        expect(sidebar.locator(".syllabus-lesson.is-current")).to_have_attribute(
            "data-lesson-id", lesson_id
        )
        prev = page.locator(".lesson-pager a[rel=prev]")
        expect(prev).to_have_count(0 if position == 0 else 1)
        if position:
            expect(prev.locator(".lesson-pager-title")).to_have_text(walk[position - 1][1])
        if position + 1 < len(walk):
            expect(page.locator(".lesson-pager a[rel=next] .lesson-pager-title")).to_have_text(
                walk[position + 1][1]
            )

    page.locator(".lesson-pager a[rel=prev]").click()
    expect(page.locator("h1")).to_have_text("The official Python tutorial")
    expect(sidebar.locator('a[aria-current="page"]')).to_have_text("The official Python tutorial")

    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.locator('[aria-current="page"]')).to_have_text("The official Python tutorial")
    crumbs.get_by_role("link", name="Python Foundations").click()
    expect(page).to_have_url(re.compile(re.escape(PYTHON) + "$"))
    expect(page.locator("h1")).to_have_text("Python Foundations")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Courses").click()
    expect(page.locator("h1")).to_have_text("Open Harbor Academy")


def test_last_lesson_leads_back_to_the_course(page: Any) -> None:
    page.goto(PYTHON + "where-to-go-next/")
    pager = page.locator(".lesson-pager")
    expect(pager.locator("a[rel=next]")).to_have_count(0)
    pager.get_by_role("link", name=re.compile("Back to the course")).click()
    expect(page).to_have_url(re.compile(re.escape(PYTHON) + "$"))


# --- 4. video facade ---------------------------------------------------------------------------


def test_youtube_facade_loads_nothing_before_play(page: Any) -> None:
    page.goto(PYTHON + "installing-python/")
    settle(page)
    facade = page.locator(".video-facade")
    play = facade.get_by_role("button", name="Play video: Installing Python")
    expect(play).to_be_visible()
    expect(facade.locator("iframe")).to_have_count(0)
    expect(page.locator("iframe")).to_have_count(0)
    assert not [p for p in page.watch.problems if "youtube" in p]  # nothing asked of YouTube

    page.watch.allow_host("www.youtube-nocookie.com")  # answered 204 locally, never fetched
    with page.expect_request(re.compile(r"^https://www\.youtube-nocookie\.com/")) as embed:
        play.click()
    frame = facade.locator("iframe")
    expect(frame).to_have_count(1)
    src = frame.get_attribute("src") or ""
    assert src.startswith("https://www.youtube-nocookie.com/embed/rfscVS0vtbw?")
    assert "autoplay=1" in src
    assert embed.value.url == src
    expect(frame).to_have_attribute("title", "Installing Python")
    expect(facade).to_have_class(re.compile(r"\bis-playing\b"))
    expect(play).to_be_hidden()
    assert all(u.startswith("https://www.youtube-nocookie.com/") for u in page.watch.external)


# --- 5. audio subtitles --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audio_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The fixture academy plus a PUBLIC audio lesson with English and Spanish subtitles
    (the demo's audio lesson is in an enrolled-only course, so its body is not in the page)."""
    root = tmp_path_factory.mktemp("audio-site")
    content = root / "content"
    shutil.copytree(FIXTURE_ACADEMY, content)
    demo_media = REPO_ROOT / "content/courses/web-accessibility-essentials/media"
    media = content / "courses/open-course/media"
    shutil.copy(demo_media / "screen-reader-sample.mp3", media / "listen.mp3")
    write_tree(
        content,
        {
            "courses/open-course/media/listen.en.vtt": """
                WEBVTT

                00:00.000 --> 00:02.000
                AUDIO-EN-CUE-5a1f
                """,
            "courses/open-course/media/listen.es.vtt": """
                WEBVTT

                00:00.000 --> 00:02.000
                AUDIO-ES-CUE-5a1f
                """,
            "courses/open-course/01-basics/05-listen.md": """
                ---
                title: Listen to this
                type: audio
                duration: 1
                audio:
                  src: media/listen.mp3
                  subtitles:
                    - {src: media/listen.en.vtt, lang: en, label: English}
                    - {src: media/listen.es.vtt, lang: es, label: Español}
                ---
                AUDIO-LESSON-MARKER-5a1f: press play.
                """,
        },
    )
    yield from build_and_serve(root, content)


def test_audio_lesson_has_subtitle_tracks(open_page: Any, audio_site: LiveSite) -> None:
    page = open_page("/courses/open-course/listen/", site=audio_site)
    expect(page.locator("h1")).to_have_text("Listen to this")
    audio = page.locator(".lesson-audio audio")
    expect(audio).to_have_count(1)
    tracks = audio.locator('track[kind="subtitles"]')
    expect(tracks).to_have_count(2)
    assert [(t.get_attribute("srclang"), t.get_attribute("label")) for t in tracks.all()] == [
        ("en", "English"),
        ("es", "Español"),
    ]
    expect(tracks.nth(0)).to_have_attribute("default", "")  # the first one, by default
    assert tracks.nth(1).get_attribute("default") is None
    # The browser parsed them as text tracks of the element.
    assert audio.evaluate("a => Array.from(a.textTracks, t => t.kind + ':' + t.language)") == [
        "subtitles:en",
        "subtitles:es",
    ]

    for track, cue in zip(tracks.all(), ("AUDIO-EN-CUE-5a1f", "AUDIO-ES-CUE-5a1f"), strict=True):
        src = track.get_attribute("src") or ""
        assert src.startswith("/courses/open-course/"), src  # public: served with the page
        response = page.request.get(src)
        assert response.status == 200
        assert response.text().startswith("WEBVTT")
        assert cue in response.text()
    audio_src = audio.get_attribute("src") or ""
    assert page.request.get(audio_src).status == 200
    # The caption links under the player name the languages.
    expect(page.locator(".lesson-audio figcaption a")).to_have_text(["English", "Español"])
    expect(page.locator(".lesson-audio figcaption a").nth(1)).to_have_attribute("hreflang", "es")


def test_demo_audio_lesson_tracks_are_in_the_private_bundle(site: LiveSite) -> None:
    """The demo's audio lesson is gated: its tracks are in the private bundle (served by the
    API to enrolled students), never in the public page."""
    course = "web-accessibility-essentials"
    private = (site.private / f"lessons/{course}/listening-to-a-screen-reader.html").read_text(
        encoding="utf-8"
    )
    tracks = tracks_in(private)
    assert [(t["kind"], t["srclang"], t["label"]) for t in tracks] == [
        ("subtitles", "en", "English"),
        ("subtitles", "es", "Español"),
    ]
    assert "default" in tracks[0]
    for t in tracks:
        assert (t["src"] or "").startswith(f"/api/courses/{course}/media/")
    public = (site.output / f"courses/{course}/listening-to-a-screen-reader/index.html").read_text(
        encoding="utf-8"
    )
    assert "<track" not in public
    assert "screen-reader-sample" not in public
    status, _, _ = site.get(f"/courses/{course}/media/screen-reader-sample.en.vtt")
    assert status == 404  # gated media is not in the public output


# --- 6. gated lesson ---------------------------------------------------------------------------


def test_gated_lesson_shows_a_call_to_action(page: Any, site: LiveSite) -> None:
    lesson_id = "series-and-dataframes"
    private_html = (site.private / f"lessons/data-analysis-with-pandas/{lesson_id}.html").read_text(
        encoding="utf-8"
    )
    private_text = text_of(private_html)
    assert len(private_text) > 200  # the bundle holds the real body
    sample = private_text[:80]

    api = re.compile(rf"/api/courses/data-analysis-with-pandas/lessons/{lesson_id}$")
    with page.expect_response(api) as answer:
        page.goto(PANDAS + lesson_id + "/")
    status = answer.value.status
    assert status in {401, 404}, f"the lesson API answered {status}"

    expect(page.locator("h1")).to_have_text("Series and DataFrames")
    gated = page.locator(".gated-lesson")
    cta = gated.locator(".gated-cta")
    expect(cta).to_be_visible()
    expect(gated.locator(".gated-loading")).to_be_hidden()
    if status == 401:
        expect(cta.locator("h2 span:visible")).to_have_text("Sign in to continue")
        sign_in = cta.get_by_role("link", name="Sign in")
        expect(sign_in).to_be_visible()
        next_url = f"%2Fcourses%2Fdata-analysis-with-pandas%2F{lesson_id}%2F"
        expect(sign_in).to_have_attribute("href", f"/account/sign-in/?next={next_url}")
    else:
        expect(cta.locator("h2 span:visible")).to_have_text("The lesson could not be loaded")
        expect(cta.get_by_role("button", name="Try again")).to_be_visible()
    back = cta.get_by_role("link", name="Back to the course")
    expect(back).to_be_visible()
    expect(back).to_have_attribute("href", PANDAS)
    expect(cta.locator(".bi-lock, .bi-exclamation-triangle")).to_have_count(1)

    body = page.locator("body")
    expect(body).not_to_contain_text(sample)
    for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", private_html)[:3]:
        expect(body).not_to_contain_text(text_of(heading))

    if status != 401:  # "Try again" asks the API again
        with page.expect_response(api):
            cta.get_by_role("button", name="Try again").click()
        expect(cta).to_be_visible()
    back.click()
    expect(page.locator("h1")).to_have_text("Data Analysis with pandas")


# --- 7. slides ---------------------------------------------------------------------------------


def test_slide_deck(page: Any) -> None:
    page.goto(PYTHON + "functions/")
    deck = page.locator(".slide-deck")
    expect(deck).to_have_class(re.compile(r"\bis-ready\b"))
    slides = deck.locator(".slide")
    visible = deck.locator(".slide:visible")
    counter = deck.locator(".slide-counter")
    previous = deck.get_by_role("button", name="Previous slide")
    following = deck.get_by_role("button", name="Next slide")
    expect(slides).to_have_count(6)

    def at(number: int) -> None:
        expect(visible).to_have_count(1)
        expect(visible).to_have_attribute("data-slide", str(number - 1))
        expect(counter).to_have_text(f"Slide {number} of 6")
        expect(deck.locator(".slide:not([aria-hidden])")).to_have_count(1)
        bar = deck.locator(".slide-progress-bar")
        expect(bar).to_have_attribute("style", re.compile(r"width: [\d.]+%"))
        width = float(re.findall(r"width: ([\d.]+)%", bar.get_attribute("style") or "")[0])
        assert width == pytest.approx(number / 6 * 100, abs=0.01)

    at(1)
    expect(previous).to_be_disabled()
    following.click()
    at(2)
    expect(previous).to_be_enabled()
    previous.click()
    at(1)

    deck.focus()
    page.keyboard.press("ArrowRight")
    at(2)
    page.keyboard.press("ArrowRight")
    at(3)
    page.keyboard.press("ArrowLeft")
    at(2)
    for _ in range(6):  # past the end: stays on the last slide
        page.keyboard.press("ArrowRight")
    at(6)
    expect(following).to_be_disabled()
    page.keyboard.press("ArrowLeft")
    at(5)

    page.goto(PYTHON + "functions/#slide-4")  # a link to one slide
    page.reload()
    at(4)


# --- 8. dark mode ------------------------------------------------------------------------------


def test_dark_mode_toggle_persists(page: Any) -> None:
    page.goto("/")
    html = page.locator("html")
    toggle = page.locator("button.theme-toggle")
    expect(html).to_have_attribute("data-bs-theme", "light")
    expect(toggle).to_have_attribute("aria-label", "Switch to dark mode")
    toggle.click()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    expect(toggle).to_have_attribute("aria-label", "Switch to light mode")
    expect(toggle.locator("i")).to_have_class(re.compile(r"\bbi-sun-fill\b"))
    assert page.evaluate("localStorage.getItem('theme')") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    expect(toggle).to_have_attribute("aria-label", "Switch to light mode")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    page.goto(PANDAS)  # every page, not just the one where it was chosen
    expect(html).to_have_attribute("data-bs-theme", "dark")

    toggle.click()
    expect(html).to_have_attribute("data-bs-theme", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "light")


def test_dark_mode_follows_the_system_until_chosen(open_page: Any) -> None:
    page = open_page("/", color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.locator("button.theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")


# --- 9. mobile ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        PANDAS,
        PYTHON + "your-first-program/",
        PYTHON + "functions/",
        PANDAS + "series-and-dataframes/",
        "/account/sign-up/",
    ],
)
def test_mobile_has_no_horizontal_overflow(open_page: Any, path: str) -> None:
    page = open_page(path, viewport=MOBILE)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
             .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                          && getComputedStyle(e).position !== 'fixed'
                          && e.closest('pre, .table-responsive, .highlight') === null)
             .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert width <= MOBILE["width"], f"{path} is {width}px wide; too wide: {wide}"


def test_mobile_navbar_toggler_opens_the_menu(open_page: Any) -> None:
    page = open_page("/", viewport=MOBILE)
    toggler = page.get_by_role("button", name="Toggle navigation")
    menu = page.locator("#main-nav")
    blog = menu.get_by_role("link", name="Blog", exact=True)
    expect(toggler).to_be_visible()
    expect(blog).to_be_hidden()
    toggler.click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(blog).to_be_visible()
    expect(menu.locator("button.theme-toggle")).to_be_visible()
    blog.click()
    expect(page.locator("h1")).to_have_text("Blog")

    page.goto("/")  # the catalog's filters fold away on small screens too
    expect(page.get_by_label("Level")).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#catalog-filters")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.get_by_label("Level")).to_be_visible()
    page.get_by_label("Level").select_option("intermediate")
    expect_courses(page, "data-analysis-with-pandas")
    expect(page.locator(".catalog-filters-toggle .badge")).to_have_text("1")  # active filters


# --- 10 + 11. every page type: a clean load, and an accessibility smoke test -------------------


UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby') && !e.getAttribute('title'))
  .map(e => e.outerHTML.slice(0, 120))"""

NAMELESS_CONTROLS = """() => Array.from(document.querySelectorAll('a[href], button'))
  .filter(e => e.getClientRects().length)
  .filter(e => !(e.innerText || '').trim() && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby') && !e.getAttribute('title')
               && !e.querySelector('img[alt]:not([alt=""]), svg[aria-label]'))
  .map(e => e.outerHTML.slice(0, 120))"""

INLINE_SCRIPTS = """() => Array.from(document.scripts)
  .filter(s => !s.src && !/json/.test(s.type)).map(s => s.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_every_page_type(page: Any, name: str) -> None:
    """A tour: each page loads under the strict CSP with no third-party request, console
    error or broken asset (the watch checks those), Alpine runs, and the page passes an
    accessibility smoke test."""
    path, h1 = PAGE_TYPES[name]
    if name == "404":
        page.watch.expect_error_status(path)
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if name == "404" else 200)
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert page.evaluate(INLINE_SCRIPTS) == []  # only files from 'self', and JSON data
    # Alpine started (the theme toggle is on every page and gets its label from it).
    expect(page.locator("button.theme-toggle")).to_have_attribute(
        "aria-label", "Switch to dark mode"
    )
    expect(page.locator("button.theme-toggle i")).to_have_class(re.compile("bi-moon-stars-fill"))

    # Accessibility smoke test.
    headings = page.locator("h1")
    expect(headings).to_have_count(1)
    if h1:
        expect(headings).to_have_text(h1)
    expect(page.locator("main, [role=main]")).to_have_count(1)
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.locator("a.skip-link")).to_have_attribute("href", "#main")
    assert (page.locator("html").get_attribute("lang") or "").strip(), "no lang on <html>"
    expect(page.locator("img:not([alt])")).to_have_count(0)
    expect(page.locator("svg[role=img]:not([aria-label]):not([aria-labelledby])")).to_have_count(0)
    expect(page.locator("iframe:not([title])")).to_have_count(0)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_catalog_controls_have_labels(page: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("searchbox", name="Search courses")).to_have_count(1)
    for label in ("Level", "Language", "Topic", "All", "Free", "Paid"):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    expect(page.get_by_role("search", name="Search courses")).to_have_count(1)
    expect(page.get_by_role("group", name="Price")).to_have_count(1)  # fieldset + legend


def lang_of(locator: Any) -> str:
    """The language an element's text is in: its nearest `lang` attribute."""
    return locator.evaluate("e => e.closest('[lang]').getAttribute('lang')")


def test_spanish_course_content_is_marked_as_spanish(page: Any) -> None:
    """WCAG 3.1.2: on an English site, a Spanish course's texts carry lang="es" (so screen
    readers switch voices), while the interface around them stays English."""
    page.goto("/")
    git_card = page.locator('.course-card-col[data-slug="git-desde-cero"]')
    assert lang_of(git_card.locator(".card-title")) == "es"
    assert lang_of(git_card.locator(".card-text")) == "es"
    assert lang_of(page.locator('.course-card-col[data-slug="python-foundations"] h3')) == "en"

    page.goto(GIT)
    assert lang_of(page.locator("h1")) == "es"
    assert lang_of(page.locator(".prose").first) == "es"
    assert lang_of(page.locator(".syllabus-section-title").first) == "es"
    assert lang_of(page.locator("#syllabus-heading")) == "en"  # the theme's own words

    page.goto(GIT + "ramas/")
    assert lang_of(page.locator("h1")) == "es"
    assert lang_of(page.locator(".lesson-body .prose")) == "es"
    assert lang_of(page.locator(".lesson-pager-label").first) == "en"


# --- the harness itself --------------------------------------------------------------------------

HARNESS_PAGE = """<!doctype html><html lang="en"><head><title>Watch test</title>
<script defer src="/theme/vendor/alpinejs-csp/cdn.min.js"></script></head>
<body><main><h1>Watch test</h1><script>window.inlineRan = true;</script>
<div x-data><span x-text="noSuchName"></span></div>
<script src="/theme/js/no-such-file.js"></script></main></body></html>"""


def test_the_watch_reports_what_it_should(page: Any, site: LiveSite) -> None:
    """A page with every kind of problem, under the site's CSP: the watch must see them all
    (an empty list of problems elsewhere means something only if this one is full)."""
    page.route(
        site.url("/__watch-test/"),
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
            body=HARNESS_PAGE,
        ),
    )
    page.goto("/__watch-test/")
    assert page.evaluate("window.inlineRan === undefined")  # the CSP blocked it
    page.evaluate(
        """() => {
          const frame = document.createElement('iframe');  // frame-src allows Vimeo
          frame.src = 'https://player.vimeo.com/video/1';
          document.body.appendChild(frame);
          setTimeout(() => { throw new Error('WATCH-BOOM'); });
        }"""
    )
    expected = {
        "csp": lambda p: p.startswith("console error: CSP violation: script-src"),
        "404": lambda p: p.startswith("HTTP 404:") and "no-such-file.js" in p,
        "alpine": lambda p: p.startswith("Alpine warning:") and "noSuchName" in p,
        "third-party": lambda p: p.startswith("third-party request:") and "vimeo.com" in p,
        "exception": lambda p: p.startswith("uncaught exception:") and "WATCH-BOOM" in p,
    }
    for _ in range(50):
        missing = [k for k, seen in expected.items() if not any(map(seen, page.watch.problems))]
        if not missing:
            break
        page.wait_for_timeout(100)
    assert missing == [], page.watch.problems
    page.watch.problems.clear()  # all of them were expected
