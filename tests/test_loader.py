"""The content loader: order, ids, sections, durations, the `public` flag, money and answers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from lms_support import FIXTURE_ACADEMY, BuiltSite, write_tree

from site_builder.loader import Academy, load_academy
from site_builder.manifest import Manifest, build_manifest
from site_builder.models import LessonMeta, Question

INSTRUCTOR = "---\nname: Ada\n---\nBio.\n"
COURSE = "---\ntitle: {title}\nsummary: S.\ninstructors: [ada]\n{extra}---\nDescription.\n"


def lesson(title: str, extra: str = "", body: str = "Body.") -> str:
    return f"---\ntitle: {title}\n{extra}---\n{body}\n"


def load(tmp_path: Path, files: dict[str, str | bytes]) -> Academy:
    write_tree(tmp_path / "content", {"instructors/ada.md": INSTRUCTOR, **files})
    academy, problems = load_academy(tmp_path / "content")
    assert not problems, "\n".join(p.format() for p in problems.sorted())
    return academy


@pytest.fixture(scope="module")
def fixture_academy() -> Academy:
    academy, problems = load_academy(FIXTURE_ACADEMY)
    assert not problems
    return academy


def test_sections_and_lessons_follow_their_numeric_prefix(tmp_path: Path) -> None:
    academy = load(
        tmp_path,
        {
            "courses/c/course.md": COURSE.format(title="C", extra=""),
            "courses/c/10-last/1-only.md": lesson("Only"),
            "courses/c/2-second/10-ten.md": lesson("Ten"),
            "courses/c/2-second/9-nine.md": lesson("Nine"),
            "courses/c/2-second/unnumbered.md": lesson("Unnumbered"),
            "courses/c/1-first/01-one.md": lesson("One"),
            "courses/c/1-first/_draft-notes.md": "not a lesson",
            "courses/c/1-first/.hidden.md": "not a lesson",
            "courses/c/media/notes.md": "not a lesson either",
        },
    )
    course = academy.course("c")
    assert course is not None
    assert [s.slug for s in course.sections] == ["first", "second", "last"]
    assert [x.id for x in course.lessons] == ["one", "nine", "ten", "unnumbered", "only"]
    assert [x.position for x in course.lessons] == [0, 1, 2, 3, 4]


def test_ids_come_from_file_names_without_prefix(tmp_path: Path) -> None:
    academy = load(
        tmp_path,
        {
            "courses/c/course.md": COURSE.format(title="C", extra=""),
            "courses/c/01-s/02-loops.md": lesson("Loops"),
            "courses/c/01-s/03_Reading Files.md": lesson("Files"),
            "courses/c/01-s/04-custom.md": lesson("Custom", "id: my-stable-id\n"),
            "courses/c/01-s/05-moved.md": lesson("Moved", "renamed_from: [old-name, older]\n"),
        },
    )
    course = academy.course("c")
    assert course is not None
    assert [x.id for x in course.lessons] == ["loops", "reading-files", "my-stable-id", "moved"]
    moved = course.lesson("moved")
    assert moved is not None
    assert moved.meta.renamed_from == ["old-name", "older"]
    assert course.lesson("custom") is None
    manifest = build_manifest(academy, "https://x.example")
    by_id = {x.id: x for x in manifest.courses[0].lessons}
    assert by_id["moved"].renamed_from == ["old-name", "older"]


def test_lesson_urls(fixture_academy: Academy) -> None:
    course = fixture_academy.course("paid-course")
    assert course is not None
    assert course.url_path == "courses/paid-course/"
    assert course.lessons[0].url_path == "courses/paid-course/preview/"


def test_section_titles_from_section_yml_or_folder(fixture_academy: Academy) -> None:
    course = fixture_academy.course("open-course")
    assert course is not None
    assert [(s.slug, s.title, s.summary) for s in course.sections] == [
        ("basics", "The Basics", "Where everything starts."),
        ("check", "Check", None),
    ]


def test_duration_declared_or_estimated(tmp_path: Path) -> None:
    words = " ".join(["word"] * 610)  # 610 words at 200 words per minute: 3 minutes
    quiz = "type: evaluation\nevaluation:\n  questions:\n" + "".join(
        f"    - {{type: open, prompt: Q{i}}}\n" for i in range(1, 5)
    )
    academy = load(
        tmp_path,
        {
            "courses/c/course.md": COURSE.format(title="C", extra=""),
            "courses/c/01-s/01-declared.md": lesson("Declared", "duration: 17\n", words),
            "courses/c/01-s/02-estimated.md": lesson("Estimated", "", words),
            "courses/c/01-s/03-short.md": lesson("Short", "", "Five words in this body."),
            "courses/c/01-s/04-quiz.md": lesson("Quiz", quiz, "Go."),
        },
    )
    course = academy.course("c")
    assert course is not None
    assert [x.duration for x in course.lessons] == [17, 3, 1, 6]
    assert course.duration == 27


def test_questions_without_ids_are_numbered() -> None:
    meta = LessonMeta.model_validate(
        {
            "title": "Quiz",
            "type": "evaluation",
            "evaluation": {
                "questions": [
                    {"type": "open", "prompt": "A"},
                    {"id": "named", "type": "open", "prompt": "B"},
                    {"type": "open", "prompt": "C"},
                ]
            },
        }
    )
    assert meta.evaluation is not None
    assert [q.id for q in meta.evaluation.questions] == ["q1", "named", "q3"]


def test_public_flag(fixture_academy: Academy) -> None:
    public = {c.slug: {x.id: x.public for x in c.lessons} for c in fixture_academy.courses}
    assert public == {
        # free course, access: public: every lesson
        "open-course": dict.fromkeys(["welcome", "reading", "path-a", "path-b", "quiz"], True),
        # paid course: only the preview
        "paid-course": {
            "preview": True,
            "gated": False,
            "handout": False,
            "deep-dive-a": False,
            "deep-dive-b": False,
        },
        # free course, access: enrolled: none
        "members-course": {"members-lesson": False},
        # a draft course: none, not even a preview lesson
        "draft-course": {"draft-lesson": False},
    }
    draft = fixture_academy.course("draft-course")
    assert draft is not None
    assert draft.lessons[0].meta.preview is True
    assert not draft.published
    assert [c.slug for c in fixture_academy.published_courses] == [
        "open-course",
        "paid-course",
        "members-course",
    ]


def test_free_enrolled_course_with_a_preview_lesson(tmp_path: Path) -> None:
    academy = load(
        tmp_path,
        {
            "courses/c/course.md": COURSE.format(title="C", extra="access: enrolled\n"),
            "courses/c/01-s/01-open.md": lesson("Open", "preview: true\n"),
            "courses/c/01-s/02-closed.md": lesson("Closed"),
        },
    )
    course = academy.course("c")
    assert course is not None
    assert [x.public for x in course.lessons] == [True, False]


def test_courses_are_ordered_by_order_then_title(tmp_path: Path) -> None:
    academy = load(
        tmp_path,
        {
            "courses/zeta/course.md": COURSE.format(title="Zeta", extra="order: 1\n"),
            "courses/zeta/01-s/01-l.md": lesson("L"),
            "courses/beta/course.md": COURSE.format(title="beta", extra=""),
            "courses/beta/01-s/01-l.md": lesson("L"),
            "courses/alpha/course.md": COURSE.format(title="Alpha", extra=""),
            "courses/alpha/01-s/01-l.md": lesson("L"),
        },
    )
    assert [c.slug for c in academy.courses] == ["zeta", "alpha", "beta"]


def test_money_is_a_decimal_from_a_yaml_float(fixture_academy: Academy) -> None:
    course = fixture_academy.course("paid-course")
    assert course is not None
    assert course.meta.price is not None
    assert isinstance(course.meta.price.amount, Decimal)
    assert course.meta.price.amount == Decimal("49.9")
    assert str(course.meta.price.amount) == "49.9"  # not 49.899999999999998578…
    assert course.meta.price.display() == "49.90 USD"
    free = fixture_academy.course("open-course")
    assert free is not None
    assert free.meta.price is None
    assert free.meta.is_free


def _no_floats(text: str) -> object:
    def refuse(number: str) -> object:
        raise AssertionError(f"a float in the manifest: {number}")

    return json.loads(text, parse_float=refuse)


def test_manifest_json_has_no_float(built_academy: BuiltSite) -> None:
    text = (built_academy.private / "manifest.json").read_text()
    data = _no_floats(text)
    assert isinstance(data, dict)
    paid = next(c for c in data["courses"] if c["slug"] == "paid-course")
    assert paid["price"] == {"amount": "49.9", "currency": "USD"}
    program = data["programs"][0]
    assert program["price"] == {"amount": "60.00", "currency": "USD"}
    quiz = next(x for x in data["courses"][0]["lessons"] if x["id"] == "quiz")
    questions = {q["id"]: q for q in quiz["evaluation"]["questions"]}
    assert questions["number"]["answer"] == "4242.4242"
    assert questions["number"]["tolerance"] == "0.0001"
    assert questions["truth"]["answer"] is True
    assert questions["word"]["accepted"] == ["ANSWER-KEY-MARKER-c41e"]
    # and the API's reading of it gives Decimals back
    manifest = Manifest.model_validate_json(text)
    assert manifest.courses[1].price is not None
    assert manifest.courses[1].price.amount == Decimal("49.9")


def test_a_numeric_answer_of_one_stays_a_number() -> None:
    question = Question.model_validate({"id": "n", "type": "numeric", "prompt": "?", "answer": 1})
    assert type(question.answer) is Decimal
    assert question.answer == Decimal(1)
    zero = Question.model_validate({"id": "z", "type": "numeric", "prompt": "?", "answer": 0})
    assert type(zero.answer) is Decimal
    truth = Question.model_validate(
        {"id": "t", "type": "true_false", "prompt": "?", "answer": True}
    )
    assert truth.answer is True


def test_a_numeric_answer_of_one_from_yaml(tmp_path: Path) -> None:
    quiz = (
        "type: evaluation\nevaluation:\n  questions:\n"
        "    - {type: numeric, prompt: One?, answer: 1, tolerance: 0.1}\n"
    )
    academy = load(
        tmp_path,
        {
            "courses/c/course.md": COURSE.format(title="C", extra=""),
            "courses/c/01-s/01-quiz.md": lesson("Quiz", quiz),
        },
    )
    course = academy.course("c")
    assert course is not None
    evaluation = course.lessons[0].meta.evaluation
    assert evaluation is not None
    question = evaluation.questions[0]
    assert type(question.answer) is Decimal
    assert question.answer == 1
    assert question.tolerance == Decimal("0.1")
    dumped = build_manifest(academy, "https://x.example").model_dump_json()
    assert '"answer":"1"' in dumped
    assert '"tolerance":"0.1"' in dumped


def test_public_view_of_a_question_has_no_key() -> None:
    question = Question.model_validate(
        {
            "id": "q",
            "type": "single",
            "prompt": "Which?",
            "explanation": "Because.",
            "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B", "correct": True}],
        }
    )
    view = question.public_view()
    assert view["options"] == [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]
    assert set(view) == {"id", "type", "prompt", "points", "options"}


def test_price_with_too_many_decimals_is_refused(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "content",
        {
            "instructors/ada.md": INSTRUCTOR,
            "courses/c/course.md": COURSE.format(
                title="C", extra="price: {amount: 9.9999, currency: USD}\n"
            ),
        },
    )
    _, problems = load_academy(tmp_path / "content")
    assert [p.message for p in problems.sorted()] == ["`price.amount`: too many decimal places"]


def test_missing_content_folder(tmp_path: Path) -> None:
    academy, problems = load_academy(tmp_path / "nowhere")
    assert academy.courses == []
    assert [p.message for p in problems.sorted()] == ["content folder not found"]
