"""The grading engine of evaluations: what a student sees, what they may send, what it scores.

Pure functions of an :class:`~site_builder.models.Evaluation` (answer keys included) and a
student's answers, no database; the attempt endpoints store what these return with
:func:`answers_to_json` / :func:`result_to_json` and read it back with :func:`parse_answers` /
:func:`result_from_json`.

Rules, in one place (README, "Evaluations"):

- **Missing answers are allowed** and score 0: a timed-out or hurried submission must still be
  graded, and the client warns before submitting blanks. ``null``, and a blank string for the
  text and numeric types, also mean "no answer".
- **Multiple choice is all-or-nothing**: the points go to exactly the set of correct options.
  Partial credit would reward ticking every box.
- **Short text** compares :func:`normalise_text` forms: Unicode NFKC, outer whitespace
  stripped, inner runs collapsed to one space, trailing sentence punctuation (``. , ; : ! ?
  …``) ignored, case ignored unless ``case_sensitive``. Accents stay significant (``canción``
  is not ``cancion``): in Spanish they change words.
- **Numeric**: ``|answer - key| <= tolerance``, compared exactly (Fractions, never floats).
- **Open answers** are pending until a grader gives points (:func:`apply_manual_grades`); an
  open question left blank scores 0 at once, so the grading queue only holds real work.
- **Score** is the percent of points earned, *rounded down* to two decimals, and ``passed``
  is ``score >= passing_score``: rounding down makes the shown score and the verdict agree
  (74.996 % shows as 74.99 and fails a 75 % bar). While an open answer is pending, ``score``
  and ``passed`` are ``None``. An evaluation worth 0 points scores 100.
"""

from __future__ import annotations

import random
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from site_builder.models import Evaluation, FeedbackPolicy, Question, QuestionType, Scoring
from site_builder.rendering import Renderer

#: What a student may send for one question, after :func:`parse_answers`.
Answer = str | bool | Decimal | frozenset[str]

SHORT_TEXT_MAX = 500
OPEN_TEXT_MAX = 10_000
#: A numeric answer longer than this (as text) is not a quiz answer.
NUMBER_TEXT_MAX = 64
NUMBER_DIGITS_MAX = 40
NUMBER_EXPONENT_MAX = 100  # |adjusted exponent|: 1e100 is already absurd for a quiz
#: Unknown question ids reported at most, so a hostile payload cannot inflate the error.
UNKNOWN_IDS_REPORTED = 20
RESULT_FORMAT = 1

CHOICE_TYPES = (QuestionType.single, QuestionType.multiple)
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# C0 controls other than tab, newline and carriage return: never typed, and NUL breaks
# PostgreSQL text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Fullwidth marks and the ellipsis need no entry: NFKC has already made them ASCII.
TRAILING_PUNCTUATION = " .,;:!?。、"


# --- errors ------------------------------------------------------------------------------


class GradingError(ValueError):
    """Input the engine refuses; ``fields`` maps question ids to what is wrong (for a 422)."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


class AnswerError(GradingError):
    """A student's answers payload is malformed."""


class ManualGradeError(GradingError):
    """A grader's points are not valid for this evaluation."""


# --- what the student sees ---------------------------------------------------------------

_renderer_lock = threading.Lock()
_renderer: Renderer | None = None


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Prompts are rendered at every attempt start: cache by text (content is immutable per
    catalog version). The renderer is not thread-safe, and Starlette runs sync code in a
    thread pool, hence the lock."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = Renderer()
        return _renderer.render(text).html


def render_inline(text: str) -> str:
    """An option's text: Markdown without the ``<p>`` that would wrap it."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _shuffled_questions(
    evaluation: Evaluation, seed: int
) -> list[tuple[Question, list[str] | None]]:
    """Questions with their option ids in attempt order; one RNG so a seed fixes both."""
    rng = random.Random(seed)
    questions = list(evaluation.questions)
    if evaluation.shuffle_questions:
        rng.shuffle(questions)
    ordered: list[tuple[Question, list[str] | None]] = []
    for question in questions:
        option_ids = [o.id for o in question.options] if question.options else None
        if option_ids and evaluation.shuffle_options:
            rng.shuffle(option_ids)
        ordered.append((question, option_ids))
    return ordered


def question_order(evaluation: Evaluation, seed: int) -> list[str]:
    """The question ids in the order the attempt with ``seed`` shows them."""
    return [q.id for q, _ in _shuffled_questions(evaluation, seed)]


def public_questions(evaluation: Evaluation, *, seed: int) -> list[dict[str, Any]]:
    """The questions as the attempt with ``seed`` shows them: no keys, explanations, rubric.

    ``[{"id", "type", "points", "prompt_html", "options"?: [{"id", "text_html"}],
    "max_length"?}]``; options only for single/multiple (true/false shows True/False),
    ``max_length`` for short_text and open.
    """
    views = []
    for question, option_ids in _shuffled_questions(evaluation, seed):
        view: dict[str, Any] = {
            "id": question.id,
            "type": str(question.type),
            "points": question.points,
            "prompt_html": render_markdown(question.prompt),
        }
        if question.type in CHOICE_TYPES and question.options and option_ids:
            texts = {o.id: o.text for o in question.options}
            view["options"] = [{"id": i, "text_html": render_inline(texts[i])} for i in option_ids]
        elif question.type is QuestionType.short_text:
            view["max_length"] = SHORT_TEXT_MAX
        elif question.type is QuestionType.open:
            view["max_length"] = OPEN_TEXT_MAX
        views.append(view)
    return views


# --- what the student may send -----------------------------------------------------------


def parse_answers(evaluation: Evaluation, raw: object) -> dict[str, Answer]:
    """Validate a submitted ``answers`` object; every problem is reported at once.

    Also reads back what :func:`answers_to_json` stored. Unanswered questions are left out.
    """
    if not isinstance(raw, Mapping):
        raise AnswerError("Answers must be a JSON object mapping question ids to answers.")
    questions = {q.id: q for q in evaluation.questions}
    errors: dict[str, str] = {}
    unknown = [str(key) for key in raw if key not in questions]
    for key in unknown[:UNKNOWN_IDS_REPORTED]:
        errors[key[:100]] = "There is no question with this id in this evaluation."
    answers: dict[str, Answer] = {}
    for key, value in raw.items():
        question = questions.get(key)
        if question is None:
            continue
        try:
            answer = _parse_one(question, value)
        except ValueError as exc:
            errors[question.id] = str(exc)
            continue
        if answer is not None:
            answers[question.id] = answer
    if errors:
        raise AnswerError("Some answers are invalid.", errors)
    return answers


def _parse_one(question: Question, value: object) -> Answer | None:
    if value is None:
        return None
    kind = question.type
    if kind is QuestionType.single:
        return _parse_option(question, value)
    if kind is QuestionType.multiple:
        return _parse_options(question, value)
    if kind is QuestionType.true_false:
        if not isinstance(value, bool):
            raise ValueError("Answer true or false (a JSON boolean).")
        return value
    if kind is QuestionType.numeric:
        return _parse_number(value)
    limit = SHORT_TEXT_MAX if kind is QuestionType.short_text else OPEN_TEXT_MAX
    return _parse_text(value, limit)


def _parse_option(question: Question, value: object) -> str:
    ids = {o.id for o in question.options or ()}
    if not isinstance(value, str):
        raise ValueError("Choose one option: send its id as a string.")
    if value not in ids:
        raise ValueError("This is not one of the question's options.")
    return value


def _parse_options(question: Question, value: object) -> frozenset[str]:
    ids = {o.id for o in question.options or ()}
    if not isinstance(value, list):
        raise ValueError("Send the ids of the chosen options as a list (possibly empty).")
    if not all(isinstance(item, str) for item in value):
        raise ValueError("Option ids must be strings.")
    if any(item not in ids for item in value):
        raise ValueError("This list names an option the question does not have.")
    if len(set(value)) != len(value):
        raise ValueError("An option is chosen more than once.")
    return frozenset(value)


def _parse_text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        raise ValueError("Answer with text (a string).")
    if len(value) > limit:
        raise ValueError(f"The answer is longer than the {limit} characters allowed.")
    if CONTROL_CHARS.search(value):
        raise ValueError("The answer contains control characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" JSON escape
        raise ValueError("The answer is not valid Unicode text.") from None
    return value.strip() or None


def _parse_number(value: object) -> Decimal | None:
    """JSON numbers (int, float, or Decimal with ``parse_float=Decimal``) and decimal strings.

    Floats go through their shortest repr, so ``4.2`` stays ``Decimal("4.2")``.
    """
    if isinstance(value, bool):
        raise ValueError("Answer with a number.")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > NUMBER_TEXT_MAX or not NUMBER.fullmatch(text):
            raise ValueError("Answer with a number, using a point for decimals (e.g. 4.25).")
        number = Decimal(text)
    elif isinstance(value, int):
        if value.bit_length() > 200:  # before str(): huge ints are slow to convert
            raise ValueError("This number is too large.")
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # 'nan'/'inf' parse as non-finite and are refused below
    elif isinstance(value, Decimal):
        number = value
    else:
        raise ValueError("Answer with a number.")
    return _check_number(number)


def _check_number(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise ValueError("Answer with a finite number.")
    digits = number.as_tuple().digits
    if len(digits) > NUMBER_DIGITS_MAX or abs(number.adjusted()) > NUMBER_EXPONENT_MAX:
        raise ValueError("This number has too many digits or is too large.")
    return number


# --- grading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    id: str
    type: QuestionType
    max_points: int
    #: ``None`` while an open answer waits for a grader.
    points: int | None
    #: ``None`` while pending; open answers count as correct with full marks.
    correct: bool | None
    answered: bool
    #: ``"auto"``, ``"manual"`` (a grader), or ``None`` while pending.
    graded_by: str | None

    @property
    def pending(self) -> bool:
        return self.points is None


@dataclass(frozen=True)
class GradeResult:
    #: In the evaluation's (authoring) order, whatever order the attempt showed.
    questions: tuple[QuestionResult, ...]
    total_points: int
    #: Points earned so far (pending questions count 0 until graded).
    points: int
    #: Percent, rounded down to two decimals; ``None`` while pending.
    score: Decimal | None
    pending: bool
    #: ``score >= passing_score``; ``None`` while pending.
    passed: bool | None

    def question(self, question_id: str) -> QuestionResult:
        for result in self.questions:
            if result.id == question_id:
                return result
        raise KeyError(question_id)


def grade(evaluation: Evaluation, answers: Mapping[str, Answer]) -> GradeResult:
    """Grade validated ``answers`` (from :func:`parse_answers`) against the keys."""
    results = tuple(_grade_one(q, answers.get(q.id)) for q in evaluation.questions)
    return _summarise(evaluation, results)


def _grade_one(question: Question, answer: Answer | None) -> QuestionResult:
    kind = question.type
    if answer is None:
        return _result(question, correct=False, answered=False)
    if kind is QuestionType.open:
        return QuestionResult(question.id, kind, question.points, None, None, True, None)
    return _result(question, correct=is_correct(question, answer), answered=True)


def _result(question: Question, *, correct: bool, answered: bool) -> QuestionResult:
    points = question.points if correct else 0
    return QuestionResult(
        question.id, question.type, question.points, points, correct, answered, "auto"
    )


def is_correct(question: Question, answer: Answer) -> bool:
    """Whether ``answer`` matches the key of an automatically graded question."""
    kind = question.type
    options = question.options or []
    if kind is QuestionType.single:
        return answer in {o.id for o in options if o.correct}
    if kind is QuestionType.multiple:
        return answer == frozenset(o.id for o in options if o.correct)
    if kind is QuestionType.true_false:
        return answer is question.answer
    if kind is QuestionType.short_text:
        return isinstance(answer, str) and _matches_text(question, answer)
    if kind is QuestionType.numeric:
        return isinstance(answer, Decimal) and _within_tolerance(question, answer)
    raise ValueError(f"{kind} questions are graded by hand")


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """The form short answers are compared in (see the module docstring)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = text.rstrip(TRAILING_PUNCTUATION) or text  # "?" alone stays "?"
    if not case_sensitive:
        # casefold can leave non-NFKC text ("ǰ" → "ǰ"), so normalise again.
        text = unicodedata.normalize("NFKC", text.casefold())
    return text


def _matches_text(question: Question, answer: str) -> bool:
    sensitive = question.case_sensitive
    given = normalise_text(answer, case_sensitive=sensitive)
    return any(
        given == normalise_text(a, case_sensitive=sensitive) for a in question.accepted or ()
    )


def _within_tolerance(question: Question, answer: Decimal) -> bool:
    # Fractions are exact: Decimal arithmetic would round a 40-digit answer to 28 digits.
    key = question.answer
    assert isinstance(key, Decimal)
    return abs(Fraction(answer) - Fraction(key)) <= Fraction(question.tolerance)


def _summarise(evaluation: Evaluation, results: tuple[QuestionResult, ...]) -> GradeResult:
    total = sum(r.max_points for r in results)
    earned = sum(r.points or 0 for r in results)
    pending = any(r.pending for r in results)
    score = None if pending else percent(earned, total)
    passed = None if score is None else score >= evaluation.passing_score
    return GradeResult(results, total, earned, score, pending, passed)


def percent(points: int, total: int) -> Decimal:
    """``points / total`` as a percent rounded down to hundredths, in exact integer maths."""
    if total <= 0:
        return Decimal("100.00")
    return Decimal((points * 10_000) // total).scaleb(-2)


# --- manual grading of open answers ------------------------------------------------------


def apply_manual_grades(
    evaluation: Evaluation,
    result: GradeResult | Mapping[str, Any],
    manual: Mapping[str, object],
) -> GradeResult:
    """Give a grader's points to answered open questions and recompute score and verdict.

    Accepts a :class:`GradeResult` or what :func:`result_to_json` stored. Grading some open
    questions and leaving others pending is allowed; re-grading one replaces its points.
    ``correct`` becomes "full marks".
    """
    if not isinstance(result, GradeResult):
        result = result_from_json(result)
    if [r.id for r in result.questions] != [q.id for q in evaluation.questions]:
        raise ValueError("this result was not graded against this evaluation")
    if not isinstance(manual, Mapping):
        raise ManualGradeError("Points must be an object mapping question ids to integers.")
    _check_manual(evaluation, result, manual)
    questions = tuple(_with_manual(r, manual.get(r.id)) for r in result.questions)
    return _summarise(evaluation, questions)


def _check_manual(
    evaluation: Evaluation, result: GradeResult, manual: Mapping[str, object]
) -> None:
    questions = {q.id: q for q in evaluation.questions}
    errors: dict[str, str] = {}
    for key, points in manual.items():
        question = questions.get(key)
        if question is None:
            errors[str(key)[:100]] = "There is no question with this id in this evaluation."
        elif question.type is not QuestionType.open:
            errors[key] = "Only open questions are graded by hand."
        elif not result.question(key).answered:
            errors[key] = "This question was not answered: it scores 0."
        elif not isinstance(points, int) or isinstance(points, bool):
            errors[key] = "Give a whole number of points."
        elif not 0 <= points <= question.points:
            errors[key] = f"Give between 0 and {question.points} points."
    if errors:
        raise ManualGradeError("Some points are invalid.", errors)


def _with_manual(result: QuestionResult, points: object) -> QuestionResult:
    if not isinstance(points, int):
        return result
    return replace(result, points=points, correct=points == result.max_points, graded_by="manual")


#: The name the endpoints' brief used.
finalize_with_manual_grades = apply_manual_grades


def pending_questions(result: GradeResult) -> list[str]:
    """Ids of the open answers still waiting for a grader (the grading queue's work)."""
    return [r.id for r in result.questions if r.pending]


# --- feedback ----------------------------------------------------------------------------


def feedback_allowed(
    policy: FeedbackPolicy, *, passed: bool | None, attempts_left: int | None
) -> bool:
    """Whether the keys and explanations may be shown now.

    ``after_last_attempt`` with unlimited attempts (``attempts_left is None``) never opens:
    there is no last attempt. A pending attempt (``passed is None``) has not passed.
    """
    if policy is FeedbackPolicy.immediately:
        return True
    if policy is FeedbackPolicy.after_passing:
        return passed is True
    if policy is FeedbackPolicy.after_last_attempt:
        return attempts_left is not None and attempts_left <= 0
    return False


def feedback_for(
    evaluation: Evaluation,
    result: GradeResult,
    answers: Mapping[str, Answer],
    *,
    policy_allows: bool,
    seed: int | None = None,
) -> list[dict[str, Any]]:
    """Per-question feedback for the student; the score itself is always shown by the caller.

    - ``never``: an empty list.
    - not allowed yet: ``{id, max_points, answered, pending}`` only. Correctness is held back
      too: for a true/false (or two-option) question, "wrong" *is* the key.
    - allowed: also ``correct``, ``points``, ``answer`` (the student's), ``correct_answer``
      (option id, sorted option ids, bool, first accepted text, decimal string, or ``None``
      for open), ``tolerance`` (numeric) and ``explanation_html`` (or ``None``).

    Ordered like the attempt when ``seed`` is given, else in authoring order.
    """
    if evaluation.feedback is FeedbackPolicy.never:
        return []
    questions = {q.id: q for q in evaluation.questions}
    order = question_order(evaluation, seed) if seed is not None else list(questions)
    return [
        _feedback_item(questions[i], result.question(i), answers.get(i), policy_allows)
        for i in order
    ]


def _feedback_item(
    question: Question, result: QuestionResult, answer: Answer | None, allowed: bool
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": question.id,
        "max_points": result.max_points,
        "answered": result.answered,
        "pending": result.pending,
    }
    if not allowed:
        return item
    item["correct"] = result.correct
    item["points"] = result.points
    item["answer"] = answer_to_json(answer)
    item["correct_answer"] = correct_answer(question)
    if question.type is QuestionType.numeric:
        item["tolerance"] = str(question.tolerance)
    item["explanation_html"] = (
        render_markdown(question.explanation) if question.explanation else None
    )
    return item


def correct_answer(question: Question) -> str | bool | list[str] | None:
    """The key in JSON form; open questions have none."""
    kind = question.type
    right = [o.id for o in question.options or () if o.correct]
    if kind is QuestionType.single:
        return right[0]
    if kind is QuestionType.multiple:
        return sorted(right)
    if kind is QuestionType.short_text:
        return (question.accepted or [""])[0]
    if kind in (QuestionType.true_false, QuestionType.numeric):
        key = question.answer
        return key if isinstance(key, bool) else str(key)
    return None


# --- which attempt counts ----------------------------------------------------------------


def counted_attempt(scoring: Scoring, scores: Sequence[Decimal | None]) -> int | None:
    """Index of the attempt that counts among submitted attempts, oldest first.

    ``None`` in ``scores`` is an attempt awaiting a grader. ``best``: the highest known score
    (the earliest on ties), pending attempts ignored until graded. ``last``: the most recent
    attempt, even when it is pending (then nothing counts until it is graded).
    """
    if not scores:
        return None
    if scoring is Scoring.last:
        return len(scores) - 1
    known = [(s, i) for i, s in enumerate(scores) if s is not None]
    if not known:
        return None
    best = max(s for s, _ in known)
    return next(i for s, i in known if s == best)


def counted_score(scoring: Scoring, scores: Sequence[Decimal | None]) -> Decimal | None:
    """The score that counts (see :func:`counted_attempt`); ``None`` when none is known yet."""
    index = counted_attempt(scoring, scores)
    return None if index is None else scores[index]


def is_passing(evaluation: Evaluation, score: Decimal | None) -> bool | None:
    return None if score is None else score >= evaluation.passing_score


# --- storage -----------------------------------------------------------------------------


def answer_to_json(answer: Answer | None) -> str | bool | list[str] | None:
    """An answer as JSON: option id, sorted option ids, bool, text, or decimal string."""
    if isinstance(answer, frozenset):
        return sorted(answer)
    if isinstance(answer, Decimal):
        return str(answer)
    return answer


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """For the attempt's ``answers`` column; read back with :func:`parse_answers`."""
    return {key: answer_to_json(value) for key, value in answers.items()}


def result_to_json(result: GradeResult) -> dict[str, Any]:
    """For the attempt's ``result`` column: plain JSON, Decimals as strings."""
    return {
        "format": RESULT_FORMAT,
        "total_points": result.total_points,
        "points": result.points,
        "score": None if result.score is None else str(result.score),
        "pending": result.pending,
        "passed": result.passed,
        "questions": [
            {
                "id": r.id,
                "type": str(r.type),
                "max_points": r.max_points,
                "points": r.points,
                "correct": r.correct,
                "answered": r.answered,
                "graded_by": r.graded_by,
            }
            for r in result.questions
        ],
    }


def result_from_json(data: Mapping[str, Any]) -> GradeResult:
    """The inverse of :func:`result_to_json` (trusted data: our own column)."""
    if data.get("format") != RESULT_FORMAT:
        raise ValueError(f"unknown result format {data.get('format')!r}")
    questions = tuple(
        QuestionResult(
            id=q["id"],
            type=QuestionType(q["type"]),
            max_points=q["max_points"],
            points=q["points"],
            correct=q["correct"],
            answered=q["answered"],
            graded_by=q["graded_by"],
        )
        for q in data["questions"]
    )
    score = data["score"]
    return GradeResult(
        questions=questions,
        total_points=data["total_points"],
        points=data["points"],
        score=None if score is None else Decimal(score),
        pending=data["pending"],
        passed=data["passed"],
    )


__all__ = [
    "Answer",
    "AnswerError",
    "GradeResult",
    "GradingError",
    "ManualGradeError",
    "QuestionResult",
    "answer_to_json",
    "answers_to_json",
    "apply_manual_grades",
    "correct_answer",
    "counted_attempt",
    "counted_score",
    "feedback_allowed",
    "feedback_for",
    "finalize_with_manual_grades",
    "grade",
    "is_correct",
    "is_passing",
    "normalise_text",
    "parse_answers",
    "pending_questions",
    "percent",
    "public_questions",
    "question_order",
    "render_markdown",
    "result_from_json",
    "result_to_json",
]
