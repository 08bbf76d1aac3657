"""The learning pages in headless Chromium, against the learning API of `lms serve`.

A student signs in, enrolls in the demo academy's free courses, completes lessons (the
button, the syllabus checkmarks and the progress bars move without a reload, and stay after
one), resumes from the course page and from "My learning", opens a gated lesson after
enrolling on the spot, resumes an audio lesson at the second they left, completes a course
and leaves one. Visitors get invitations instead of buttons. Every page is watched (see
`conftest.py`); the 401/403/404 answers a visitor gets under `/api/courses/` are tolerated,
so the signed-in flows here assert their 200/201/204 answers explicitly.

The demo build is served again with its own database (`serve_again`), the per-IP rate limits
raised (every test signs up from 127.0.0.1) and a cheap Argon2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    FAST_ACCOUNTS,
    MOBILE,
    LiveSite,
    serve_again,
    settle,
    signed_in_account,
)
from playwright.sync_api import expect
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

PYTHON = "/courses/python-foundations/"
A11Y = "/courses/web-accessibility-essentials/"
PANDAS = "/courses/data-analysis-with-pandas/"
DASHBOARD = "/account/learning/"


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def learning_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    yield from serve_again(site, tmp_path_factory.mktemp("learning-site"), **FAST_ACCOUNTS)


@pytest.fixture
def page(open_page: Any, learning_site: LiveSite) -> Any:
    """A watched page of the learning site, 1280x900, nothing opened yet."""
    return open_page(site=learning_site)


# --- helpers ---------------------------------------------------------------------------------


def student(page: Any, next_path: str, name: str = "Sam Student") -> str:
    """A new account (through the API), signed in through the sign-in page, which then
    opens `next_path`. Returns the email address."""
    return signed_in_account(page, "learner", name, next_path)


def api_path(pattern: str) -> re.Pattern[str]:
    return re.compile(r"^https?://[^/]+" + pattern + r"$")


def lesson_item(page: Any, lesson_id: str) -> Any:
    return page.locator(f'ol.syllabus .syllabus-lesson[data-lesson-id="{lesson_id}"]')


def expect_done(page: Any, lesson_id: str, done: bool = True) -> None:
    item = lesson_item(page, lesson_id)
    if done:
        expect(item).to_have_class(re.compile(r"\bis-done\b"))
        expect(item.locator(".syllabus-done")).to_be_visible()
    else:
        expect(item).not_to_have_class(re.compile(r"\bis-done\b"))
        expect(item.locator(".syllabus-done")).to_be_hidden()


def sidebar_progress(page: Any) -> Any:
    return page.locator(".syllabus-progress [role=progressbar]")


def complete_lesson(page: Any, course: str, lesson: str) -> dict[str, Any]:
    """Click "Mark as complete"; returns the API's answer (asserted 200)."""
    pattern = api_path(f"/api/courses/{course}/lessons/{lesson}/complete")
    with page.expect_response(
        lambda r: bool(pattern.match(r.url)) and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="Mark as complete").click()
    assert answer.value.status == 200, answer.value.text()
    body: dict[str, Any] = answer.value.json()
    assert body["completed"] is True
    return body


def post_json(page: Any, path: str, body: str = "{}") -> Any:
    """A state-changing API call with the page's session cookie."""
    return page.request.post(path, data=body, headers={"Content-Type": "application/json"})


def enroll_through_the_api(page: Any, course: str) -> None:
    response = post_json(page, f"/api/courses/{course}/enroll", '{"mode": "free"}')
    assert response.status in {200, 201}, response.text()


def accessibility_smoke(page: Any) -> None:
    """The checks of test_site.py's tour, on a signed-in page."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.locator("img:not([alt])")).to_have_count(0)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    bars = page.locator("[role=progressbar]:visible")
    for index in range(bars.count()):
        bar = bars.nth(index)
        assert bar.get_attribute("aria-label"), "a progress bar without a name"
        assert bar.get_attribute("aria-valuenow") is not None


# --- the journey: enroll, complete, resume -----------------------------------------------------


def test_enroll_complete_lessons_and_resume(page: Any) -> None:
    student(page, PYTHON)
    card = page.locator(".enroll-card")
    expect(card.locator(".course-actions-visitor")).to_be_hidden()
    enroll = card.get_by_role("button", name="Enroll for free")
    expect(enroll).to_be_visible()
    expect(card.get_by_role("link", name="Look at the first lesson")).to_be_visible()

    with page.expect_response(api_path("/api/courses/python-foundations/enroll")) as enrolled:
        enroll.click()
    assert enrolled.value.status == 201
    assert enrolled.value.request.post_data_json == {"mode": "free"}
    expect(card.locator(".enrolled-note span:visible")).to_have_text(
        "You are enrolled in this course"
    )
    expect(card.get_by_role("status")).to_have_text("You are enrolled. Enjoy the course!")
    start = card.get_by_role("link", name="Start learning")
    expect(start).to_be_visible()
    expect(start).to_be_focused()  # the clicked button is gone; focus is not lost
    expect(start).to_have_attribute("href", PYTHON + "welcome/")
    expect(card.get_by_role("progressbar", name="Your progress")).to_have_attribute(
        "aria-valuenow", "0"
    )
    expect(enroll).to_be_hidden()

    # The first lesson: visited (so "resume" knows), then completed.
    with page.expect_response(
        api_path("/api/courses/python-foundations/lessons/welcome/visit")
    ) as visit:
        start.click()
    assert visit.value.status == 204
    expect(page.locator("h1")).to_have_text("Welcome to Python Foundations")
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".syllabus-progress")).to_contain_text("0% complete")
    expect_done(page, "welcome", False)
    expect(page.locator(".lesson-next-cta")).to_be_hidden()

    first = complete_lesson(page, "python-foundations", "welcome")
    percent = first["progress"]["percent"]
    assert 0 < percent < 100
    toggle = page.locator(".lesson-complete-toggle")
    expect(toggle).to_have_accessible_name(re.compile(r"^Completed \(undo\)$"))
    expect(toggle).to_be_focused()
    expect_done(page, "welcome")
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", str(percent))
    expect(page.locator(".syllabus-progress")).to_contain_text(f"{percent}% complete")
    expect(page.locator(".lesson-progress [role=status]")).to_have_text(
        f"Lesson marked as complete. Course progress: {percent}%."
    )
    next_cta = page.get_by_role("link", name="Next lesson: Installing Python")
    expect(next_cta).to_be_visible()
    expect(next_cta).to_have_attribute("href", PYTHON + "installing-python/")

    # The next lesson (a video behind a facade): completed too.
    next_cta.click()
    expect(page.locator("h1")).to_have_text("Installing Python")
    expect_done(page, "welcome")  # the checkmark came back from the API
    second = complete_lesson(page, "python-foundations", "installing-python")
    two = second["progress"]["percent"]
    assert two > percent
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", str(two))
    expect_done(page, "installing-python")

    # Undo, and redo: the checkmark and the bar follow.
    undo = page.get_by_role("button", name="Completed (undo)")
    with page.expect_response(
        lambda r: r.url.endswith("/installing-python/complete") and r.request.method == "DELETE"
    ) as undone:
        undo.click()
    assert undone.value.status == 200
    assert undone.value.json()["completed"] is False
    expect(page.get_by_role("button", name="Mark as complete")).to_be_visible()
    expect_done(page, "installing-python", False)
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", str(percent))
    expect(page.locator(".lesson-progress [role=status]")).to_have_text(
        f"Lesson marked as not complete. Course progress: {percent}%."
    )
    complete_lesson(page, "python-foundations", "installing-python")

    # The third lesson is opened but not completed: it is the lesson to resume.
    page.get_by_role("link", name="Next lesson: Your first program").click()
    expect(page.locator("h1")).to_have_text("Your first program")
    settle(page)

    # A reload keeps everything (it comes from the API).
    page.reload()
    expect_done(page, "welcome")
    expect_done(page, "installing-python")
    expect_done(page, "your-first-program", False)
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", str(two))
    expect(page.get_by_role("button", name="Mark as complete")).to_be_visible()

    # The course page resumes there.
    page.goto(PYTHON)
    card = page.locator(".enroll-card")
    resume = card.get_by_role("link", name="Continue learning")
    expect(resume).to_have_attribute("href", PYTHON + "your-first-program/")
    expect(card.locator(".course-resume")).to_have_text("Up next: Your first program")
    expect(card.get_by_role("progressbar", name="Your progress")).to_have_attribute(
        "aria-valuenow", str(two)
    )
    expect(card.locator(".course-progress")).to_contain_text(f"{two}% complete")
    expect_done(page, "welcome")
    expect_done(page, "installing-python")

    # So does My learning, from the account menu.
    page.locator("#account-nav .account-nav-toggle").click()
    page.locator("#account-nav").get_by_role("link", name="My learning").click()
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + "$"))
    expect(page.locator("h1")).to_have_text("My learning")
    course = page.locator('.learning-card[data-slug="python-foundations"]')
    expect(course).to_have_count(1)
    expect(course.get_by_role("heading", name="Python Foundations")).to_be_visible()
    resume = course.get_by_role("link", name="Resume: Your first program")
    expect(resume).to_have_attribute("href", PYTHON + "your-first-program/")
    expect(
        course.get_by_role("progressbar", name="Progress in Python Foundations")
    ).to_have_attribute("aria-valuenow", str(two))
    expect(course).to_contain_text(f"{two}% complete")
    expect(course).to_contain_text("2 of 14 lessons done")
    expect(course).to_contain_text(re.compile(r"Enrolled on \w+ \d+, \d{4}"))
    expect(page.locator(".learning-empty")).to_be_hidden()
    expect(page.get_by_role("heading", name="Certificates")).to_be_visible()
    resume.click()
    expect(page.locator("h1")).to_have_text("Your first program")


def test_completing_the_last_lesson_completes_the_course(page: Any) -> None:
    student(page, PYTHON)
    enroll_through_the_api(page, "python-foundations")
    outline = page.request.get("/api/courses/python-foundations").json()
    required = [
        lesson["id"]
        for section in outline["sections"]
        for lesson in section["lessons"]
        if lesson["requirement"] == "required"
    ]
    last = required.pop()
    for lesson_id in required:
        done = post_json(page, f"/api/courses/python-foundations/lessons/{lesson_id}/complete")
        assert done.status == 200, done.text()

    page.goto(f"{PYTHON}{last}/")
    expect(page.locator(".lesson-course-complete")).to_be_hidden()
    answer = complete_lesson(page, "python-foundations", last)
    assert answer["course_completed_now"] is True
    assert answer["progress"]["complete"] is True
    finished = page.locator(".lesson-course-complete")
    expect(finished).to_be_visible()
    expect(finished).to_contain_text("Congratulations: you completed the course!")
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", "100")
    expect(page.locator(".syllabus-progress-done")).to_have_text("Course completed")
    finished.get_by_role("link", name="Go to My learning").click()

    expect(page.locator("h1")).to_have_text("My learning")
    done = page.locator("section[aria-labelledby=learning-finished]")
    expect(done.get_by_role("heading", name="Completed")).to_be_visible()
    card = done.locator('.learning-card[data-slug="python-foundations"]')
    expect(card.locator(".learning-done-badge")).to_have_text(
        re.compile(r"Completed on \w+ \d+, \d{4}")
    )
    expect(card).to_contain_text("100% complete")
    expect(card.get_by_role("link", name="Review the course")).to_have_attribute("href", PYTHON)
    expect(card.locator(".learning-resume")).to_be_hidden()
    expect(page.locator("section[aria-labelledby=learning-current]")).to_be_hidden()

    page.goto(PYTHON)
    actions = page.locator(".enroll-card")
    expect(actions.locator(".course-completed-badge")).to_have_text("Course completed")
    expect(actions.locator(".course-completed-note")).to_contain_text("Completed on")
    expect(actions.get_by_role("link", name="Review the course")).to_have_attribute(
        "href", PYTHON + "welcome/"
    )
    expect(actions.locator(".enrolled-note")).to_be_hidden()


# --- a gated course: enroll on the lesson page -------------------------------------------------


def test_gated_lesson_body_loads_after_enrolling_on_the_spot(
    page: Any, learning_site: LiveSite
) -> None:
    lesson = "how-people-use-the-web"
    private = learning_site.private / f"lessons/web-accessibility-essentials/{lesson}.html"
    heading = re.search(r"<h2[^>]*>(.*?)</h2>", private.read_text(encoding="utf-8"))
    assert heading
    first_heading = re.sub(r"<[^>]+>", "", heading.group(1)).strip()

    student(page, A11Y + lesson + "/")
    gated = page.locator(".gated-lesson")
    cta = gated.locator(".gated-cta")
    expect(cta.locator("h2 span:visible")).to_have_text("Enroll to open this lesson")
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)
    expect(page.locator(".lesson-invite")).to_have_count(
        0
    )  # the lesson's own call to action says it
    expect(lesson_item(page, lesson).locator(".syllabus-lock")).to_be_visible()

    body = api_path(f"/api/courses/web-accessibility-essentials/lessons/{lesson}")
    with (
        page.expect_response(body) as loaded,
        page.expect_response(
            api_path("/api/courses/web-accessibility-essentials/enroll")
        ) as enrolled,
    ):
        cta.get_by_role("button", name="Enroll for free").click()
    assert enrolled.value.status == 201
    assert loaded.value.status == 200
    expect(cta).to_be_hidden()
    expect(gated.get_by_role("heading", name=first_heading)).to_be_visible()
    expect(lesson_item(page, lesson).locator(".syllabus-lock")).to_be_hidden()  # no padlocks now
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", "0")

    complete_lesson(page, "web-accessibility-essentials", lesson)
    expect_done(page, lesson)
    expect(
        page.get_by_role("link", name="Next lesson: Listening to a screen reader")
    ).to_be_visible()

    # An evaluation lesson completes by passing: no button there.
    page.goto(A11Y + "final-assessment/")
    expect(page.locator("h1")).to_have_text("Final assessment")
    settle(page)
    expect(page.locator(".lesson-complete")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)
    expect_done(page, lesson)


def test_audio_lesson_resumes_at_the_second_the_student_left(page: Any) -> None:
    lesson = "listening-to-a-screen-reader"
    student(page, A11Y)
    enroll_through_the_api(page, "web-accessibility-essentials")
    page.goto(A11Y + lesson + "/")
    audio = page.locator(".lesson-body audio")
    expect(audio).to_be_attached()
    page.wait_for_function(
        "() => { const a = document.querySelector('.lesson-body audio');"
        " return a !== null && a.readyState >= 1; }",
        timeout=10_000,
    )
    settle(page)

    visit = api_path(f"/api/courses/web-accessibility-essentials/lessons/{lesson}/visit")
    with page.expect_request(visit) as saved:
        audio.evaluate("a => { a.currentTime = 7.5; a.dispatchEvent(new Event('pause')); }")
    assert saved.value.post_data_json == {"position": 7.5}
    assert saved.value.response().status == 204
    settle(page)

    page.reload()
    # The gated body (and its <audio>) arrives from the API after the page has loaded.
    page.wait_for_function(
        "() => { const a = document.querySelector('.lesson-body audio');"
        " return a !== null && a.currentTime > 7; }",
        timeout=10_000,
    )
    assert audio.evaluate("a => a.currentTime") == pytest.approx(7.5, abs=0.3)
    expect(page.locator(".lesson-resumed")).to_have_text("Resumed where you left off, at 0:07.")

    # Played to the end: the next visit starts over.
    with page.expect_request(visit) as ended:
        audio.evaluate(
            """a => new Promise(done => {
                 a.addEventListener('seeked', done, {once: true});
                 a.currentTime = a.duration;
               }).then(() => a.dispatchEvent(new Event('ended')))"""
        )
    assert ended.value.post_data_json == {"position": 0}


# --- leaving a course ---------------------------------------------------------------------------


def test_leave_a_course_in_two_steps(page: Any) -> None:
    student(page, A11Y)
    card = page.locator(".enroll-card")
    with page.expect_response(api_path("/api/courses/web-accessibility-essentials/enroll")):
        card.get_by_role("button", name="Enroll for free").click()
    expect(card.get_by_role("link", name="Start learning")).to_be_visible()

    leave = card.get_by_role("button", name="Leave this course")
    leave.click()
    confirm = card.locator(".course-leave-confirm")
    expect(confirm).to_contain_text("Your progress is kept if you enroll again.")
    cancel = confirm.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    cancel.click()
    expect(confirm).to_be_hidden()
    expect(leave).to_be_focused()
    expect(card.get_by_role("link", name="Start learning")).to_be_visible()

    leave.click()
    with page.expect_response(
        api_path("/api/courses/web-accessibility-essentials/enrollment")
    ) as left:
        confirm.get_by_role("button", name="Yes, leave the course").click()
    assert left.value.status == 204
    assert left.value.request.method == "DELETE"
    expect(card.get_by_role("status")).to_have_text(
        "You left the course. Your progress is kept if you come back."
    )
    enroll = card.get_by_role("button", name="Enroll for free")
    expect(enroll).to_be_visible()
    expect(enroll).to_be_focused()
    expect(card.get_by_role("link", name="Start learning")).to_be_hidden()
    expect(card.locator(".enrolled-note")).to_be_hidden()

    page.goto(DASHBOARD)
    empty = page.locator(".learning-empty")
    expect(empty).to_be_visible()
    expect(empty.get_by_role("heading")).to_have_text("You are not enrolled in any course yet")
    expect(empty.get_by_role("link", name="Browse the courses")).to_have_attribute("href", "/")
    expect(page.locator(".learning-card")).to_have_count(0)
    expect(page.get_by_role("heading", name="Certificates")).to_be_visible()
    expect(page.locator(".learning-certificates")).to_contain_text(
        "Certificates appear here when you complete a course that awards one."
    )


def test_audit_a_paid_course_and_see_errors_inline(page: Any) -> None:
    student(page, PANDAS)
    card = page.locator(".enroll-card")
    expect(card.get_by_role("link", name="Buy for $49.00")).to_have_attribute(
        "href", "/account/checkout/?course=data-analysis-with-pandas"
    )
    expect(card.get_by_role("button", name="Enroll for free")).to_have_count(0)

    # An error (here: every seat taken meanwhile) is said inline, in an alert.
    enroll_api = "/api/courses/data-analysis-with-pandas/enroll"
    page.watch.expect_error_status(enroll_api)
    full = {"error": {"code": "course_full", "message": "Full.", "fields": {}}}
    page.route("**" + enroll_api, lambda route: route.fulfill(status=409, json=full))
    card.get_by_role("button", name="Audit this course").click()
    expect(card.get_by_role("alert")).to_have_text("This course is full: every seat is taken.")
    expect(card.locator(".course-full-note")).to_be_visible()
    page.unroute("**" + enroll_api)

    page.reload()
    with page.expect_response(api_path(enroll_api)) as audited:
        card.get_by_role("button", name="Audit this course").click()
    assert audited.value.status == 201
    assert audited.value.request.post_data_json == {"mode": "audit"}
    expect(card.locator(".enrolled-note span:visible")).to_have_text("You are auditing this course")
    expect(card.get_by_role("link", name="Start learning")).to_have_attribute(
        "href", PANDAS + "welcome/"
    )
    # Auditing a paid course: buying stays possible (graded evaluations, certificate).
    expect(card.get_by_role("link", name="Buy for $49.00")).to_be_visible()
    expect(card.get_by_role("button", name="Leave this course")).to_be_visible()

    page.goto(DASHBOARD)
    course = page.locator('.learning-card[data-slug="data-analysis-with-pandas"]')
    expect(course.locator(".learning-audit")).to_have_text("Auditing")
    expect(course.get_by_role("link", name="Start: Welcome, and how analysts work")).to_be_visible()


# --- visitors -----------------------------------------------------------------------------------


def test_visitors_are_invited_not_shown_buttons(page: Any) -> None:
    page.goto(PYTHON + "welcome/")
    invite = page.locator(".lesson-invite")
    expect(invite).to_contain_text("Sign in to mark lessons complete")
    expect(invite.get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "/account/sign-in/?next=%2Fcourses%2Fpython-foundations%2Fwelcome%2F"
    )
    expect(invite.get_by_role("link", name="Create a free account")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as complete")).to_have_count(0)
    expect(page.locator(".syllabus-progress")).to_be_hidden()

    page.goto(A11Y)
    card = page.locator(".enroll-card")
    expect(card.get_by_role("link", name="Enroll for free")).to_have_attribute(
        "href", "/account/sign-in/?next=%2Fcourses%2Fweb-accessibility-essentials%2F"
    )
    expect(card.get_by_role("button")).to_have_count(0)  # no API call can succeed yet

    page.goto(PANDAS + "welcome/")  # a paid course's preview lesson
    expect(page.locator(".lesson-invite")).to_contain_text("This lesson is a free preview.")
    expect(
        page.locator(".lesson-invite").get_by_role("link", name="See the course and its price")
    ).to_have_attribute("href", PANDAS)

    # My learning sends visitors to sign in, and back afterwards.
    page.watch.expect_error_status("/api/me/courses")
    page.goto(DASHBOARD)
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=%2Faccount%2Flearning%2F$"))
    expect(page.locator("h1")).to_have_text("Sign in")


def test_enrolling_from_a_public_lesson(page: Any) -> None:
    student(page, PYTHON + "your-first-program/")
    invite = page.locator(".lesson-invite")
    expect(invite).to_contain_text("Enroll in this free course")
    with page.expect_response(api_path("/api/courses/python-foundations/enroll")) as enrolled:
        invite.get_by_role("button", name="Enroll for free").click()
    assert enrolled.value.status == 201
    expect(invite).to_be_hidden()
    toggle = page.get_by_role("button", name="Mark as complete")
    expect(toggle).to_be_focused()
    expect(page.locator(".lesson-progress [role=status]")).to_have_text(
        "You are enrolled. Enjoy the course!"
    )
    expect(sidebar_progress(page)).to_have_attribute("aria-valuenow", "0")
    complete_lesson(page, "python-foundations", "your-first-program")
    expect_done(page, "your-first-program")


# --- accessibility and small screens ------------------------------------------------------------


def test_learning_pages_pass_the_accessibility_smoke_test(page: Any) -> None:
    student(page, PYTHON)
    enroll_through_the_api(page, "python-foundations")
    for path in (PYTHON, PYTHON + "welcome/", DASHBOARD):
        page.goto(path)
        settle(page)
        accessibility_smoke(page)

    # The toggle works from the keyboard.
    page.goto(PYTHON + "welcome/")
    toggle = page.get_by_role("button", name="Mark as complete")
    toggle.focus()
    with page.expect_response(lambda r: r.url.endswith("/welcome/complete")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(page.get_by_role("button", name="Completed (undo)")).to_be_focused()


@pytest.mark.parametrize("path", [PYTHON, PYTHON + "welcome/", DASHBOARD])
def test_learning_pages_fit_a_phone(open_page: Any, learning_site: LiveSite, path: str) -> None:
    page = open_page(site=learning_site, viewport=MOBILE)
    student(page, path)
    enroll_through_the_api(page, "python-foundations")
    page.reload()
    settle(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"{path} is {width}px wide"
