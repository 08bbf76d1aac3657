"""Evaluations in headless Chromium, against the real evaluation API of `lms serve`.

A student enrolls in the free Web Accessibility Essentials course, fails its final assessment
(nine questions, every type, 20 minutes, two attempts, feedback after passing), passes it
with a written answer that waits for a grader, an instructor grades it on /account/grading/
in a second browser, and the student sees the verdict and the feedback. Plus: the request for
another attempt and its grant, the countdown and the automatic submission (Playwright's fake
clock), visitors, auditors and students without the grader role, and screenshots at 1280 and
390 px in both colour schemes.

The demo build is served again with its own database (`serve_again`); users are inserted
straight into it (verified, with the roles a test needs) and sign in through the API, except
the instructor of the main journey, who signs in on the sign-in page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_support import (
    FAST_ACCOUNTS,
    LiveSite,
    MakeUser,
    Screenshots,
    serve_again,
    settle,
    sign_in,
    sign_in_api,
    user_maker,
)
from playwright.sync_api import expect
from test_site import NAMELESS_CONTROLS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

COURSE = "web-accessibility-essentials"
ASSESSMENT = f"/courses/{COURSE}/final-assessment/"
INSTRUCTOR = "priya-raman"  # teaches the course (its front matter)

#: The final assessment's right answers, by question id (see its front matter).
RIGHT = {
    "link-or-button": ["button"],
    "empty-alt": ["divider", "repeated"],
    "placeholder-label": ["false"],
    "automated-tools": ["false"],
    "alt-attribute": "ALT",  # short text: case-insensitive
    "lang-attribute": "lang attribute",  # one of the accepted forms
    "contrast-ratio": "4,2",  # a decimal comma is fine
    "sticky-banner": ["not-obscured"],
    "review-snippet": (
        "1. The input has no label: add <label for=email>.\n"
        "2. The div is not a button: use <button type=submit>.\n"
        "3. #999 on white fails 4.5:1: darken it."
    ),
}
#: Three wrong answers; the other six questions are left blank.
WRONG = {
    "link-or-button": ["link"],
    "placeholder-label": ["true"],
    "contrast-ratio": "3",
}

Shot = Callable[..., None]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eval_site(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    yield from serve_again(site, tmp_path_factory.mktemp("evaluation-site"), **FAST_ACCOUNTS)


@pytest.fixture(scope="module")
def make_user(eval_site: LiveSite) -> Iterator[MakeUser]:
    yield from user_maker(eval_site.settings)


@pytest.fixture
def open_eval(open_page: Any, eval_site: LiveSite) -> Callable[..., Any]:
    """`open_eval(**context_options)`: a watched page of the evaluation site."""

    def open_(**options: Any) -> Any:
        return open_page(site=eval_site, **options)

    return open_


@pytest.fixture
def shot() -> Shot:
    return Screenshots.into("eval-")


# --- helpers ---------------------------------------------------------------------------------


def enroll(page: Any, course: str = COURSE, mode: str = "free") -> None:
    response = page.request.post(f"/api/courses/{course}/enroll", data={"mode": mode})
    assert response.status in (200, 201), response.text()


def student(page: Any, make_user: Callable[..., dict[str, str]], name: str) -> dict[str, str]:
    """A new student, signed in, enrolled in the course."""
    user = make_user(name)
    sign_in_api(page, user["email"])
    enroll(page)
    return user


def evaluation(page: Any) -> Any:
    return page.locator("section.evaluation")


def question(page: Any, qid: str) -> Any:
    return page.locator(f"#evaluation-q-{qid}")


def answer(page: Any, answers: dict[str, Any]) -> None:
    """Options (a list of option ids, or "true"/"false") are ticked; text is typed."""
    for qid, value in answers.items():
        if isinstance(value, list):
            for option in value:
                suffix = option if option in ("true", "false") else f"opt-{option}"
                page.locator(f"#evaluation-q-{qid}-{suffix}").check()
        else:
            page.locator(f"#evaluation-q-{qid}-answer").fill(value)


def start(page: Any, label: str = "Start the evaluation") -> None:
    with page.expect_response(re.compile(r"/evaluations/final-assessment/attempts$")) as started:
        evaluation(page).get_by_role("button", name=label).click()
    assert started.value.status in (200, 201)
    expect(page.locator(".evaluation-quiz")).to_be_visible()


def submit(page: Any, *, blanks: bool = False) -> Any:
    """Submit; with `blanks`, through the warning about unanswered questions."""
    quiz = page.locator(".evaluation-quiz")
    if blanks:
        quiz.get_by_role("button", name="Submit answers").click()
        warning = quiz.locator(".evaluation-unanswered")
        expect(warning).to_be_visible()
        expect(warning).to_be_focused()
        expect(warning).to_contain_text("have no answer yet")
        button = warning.get_by_role("button", name="Submit anyway")
    else:
        button = quiz.get_by_role("button", name="Submit answers")
    with page.expect_response(re.compile(r"/api/attempts/[^/]+/submit$")) as sent:
        button.click()
    assert sent.value.status == 200, sent.value.text()
    result = page.locator(".evaluation-result")
    expect(result).to_be_visible()
    return result


def feedback_item(page: Any, prompt: str) -> Any:
    return page.locator(".evaluation-feedback-item", has_text=prompt)


def open_grading(open_eval: Callable[..., Any], email: str) -> Any:
    page = open_eval()
    sign_in_api(page, email)
    page.goto("/account/grading/")
    expect(page.get_by_role("heading", name="Answers to grade")).to_be_visible()
    return page


# --- the journey -----------------------------------------------------------------------------


def test_fail_then_pass_with_a_graded_written_answer(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]], shot: Shot
) -> None:
    page = open_eval()
    learner = student(page, make_user, "Grace Learner")
    page.goto(ASSESSMENT)

    # The overview: the evaluation's facts and the student's attempts.
    box = evaluation(page)
    expect(box.get_by_role("heading", name="Your evaluation")).to_be_visible()
    facts = box.locator(".evaluation-facts-grid")
    expect(facts).to_contain_text("9 (13 points)")
    expect(facts).to_contain_text("75% or more")
    expect(facts).to_contain_text("2 of 2 left")
    expect(facts).to_contain_text("20 minutes")
    expect(box).to_contain_text("Your best attempt counts.")
    expect(box.locator(".evaluation-timed-note")).to_contain_text("you have 20 minutes")
    expect(box.locator(".evaluation-history")).to_be_hidden()
    shot(page, "intro", ".evaluation")

    # Attempt 1: an accessible form, one fieldset per question, and a countdown.
    start(page)
    quiz = page.locator(".evaluation-quiz")
    expect(quiz.get_by_role("heading", name="Attempt 1")).to_be_focused()
    expect(quiz.locator("fieldset.evaluation-question")).to_have_count(9)
    expect(quiz.get_by_role("group", name=re.compile(r"^Question 1 of 9"))).to_have_count(1)
    expect(question(page, "link-or-button").get_by_role("radio")).to_have_count(4)
    expect(question(page, "empty-alt").get_by_role("checkbox")).to_have_count(4)
    expect(question(page, "placeholder-label").get_by_role("radio", name="True")).to_be_visible()
    expect(question(page, "contrast-ratio").locator("input")).to_have_attribute(
        "inputmode", "decimal"
    )
    expect(question(page, "review-snippet").locator("textarea")).to_be_visible()
    expect(question(page, "alt-attribute").get_by_label("Your answer")).to_be_visible()
    # Prompts are the server's HTML (code, emphasis), not escaped text.
    expect(question(page, "placeholder-label").locator(".evaluation-prompt code")).to_have_count(2)
    expect(question(page, "empty-alt").locator(".evaluation-prompt strong")).to_have_text("empty")
    clock = quiz.locator(".evaluation-clock")
    expect(clock).to_be_visible()
    expect(clock).to_have_attribute("role", "timer")
    expect(clock.locator(".evaluation-clock-time")).to_have_text(
        re.compile(r"^(20:00|19:[0-5]\d)$")
    )
    expect(clock).to_have_attribute("aria-label", re.compile(r"^Time left: (20|19) min \d+ s$"))
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []

    answer(page, WRONG)
    expect(quiz.locator(".evaluation-bar-count")).to_have_text("3 of 9 answered")
    # A numeric answer that is not a number is caught before sending.
    answer(page, {"contrast-ratio": "four"})
    quiz.get_by_role("button", name="Submit answers").click()
    number = question(page, "contrast-ratio")
    expect(number.locator(".evaluation-field-error")).to_have_text("Enter a number, such as 4.2.")
    expect(quiz.locator(".alert-danger")).to_have_text("Please check the highlighted answers.")
    expect(number.locator("input")).to_be_focused()
    expect(number.locator("input")).to_have_attribute("aria-invalid", "true")
    answer(page, {"contrast-ratio": "3"})
    expect(number.locator(".evaluation-field-error")).to_be_hidden()
    expect(quiz.locator(".alert-danger")).to_be_hidden()
    shot(page, "quiz", ".evaluation-quiz")

    result = submit(page, blanks=True)
    expect(result.get_by_role("heading", name="Attempt 1: your result")).to_be_focused()
    expect(result.locator(".evaluation-score-value")).to_have_text("0%")
    expect(result.locator(".evaluation-badge.is-failed")).to_have_text("Not passed")
    expect(result).to_contain_text("You need 75% to pass.")
    expect(result).to_contain_text("You have 1 attempt left.")
    # Feedback after passing only: what was answered, not what was right.
    expect(result).to_contain_text("The correct answers and explanations appear once you pass.")
    expect(result.locator(".evaluation-feedback-item")).to_have_count(9)
    expect(result.locator(".evaluation-feedback-item.is-answered")).to_have_count(3)
    expect(result.locator(".evaluation-feedback-item.is-unanswered")).to_have_count(6)
    expect(result.locator(".evaluation-feedback-item.is-wrong")).to_have_count(0)
    expect(result.locator(".evaluation-explanation:visible")).to_have_count(0)
    expect(feedback_item(page, "control opens a panel").locator("dd").first).to_have_text(
        '<a href="#">'
    )
    shot(page, "result-failed", ".evaluation-result")

    # Attempt 2: every answer right; the written one waits for a grader.
    start(page, "Try again")
    expect(
        page.locator(".evaluation-quiz").get_by_role("heading", name="Attempt 2")
    ).to_be_visible()
    answer(page, RIGHT)
    expect(page.locator(".evaluation-bar-count")).to_have_text("9 of 9 answered")
    result = submit(page)
    expect(result.locator(".evaluation-badge.is-pending")).to_have_text("Waiting for a grader")
    expect(result.locator(".evaluation-score-value")).to_be_hidden()
    expect(result).to_contain_text("waiting for your instructor's review")
    expect(result).to_contain_text("You have used all your attempts.")
    expect(result.get_by_role("button", name="Try again")).to_be_hidden()
    expect(result.get_by_role("button", name="Ask for another attempt")).to_be_hidden()
    written = feedback_item(page, "newsletter sign-up form")
    expect(written.locator(".evaluation-status")).to_have_text("Waiting for a grader")
    expect(written.locator("dd.is-text")).to_contain_text("<label for=email>")
    shot(page, "result-pending", ".evaluation-result")

    # The overview now lists both attempts.
    result.get_by_role("button", name="See all your attempts").click()
    history = page.locator(".evaluation-history-table tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Not passed")
    expect(history.nth(1)).to_contain_text("Waiting for a grader")
    expect(evaluation(page).locator(".evaluation-standing:visible")).to_have_text(
        "Your score so far: 0%. You need 75% to pass."
    )

    # The instructor, in another browser, signs in and grades the written answer.
    grader = make_user("Priya Grader", roles=["instructor"], instructor=INSTRUCTOR)
    staff = open_eval()
    sign_in(staff, grader["email"], path="/account/sign-in/?next=/account/grading/")
    expect(staff).to_have_url(re.compile(r"/account/grading/$"))
    staff.locator("#account-nav .dropdown-toggle").click()
    expect(staff.locator("#account-nav").get_by_role("link", name="Grading")).to_be_visible()
    staff.keyboard.press("Escape")
    card = staff.locator(".grading-item", has_text=learner["email"])
    expect(card).to_have_count(1)
    expect(card).to_contain_text(learner["name"])
    expect(card).to_contain_text("Final assessment")
    expect(card).to_contain_text("Automatically graded part: 10/13 points")
    expect(card.locator(".grading-answer")).to_contain_text("<button type=submit>")
    expect(card.locator(".grading-rubric")).to_contain_text("Award 1 point per correctly")
    points = card.get_by_label("Points", exact=True)
    expect(points).to_have_attribute("max", "3")
    # Out of range: caught on the page.
    points.fill("5")
    card.get_by_role("button", name="Save grade").click()
    expect(card.locator(".evaluation-field-error")).to_have_text("Use a whole number from 0 to 3.")
    expect(points).to_be_focused()
    points.fill("3")
    expect(card.locator(".alert-danger")).to_be_hidden()
    card.get_by_label("Comment for the student (optional)").fill("Three solid fixes. Well done!")
    shot(staff, "grading", ".grading-page")
    shot(staff, "grading-form", ".grading-points")
    with staff.expect_response(re.compile(r"/api/admin/attempts/[^/]+/grade$")) as graded:
        card.get_by_role("button", name="Save grade").click()
    assert graded.value.status == 200, graded.value.text()
    assert graded.value.request.post_data_json == {
        "points": {"review-snippet": 3},
        "comment": "Three solid fixes. Well done!",
    }
    expect(staff.locator(".grading-live")).to_contain_text(
        f"Grade saved for {learner['name']}: 100%, passed."
    )
    expect(card).to_have_count(0)

    # The student comes back: passed, and the feedback is open now.
    page.reload()
    box = evaluation(page)
    expect(box.locator(".evaluation-standing:visible")).to_have_text("You passed with 100%.")
    expect(box.locator(".evaluation-badge.is-passed")).to_be_visible()
    expect(box.locator(".evaluation-request")).to_be_hidden()
    expect(box.locator(".evaluation-start")).to_be_hidden()
    history = page.locator(".evaluation-history-table tbody tr")
    expect(history.nth(1)).to_contain_text("100%")
    expect(history.nth(1)).to_contain_text("Passed")
    history.nth(1).get_by_role("button", name="View attempt 2").click()
    result = page.locator(".evaluation-result")
    expect(result.locator(".evaluation-badge.is-passed")).to_have_text("Passed")
    expect(result.locator(".evaluation-score-value")).to_have_text("100%")
    expect(result.locator(".evaluation-note")).to_contain_text("Three solid fixes. Well done!")
    expect(result.locator(".evaluation-feedback-item.is-correct")).to_have_count(9)
    expect(result.locator(".evaluation-explanation:visible")).to_have_count(9)
    expect(
        feedback_item(page, "contrast ratio").locator(".evaluation-feedback-points")
    ).to_have_text("2 of 2 points")
    shot(page, "result-passed", ".evaluation-result")


def test_ask_for_another_attempt_and_get_it(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]], shot: Shot
) -> None:
    page = open_eval()
    learner = student(page, make_user, "Hugo Retry")
    page.goto(ASSESSMENT)
    start(page)
    submit(page, blanks=True)
    start(page, "Try again")
    result = submit(page, blanks=True)
    expect(result).to_contain_text("You have used all your attempts.")
    expect(result.get_by_role("button", name="Try again")).to_be_hidden()

    result.get_by_role("button", name="Ask for another attempt").click()
    reason = page.get_by_label("Why would another attempt help? (optional)")
    expect(reason).to_be_focused()
    request = page.locator(".evaluation-request")
    expect(request.get_by_role("heading", name="You have used all your attempts")).to_be_visible()
    reason.fill("I ran out of time on the written question.")
    expect(request.locator(".evaluation-count")).to_have_text("42 / 2000 characters")
    shot(page, "request", ".evaluation-request")
    with page.expect_response(re.compile(r"/attempt-requests$")) as asked:
        request.get_by_role("button", name="Ask for another attempt").click()
    assert asked.value.status == 201, asked.value.text()
    expect(page.locator(".evaluation-overview").get_by_role("status")).to_contain_text(
        "Your request is sent."
    )
    expect(request).to_contain_text("You asked for another attempt on")
    expect(request.locator("form")).to_be_hidden()
    expect(evaluation(page).locator(".evaluation-start")).to_be_hidden()

    # An admin grants two more.
    admin = make_user("Ada Admin", roles=["admin"])
    staff = open_grading(open_eval, admin["email"])
    card = staff.locator(".grading-request", has_text=learner["email"])
    expect(card).to_contain_text("I ran out of time on the written question.")
    expect(card).to_contain_text("2 of 2 attempts used")
    extra = card.get_by_label("Extra attempts")
    extra.fill("11")
    card.get_by_role("button", name="Grant").click()
    expect(card.locator(".evaluation-field-error")).to_have_text(
        "Give from 1 to 10 extra attempts."
    )
    extra.fill("2")
    card.get_by_label("Note for the student (optional)").fill("Take your time.")
    with staff.expect_response(re.compile(r"/api/admin/attempt-requests/\d+$")) as decided:
        card.get_by_role("button", name="Grant").click()
    assert decided.value.status == 200, decided.value.text()
    assert decided.value.request.post_data_json == {
        "decision": "grant",
        "note": "Take your time.",
        "extra_attempts": 2,
    }
    expect(staff.locator(".grading-live")).to_contain_text(
        f"{learner['name']} can take 2 more attempts."
    )
    expect(card).to_have_count(0)

    page.reload()
    box = evaluation(page)
    expect(box.locator(".evaluation-facts-grid")).to_contain_text("2 of 4 left")
    expect(box.locator(".alert-info")).to_contain_text("you have 2 more attempts.")
    expect(box.get_by_role("button", name="Try again")).to_be_visible()
    expect(box.locator(".evaluation-request")).to_be_hidden()


def test_the_countdown_speaks_and_submits_at_zero(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]]
) -> None:
    """The timer runs on the server's clock (deadline - now) and is counted down by the
    browser; Playwright's fake clock stands in for twenty minutes of waiting. At zero the
    answers given so far are submitted (the server still has time: its clock is real)."""
    page = open_eval()
    student(page, make_user, "Tess Timer")
    page.clock.install()
    page.goto(ASSESSMENT)
    start(page)
    clock = page.locator(".evaluation-clock")
    announcer = page.locator(".evaluation-quiz p.visually-hidden[role=status]")
    expect(clock.locator(".evaluation-clock-time")).to_have_text(
        re.compile(r"^(20:00|19:[0-5]\d)$")
    )
    expect(announcer).to_have_text("")
    answer(page, {"placeholder-label": ["false"], "alt-attribute": "alt"})

    page.clock.fast_forward("10:05")
    expect(announcer).to_have_text("10 minutes left.")
    expect(clock).not_to_have_class(re.compile(r"is-(low|critical)"))
    page.clock.fast_forward("05:10")
    expect(announcer).to_have_text("5 minutes left.")
    expect(clock).to_have_class(re.compile(r"\bis-low\b"))
    page.clock.fast_forward("04:10")
    expect(announcer).to_have_text("1 minute left.")
    expect(clock).to_have_class(re.compile(r"\bis-critical\b"))

    with page.expect_response(re.compile(r"/api/attempts/[^/]+/submit$")) as sent:
        page.clock.fast_forward("01:00")
    assert sent.value.status == 200, sent.value.text()
    assert sent.value.request.post_data_json == {
        "answers": {"placeholder-label": False, "alt-attribute": "alt"}
    }
    result = page.locator(".evaluation-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text(
        "The time ran out, so your answers were submitted automatically."
    )
    expect(result.locator(".evaluation-score-value")).to_have_text("15.38%")  # 2 of 13 points


def test_a_reload_resumes_the_attempt_with_its_answers(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]]
) -> None:
    page = open_eval()
    student(page, make_user, "Rita Reload")
    page.goto(ASSESSMENT)
    start(page)
    answer(page, {"link-or-button": ["button"], "lang-attribute": "lang"})
    page.reload()
    box = evaluation(page)
    history = page.locator(".evaluation-history-table tbody tr")
    expect(history.nth(0)).to_contain_text("In progress")
    with page.expect_response(re.compile(r"/evaluations/final-assessment/attempts$")) as resumed:
        box.get_by_role("button", name="Resume your attempt").click()
    assert resumed.value.status == 200  # the same attempt, not a new one
    expect(
        page.locator(".evaluation-quiz").get_by_role("heading", name="Attempt 1")
    ).to_be_visible()
    expect(page.locator("#evaluation-q-link-or-button-opt-button")).to_be_checked()
    expect(page.locator("#evaluation-q-lang-attribute-answer")).to_have_value("lang")
    expect(page.locator(".evaluation-bar-count")).to_have_text("2 of 9 answered")


# --- who may do what -----------------------------------------------------------------------------


def test_visitors_are_asked_to_sign_in_and_students_to_enroll(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]]
) -> None:
    """The Git course's review quiz is a public lesson (its text is in the page), so the
    evaluation asks for what is missing itself."""
    repaso = "/courses/git-desde-cero/repaso/"
    page = open_eval()
    page.goto(repaso)
    cta = page.locator(".evaluation-cta")
    expect(cta.get_by_role("heading", name="Sign in to take this evaluation")).to_be_visible()
    expect(cta.get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "/account/sign-in/?next=%2Fcourses%2Fgit-desde-cero%2Frepaso%2F"
    )
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    other = open_eval()
    sign_in_api(other, make_user("Nora Newcomer")["email"])
    other.goto(repaso)
    cta = other.locator(".evaluation-cta")
    expect(cta.get_by_role("heading", name="Enroll to take this evaluation")).to_be_visible()
    expect(cta.get_by_role("link", name="Go to the course page")).to_have_attribute(
        "href", "/courses/git-desde-cero/"
    )
    enroll(other, "git-desde-cero")
    other.reload()
    expect(other.locator(".evaluation-cta")).to_be_hidden()
    box = evaluation(other)
    expect(box.locator(".evaluation-facts-grid")).to_contain_text("Unlimited")
    expect(box.locator(".evaluation-facts-grid")).to_contain_text("No limit")  # no time limit
    # Feedback "immediately": a wrong answer shows the right one and the explanation.
    with other.expect_response(re.compile(r"/evaluations/repaso/attempts$")):
        box.get_by_role("button", name="Start the evaluation").click()
    other.locator("fieldset.evaluation-question", has_text="Git y GitHub").get_by_label(
        "True"
    ).check()
    other.get_by_role("button", name="Submit answers").click()
    other.get_by_role("button", name="Submit anyway").click()
    item = other.locator(".evaluation-feedback-item", has_text="Git y GitHub")
    expect(item.locator(".evaluation-status")).to_have_text("Incorrect")
    expect(item.locator("dd").nth(0)).to_have_text("True")
    expect(item.locator("dd").nth(1)).to_have_text("False")
    expect(item.locator(".evaluation-explanation")).to_contain_text("GitHub es un servicio web")
    expect(item.locator(".evaluation-prompt")).to_have_attribute("lang", "es")
    expect(other.locator(".evaluation-feedback-item.is-unanswered")).to_have_count(4)
    expect(other.locator(".evaluation-result .evaluation-feedback > .alert")).to_be_hidden()


def test_auditors_see_that_evaluations_are_not_included(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]]
) -> None:
    """A gated evaluation lesson: the lesson shell says it; the quiz adds no second message."""
    page = open_eval()
    sign_in_api(page, make_user("Otto Auditor")["email"])
    enroll(page, "data-analysis-with-pandas", mode="audit")
    page.goto("/courses/data-analysis-with-pandas/checkpoint-quiz/")
    expect(page.get_by_role("heading", name="Not included when auditing")).to_have_count(1)
    expect(page.get_by_role("heading", name="Not included when auditing")).to_be_visible()
    settle(page)
    expect(page.locator(".evaluation-cta")).to_be_hidden()
    expect(page.locator(".evaluation-overview")).to_have_count(0)


def test_the_grading_page_is_for_graders_only(
    open_eval: Callable[..., Any], make_user: Callable[..., dict[str, str]]
) -> None:
    visitor = open_eval()
    visitor.watch.expect_error_status("/api/me")
    visitor.goto("/account/grading/")
    expect(visitor).to_have_url(re.compile(r"/account/sign-in/\?next=%2Faccount%2Fgrading%2F$"))

    page = open_eval()
    sign_in_api(page, make_user("Sam Student")["email"])
    page.goto("/account/grading/")
    expect(page.get_by_role("heading", name="This page is for graders")).to_be_visible()
    expect(page.get_by_role("heading", name="Answers to grade")).to_have_count(0)
    page.locator("#account-nav .dropdown-toggle").click()
    expect(page.locator("#account-nav").get_by_role("link", name="Settings")).to_be_visible()
    expect(page.locator("#account-nav").get_by_role("link", name="Grading")).to_be_hidden()
