"""Evaluations: the quiz definition an author writes, answer keys included.

Answer keys live here and in the private bundle only; the static site gets the questions
without keys (see ``public_view``), and grading happens in the API.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from .common import SLUG_PATTERN, StrictModel, _coerce_decimal


def _numbers_to_decimal(value: Any) -> Any:
    """Keep `answer: 1` a number: without this the bool branch of the union would take it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return _coerce_decimal(value)


class QuestionType(StrEnum):
    single = "single"
    multiple = "multiple"
    true_false = "true_false"
    short_text = "short_text"
    numeric = "numeric"
    open = "open"


class Scoring(StrEnum):
    best = "best"
    last = "last"


class FeedbackPolicy(StrEnum):
    """When a student sees which answers were right and the explanations."""

    immediately = "immediately"
    after_passing = "after_passing"
    after_last_attempt = "after_last_attempt"
    never = "never"


class Option(StrictModel):
    id: str = Field(pattern=SLUG_PATTERN, description="Stable id of the option, e.g. `a`.")
    text: str = Field(min_length=1, description="What the student reads (Markdown inline).")
    correct: bool = False


class Question(StrictModel):
    id: str = Field(pattern=SLUG_PATTERN, description="Stable id; answers are stored by it.")
    type: QuestionType
    prompt: str = Field(min_length=1, description="The question (Markdown).")
    points: int = Field(1, ge=0, le=100)
    explanation: str | None = Field(None, description="Shown after submission (Markdown).")
    options: list[Option] | None = Field(None, description="single and multiple choice.")
    answer: Annotated[bool | Decimal | None, BeforeValidator(_numbers_to_decimal)] = Field(
        None, description="true_false: `true`/`false`; numeric: the number."
    )
    tolerance: Annotated[Decimal, BeforeValidator(_coerce_decimal)] = Field(
        Decimal(0), ge=0, description="numeric: accepted absolute difference."
    )
    accepted: list[str] | None = Field(
        None, description="short_text: every accepted answer (compared normalised)."
    )
    case_sensitive: bool = Field(False, description="short_text: compare case too.")
    rubric: str | None = Field(None, description="open: guidance for the grader.")

    @model_validator(mode="after")
    def _has_a_key(self) -> Question:
        kind = self.type
        if kind in (QuestionType.single, QuestionType.multiple):
            if not self.options or len(self.options) < 2:
                raise ValueError(f"a {kind} question needs at least two `options`")
            right = [o for o in self.options if o.correct]
            if not right:
                raise ValueError("no correct answer: mark the right option with `correct: true`")
            if kind is QuestionType.single and len(right) > 1:
                raise ValueError("a single-choice question has exactly one correct option")
            ids = [o.id for o in self.options]
            if len(set(ids)) != len(ids):
                raise ValueError("option ids must be unique within a question")
        elif kind is QuestionType.true_false:
            if not isinstance(self.answer, bool):
                raise ValueError("no correct answer: set `answer: true` or `answer: false`")
        elif kind is QuestionType.numeric:
            if not isinstance(self.answer, Decimal):
                raise ValueError("no correct answer: set `answer:` to a number")
        elif kind is QuestionType.short_text:
            if not self.accepted or not any(a.strip() for a in self.accepted):
                raise ValueError("no correct answer: list the `accepted:` answers")
        return self

    def public_view(self) -> dict[str, Any]:
        """The question as a student may see it before answering: no keys, no rubric."""
        view: dict[str, Any] = {
            "id": self.id,
            "type": str(self.type),
            "prompt": self.prompt,
            "points": self.points,
        }
        if self.options:
            view["options"] = [{"id": o.id, "text": o.text} for o in self.options]
        return view


class Evaluation(StrictModel):
    passing_score: int = Field(70, ge=0, le=100, description="Percent needed to pass.")
    max_attempts: int | None = Field(3, ge=1, description="Attempts allowed; null = unlimited.")
    time_limit_minutes: int | None = Field(None, ge=1, le=600)
    shuffle_questions: bool = False
    shuffle_options: bool = False
    scoring: Scoring = Field(Scoring.best, description="Which attempt counts: best or last.")
    feedback: FeedbackPolicy = FeedbackPolicy.immediately
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_question_ids(self) -> Evaluation:
        ids = [q.id for q in self.questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                f"duplicate question ids ({', '.join(duplicates)}): give each question its own `id`"
            )
        return self

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def has_open_questions(self) -> bool:
        return any(q.type is QuestionType.open for q in self.questions)


def default_question_ids(data: Any) -> Any:
    """Questions without an id get `q1`, `q2`, … by position, so short quizzes stay short."""
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        for index, question in enumerate(data["questions"], start=1):
            if isinstance(question, dict) and "id" not in question:
                question["id"] = f"q{index}"
    return data


EvaluationField = Annotated[Evaluation, BeforeValidator(default_question_ids)]
