"""The grading engine: public questions, answer validation, grading, manual grades, feedback."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import frontmatter
import pytest

from dynamic_api.learning.grading import (
    AnswerError,
    GradeResult,
    ManualGradeError,
    answers_to_json,
    apply_manual_grades,
    counted_attempt,
    counted_score,
    feedback_allowed,
    feedback_for,
    grade,
    is_passing,
    normalise_text,
    parse_answers,
    pending_questions,
    percent,
    public_questions,
    question_order,
    render_markdown,
    result_from_json,
    result_to_json,
)
from site_builder.models import Evaluation, FeedbackPolicy, Scoring
from site_builder.models.evaluation import default_question_ids

DEMO = (
    Path(__file__).resolve().parents[2]
    / "content/courses/web-accessibility-essentials/03-testing-and-assessment"
    / "02-final-assessment.md"
)
KEY_WORDS = ("correct", "answer", "accepted", "explanation", "rubric", "tolerance")


def make(questions: list[dict[str, Any]], **settings: Any) -> Evaluation:
    return Evaluation.model_validate(default_question_ids({"questions": questions, **settings}))


SINGLE = {
    "id": "single",
    "type": "single",
    "prompt": "Pick **one**",
    "options": [
        {"id": "a", "text": "Alpha `code`", "correct": True},
        {"id": "b", "text": "Beta"},
        {"id": "c", "text": "Gamma"},
    ],
    "explanation": "Because *alpha*.",
}
MULTIPLE = {
    "id": "multiple",
    "type": "multiple",
    "points": 2,
    "prompt": "Pick all",
    "options": [
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": True},
        {"id": "c", "text": "C"},
        {"id": "d", "text": "D"},
    ],
}
TRUE_FALSE = {"id": "tf", "type": "true_false", "prompt": "Sky is green", "answer": False}
SHORT = {
    "id": "short",
    "type": "short_text",
    "prompt": "Attribute?",
    "accepted": ["alt", "the alt attribute", "Canción"],
}
NUMERIC = {
    "id": "num",
    "type": "numeric",
    "points": 2,
    "prompt": "Ratio?",
    "answer": 4.2,
    "tolerance": 0.05,
    "explanation": "1.05 / 0.25",
}
OPEN = {"id": "essay", "type": "open", "points": 3, "prompt": "Discuss", "rubric": "Be kind"}
ALL = [SINGLE, MULTIPLE, TRUE_FALSE, SHORT, NUMERIC, OPEN]


@pytest.fixture
def evaluation() -> Evaluation:
    return make([dict(q) for q in ALL], passing_score=70)


@pytest.fixture
def auto_only() -> Evaluation:
    return make([dict(q) for q in ALL[:5]], passing_score=75)


def demo_evaluation() -> Evaluation:
    data = frontmatter.load(DEMO).metadata["evaluation"]
    return Evaluation.model_validate(default_question_ids(data))


def all_right() -> dict[str, Any]:
    return {
        "single": "a",
        "multiple": ["b", "a"],
        "tf": False,
        "short": "ALT",
        "num": "4.2",
        "essay": "A long essay.",
    }


# --- public questions --------------------------------------------------------------------


def test_public_questions_shape(evaluation: Evaluation) -> None:
    views = {v["id"]: v for v in public_questions(evaluation, seed=1)}
    assert list(views) == ["single", "multiple", "tf", "short", "num", "essay"]
    assert views["single"] == {
        "id": "single",
        "type": "single",
        "points": 1,
        "prompt_html": "<p>Pick <strong>one</strong></p>",
        "options": [
            {"id": "a", "text_html": "Alpha <code>code</code>"},
            {"id": "b", "text_html": "Beta"},
            {"id": "c", "text_html": "Gamma"},
        ],
    }
    assert "options" not in views["tf"]
    assert views["short"]["max_length"] == 500
    assert views["essay"]["max_length"] == 10_000
    assert "options" not in views["num"]


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 2**62])
def test_public_questions_leak_no_keys(seed: int) -> None:
    evaluation = demo_evaluation()
    dump = json.dumps(public_questions(evaluation, seed=seed)).lower()
    for word in KEY_WORDS:
        assert word not in dump, word
    # The explanations' and rubric's text is nowhere either.
    assert "contrast ratio" in dump  # a prompt is there…
    assert "1.05 / 0.25" not in dump  # …its explanation is not
    assert "do not deduct" not in dump  # nor the rubric


def test_demo_evaluation_uses_every_type() -> None:
    types = {q["type"] for q in public_questions(demo_evaluation(), seed=3)}
    assert types == {"single", "multiple", "true_false", "short_text", "numeric", "open"}


def test_no_shuffle_keeps_authoring_order(evaluation: Evaluation) -> None:
    for seed in range(10):
        views = public_questions(evaluation, seed=seed)
        assert [v["id"] for v in views] == [q["id"] for q in ALL]
        assert [o["id"] for o in views[1]["options"]] == ["a", "b", "c", "d"]


def test_shuffle_is_deterministic_per_seed_and_really_shuffles() -> None:
    evaluation = make([dict(q) for q in ALL], shuffle_questions=True, shuffle_options=True)
    first = public_questions(evaluation, seed=42)
    assert public_questions(evaluation, seed=42) == first
    orders = {tuple(v["id"] for v in public_questions(evaluation, seed=s)) for s in range(30)}
    assert len(orders) > 5
    assert all(sorted(order) == sorted(q["id"] for q in ALL) for order in orders)
    option_orders = set()
    for seed in range(30):
        views = {v["id"]: v for v in public_questions(evaluation, seed=seed)}
        option_orders.add(tuple(o["id"] for o in views["multiple"]["options"]))
    assert len(option_orders) > 5
    assert question_order(evaluation, 42) == [v["id"] for v in first]


def test_options_only_shuffle_keeps_question_order() -> None:
    evaluation = make([dict(q) for q in ALL], shuffle_options=True)
    for seed in range(5):
        assert question_order(evaluation, seed) == [q["id"] for q in ALL]


def test_rendering_is_cached(evaluation: Evaluation) -> None:
    public_questions(evaluation, seed=1)
    before = render_markdown.cache_info().hits
    public_questions(evaluation, seed=2)
    assert render_markdown.cache_info().hits >= before + 6


# --- answer validation -------------------------------------------------------------------


def test_parse_valid_answers(evaluation: Evaluation) -> None:
    answers = parse_answers(evaluation, all_right())
    assert answers == {
        "single": "a",
        "multiple": frozenset({"a", "b"}),
        "tf": False,
        "short": "ALT",
        "num": Decimal("4.2"),
        "essay": "A long essay.",
    }


@pytest.mark.parametrize("raw", [None, [], "answers", 3, [["single", "a"]]])
def test_answers_must_be_an_object(evaluation: Evaluation, raw: object) -> None:
    with pytest.raises(AnswerError, match="JSON object") as caught:
        parse_answers(evaluation, raw)
    assert caught.value.fields == {}


def test_unknown_question_ids_are_reported(evaluation: Evaluation) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(evaluation, {"single": "a", "nope": 1, "x" * 500: 2})
    fields = caught.value.fields
    assert set(fields) == {"nope", "x" * 100}
    assert "no question" in fields["nope"]


def test_many_unknown_ids_are_capped(evaluation: Evaluation) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(evaluation, {f"q{i}": 1 for i in range(1000)})
    assert len(caught.value.fields) == 20


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("single", 1),
        ("single", ["a"]),
        ("single", "z"),
        ("single", ""),
        ("single", True),
        ("multiple", "a"),
        ("multiple", {"a": True}),
        ("multiple", ["a", 1]),
        ("multiple", ["a", "z"]),
        ("multiple", ["a", "a"]),
        ("tf", "true"),
        ("tf", "false"),
        ("tf", 1),
        ("tf", 0),
        ("tf", []),
        ("short", 5),
        ("short", ["alt"]),
        ("short", True),
        ("short", "x" * 501),
        ("short", "al\x00t"),
        ("short", "\ud800"),
        ("num", True),
        ("num", False),
        ("num", "abc"),
        ("num", "4,2"),
        ("num", "1 000"),
        ("num", "nan"),
        ("num", "NaN"),
        ("num", "inf"),
        ("num", "-Infinity"),
        ("num", "0x10"),
        ("num", "1e999"),
        ("num", "1" * 65),
        ("num", "1" * 41),
        ("num", float("nan")),
        ("num", float("inf")),
        ("num", 1e300),
        ("num", 10**100),
        ("num", Decimal("NaN")),
        ("num", Decimal("1e200")),
        ("num", [4.2]),
        ("num", {"value": 4.2}),
        ("essay", 3),
        ("essay", "x" * 10_001),
        ("essay", "bell\x07"),
    ],
)
def test_wrong_payloads(evaluation: Evaluation, question: str, value: object) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(evaluation, {question: value})
    assert list(caught.value.fields) == [question]
    assert caught.value.fields[question].endswith(".")


def test_every_error_is_reported_at_once(evaluation: Evaluation) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(evaluation, {"single": 1, "tf": "yes", "num": "x", "ghost": 0})
    assert set(caught.value.fields) == {"single", "tf", "num", "ghost"}


def test_limits_are_inclusive(evaluation: Evaluation) -> None:
    answers = parse_answers(
        evaluation, {"short": "x" * 500, "essay": "y" * 10_000, "num": "1" * 40}
    )
    assert answers["num"] == Decimal("1" * 40)


def test_missing_and_null_and_blank_answers_are_unanswered(evaluation: Evaluation) -> None:
    raw = {"single": None, "tf": None, "short": "   ", "num": " ", "essay": "\n"}
    assert parse_answers(evaluation, raw) == {}
    assert parse_answers(evaluation, {}) == {}


def test_empty_multiple_choice_is_an_answer(evaluation: Evaluation) -> None:
    assert parse_answers(evaluation, {"multiple": []}) == {"multiple": frozenset()}


def test_text_keeps_newlines_and_tabs_and_is_stripped(evaluation: Evaluation) -> None:
    answers = parse_answers(evaluation, {"essay": "  one\n\ttwo\r\n  ", "short": " alt "})
    assert answers == {"essay": "one\n\ttwo", "short": "alt"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4, Decimal(4)),
        (-3, Decimal(-3)),
        (4.2, Decimal("4.2")),
        (0.1, Decimal("0.1")),
        (Decimal("4.20"), Decimal("4.20")),
        ("4.2", Decimal("4.2")),
        (" +4.25 ", Decimal("4.25")),
        ("-.5", Decimal("-0.5")),
        ("5.", Decimal(5)),
        ("42e-1", Decimal("4.2")),
        ("1E+2", Decimal(100)),
    ],
)
def test_numeric_forms(evaluation: Evaluation, value: object, expected: Decimal) -> None:
    answer = parse_answers(evaluation, {"num": value})["num"]
    assert isinstance(answer, Decimal)
    assert answer == expected


@pytest.mark.parametrize("parse_float", [float, Decimal])
def test_json_numbers_either_way(evaluation: Evaluation, parse_float: Any) -> None:
    raw = json.loads('{"num": 4.2, "tf": true}', parse_float=parse_float)
    assert parse_answers(evaluation, raw) == {"num": Decimal("4.2"), "tf": True}


def test_json_nan_constant_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(AnswerError):
        parse_answers(evaluation, json.loads('{"num": NaN}'))


# --- grading -----------------------------------------------------------------------------


def graded(evaluation: Evaluation, raw: dict[str, Any]) -> GradeResult:
    return grade(evaluation, parse_answers(evaluation, raw))


def test_all_right_auto_only(auto_only: Evaluation) -> None:
    raw = all_right()
    del raw["essay"]
    result = graded(auto_only, raw)
    assert result.total_points == 7
    assert result.points == 7
    assert result.score == Decimal("100.00")
    assert result.passed is True
    assert result.pending is False
    assert all(r.correct and r.graded_by == "auto" for r in result.questions)


def test_all_wrong(auto_only: Evaluation) -> None:
    raw = {"single": "b", "multiple": ["c"], "tf": True, "short": "src", "num": "5"}
    result = graded(auto_only, raw)
    assert result.points == 0
    assert result.score == Decimal("0.00")
    assert result.passed is False
    assert all(r.correct is False and r.answered for r in result.questions)


def test_unanswered_scores_zero(auto_only: Evaluation) -> None:
    result = graded(auto_only, {"single": "a"})
    assert result.points == 1
    assert result.question("tf").answered is False
    assert result.question("tf").correct is False
    assert result.question("tf").points == 0


@pytest.mark.parametrize(
    ("choice", "right"),
    [(["a", "b"], True), (["b", "a"], True), (["a"], False), (["a", "b", "c"], False), ([], False)],
)
def test_multiple_is_all_or_nothing(evaluation: Evaluation, choice: list[str], right: bool) -> None:
    result = graded(evaluation, {"multiple": choice})
    assert result.question("multiple").correct is right
    assert result.question("multiple").points == (2 if right else 0)


def test_true_false_true_key() -> None:
    evaluation = make([{"type": "true_false", "prompt": "Yes?", "answer": True}])
    assert graded(evaluation, {"q1": True}).passed is True
    assert graded(evaluation, {"q1": False}).passed is False


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("alt", True),
        ("ALT", True),
        ("  Alt  ", True),
        ("alt.", True),
        ("alt !", True),
        ("alt?!", True),
        ("the   alt\tattribute", True),
        ("The alt attribute.", True),
        ("ａｌｔ", True),  # fullwidth letters, NFKC  # noqa: RUF001
        ("canción", True),
        ("CANCIÓN", True),
        ("cancio\u0301n", True),  # combining accent, NFKC composes it
        ("cancion", False),  # accents are significant
        ("alt attribute", False),
        ("al t", False),
        (".alt", False),  # only trailing punctuation is ignored
        ("src", False),
    ],
)
def test_short_text_normalisation(evaluation: Evaluation, typed: str, right: bool) -> None:
    assert graded(evaluation, {"short": typed}).question("short").correct is right


def test_short_text_case_sensitive() -> None:
    evaluation = make(
        [{"type": "short_text", "prompt": "Symbol?", "accepted": ["Na"], "case_sensitive": True}]
    )
    assert graded(evaluation, {"q1": "Na."}).question("q1").correct is True
    assert graded(evaluation, {"q1": " Na "}).question("q1").correct is True
    assert graded(evaluation, {"q1": "NA"}).question("q1").correct is False
    assert graded(evaluation, {"q1": "na"}).question("q1").correct is False


def test_punctuation_only_answers_still_compare() -> None:
    evaluation = make([{"type": "short_text", "prompt": "Which mark?", "accepted": ["?"]}])
    assert graded(evaluation, {"q1": " ? "}).question("q1").correct is True
    assert graded(evaluation, {"q1": "!"}).question("q1").correct is False


def test_normalise_text_examples() -> None:
    assert normalise_text("  The  ALT\u00a0attribute… ") == "the alt attribute"
    assert normalise_text("Straße") == normalise_text("STRASSE")
    assert normalise_text("Árbol", case_sensitive=True) == "Árbol"
    assert normalise_text("C#") == "c#"


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("4.2", True),
        ("4.20", True),
        ("4.15", True),  # key - tolerance, inclusive
        ("4.25", True),  # key + tolerance, inclusive
        ("4.2500000000000000000000000000000000001", False),  # beyond 28 digits of precision
        ("4.1499999999999999999999999999999999999", False),
        ("4.2499999999999999999999999999999999999", True),
        ("4.26", False),
        ("4.14", False),
        ("-4.2", False),
        (4.25, True),  # a float from json.loads, via its repr
        (4.2500001, False),
    ],
)
def test_numeric_tolerance_edges(evaluation: Evaluation, typed: object, right: bool) -> None:
    assert graded(evaluation, {"num": typed}).question("num").correct is right


def test_numeric_without_tolerance_is_exact() -> None:
    evaluation = make([{"type": "numeric", "prompt": "1/4?", "answer": "0.25"}])
    assert graded(evaluation, {"q1": "0.250"}).passed is True
    assert graded(evaluation, {"q1": 0.25}).passed is True
    assert graded(evaluation, {"q1": "0.2500000000000000000000000000001"}).passed is False
    assert graded(evaluation, {"q1": "2.5e-1"}).passed is True


def test_numeric_integer_key() -> None:
    evaluation = make([{"type": "numeric", "prompt": "2+2?", "answer": 4, "tolerance": 0}])
    assert graded(evaluation, {"q1": 4}).passed is True
    assert graded(evaluation, {"q1": "4.0"}).passed is True
    assert graded(evaluation, {"q1": 5}).passed is False


def test_open_answer_is_pending(evaluation: Evaluation) -> None:
    result = graded(evaluation, all_right())
    essay = result.question("essay")
    assert essay.pending
    assert (essay.points, essay.correct, essay.graded_by) == (None, None, None)
    assert result.pending is True
    assert result.score is None
    assert result.passed is None
    assert result.points == 7
    assert result.total_points == 10
    assert pending_questions(result) == ["essay"]


def test_blank_open_answer_scores_zero_at_once(evaluation: Evaluation) -> None:
    raw = all_right()
    raw["essay"] = "  "
    result = graded(evaluation, raw)
    assert result.pending is False
    assert result.question("essay").points == 0
    assert result.score == Decimal("70.00")
    assert result.passed is True


def test_score_is_rounded_down_and_agrees_with_passed() -> None:
    assert percent(2, 3) == Decimal("66.66")
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2999, 4000) == Decimal("74.97")
    assert percent(29_999, 40_000) == Decimal("74.99")  # 74.9975: never shown as 75.00
    assert percent(0, 5) == Decimal("0.00")
    assert percent(5, 5) == Decimal("100.00")
    assert percent(0, 0) == Decimal("100.00")


def test_passing_boundary() -> None:
    questions = [{"type": "true_false", "prompt": f"Q{i}", "answer": True} for i in range(4)]
    evaluation = make(questions, passing_score=75)
    three = {"q1": True, "q2": True, "q3": True, "q4": False}
    assert graded(evaluation, three).score == Decimal("75.00")
    assert graded(evaluation, three).passed is True
    two = {"q1": True, "q2": True}
    assert graded(evaluation, two).passed is False


def test_zero_point_evaluation_passes() -> None:
    evaluation = make([{"type": "true_false", "prompt": "Poll", "answer": True, "points": 0}])
    result = graded(evaluation, {"q1": False})
    assert result.total_points == 0
    assert result.score == Decimal("100.00")
    assert result.passed is True


def test_demo_evaluation_grades() -> None:
    evaluation = demo_evaluation()
    raw = {
        "link-or-button": "button",
        "empty-alt": ["divider", "repeated"],
        "placeholder-label": False,
        "automated-tools": False,
        "alt-attribute": "The alt attribute.",
        "lang-attribute": "LANG",
        "contrast-ratio": 4.2,
        "sticky-banner": "not-obscured",
        "review-snippet": "Labels, button, contrast.",
    }
    result = graded(evaluation, raw)
    assert (result.points, result.total_points, result.pending) == (10, 13, True)
    final = apply_manual_grades(evaluation, result, {"review-snippet": 2})
    assert (final.points, final.score, final.passed) == (12, Decimal("92.30"), True)


# --- manual grading ----------------------------------------------------------------------


def test_manual_grade_completes_the_result(evaluation: Evaluation) -> None:
    result = graded(evaluation, all_right())
    final = apply_manual_grades(evaluation, result, {"essay": 3})
    essay = final.question("essay")
    assert (essay.points, essay.correct, essay.graded_by) == (3, True, "manual")
    assert (final.points, final.score, final.pending, final.passed) == (
        10,
        Decimal("100.00"),
        False,
        True,
    )
    partial = apply_manual_grades(evaluation, result, {"essay": 1})
    assert partial.question("essay").correct is False
    assert partial.score == Decimal("80.00")


def test_manual_regrade_replaces_points(evaluation: Evaluation) -> None:
    result = graded(evaluation, all_right())
    first = apply_manual_grades(evaluation, result, {"essay": 3})
    second = apply_manual_grades(evaluation, first, {"essay": 0})
    assert second.points == 7
    assert second.score == Decimal("70.00")
    unchanged = apply_manual_grades(evaluation, first, {})
    assert unchanged == first


def test_manual_grade_from_stored_json(evaluation: Evaluation) -> None:
    stored = json.loads(json.dumps(result_to_json(graded(evaluation, all_right()))))
    final = apply_manual_grades(evaluation, stored, {"essay": 2})
    assert final.score == Decimal("90.00")
    assert final.passed is True


def test_partial_manual_grading_stays_pending() -> None:
    evaluation = make(
        [
            {"type": "open", "prompt": "One", "points": 2},
            {"type": "open", "prompt": "Two", "points": 2},
        ]
    )
    result = graded(evaluation, {"q1": "a", "q2": "b"})
    half = apply_manual_grades(evaluation, result, {"q1": 2})
    assert half.pending is True
    assert half.score is None
    assert pending_questions(half) == ["q2"]
    done = apply_manual_grades(evaluation, half, {"q2": 0})
    assert (done.pending, done.score, done.passed) == (False, Decimal("50.00"), False)


@pytest.mark.parametrize(
    ("manual", "field", "message"),
    [
        ({"essay": 4}, "essay", "between 0 and 3"),
        ({"essay": -1}, "essay", "between 0 and 3"),
        ({"essay": 1.5}, "essay", "whole number"),
        ({"essay": 2.0}, "essay", "whole number"),
        ({"essay": "2"}, "essay", "whole number"),
        ({"essay": True}, "essay", "whole number"),
        ({"essay": None}, "essay", "whole number"),
        ({"single": 1}, "single", "Only open questions"),
        ({"ghost": 1}, "ghost", "no question"),
    ],
)
def test_manual_grade_validation(
    evaluation: Evaluation, manual: dict[str, object], field: str, message: str
) -> None:
    result = graded(evaluation, all_right())
    with pytest.raises(ManualGradeError) as caught:
        apply_manual_grades(evaluation, result, manual)
    assert list(caught.value.fields) == [field]
    assert message in caught.value.fields[field]


def test_manual_grade_of_unanswered_open_question(evaluation: Evaluation) -> None:
    result = graded(evaluation, {"single": "a"})
    with pytest.raises(ManualGradeError, match="invalid") as caught:
        apply_manual_grades(evaluation, result, {"essay": 1})
    assert "not answered" in caught.value.fields["essay"]


def test_manual_grades_must_be_an_object(evaluation: Evaluation) -> None:
    result = graded(evaluation, all_right())
    with pytest.raises(ManualGradeError):
        apply_manual_grades(evaluation, result, [("essay", 1)])  # type: ignore[arg-type]


def test_manual_grade_against_another_evaluation(
    evaluation: Evaluation, auto_only: Evaluation
) -> None:
    result = graded(evaluation, all_right())
    with pytest.raises(ValueError, match="not graded against"):
        apply_manual_grades(auto_only, result, {})


# --- feedback ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "passed", "attempts_left", "allowed"),
    [
        (FeedbackPolicy.immediately, False, 2, True),
        (FeedbackPolicy.immediately, None, None, True),
        (FeedbackPolicy.after_passing, True, 2, True),
        (FeedbackPolicy.after_passing, False, 0, False),
        (FeedbackPolicy.after_passing, None, 0, False),
        (FeedbackPolicy.after_last_attempt, True, 1, False),
        (FeedbackPolicy.after_last_attempt, False, 0, True),
        (FeedbackPolicy.after_last_attempt, None, 0, True),
        (FeedbackPolicy.after_last_attempt, True, None, False),
        (FeedbackPolicy.never, True, 0, False),
        (FeedbackPolicy.never, True, None, False),
    ],
)
def test_feedback_allowed(
    policy: FeedbackPolicy, passed: bool | None, attempts_left: int | None, allowed: bool
) -> None:
    assert feedback_allowed(policy, passed=passed, attempts_left=attempts_left) is allowed


def feedback(evaluation: Evaluation, raw: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    answers = parse_answers(evaluation, raw)
    return feedback_for(evaluation, grade(evaluation, answers), answers, **kwargs)


def test_feedback_when_allowed(evaluation: Evaluation) -> None:
    raw = {"single": "b", "multiple": ["b", "a"], "tf": True, "short": "Alt.", "num": 4.24}
    items = {i["id"]: i for i in feedback(evaluation, raw, policy_allows=True)}
    assert items["single"] == {
        "id": "single",
        "max_points": 1,
        "answered": True,
        "pending": False,
        "correct": False,
        "points": 0,
        "answer": "b",
        "correct_answer": "a",
        "explanation_html": "<p>Because <em>alpha</em>.</p>",
    }
    assert items["multiple"]["answer"] == ["a", "b"]
    assert items["multiple"]["correct_answer"] == ["a", "b"]
    assert items["multiple"]["explanation_html"] is None
    assert items["tf"]["correct_answer"] is False
    assert items["short"]["correct"] is True
    assert items["short"]["correct_answer"] == "alt"
    assert items["num"]["answer"] == "4.24"
    assert items["num"]["correct_answer"] == "4.2"
    assert items["num"]["tolerance"] == "0.05"
    assert items["essay"]["answered"] is False
    assert items["essay"]["correct_answer"] is None
    json.dumps(list(items.values()))  # JSON-ready as it is


def test_feedback_for_pending_open_answer(evaluation: Evaluation) -> None:
    items = {i["id"]: i for i in feedback(evaluation, all_right(), policy_allows=True)}
    assert items["essay"]["pending"] is True
    assert items["essay"]["correct"] is None
    assert items["essay"]["points"] is None
    assert items["essay"]["answer"] == "A long essay."


def test_feedback_not_yet_allowed_holds_back_correctness(evaluation: Evaluation) -> None:
    items = feedback(evaluation, all_right(), policy_allows=False)
    assert [i["id"] for i in items] == [q["id"] for q in ALL]
    for item in items:
        assert set(item) == {"id", "max_points", "answered", "pending"}
    dump = json.dumps(items).lower()
    for word in ("correct", "explanation", 'points": 0', "alt", "4.2"):
        assert word not in dump, word


def test_feedback_never_is_empty() -> None:
    evaluation = make([dict(q) for q in ALL], feedback="never")
    assert feedback(evaluation, all_right(), policy_allows=True) == []
    assert feedback(evaluation, all_right(), policy_allows=False) == []


def test_feedback_follows_the_attempt_order() -> None:
    evaluation = make([dict(q) for q in ALL], shuffle_questions=True)
    items = feedback(evaluation, all_right(), policy_allows=False, seed=7)
    assert [i["id"] for i in items] == question_order(evaluation, 7)


# --- which attempt counts ----------------------------------------------------------------


D = Decimal


@pytest.mark.parametrize(
    ("scoring", "scores", "index", "score"),
    [
        (Scoring.best, [], None, None),
        (Scoring.last, [], None, None),
        (Scoring.best, [D("50"), D("80"), D("60")], 1, D("80")),
        (Scoring.last, [D("50"), D("80"), D("60")], 2, D("60")),
        (Scoring.best, [D("80"), D("80.00")], 0, D("80")),
        (Scoring.best, [D("50"), None], 0, D("50")),
        (Scoring.best, [None, None], None, None),
        (Scoring.last, [D("90"), None], 1, None),
        (Scoring.last, [None, D("40")], 1, D("40")),
    ],
)
def test_counted_score(
    scoring: Scoring, scores: list[Decimal | None], index: int | None, score: Decimal | None
) -> None:
    assert counted_attempt(scoring, scores) == index
    assert counted_score(scoring, scores) == score


def test_is_passing(auto_only: Evaluation) -> None:
    assert is_passing(auto_only, D("75.00")) is True
    assert is_passing(auto_only, D("74.99")) is False
    assert is_passing(auto_only, None) is None


# --- storage -----------------------------------------------------------------------------


def test_answers_round_trip_through_json(evaluation: Evaluation) -> None:
    raw = all_right() | {"num": Decimal("4.200"), "multiple": ["b", "a"]}
    answers = parse_answers(evaluation, raw)
    stored = json.loads(json.dumps(answers_to_json(answers)))
    assert stored["num"] == "4.200"
    assert stored["multiple"] == ["a", "b"]
    assert parse_answers(evaluation, stored) == answers


def test_result_round_trips_through_json(evaluation: Evaluation) -> None:
    for result in (
        graded(evaluation, all_right()),
        apply_manual_grades(evaluation, graded(evaluation, all_right()), {"essay": 2}),
        graded(evaluation, {}),
    ):
        stored = json.loads(json.dumps(result_to_json(result)))
        assert result_from_json(stored) == result


def test_stored_result_shape(evaluation: Evaluation) -> None:
    result = apply_manual_grades(evaluation, graded(evaluation, all_right()), {"essay": 2})
    stored = result_to_json(result)
    assert stored["format"] == 1
    assert stored["score"] == "90.00"
    assert stored["passed"] is True
    assert stored["questions"][-1] == {
        "id": "essay",
        "type": "open",
        "max_points": 3,
        "points": 2,
        "correct": False,
        "answered": True,
        "graded_by": "manual",
    }


def test_unknown_result_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        result_from_json({"format": 99})
